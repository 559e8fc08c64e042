"""Switching cloud, project and region without restarting, and the state file.

:class:`Switcher` belongs to the app (``app.switcher``). It answers ``:cloud NAME``,
``:project NAME`` and ``:region NAME`` (and the palette's "Switch to …" commands), remembers
where the user was (the state file) and where to start, and applies the settings file's
per-cloud section to a new session. Connecting itself stays in the app (``app.connect``), in a
worker; the list views keep their filter and sort and start over with the new session's rows.
"""

from __future__ import annotations

import copy
import importlib
import logging
import pkgutil
import threading
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Protocol

from textual.app import App
from textual.binding import Binding
from textual.command import Hit, Hits, Provider
from textual.dom import DOMNode

from tuicloud.config.keymap import unknown_binding
from tuicloud.config.per_cloud import apply_cloud_settings
from tuicloud.config.settings import Settings
from tuicloud.config.state import CloudState, State, load_state, save_state, state_path

log = logging.getLogger("tuicloud.switching")

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession
    from tuicloud.options import Options

__all__ = ["SwitchCommands", "SwitchHost", "Switcher", "Target", "known_binding_ids"]

_SWITCH_WORDS = ("cloud", "project", "region")


@dataclass(frozen=True)
class Target:
    """Where a connection attempt goes. ``restored``: project/region came from the state file
    (if they no longer work, connect with the cloud's own); ``switch``: the user asked for it
    while connected (a failure keeps the current session)."""

    cloud: str
    project: str | None = None
    region: str | None = None
    restored: bool = False
    switch: bool = False


def known_binding_ids() -> set[str]:
    """The id of every key binding in tuicloud's screens and widgets (imports them all), and
    in the app's class: called with the app running, so its module is loaded already (never
    imported from here: the app imports this module)."""
    import tuicloud.screens
    import tuicloud.widgets

    for package in (tuicloud.screens, tuicloud.widgets):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            try:
                importlib.import_module(info.name)
            except Exception:  # noqa: BLE001 - a broken module only costs the check
                log.exception("importing %s to list key bindings failed", info.name)
    found: set[str] = set()
    pending: list[type[DOMNode]] = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("tuicloud."):
            for binding in cls.__dict__.get("BINDINGS", ()):
                if isinstance(binding, Binding) and binding.id:
                    found.add(binding.id)
    return found


class SwitchHost(Protocol):
    """What the switcher needs of tuicloud's app, beyond Textual's App (never the concrete
    class: the app imports this module)."""

    settings: Settings
    options: Options
    is_demo: bool
    cloud_accent: str | None

    @property
    def session(self) -> CloudSession | None:
        """The connected session, or None before the first connection."""
        ...

    def connect_target(self, target: Target) -> None:
        """Connect to a cloud, project and region in a worker."""
        ...


