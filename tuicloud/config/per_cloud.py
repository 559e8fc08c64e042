"""The settings file's per-cloud section (``[clouds.NAME]``) merged into a session made from
clouds.yaml: the stricter safety setting wins, the settings file's accent and ssh user win."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.color import Color, ColorParseError

from tuicloud.config.settings import CloudSettings, Settings

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["apply_cloud_settings"]


def apply_cloud_settings(session: CloudSession, cloud: CloudSettings,
                         settings: Settings) -> list[str]:
    """Merge the settings file's ``[clouds.NAME]`` into a session from clouds.yaml.

    read_only and protected: the stricter wins (on when either file says so). accent and
    ssh_user: the settings file wins. ssh user rules by image name go along. Returns problems
    to show (an accent that is not a colour is dropped).
    """
    problems: list[str] = list(getattr(session, "option_problems", ()))
    session.read_only = bool(session.read_only or cloud.read_only)
    session.protected = bool(session.protected or cloud.protected)
    session.ssh_user = cloud.ssh_user or session.ssh_user
    session.ssh_user_rules = settings.ssh_users
    accent = cloud.accent or session.accent
    if accent is not None:
        try:
            Color.parse(accent)
        except ColorParseError:
            problems.append(f"clouds.yaml: cloud '{session.cloud_name}': tuicloud.accent: "
                            f"{accent!r} is not a colour; ignored")
            accent = None
    session.accent = accent
    return problems
