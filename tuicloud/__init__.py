"""tuicloud: a keyboard-first terminal console for OpenStack."""

__version__ = "0.1.0"