class Switcher:
    """The app's memory of clouds, projects and regions (see the module docstring).

    ``app`` and ``host`` are the same object, seen as Textual's App and as tuicloud's."""

    def __init__(self, app: App[None], host: SwitchHost) -> None:
        self.app = app
        self.host = host
        # Fixed at start: a write finishing later goes to the same file whatever the
        # environment says by then.
        self.path = state_path()
        self.state: State = load_state(self.path)
        self.clouds: list[str] = []
        self.projects: list[str] = []
        # True when ``projects`` is Keystone's own list (GET /v3/auth/projects), not a guess.
        self.projects_listed = False
        self.regions: list[str] = []
        self.target: Target | None = None
        self._reported: set[str] = set()
        self._save_lock = threading.Lock()

    # -- start ---------------------------------------------------------------------------------
    def initial_view(self, flag: str | None) -> str:
        """--view, else the settings file's default_view when it names one, else the last
        session's view, else the overview."""
        settings = self.host.settings
        if flag:
            return flag
        if settings.default_view_set:
            return settings.default_view
        return self.state.view or settings.default_view

    def initial_cloud(self, names: list[str]) -> str | None:
        """The last session's cloud when clouds.yaml still has it (no picker then)."""
        last = self.state.cloud
        return last if last and last in names else None

    def initial_target(self, cloud: str) -> Target:
        """The cloud with --os-project-name/--os-region-name, else the last used ones."""
        options = self.host.options
        saved = self.state.for_cloud(cloud)
        project = options.project
        restored_project = None if project else saved.project
        restored_region = None if options.region else saved.region
        return Target(cloud, project or restored_project, options.region or restored_region,
                      restored=bool(restored_project or restored_region))

    def apply_settings(self) -> None:
        """Theme, key overrides and the settings file's problems (shown once)."""
        settings = self.host.settings
        if settings.theme:
            self.app.theme = settings.theme
        problems = [str(problem) for problem in settings.problems]
        if settings.keys:
            known = known_binding_ids()
            keymap = {bid: keys for bid, keys in settings.keys.items() if bid in known}
            problems += [unknown_binding(settings, bid, known)
                         for bid in settings.keys if bid not in known]
            self.app.set_keymap(keymap)
        self.report(problems)

    def report(self, problems: list[str]) -> None:
        """Settings problems, each once per session: every one in the log, and one
        notification (eight toasts pushed the first ones off the screen)."""
        fresh = [p for p in dict.fromkeys(problems) if p not in self._reported]
        if not fresh:
            return
        self._reported.update(fresh)
        for problem in fresh:
            log.warning("settings: %s", problem)
        message = fresh[0]
        if len(fresh) > 1:
            message += f"\n… and {len(fresh) - 1} more problems: every one is in the log"
        self.app.notify(message, title=f"Settings ({len(fresh)} problems)" if len(fresh) > 1
                        else "Settings", severity="warning", timeout=15)

    # -- the session ---------------------------------------------------------------------------
    def prepare(self, session: CloudSession) -> list[str]:
        """Apply the settings file's section for the session's cloud (in the worker)."""
        settings = self.host.settings
        return apply_cloud_settings(session, settings.cloud(session.cloud_name), settings)

    def connected(self, session: CloudSession) -> None:
        """Remember where we are and fetch what we can switch to (in a worker)."""
        if not self.host.is_demo:
            self.state.cloud = session.cloud_name
            self.state.clouds[session.cloud_name] = CloudState(session.project_name,
                                                               session.region)
            self.save()
        self.app.run_worker(partial(self._scopes_worker, session), thread=True,
                            group="scopes", exclusive=True, exit_on_error=False)

    def _scopes_worker(self, session: CloudSession) -> None:
        from tuicloud.cloud.config import cloud_names
        from tuicloud.cloud.errors import CloudError
        from tuicloud.cloud.scope import available_projects, available_regions

        clouds: list[str] = []
        projects: list[str] = []
        regions: list[str] = []
        try:
            clouds = cloud_names()
        except CloudError:
            pass
        listed = False
        try:
            projects = available_projects(session)
            listed = True
        except CloudError:
            projects = [session.project_name] if session.project_name else []
        try:
            regions = available_regions(session)
        except Exception as error:  # noqa: BLE001 - a catalog oddity only costs completion
            if not isinstance(error, CloudError):
                log.exception("listing the regions of %s failed", session.cloud_name)
            regions = [session.region] if session.region else []
        self.app.call_from_thread(self._scopes_known, clouds, projects, regions, listed)

    def _scopes_known(self, clouds: list[str], projects: list[str], regions: list[str],
                      listed: bool = False) -> None:
        self.clouds, self.projects, self.regions = clouds, projects, regions
        self.projects_listed = listed

    def remember_view(self, view: str) -> None:
        """The visible view changed."""
        if self.state.view != view and not self.host.is_demo:
            self.state.view = view
            self.save()

    def save(self) -> None:
        """Write the state file in a worker (atomic, fsync: not on the UI thread)."""
        snapshot = copy.deepcopy(self.state)
        self.app.run_worker(partial(self._save_worker, snapshot), thread=True, group="state",
                            exclusive=True, exit_on_error=False)

    def _save_worker(self, snapshot: State) -> None:
        with self._save_lock:  # two writes never interleave; the last one wins
            save_state(snapshot, self.path)

    def flush(self) -> None:
        """Write the state file now (the app is closing: a worker might not finish)."""
        if not self.host.is_demo:
            with self._save_lock:
                save_state(self.state, self.path)

    # -- commands ------------------------------------------------------------------------------
    def words(self) -> list[str]:
        """Completions for the `:` prompt: "cloud NAME", "project NAME", "region NAME"."""
        words = list(_SWITCH_WORDS)
        words += [f"cloud {name}" for name in self.clouds]
        words += [f"project {name}" for name in self.projects]
        words += [f"region {name}" for name in self.regions]
        return words

    def run(self, command: str) -> bool:
        """Handle `:cloud NAME`, `:project NAME`, `:region NAME`; False for other commands."""
        word, _, rest = command.strip().partition(" ")
        word = word.lower()
        if word not in _SWITCH_WORDS:
            return False
        name = rest.strip()
        session = self.host.session
        if not name:
            known = {"cloud": self.clouds, "project": self.projects, "region": self.regions}
            current = None if session is None else {
                "cloud": session.cloud_name, "project": session.project_name,
                "region": session.region}[word]
            choices = ", ".join(known[word]) or "unknown yet"
            self.app.notify(f"{word}: {current or '-'} (:{word} NAME switches; known: "
                            f"{choices})")
            return True
        if word == "cloud":
            self.switch(Target(name, switch=True))
        elif session is None:
            self.app.notify("Not connected yet.", severity="warning")
        elif word == "project":
            project = self._own_project(name)
            if project is not None:
                self.switch(Target(session.cloud_name, project, session.region, switch=True))
        else:
            self.switch(Target(session.cloud_name, session.project_name, name, switch=True))
        return True

    def _own_project(self, name: str) -> str | None:
        """The project to switch to, as Keystone spells it; None (and a message) when the
        user's project list, once known, lacks it: Keystone would answer 401, which reads as
        a wrong password."""
        if not self.projects_listed or name in self.projects:
            return name
        same = [p for p in self.projects if p.lower() == name.lower()]
        if len(same) == 1:
            return same[0]
        yours = ", ".join(self.projects) or "none"
        self.app.notify(f"no role on project {name} (yours: {yours})", title="Cannot switch",
                        severity="error", timeout=10, markup=False)
        return None

    def switch(self, target: Target) -> None:
        """Connect to ``target`` in a worker; the current session stays until it succeeds."""
        if target.cloud not in self.clouds and self.clouds:
            self.app.notify(f"Unknown cloud '{target.cloud}' (known: {', '.join(self.clouds)})",
                            severity="warning")
            return
        if target.project is None and target.region is None:
            # A cloud comes back with the project and region it was left in.
            saved = self.state.for_cloud(target.cloud)
            target = Target(target.cloud, saved.project, saved.region, restored=True,
                            switch=True)
        what = " / ".join(p for p in (target.cloud, target.project, target.region) if p)
        self.app.notify(f"Switching to {what}…", timeout=3)
        self.host.connect_target(target)

    # -- accent ---------------------------------------------------------------------------------
    def paint(self, accent: str | None) -> None:
        """Show the cloud's accent in the header and as a frame (CSS variable $cloud-accent)."""
        self.host.cloud_accent = accent
        self.app.refresh_css(animate=False)
        self.app.set_class(accent is not None, "-cloud-accent")  # frames every screen


class SwitchCommands(Provider):
    """"Switch to cloud/project/region …" in the command palette (ctrl+p)."""

    async def search(self, query: str) -> Hits:
        """Match the known clouds, projects and regions against the query."""
        app = self.app
        switcher: Switcher | None = getattr(app, "switcher", None)
        if switcher is None:
            return
        matcher = self.matcher(query)
        for word, names in (("cloud", switcher.clouds), ("project", switcher.projects),
                            ("region", switcher.regions)):
            for name in names:
                label = f"Switch to {word} {name}"
                score = matcher.match(label)
                if score > 0:
                    yield Hit(score, matcher.highlight(label),
                              partial(switcher.run, f"{word} {name}"), help=f":{word} {name}")
