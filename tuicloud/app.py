"""The Textual app: wires screens (one mode per resource kind), the connection and global keys.

Start-up (issue 17): importing this module imports only what the first list view needs; every
other screen (overview, dialogs, menus, forms, detail …) is imported where it is opened, and
preloaded in a worker shortly after the first paint (PRELOAD), so no key press waits for it.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import App, ModeError, ScreenError, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import Hit, Hits, Provider
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widget import AwaitMount

from tuicloud.cloud.changes import ChangeLog
from tuicloud.cloud.kinds.registry import all_kinds, kind_for, kind_names
from tuicloud.config import Settings, load_settings
from tuicloud.config.clouds_guess import CacheScope, guess_scope, plain_cloud_names
from tuicloud.config.view_cache import ViewCache
from tuicloud.key_order import KeySequencer
from tuicloud.memory import release_free_memory
from tuicloud.model.backoff import retry_delay
from tuicloud.model.freshness import Freshness
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.switching import SwitchCommands, Switcher, Target
from tuicloud.widgets.sanitize import sanitize_text
from tuicloud.widgets.status_header import Identity, StatusHeader
from tuicloud.widgets.textual_compat import (
    install_strip_patch,
    screen_stacks,
    start_in_mode,
    styled_with_current_css,
)

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession
    from tuicloud.cloud.kinds.base import ResourceKind
    from tuicloud.cloud.lookups import Lookups
    from tuicloud.options import Options
    from tuicloud.screens.host import ConsoleHost

log = logging.getLogger(__name__)
CONNECT_RETRY = 2.0
"""Seconds before the first retry of a failed connection (then doubled, at most a minute)."""
PRELOAD_DELAY = 1.0
"""Seconds after the app is mounted before PRELOAD is imported: after the first paint and the
SDK's import (both hold the GIL), while the first page is still on its way."""
PRELOAD_WAIT = 5.0
"""Seconds after the mount that PRELOAD waits at most for the first view's first load: a long
list from a quick cloud is bound by our CPU (50,000 servers: the 0.13 s of imports made the
load that much longer), a slow cloud's leaves the CPU idle."""
PRELOAD = ("tuicloud.screens.actions_menu", "tuicloud.screens.confirm",
           "tuicloud.screens.prompts", "tuicloud.screens.dialogs", "tuicloud.screens.overview",
           "tuicloud.screens.detail", "tuicloud.screens.console_log",
           "tuicloud.screens.copy_menu", "tuicloud.screens.forms.base")
"""The screens a first key press may open, imported in the background after start-up (every
kind and every kind's cloud operations too)."""


OVERVIEW_NAMES = ("overview", "ov", "home")
ALL_CLOUDS_NAMES = ("all", "allclouds")
"""What ``goto`` takes for the overview and for every cloud's servers (not resource kinds)."""


def kind_for_or_none(name: str) -> str | None:
    """The kind name for a name or alias, or None."""
    try:
        return kind_for(name).name
    except KeyError:
        return None


def preload() -> None:
    """Import what start-up left out (see PRELOAD), one module at a time."""
    import importlib

    from tuicloud.cloud import operations

    all_kinds()  # every kind's module: `:` completes every view's name and aliases
    operations.load_all()
    for name in PRELOAD:
        importlib.import_module(name)


class ViewCommands(Provider):
    """Every view in the command palette (ctrl+p)."""

    async def search(self, query: str) -> Hits:
        """Match "servers", "volumes" … against the query."""
        app = self.app
        assert isinstance(app, TuiCloudApp)
        matcher = self.matcher(query)
        for label, view in (("Show the overview", "overview"),
                            ("Show the servers of all clouds", "all")):
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(app.goto, view),
                          help=":overview" if view == "overview" else ":servers all")
        for kind in app.views():
            label = f"Show {kind.title.lower()}"
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(app.goto, kind.name),
                          help=f":{kind.name}")


