"""Messages and worker callbacks that arrive while the app closes are harmless: a refresh of the
name lookups, a failed or finished connect, a poll's answer, a relabel
coming back from its worker thread after the screens are gone."""

from __future__ import annotations

import time
from typing import Any

from textual.widget import Widget
from textual.worker import Worker, WorkerState

from tests.helpers.app import list_screen, loaded, make_app
from tuicloud.app import TuiCloudApp
from tuicloud.model.feed import Failure, Snapshot
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim


class LateArrivals(Widget):
    """When its screen is taken down at exit, sends what a running app may still receive."""

    def __init__(self, started: list[Worker[Any]]) -> None:
        super().__init__()
        self.started = started

    def on_unmount(self) -> None:
        app = self.app
        assert isinstance(app, TuiCloudApp)
        screen = self.screen
        assert isinstance(screen, ResourceListScreen)
        app.post_message(app.LookupsRefreshed())
        app.post_message(app.ConnectFailed("connection refused", retry=True))
        app.post_message(app.ConnectFailed("wrong password", retry=False))
        app.post_message(app.ConnectFailed("cannot switch", retry=True, switch=True))
        app.post_message(app.Connected(app.session, app.lookups, app.switcher.target))
        epoch = screen.feed.epoch
        screen.post_message(screen.PollFinished(Snapshot({}, set(), 0.1, 10, epoch=epoch)))
        screen.post_message(screen.PollFailed(Failure("timed out", epoch=epoch)))
        # Workers whose results come back through call_from_thread once the screen is gone.
        self.started.append(screen._relabel_worker())


def finished_cleanly(workers: list[Worker[Any]]) -> None:
    deadline = time.monotonic() + 30
    while any(not w.is_finished for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    for worker in workers:
        assert worker.state is not WorkerState.ERROR, worker.error


async def test_messages_arriving_while_the_app_closes_are_harmless(sim: RunningSim) -> None:
    app = make_app()
    started: list[Worker[Any]] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await list_screen(app).mount(LateArrivals(started))
    # run_test re-raises what failed in the app while it closed (ScreenStackError, NoMatches).
    assert started
    finished_cleanly(started)
