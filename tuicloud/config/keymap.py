"""The settings file's ``[keys]`` section checked against the key bindings tuicloud has: the
message for an entry that names no binding, with the similar ids that exist."""

from __future__ import annotations

import contextlib
from pathlib import Path

from tuicloud.config.locate import find_line
from tuicloud.config.settings import Problem, Settings

__all__ = ["unknown_binding"]


def unknown_binding(settings: Settings, binding_id: str, known: set[str]) -> str:
    """The problem message for a [keys] entry naming no binding."""
    line = None
    if settings.path is not None:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            line = find_line(settings.path.read_text(encoding="utf-8"), ("keys", binding_id))
    prefix = next((bid.split(".")[0] + "." for bid in known
                   if bid.split(".")[0] == binding_id.split(".")[0]), "")
    similar = sorted(bid for bid in known if prefix and bid.startswith(prefix))
    hint = f" (known: {', '.join(similar)})" if similar else ""
    return str(Problem(settings.path or Path("settings.toml"), line, f"keys.{binding_id}",
                       f"no key has this binding id{hint}"))
