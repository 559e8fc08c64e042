"""Keys in order: a key is fully handled before the next one is routed.

Textual routes a key by posting it to the focused widget's queue; the bindings it triggers
(`/` opens the filter bar, `tab` moves to the next field, `c` opens a form) run only when the
key has bubbled back up to the app. Keys that arrive meanwhile (typed ahead on a busy machine,
pasted, or read from one SSH packet) were routed to the widget focused *before* that binding
ran: the table swallowed the first letter typed after `/`, the name field took the `5` typed
after `tab`. Here each key waits until the previous one has been through every widget it
bubbles to, and until the screen on top has composed (and focused its first field), so it
lands where the user meant it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from textual import events
from textual.app import App, ModeError, ScreenError
from textual.dom import DOMNode

log = logging.getLogger(__name__)

# Every so often a key in flight is checked: if the widget it waits on was removed (its queue
# will never run the next step) the next key goes; a slow but live widget is waited for.
STUCK_AFTER = 1.0

# Walks from the focused widget up to the app per key: one behind the key itself, one behind
# what its bindings posted.
SWEEPS = 2

TypedEvent = events.Key | events.Paste


class KeySequencer:
    """Holds typed events while an earlier one is still being handled; routes them in order."""

    def __init__(self, app: App[Any], deliver: Callable[[events.Event], Awaitable[None]]) -> None:
        self._app = app
        self._deliver = deliver  # Textual's own routing (App.on_event)
        self._waiting: deque[TypedEvent] = deque()
        self._in_flight = 0  # the number of the key being handled, 0 when none
        self._count = 0
        self._waiting_on: DOMNode | None = None  # whose queue holds the next step

    @property
    def pending(self) -> int:
        """Keys (and pastes) received but not yet routed."""
        return len(self._waiting)

    async def route(self, event: events.Event) -> bool:
        """Take a key or paste fresh from the terminal; False for any other event."""
        if not isinstance(event, (events.Key, events.Paste)) or event.is_forwarded:
            return False
        if self._in_flight:
            self._waiting.append(event)
        else:
            await self._send(event)
        return True

    async def _send(self, event: TypedEvent) -> None:
        self._count += 1
        number = self._in_flight = self._count
        self._waiting_on = None
        asyncio.get_running_loop().call_later(STUCK_AFTER, self._stuck, number)
        try:
            await self._deliver(event)
        except BaseException:
            self._settle(number)
            raise
        if not event.is_forwarded:  # a priority binding took it at once
            self._settle(number)
            return
        app = self._app
        target: DOMNode = app.focused or app.screen  # where Textual just posted it
        self._follow(target, number, SWEEPS)

    def _follow(self, target: DOMNode, number: int, sweeps: int) -> None:
        """Walk up from ``target`` to the app, one queue at a time, behind the key."""
        if not self._step(target, self._after, target, target, number, sweeps):
            self._settle(number)

    def _step(self, node: DOMNode, callback: Callable[..., Any], *args: Any) -> bool:
        """Run ``callback`` after what ``node``'s queue holds now; False if it is closing."""
        self._waiting_on = node
        return node.call_later(callback, *args)

    def _after(self, node: DOMNode, target: DOMNode, number: int, sweeps: int,
               passes: int = 1) -> None:
        """``node`` has handled the key (and posted it on to its parent, if it bubbles)."""
        if number != self._in_flight:
            return
        if passes:  # once more: what handling the key posted to ``node`` (an Input's Changed)
            if self._step(node, self._after, node, target, number, sweeps, passes - 1):
                return
        parent = node.parent
        if parent is None or node is self._app:
            if sweeps > 1 and target.is_attached:
                # The bindings the key ran (at the app) posted messages of their own: a picked
                # option becomes the select's Changed, which shows a field the next tab reaches.
                self._follow(target, number, sweeps - 1)
            else:
                self._settle(number)
        elif not self._step(parent, self._after, parent, target, number, sweeps):
            self._settle(number)  # the parent is closing: the key went no further

    def _settle(self, number: int) -> None:
        """Let the screen now on top finish composing (it focuses its first field) first."""
        try:
            screen = self._app.screen
        except (ScreenError, ModeError):  # no screen left: the app is closing
            self._release_later(number)
            return
        if not self._step(screen, self._release_later, number):
            self._release_later(number)

    def _release_later(self, number: int) -> None:
        if not self._step(self._app, self._release, number):
            self._waiting.clear()  # the app is closing: nothing will handle them

    def _stuck(self, number: int) -> None:
        if number != self._in_flight:
            return
        node = self._waiting_on
        if node is not None and node.is_running and (node is self._app or node.is_attached):
            # Slow (a loaded machine, a big table), not lost: keep the order.
            asyncio.get_running_loop().call_later(STUCK_AFTER, self._stuck, number)
            return
        log.debug("key %d: %r is gone, routing the next key", number, node)
        self._release_later(number)

    async def _release(self, number: int) -> None:
        if number != self._in_flight:
            return
        self._in_flight = 0
        if self._waiting:
            await self._send(self._waiting.popleft())
