"""What the screens use of the app: a small protocol, never the concrete TuiCloudApp.

The app imports the screens; the screens reaching back to the app's class would make one
import cycle of the two layers (the import contracts in pyproject.toml forbid it, even for
typing). tuicloud.app checks that TuiCloudApp satisfies this protocol.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from tuicloud.cloud.errors import NotConnectedError

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from tuicloud.cloud.changes import ChangeLog
    from tuicloud.cloud.connection import CloudSession
    from tuicloud.cloud.lookups import Lookups
    from tuicloud.config import Settings
    from tuicloud.config.view_cache import ViewCache
    from tuicloud.options import Options
    from tuicloud.widgets.status_header import Identity

__all__ = ["ConsoleHost", "NotConnectedError", "connected", "console_host", "lookups_of"]


@runtime_checkable
class ConsoleHost(Protocol):
    """The app as the screens see it: the session and what surrounds it, and the commands."""

    settings: Settings
    """The settings file, read once at start."""
    changes: ChangeLog
    """Recent created/deleted/state changes seen by the pollers (for the overview)."""

    @property
    def options(self) -> Options:
        """What the command line asked for (--refresh, --read-only …)."""
        ...

    @property
    def session(self) -> CloudSession | None:
        """The connected session; None until the first connection succeeds."""
        ...

    @property
    def lookups(self) -> Lookups | None:
        """Flavor, image, network … names of the session; None until connected."""
        ...

    @property
    def identity(self) -> Identity | None:
        """Cloud, project, region and user shown in the header; None before connecting."""
        ...

    @property
    def all_projects(self) -> bool:
        """Lists show every project's resources (admins)."""
        ...

    @property
    def view_cache(self) -> ViewCache | None:
        """The view cache (rows kept from the last run); None when the settings turn it off."""
        ...

    def cache_key(self, kind: str, session: CloudSession | None) -> dict[str, object] | None:
        """The view cache's key of ``kind`` for ``session`` (None: before connecting, the
        scope guessed from clouds.yaml), or None when no rows may be kept or shown for it."""
        ...

    def refresh_for(self, view: str) -> float:
        """Seconds between polls of ``view``."""
        ...

    def command_words(self) -> list[str]:
        """What the `:` prompt completes."""
        ...

    def run_command(self, command: str | None) -> None:
        """Run what was typed at the `:` prompt."""
        ...

    def show_filtered(self, view: str, filter_text: str) -> None:
        """Open a list view with its filter set."""
        ...

    def toggle_all_projects(self) -> None:
        """List every project's resources, or only the session's project (admins)."""
        ...


def console_host(node: DOMNode) -> ConsoleHost:
    """The app of ``node``, typed as the screens may use it."""
    app = node.app
    if not isinstance(app, ConsoleHost):  # a screen mounted in some other app: a bug
        raise TypeError(f"{type(app).__name__} is not a tuicloud console app")
    return app


def connected(session: CloudSession | None) -> CloudSession:
    """``session``, or NotConnectedError (a CloudError: shown like any failed call) when None.
    For workers, which report CloudError; the UI thread checks for None itself."""
    if session is None:
        raise NotConnectedError()
    return session


def lookups_of(host: ConsoleHost) -> Lookups:
    """The session's names, or none yet (rows then show ids) before the first connection."""
    if host.lookups is not None:
        return host.lookups
    from tuicloud.cloud.lookups import Lookups  # 12 KB the cached rows are painted without

    return Lookups()
