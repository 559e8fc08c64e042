"""Actions on a list view: the `a` menu, direct keys, `ctrl+d`, the input and confirmation
steps, running them in workers, and following the resources until they settle.

:class:`ListOperations` is owned by a :class:`ResourceListScreen`, which only forwards its key
actions and ``follow`` here. All cloud calls go through :mod:`tuicloud.cloud.operations` in
thread workers.

Start-up (issue 17): the menu and its screens are imported when first opened, and the cloud
operations of a kind when first asked for (see :mod:`tuicloud.cloud.operations`).
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.binding import Binding

from tuicloud.cloud import operations as ops
from tuicloud.screens.host import connected
from tuicloud.widgets.sanitize import sanitize_text

log = logging.getLogger("tuicloud.screens.operations")

if TYPE_CHECKING:
    from tuicloud.cloud.operations import Operation, Raw
    from tuicloud.screens.actions_menu import MenuChoice
    from tuicloud.screens.resource_list import ResourceListScreen

FOLLOW_INTERVAL = 1.0
FOLLOW_LIMIT = 600.0  # seconds; after that the normal refresh carries on alone
SLOW_READ = 0.5  # seconds a direct key's state read may take before it says it is reading
UNCHANGED_GRACE = 3  # polls a settled-looking but unchanged resource gets to start moving

OPERATION_BINDINGS = [
    Binding("a", "actions_menu", "Actions", id="list.actions",
            tooltip="Actions on the resource under the cursor (or the marked ones)"),
    Binding("ctrl+d", "delete", "Delete", id="list.delete",
            tooltip="Delete the resource under the cursor (or the marked ones), after asking"),
    *(Binding(op.key, f"operation('{op.id}')", op.label, id=f"list.{op.id}")
      for op in ops.direct_operations() if op.key),
]
_follow_ids = itertools.count(1)


def _clean(text: str) -> str:
    return sanitize_text(text, max_len=300)


class ListOperations:
    """The operations flow of one list screen (see the module docstring)."""

    def __init__(self, screen: ResourceListScreen) -> None:
        self.screen = screen
        # The direct key whose current state is being read: a second press meanwhile (a slow
        # cloud) must not open a second confirmation and send the action twice.
        self._reading: str | None = None

    # -- keys --------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """None when the action is not ours; else whether it works on this view."""
        kind = self.screen.kind.name
        if action == "actions_menu":
            return any(self._offered(op) for op in ops.operations_for(kind))
        if action == "delete":
            return any(op.deletes and self._offered(op) for op in ops.operations_for(kind))
        if action == "operation":
            try:
                op = ops.find(str(parameters[0]))
            except (KeyError, IndexError):
                return False
            return op.kind == kind and self._offered(op)
        return None

    def _offered(self, op: ops.Operation) -> bool:
        """Admin-only operations (flavor management) are not offered to others: no key, no
        menu (Nova's policy would refuse them)."""
        if not op.admin_only:
            return True
        session = self.screen.tui.session
        return session is not None and session.is_admin

    def targets(self) -> list[str]:
        """The marked rows (in table order), else the row under the cursor."""
        table = self.screen.table
        if table.marked:
            order = {ident: i for i, ident in enumerate(table.visible_ids())}
            return sorted(table.marked, key=lambda i: order.get(i, len(order)))
        return [table.cursor_id] if table.cursor_id else []

    def name(self, ident: str) -> str:
        """The row's name (its id when unnamed)."""
        row = self.screen.table.get_row(ident) or {}
        name = row.get("name")
        return str(name) if name else ident

    def _describe(self, ids: list[str]) -> str:
        noun = ops.singular(self.screen.kind.name)
        if len(ids) == 1:
            return f"{noun} {self.name(ids[0])}"
        return f"{len(ids)} {self.screen.kind.name}"

    def open_menu(self) -> None:
        """`a`: the actions menu for the cursor row or the marked rows."""
        from tuicloud.screens.actions_menu import ActionsMenu

        ids = self.targets()
        session = self.screen.tui.session
        if not ids or not self.check_action("actions_menu", ()) \
                or self.screen.waiting_for_fresh() or session is None:
            return
        menu = ActionsMenu(self.screen.kind.name, ids, self._describe(ids),
                           read_only=bool(session.read_only), admin=session.is_admin)

        def chosen(choice: MenuChoice | None) -> None:
            if choice is None:
                return
            if choice.op is not None:
                self.proceed(choice.op, choice.raws, total=len(ids))
            elif choice.form == "form.image_edit" and choice.raws:
                from tuicloud.screens.forms.image_edit import ImageEditForm

                self.screen.app.push_screen(ImageEditForm(choice.raws[0]),
                                            self.screen.after_form)

        self.screen.app.push_screen(menu, chosen)

    def delete(self) -> None:
        """`ctrl+d`: delete the cursor row or the marked rows, after confirmation."""
        offered = [o for o in ops.operations_for(self.screen.kind.name)
                   if o.deletes and self._offered(o)]
        # The plain delete, never an admin's stronger one (force delete is in the menu).
        op = next((o for o in offered if not o.admin_only), offered[0] if offered else None)
        if op is not None:
            self.direct(op.id)

    def direct(self, op_id: str) -> None:
        """A direct key: read the current state (one GET per row), then as from the menu."""
        op = ops.find(op_id)
        ids = self.targets()
        session = self.screen.tui.session
        if not ids or self.screen.waiting_for_fresh() or session is None:
            return
        if not self._offered(op):
            self.screen.notify(f"{op.label.rstrip('…')}: needs the admin role",
                               severity="warning", markup=False)
            return
        if session.read_only:
            self.screen.notify(f"{op.label.rstrip('…')} {self._describe(ids)}: refused, the "
                               "session is read-only", severity="warning", markup=False)
            return

        label = op.label.rstrip("…")
        if self._reading is not None:
            self.screen.notify(f"{self._reading}: still reading the current state…",
                               severity="warning", timeout=3, markup=False)
            return
        self._reading = label

        def slow() -> None:
            if self._reading == label:
                self.screen.notify(f"{label}: reading the current state…", timeout=3,
                                   markup=False)

        self.screen.set_timer(SLOW_READ, slow)

        def work() -> None:
            from tuicloud.cloud.errors import CloudError
            from tuicloud.screens.actions_menu import fetch_all

            try:
                raws, gone = fetch_all(session, op.kind, ids)
            except CloudError as error:
                self.screen.app.call_from_thread(self._direct_failed, op, ops.explain(error))
                return
            except Exception as error:  # noqa: BLE001 - the key must not stay dead
                log.exception("%s: reading the current state failed", op.id)
                self.screen.app.call_from_thread(self._direct_failed, op,
                                                 f"{type(error).__name__}: {error}")
                return
            self.screen.app.call_from_thread(self._direct_fetched, op, raws, gone, len(ids))

        self._run_in_worker(work, "ops-direct")

    def _direct_failed(self, op: Operation, why: str) -> None:
        self._reading = None
        self.screen.notify(f"{op.label.rstrip('…')}: cannot read the current state: "
                           f"{_clean(why)}", severity="error", timeout=12, markup=False)

    def _direct_fetched(self, op: Operation, raws: list[Raw], gone: list[str],
                        total: int) -> None:
        from tuicloud.screens.actions_menu import availability

        self._reading = None
        if gone:
            self.screen.notify(f"{len(gone)} of them no longer exist", severity="warning")
        usable, reason = availability(op, raws, False)
        if reason is not None:
            self.screen.notify(f"{op.label.rstrip('…')}: {_clean(reason)}", severity="warning",
                               markup=False)
            return
        self.proceed(op, usable, total=total)

    # -- input, confirmation, run ------------------------------------------------------------
    def proceed(self, op: Operation, raws: list[Raw], *, total: int) -> None:
        """Ask for the input (when the operation needs one), confirm, then run."""
        skipped = total - len(raws)
        if skipped > 0:
            self.screen.notify(f"{op.label.rstrip('…')}: {skipped} of {total} rows skipped "
                               "(not possible in their state)", severity="warning")
        needs = op.needs
        if needs is None:
            self._confirm(op, raws, None, total)
            return
        from tuicloud.screens.prompts import ChoicePrompt, TextPrompt

        first = raws[0]
        title = f"{needs.prompt} — {self._describe([self.screen.kind.id_of(r) for r in raws])}"

        def command_for(value: str | None) -> str:
            return op.command(first, value)

        def given(value: str | None) -> None:
            if value is not None:
                self._confirm(op, raws, value, total)

        session = self.screen.tui.session
        choices = needs.choices
        if choices is not None:
            prompt: Any = ChoicePrompt(title, lambda: choices(connected(session), first),
                                       command_for)
        else:
            validate = needs.validate
            prompt = TextPrompt(title, needs.default(first) if needs.default else "",
                                (lambda text: validate(first, text)) if validate else None,
                                command_for, secret=needs.secret)
        self.screen.app.push_screen(prompt, given)

    def _confirm(self, op: Operation, raws: list[Raw], value: str | None, total: int) -> None:
        # Marked rows always ask, however many of them the action can run on: whether a
        # question comes must not depend on the state of the other rows.
        if not op.destructive and total == 1:
            self.execute(op, raws, value)
            return
        from tuicloud.screens.confirm import ConfirmScreen

        describe = op.describe or ops.name_of
        names = [describe(r) for r in raws]
        session = self.screen.tui.session
        typing = None
        if op.destructive and session is not None and session.protected:
            typing = ops.name_of(raws[0]) if len(raws) == 1 else str(len(raws))
        label = op.label.rstrip("…")
        title = f"{label} {self._describe([self.screen.kind.id_of(r) for r in raws])}?"
        command = "\n".join(op.command(raw, value) for raw in raws)

        def answered(yes: bool | None) -> None:
            if yes:
                self.execute(op, raws, value)

        self.screen.app.push_screen(
            ConfirmScreen(title, names, command=command, require_typing=typing,
                          confirm_label=label, destructive=op.destructive), answered)

    def execute(self, op: Operation, raws: list[Raw], value: str | None) -> None:
        """Show the transitional status at once, run in a worker, then follow; or open the
        operation's own screen (a workflow such as a host's drain), which does the work."""
        if op.opens is not None and raws:
            from tuicloud.screens.workflows import open_workflow

            open_workflow(self.screen, op.opens, raws[0], value)
            return
        for raw in raws:
            shown = op.shown_status(raw)
            if shown:
                self.set_status(self.screen.kind.id_of(raw), shown)
        session = self.screen.tui.session

        def work() -> None:
            from tuicloud.cloud.errors import CloudError

            done: list[str] = []
            failed: list[tuple[str, str]] = []
            for raw in raws:
                try:
                    op.run(connected(session), raw, value)
                    done.append(self.screen.kind.id_of(raw))
                except CloudError as error:
                    failed.append((self.screen.kind.id_of(raw), ops.explain(error)))
                except ValueError as error:  # a missing or malformed input
                    failed.append((self.screen.kind.id_of(raw), str(error)))
            self.screen.app.call_from_thread(self._ran, op, done, failed)

        self._run_in_worker(work, "ops-run")

    def _ran(self, op: Operation, done: list[str], failed: list[tuple[str, str]]) -> None:
        label = op.label.rstrip("…")
        for ident, why in failed:
            self.restore(ident)
            self.screen.notify(f"{label} {self.name(ident)} failed: {_clean(why)}",
                               severity="error", timeout=12, markup=False)
        if done:
            self.follow(done, label=label, deleting=op.deletes, op=op)

    # -- the status cell ---------------------------------------------------------------------
    def set_status(self, ident: str, text: str) -> None:
        """Show ``text`` in the row's status cell at once (styled as busy)."""
        table = self.screen.table
        row = table.get_row(ident)
        key = self.screen.kind.status_key or "status"
        if row is None:
            return
        new = dict(row)
        new[key] = Text(text, style=self.screen._status_styles.get("busy", ""))
        table.apply_diff({ident: new}, highlight=False)

    def restore(self, ident: str) -> None:
        """Put back the row as the cloud last showed it (after a failed request)."""
        raw = self.screen.feed.differ.raw(ident)
        if raw is not None:
            self.screen.table.apply_diff({ident: self.screen._row_converter()(raw)},
                                         highlight=False)

    # -- following ---------------------------------------------------------------------------
    def follow(self, ids: list[str], transitional: str | None = None, *,
               label: str | None = None, deleting: bool = False, quiet: bool = False,
               op: Operation | None = None) -> None:
        """Fast-poll these resources (one GET each, about every second, in a worker) until
        each settles or is gone; then notify success, or the fault with the API's message and
        request id. ``transitional`` is shown in their status cells at once."""
        if transitional:
            for ident in ids:
                self.set_status(ident, transitional)
        screen = self.screen
        session = screen.tui.session
        kind = screen.kind
        if session is None or not ids:
            return
        before = {ident: screen.feed.differ.raw(ident) for ident in ids}
        epoch = screen.feed.epoch  # bumped when the cloud/project/region switches
        convert = screen._row_converter()
        observe = screen.change_observer()  # what following sees goes to the change log too
        app = screen.app

        def work() -> None:
            from textual.worker import get_current_worker

            from tuicloud.cloud.errors import CloudError

            worker = get_current_worker()
            pending = list(ids)
            polls = 0
            started = time.monotonic()
            while pending:
                polls += 1
                for ident in list(pending):
                    if worker.is_cancelled or screen.feed.epoch != epoch:
                        return  # quitting, or another cloud/project: these rows are gone
                    read_started = time.monotonic()
                    try:
                        raw = ops.fetch(session, kind.name, ident)
                    except CloudError as error:
                        if not error.retryable:
                            pending.remove(ident)
                            app.call_from_thread(self._follow_failed, ident, ops.explain(error))
                        continue
                    if raw is None:
                        pending.remove(ident)
                        app.call_from_thread(self._gone, ident, label, deleting, read_started)
                        continue
                    item = kind.item(raw)
                    # Kept over a list poll already in flight: its answer predates this read.
                    row = screen.feed.read_singly(ident, item, convert,
                                                  started=read_started, observe=observe)
                    app.call_from_thread(screen.apply_rows, {ident: row})
                    if not ops.settled(kind.name, raw) or not ops.reached(op, raw):
                        continue
                    if deleting:
                        ok, words = ops.ends(kind.name, raw)
                        if ok:
                            continue  # not gone yet
                        pending.remove(ident)  # the delete failed (error_deleting …)
                        app.call_from_thread(self._settled, ident, ok, words, None, label,
                                             False)
                        continue
                    if item == before.get(ident) and polls <= UNCHANGED_GRACE and transitional:
                        continue  # the change may not be visible in the API yet
                    pending.remove(ident)
                    ok, words = ops.ends(kind.name, raw)
                    if transitional and item.get("status") != transitional:
                        # A quick transition (extending takes 0.1 s on a real Cinder) falls
                        # between two reads: the change log still gets "extending → in-use".
                        observe(ident, {**item, "status": transitional}, item)
                    request_id = None if ok else ops.last_request_id(session, raw)
                    app.call_from_thread(self._settled, ident, ok, words, request_id, label,
                                         quiet)
                if not pending:
                    return
                if time.monotonic() - started > FOLLOW_LIMIT:
                    app.call_from_thread(screen.notify, f"Stopped following {len(pending)} "
                                         "resources (still changing after 10 minutes)",
                                         severity="warning")
                    return
                wake = time.monotonic() + FOLLOW_INTERVAL
                while time.monotonic() < wake:
                    if worker.is_cancelled:
                        return
                    time.sleep(0.05)

        self._run_in_worker(work, f"ops-follow-{next(_follow_ids)}")

    def _gone(self, ident: str, label: str | None, deleting: bool, started: float) -> None:
        name = self.name(ident)
        self.screen.feed.forget(ident, self.screen._row_converter(), started=started)
        self.screen.table.apply_diff({}, [ident])
        verb = "deleted" if deleting else "is gone"
        self.screen.notify(f"{label + ': ' if label and not deleting else ''}"
                           f"{_clean(name)} {verb}", markup=False)

    def _settled(self, ident: str, ok: bool, words: str, request_id: str | None,
                 label: str | None, quiet: bool) -> None:
        name = _clean(self.name(ident))
        prefix = f"{label} {name}" if label else name
        if ok:
            if not quiet:
                self.screen.notify(f"{prefix}: {_clean(words)}", markup=False)
            return
        suffix = f" ({request_id})" if request_id else ""
        self.screen.notify(f"{prefix} failed: {_clean(words)}{suffix}", severity="error",
                           timeout=15, markup=False)

    def _follow_failed(self, ident: str, why: str) -> None:
        self.screen.notify(f"Cannot follow {_clean(self.name(ident))}: {_clean(why)}",
                           severity="error", markup=False)

    def _run_in_worker(self, work: Callable[[], None], group: str) -> None:
        self.screen.run_worker(work, thread=True, group=group, exit_on_error=False)