class TuiCloudApp(App[None]):
    """tuicloud: live tables of an OpenStack cloud, driven from the keyboard."""

    CSS_PATH = "tuicloud.tcss"
    TITLE = "tuicloud"
    COMMANDS = App.COMMANDS | {ViewCommands, SwitchCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("colon", "command_line", "Command", id="app.command"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("minus", "previous_view", "Previous view", show=False, id="app.previous_view"),
    ]

    class Connected(Message):
        """Authentication and catalog discovery succeeded."""

        def __init__(self, session: CloudSession, lookups: Lookups,
                     target: Target | None = None, scope: CacheScope | None = None) -> None:
            super().__init__()
            self.session = session
            self.lookups = lookups
            self.target = target
            self.scope = scope  # the view cache's scope of the session (None: no cache)

    class ConnectFailed(Message):
        """Connecting failed: wrong password, unreachable, bad config …"""

        def __init__(self, error: str, retry: bool, switch: bool = False) -> None:
            super().__init__()
            self.error = error
            self.retry = retry
            self.switch = switch  # a switch failed: the current session stays

    class LookupsRefreshed(Message):
        """Flavor, image, network … names were (re)loaded: visible rows may name more now."""

    def __init__(self, options: Options, settings: Settings | None = None) -> None:
        super().__init__()
        install_strip_patch()  # lines drawn leave no reference cycles (see textual_compat)
        self.options = options
        self.settings: Settings = settings if settings is not None else load_settings()
        """The settings file (see tuicloud.config): read once, at start."""
        self.is_demo = options.demo
        self.cloud_accent: str | None = None
        self._lookups_timer: Any = None
        self.switcher = Switcher(self, self)
        """Cloud/project/region switching, the state file (tuicloud/switching.py)."""
        options.view = self.switcher.initial_view(options.view or None)
        self.session: CloudSession | None = None
        self.lookups: Lookups | None = None
        self.all_projects = options.all_projects
        self.identity: Identity | None = None
        self._exit_stack = contextlib.ExitStack()
        self._connect_failures = 0
        self._last_connect_error: str | None = None  # toasted once, not at every retry
        self._previous_view: str | None = None  # `-` goes back to it
        self.fatal_error: str | None = None
        """Why the app gave up at start (the CLI prints it and exits 1), or None."""
        self._keys = KeySequencer(self, super().on_event)
        self.changes = ChangeLog()
        """Recent created/deleted/state changes seen by the pollers (for the overview)."""
        self._changes_loaded = False
        self._view_cache = ViewCache() if self.settings.cache else None
        # The view cache's scope and the session it belongs to (None: guessed before any).
        self._cache_scope: tuple[CloudSession | None, CacheScope] | None = None
        for name in kind_names():  # each kind's module is imported when its view opens
            self.add_mode(name, partial(self._list_screen, name))
        self.add_mode("overview", self._overview_screen)
        self.add_mode("all", self._all_clouds_screen)
        first = self._first_mode(options.view or "overview")
        if first is not None:
            # Made as the app composes: no blank screen first, no second resume of the view.
            start_in_mode(self, first)

    async def on_event(self, event: events.Event) -> None:
        """Never lose keys typed ahead: ``/web``, ``:vol⏎`` or ``abc⇥5`` in a form, typed fast,
        pasted or in one SSH packet, each reach the widget the previous key focused."""
        if not await self._keys.route(event):
            await super().on_event(event)

    # -- start-up -----------------------------------------------------------------------------
    def on_mount(self) -> None:
        """Open the first view at once; connect in a worker (the screen is up before that)."""
        self.goto(self.options.view or "overview")  # a list view is the first mode already
        self._choose_cloud()
        self.set_timer(PRELOAD_DELAY, functools.partial(self._preload_after_load,
                                                        time.monotonic() + PRELOAD_WAIT))

    @staticmethod
    def _first_mode(view: str) -> str | None:
        """The mode to start in when the first view is a kind's list (``goto`` then only
        switches to it: no session yet, so no role to check); None for the others, shown by
        ``goto`` from the blank screen (the overview composed that early would focus its
        first line differently)."""
        name = view.strip().lstrip(":").lower()
        if name in OVERVIEW_NAMES or name in ALL_CLOUDS_NAMES:
            return None
        return kind_for_or_none(view)

    def _preload_after_load(self, deadline: float) -> None:
        screen = self.live_screen()
        loading = (isinstance(screen, ResourceListScreen)
                   and screen.freshness.state in ("connecting", "loading"))
        if loading and time.monotonic() < deadline:
            self.set_timer(0.25, functools.partial(self._preload_after_load, deadline))
            return
        self._preload()

    @work(thread=True, group="preload", exit_on_error=False)
    def _preload(self) -> None:
        preload()

    def _choose_cloud(self) -> None:
        self.switcher.apply_settings()
        if self.options.cloud:
            self.connect(self.options.cloud)
            return
        # The last session's cloud, found without importing openstacksdk (0.3 s) when
        # clouds.yaml is plain: the view cache paints before the connection imports it.
        last = self.switcher.initial_cloud(plain_cloud_names(digest=self.settings.cache) or [])
        if last:
            self.connect(last)
            return
        from tuicloud.cloud.config import cloud_names, describe_config_locations

        names = cloud_names()
        last = self.switcher.initial_cloud(names)
        if last:
            self.connect(last)
            return
        from tuicloud.screens.dialogs import CloudPicker, NoCloudScreen

        if len(names) == 1:
            self.connect(names[0])
        elif names:
            self.push_screen(CloudPicker(names), self._picked)
        else:
            self.push_screen(NoCloudScreen(describe_config_locations()), self._demo_chosen)

    def _picked(self, name: str | None) -> None:
        if name is None:
            self.exit(return_code=1)
        else:
            self.connect(name)

    def _demo_chosen(self, demo: bool | None) -> None:
        if not demo:
            self.exit(return_code=1)
            return
        from tuicloud.options import demo_cloud

        cloud = self._exit_stack.enter_context(demo_cloud(self.options.demo_servers))
        self.is_demo = True  # the demo's place is not remembered
        self.connect(cloud)

    def connect(self, cloud: str) -> None:
        """Connect to ``cloud`` in a worker (with the project and region used last there)."""
        self.options.cloud = cloud
        self.identity = Identity(cloud=cloud, read_only=self.options.read_only,
                                 all_projects=self.all_projects)
        self._update_headers()
        self.connect_target(self.switcher.initial_target(cloud))

    def connect_target(self, target: Target) -> None:
        """Connect to a cloud, project and region in a worker; when switching, the current
        session stays until the new one works. Before the first connection, the view shows
        what the view cache kept for where the connection is expected to go."""
        self.switcher.target = target
        if self.session is None and self.view_cache is not None:
            scope = guess_scope(target.cloud, target.project, target.region)
            self._cache_scope = (None, scope) if scope is not None else None
            screen = self.live_screen()
            if isinstance(screen, ResourceListScreen) and screen.is_mounted:
                screen.paint_cached()
            if scope is not None:
                # The worker's first act is importing openstacksdk (0.3 s, holding the GIL
                # much of it): the cached rows are drawn first.
                self.call_after_refresh(self._connect_worker, target)
                return
        self._connect_worker(target)

    @property
    def view_cache(self) -> ViewCache | None:
        """The view cache; None when the settings turn it off (and in the demo, whose cloud
        is new at every start)."""
        return None if self.is_demo else self._view_cache

    def cache_key(self, kind: str, session: CloudSession | None) -> dict[str, object] | None:
        """The view cache's key of ``kind`` for ``session`` (see ConsoleHost.cache_key)."""
        found = self._cache_scope
        if self.view_cache is None or found is None or found[0] is not session:
            return None
        return found[1].key(kind, self.all_projects)

    def _open_session(self, cloud: str, project: str | None,
                      region: str | None) -> CloudSession:
        from tuicloud.cloud.connection import CloudSession

        return CloudSession.connect(cloud, region, read_only=self.options.read_only,
                                    project=project,
                                    catalog_region=region not in (None, self.options.region))

    @work(thread=True, exclusive=True, group="connect", exit_on_error=False)
    def _connect_worker(self, target: Target | str) -> None:
        from tuicloud.cloud.errors import CloudError
        from tuicloud.cloud.lookups import Lookups

        if isinstance(target, str):  # a retry after a failure
            target = self.switcher.target or Target(target)
        went = (target.cloud, target.project, target.region)
        try:
            try:
                session = self._open_session(*went)
            except CloudError as error:
                if not target.restored or error.retryable:
                    raise
                # The project or region used last no longer works: the cloud's own.
                where = " / ".join(p for p in (target.project, target.region) if p)
                self.call_from_thread(self.notify, f"Cannot use {where} on {target.cloud} "
                                      f"any more ({error}); using the cloud's own",
                                      severity="warning")
                went = (target.cloud, self.options.project, self.options.region)
                session = self._open_session(*went)
            self._load_changes()
            problems = self.switcher.prepare(session)
            if problems:  # a round trip to the UI thread only when there is something to say
                self.call_from_thread(self.switcher.report, problems)
            lookups = Lookups()
            lookups.know_own_project(session)
            scope = guess_scope(*went) if self.view_cache is not None else None
            self.post_message(self.Connected(session, lookups, target, scope))
            # The first page goes first; names follow (they compete on the API's workers).
            lookups.refresh(session, self._lookup_tables(session), after_first_page=5.0)
            self.post_message(self.LookupsRefreshed())
            release_free_memory()
        except CloudError as error:
            # 5xx, 429 and connection failures may pass; a wrong password, a bad clouds.yaml
            # or an untrusted certificate will not.
            self.post_message(self.ConnectFailed(str(error), retry=error.retryable,
                                                 switch=target.switch))
        except Exception as error:  # noqa: BLE001 - shown to the user, never a traceback
            log.exception("connecting to %s failed", target.cloud)  # the trace: in the log
            self.post_message(self.ConnectFailed(f"{error.__class__.__name__}: {error}", True,
                                                 switch=target.switch))

    def live_screen(self) -> Screen[Any] | None:
        """The screen on top; None once the app is closing (its screens are going or gone), as
        a message or a worker's callback may still arrive then."""
        if not self.is_running:
            return None
        try:
            return self.screen
        except (ScreenError, ModeError):  # no screen left on the stack (or mode)
            return None

    @on(Connected)
    def _connected(self, message: Connected) -> None:
        if self.live_screen() is None:
            message.session.close()  # connected as the app closes: nothing will use it
            return
        if message.target is not None and message.target is not self.switcher.target:
            message.session.close()  # overtaken by a later switch
            return
        self._connect_failures = 0
        self._last_connect_error = None
        previous = self.session
        self.session = message.session
        self.lookups = message.lookups
        self._cache_scope = ((message.session, message.scope) if message.scope is not None
                             else None)
        session = message.session
        self.options.cloud = session.cloud_name
        if not session.is_admin:
            self.all_projects = False
        self.identity = Identity(cloud=session.cloud_name, project=session.project_name or "",
                                 region=session.region or "", user=session.user_name or "",
                                 read_only=session.read_only, insecure=session.insecure,
                                 all_projects=self.all_projects, accent=session.accent,
                                 protected=session.protected)
        self._update_headers()
        self.switcher.paint(session.accent)
        if previous is not None:
            self._close_scoped_screens()
        for screen in self._list_screens():
            if previous is not None:
                screen.reset()  # another cloud/project/region: no row of the old one stays
            screen.connected()
        if previous is not None:
            from tuicloud.screens.overview import OverviewScreen

            for other in self._all_screens():
                if isinstance(other, OverviewScreen):
                    other.refresh_now()  # rebuilt for the new session at once if visible
        if self._lookups_timer is None:
            self._lookups_timer = self.set_interval(60.0, self._refresh_lookups)
        self.switcher.connected(session)
        if previous is not None and previous is not session:
            # Operations started on the old session still follow their resource to the end.
            self.run_worker(partial(previous.close, refuse_later=False), thread=True,
                            exit_on_error=False)

    @work(thread=True, exclusive=True, group="lookups", exit_on_error=False)
    def _refresh_lookups(self) -> None:
        session, lookups = self.session, self.lookups
        if session is None or lookups is None:
            return  # the timer starts once connected; nothing to refresh before that
        try:
            lookups.refresh(session, self._lookup_tables(session))
        except Exception:  # noqa: BLE001 - names are a nicety; a failure keeps the old ones
            log.warning("refreshing the name lookups failed", exc_info=True)
            return
        self.post_message(self.LookupsRefreshed())

    def _lookup_tables(self, session: CloudSession) -> list[str]:
        """Every name table some view needs (one list request each, never one per row)."""
        from tuicloud.cloud.lookups import tables_for

        tables: set[str] = set()
        for kind in all_kinds():
            tables |= tables_for(kind, session, all_projects=self.all_projects)
        return sorted(tables)

    @on(LookupsRefreshed)
    def _lookups_refreshed(self) -> None:
        screen = self.live_screen()
        if isinstance(screen, ResourceListScreen):
            screen.relabel()

    @on(ConnectFailed)
    def _connect_failed(self, message: ConnectFailed) -> None:
        screen = self.live_screen()
        if screen is None:
            return  # the app is closing: nobody to tell, nothing to retry
        if message.switch and self.session is not None:
            self.notify(message.error, title="Cannot switch", severity="error", timeout=10)
            return
        self._connect_failures += 1
        if not message.retry and self.session is None:
            # Never connected and retrying cannot help (wrong password, bad configuration,
            # untrusted certificate): leave with one line, as the openstack CLI would.
            self.fatal_error = message.error
            self.exit(return_code=1)
            return
        if message.error != self._last_connect_error:  # not one toast per retry
            self.notify(message.error, title="Cannot connect", severity="error", timeout=10)
        self._last_connect_error = message.error
        status = f"not connected: {message.error}"
        if message.retry and self.options.cloud:
            delay = retry_delay(CONNECT_RETRY, self._connect_failures)  # 2, 4 … 60 s
            self.set_timer(delay, lambda: self._connect_worker(self.options.cloud or ""))
            at = time.strftime("%H:%M:%S", time.localtime(time.time() + delay))
            # When it tries again goes first: a long error is cut at the header's end.
            status = f"not connected (try {self._connect_failures + 1} at {at}): {message.error}"
        if isinstance(screen, ResourceListScreen):
            screen.show_freshness(Freshness("unavailable", error=status))  # cached rows say so
            return
        for header in screen.query(StatusHeader):
            header.freshness = Freshness("unavailable", error=status)

    def _update_headers(self) -> None:
        for screen in self._all_screens():
            for header in screen.query(StatusHeader):
                header.identity = self.identity

    def _all_screens(self) -> Iterable[Screen[Any]]:
        seen: set[int] = set()
        for stack in screen_stacks(self).values():
            for screen in stack:
                if id(screen) not in seen:
                    seen.add(id(screen))
                    yield screen

    def _close_scoped_screens(self) -> None:
        """After a switch, close detail and console-log screens in every view: they show one
        resource of the previous cloud/project/region and would fetch it from the new one."""
        from tuicloud.screens.console_log import ConsoleLogScreen
        from tuicloud.screens.detail import DetailScreen

        scoped = (DetailScreen, ConsoleLogScreen)
        for mode, stack in screen_stacks(self).items():
            if mode == self.current_mode:
                while len(self.screen_stack) > 1 and isinstance(self.screen, scoped):
                    self.pop_screen()
                continue
            while len(stack) > 1 and isinstance(stack[-1], scoped):
                stack.pop().remove()  # a view not shown: its screens were never resumed

    def _list_screens(self) -> Iterable[ResourceListScreen]:
        for screen in self._all_screens():
            if isinstance(screen, ResourceListScreen):
                yield screen

    def switch_mode(self, mode: str) -> AwaitMount:
        """Show a mode (view); the state file remembers it for the next start."""
        self.switcher.remember_view(mode)
        if mode != self.current_mode and self.current_mode != self.DEFAULT_MODE:
            self._previous_view = self.current_mode
        return super().switch_mode(mode)

    def action_previous_view(self) -> None:
        """`-`: back to the view shown before this one (again: forth), as k9s does."""
        if self._previous_view is None:
            self.notify("No previous view yet", timeout=3)
            return
        self.switch_mode(self._previous_view)

    def all_screens(self) -> Iterable[Screen[Any]]:
        """Every screen of every mode."""
        return self._all_screens()

    def get_css_variables(self) -> dict[str, str]:
        """$cloud-accent: the cloud's accent colour (settings), else the theme's primary."""
        variables = super().get_css_variables()
        # getattr: Textual asks for the variables from App.__init__, before ours has run.
        variables["cloud-accent"] = (getattr(self, "cloud_accent", None)
                                     or variables.get("primary", "ansi_blue"))
        return variables

    def _load_changes(self) -> None:
        """The change log of earlier runs, once, before the first poll (in the connect
        worker: the file may hold thousands of states). The demo's cloud is new each time."""
        from tuicloud.config.changes_file import load_changes

        if not self.is_demo and not self._changes_loaded:
            self._changes_loaded = True
            load_changes(self.changes)

    def on_unmount(self) -> None:
        """Save the state file, the change log and the views changed since they were last
        kept; stop the demo cloud, if one was started from the no-cloud screen."""
        from tuicloud.config.changes_file import save_changes

        self.switcher.flush()
        for screen in self._list_screens():
            screen.flush_cache()  # only views whose rows changed since their last write
        if not self.is_demo and self._changes_loaded:  # never overwrite what was not read
            save_changes(self.changes)
        if self.session is not None:
            # Workers still in a poll or a lookup stop at their next request, not pages later.
            self.session.close()
        self._exit_stack.close()

    def refresh_for(self, view: str) -> float:
        """Seconds between polls of ``view``: --refresh when given, else the settings file."""
        if self.options.refresh is not None:
            return self.options.refresh
        return self.settings.refresh_for(view)

    # -- navigation ---------------------------------------------------------------------------
    def goto(self, view: str) -> None:
        """Show a view: a resource kind by name or alias, "overview" or "all" (all clouds)."""
        name = view.strip().lstrip(":").lower()
        if name in OVERVIEW_NAMES:
            self.switch_mode("overview")
            return
        if name in ALL_CLOUDS_NAMES:
            self.show_all_clouds(None)
            return
        try:
            kind = kind_for(view)
        except KeyError:
            self.notify(f"Unknown view ':{view}'. Try :servers, :volumes, :images …",
                        severity="warning")
            return
        if kind.admin_only and self.session is not None and not self.session.is_admin:
            self.notify(f"{kind.title} needs the admin role (this session's roles: "
                        f"{', '.join(self.session.roles) or 'none'})", severity="warning",
                        markup=False)
            return
        self.switch_mode(kind.name)

    def views(self) -> list[ResourceKind]:
        """The kinds this user may open: the cloud's own views (hypervisors, services) only
        with the admin role, and not before the session says which roles it has."""
        session = self.session
        admin = session is not None and session.is_admin
        return [kind for kind in all_kinds() if admin or not kind.admin_only]

    def command_words(self) -> list[str]:
        """What the `:` prompt completes."""
        words = ["quit", "overview", "allclouds", "servers all", "why", "why 22"]
        for kind in self.views():
            words.append(kind.name)
            words.extend(kind.aliases)
        words.extend(self.switcher.words())
        return words

    def action_command_line(self) -> None:
        """`:`: jump to a view."""
        from tuicloud.screens.dialogs import CommandLine

        self.push_screen(CommandLine(self.command_words()), self.run_command)

    def run_command(self, command: str | None) -> None:
        """Run what was typed at the `:` prompt (a view name or alias, or quit)."""
        command = (command or "").strip().lstrip(":").strip()
        if not command:
            return
        if command in ("q", "quit", "q!"):
            self.exit()
            return
        if self.switcher.run(command):
            return
        words = command.split()
        if words[0].lower() == "why":
            self._why(words[1:])
            return
        if words[0].lower() == "allclouds":  # a toggle: back to this cloud's servers
            if self.current_mode == "all":
                self.goto("servers")
            else:
                self.show_all_clouds(words[1] if len(words) > 1 else None)
            return
        if (len(words) > 1 and words[1].lower() == "all"
                and kind_for_or_none(words[0]) == "servers"):
            self.show_all_clouds(words[2] if len(words) > 2 else None)
            return
        self.goto(words[0])

    def _why(self, args: list[str]) -> None:
        """`:why [PORT]`: the reachability check of the server under the cursor."""
        screen = self.live_screen()
        if not isinstance(screen, ResourceListScreen) or not screen.kind.can("reach"):
            self.notify(":why checks a server: use it on the servers view", severity="warning")
            return
        if args and not (args[0].isdigit() and 1 <= int(args[0]) <= 65535):
            self.notify(f":why takes a TCP port (1 to 65535), not {args[0]!r}",
                        severity="warning", markup=False)
            return
        screen.action_why(int(args[0]) if args else 22)

    def _list_screen(self, name: str) -> Screen[Any]:
        return styled_with_current_css(self, ResourceListScreen(kind_for(name)))

    def _overview_screen(self) -> Screen[Any]:
        from tuicloud.screens.overview import OverviewScreen

        return styled_with_current_css(self, OverviewScreen())

    def _all_clouds_screen(self) -> Screen[Any]:
        from tuicloud.screens.all_clouds import AllCloudsScreen

        return styled_with_current_css(self, AllCloudsScreen())

    def show_all_clouds(self, names: str | None) -> None:
        """The servers of every cloud in clouds.yaml (or of ``names``, "a,b") in one table."""
        from tuicloud.screens.all_clouds import AllCloudsScreen

        self.switch_mode("all")
        screen = self.screen
        if isinstance(screen, AllCloudsScreen):
            screen.choose([n for n in (names or "").split(",") if n.strip()])

    def show_filtered(self, view: str, filter_text: str) -> None:
        """Open a list view with its filter set (the overview's jumps)."""
        name = kind_for_or_none(view)
        if name is None:
            self.goto(view)
            return
        mounted = self.switch_mode(name)
        screen = self.screen

        async def apply() -> None:
            await mounted  # a view opened for the first time composes first
            if isinstance(screen, ResourceListScreen):
                screen.apply_filter(filter_text)

        self.call_later(apply)

    def action_help(self) -> None:
        """`?`: the keys that work on this screen."""
        screen = self.screen
        keys: list[tuple[str, str]] = []
        moves = False
        for _, binding in self._bindings_for(screen):
            if not binding.show:
                moves = True  # cursor and scroll keys: one summary line below
                continue
            keys.append((self.get_key_display(binding), binding.description))
        if moves:
            keys.append(("↑ ↓ j k PgUp PgDn g G", "move in the table or scroll"))
        if isinstance(screen, ResourceListScreen):
            keys.extend((key, f"sort by {title}") for key, title in screen.sort_help())
        title = getattr(getattr(screen, "kind", None), "title",
                        getattr(screen, "HELP_TITLE", screen.__class__.__name__))
        commands = [("views", ["overview", *(k.name for k in self.views()), "servers all"]),
                    ("switch to", ["cloud NAME", "project NAME", "region NAME"])]
        from tuicloud.screens.dialogs import HelpScreen

        self.push_screen(HelpScreen(str(title), keys, commands))

    def _bindings_for(self, screen: Screen[Any]) -> list[tuple[str, Binding]]:
        found: dict[str, Binding] = {}
        seen_actions: set[str] = set()
        for key, (_node, binding, enabled, _tooltip) in screen.active_bindings.items():
            if enabled and binding.description and binding.action not in seen_actions:
                seen_actions.add(binding.action)
                found[key] = binding
        return list(found.items())

    def toggle_all_projects(self) -> None:
        """List every project's resources (admins only)."""
        if self.session is None:
            return
        if not self.session.is_admin:
            self.notify("Listing all projects needs the admin role.", severity="warning")
            return
        self.all_projects = not self.all_projects
        if self.identity is not None:
            from dataclasses import replace

            self.identity = replace(self.identity, all_projects=self.all_projects)
        self._update_headers()
        for screen in self._list_screens():
            screen.connected()

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Notifications often quote the cloud (error messages, names): never as markup."""
        super().notify(sanitize_text(str(message), max_len=600),
                       title=sanitize_text(title, max_len=80), severity=severity,
                       timeout=timeout, markup=False)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Add refresh/pause to the palette's system commands."""
        yield from super().get_system_commands(screen)
        if isinstance(screen, ResourceListScreen):
            yield SystemCommand("Refresh now", "Poll this view at once", screen.action_refresh_now)
            yield SystemCommand("Pause or resume refresh", "Toggle live refresh",
                                screen.action_toggle_pause)


def _is_console_host(app: TuiCloudApp) -> ConsoleHost:
    """Never called: mypy checks here that the app gives the screens all they use."""
    return app
