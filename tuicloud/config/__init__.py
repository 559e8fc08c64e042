"""tuicloud's own files: settings (TOML, user config dir) and state (JSON, user state dir).

For other parts of the app, the API is::

    settings = app.settings                # a Settings, loaded once at start
    app.refresh_for("overview")            # seconds between polls of a view; honours --refresh
    settings.refresh_for("servers")        # same, from the file only (default 5 s)
    settings.default_view                  # "overview" unless the file says otherwise
    settings.columns_for("servers")        # ("name", "status", ...) or None (the kind's own)
    settings.cloud("prod")                 # CloudSettings(accent, read_only, protected, ssh_user)
    settings.console_log_lines             # console-log buffer size
    settings.ssh_user_for_image("ubuntu-24.04")  # from [ssh_users] patterns, or None

View names are the resource kinds' names plus ``EXTRA_VIEWS`` ("overview", "all"). State:
:func:`load_state` / :func:`save_state` (atomic, 0600).
"""

from __future__ import annotations

from tuicloud.config.settings import (
    DEFAULT_REFRESH,
    DEFAULT_VIEW,
    EXTRA_VIEWS,
    CloudSettings,
    Problem,
    Settings,
    load_settings,
    settings_path,
)

__all__ = [
    "DEFAULT_REFRESH",
    "DEFAULT_VIEW",
    "EXTRA_VIEWS",
    "CloudSettings",
    "Problem",
    "Settings",
    "load_settings",
    "settings_path",
]
