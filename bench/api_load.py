"""API time tuicloud costs a cloud per minute, steady state, at 10,000 servers (issue 11).

simcloud runs in this process with the latency model measured on the rig, in accounting mode:
every request the app's cloud layer sends is priced (a real Nova spends ~6.5 ms per server of
``GET /servers/detail``) but answered at once, so a minute of polling runs in seconds. The
minute is what the servers view does (an admin's all-projects list, the worst case): one poll
every ``DEFAULT_REFRESH`` seconds and the minute's name-lookup refresh, while servers change and
one is deleted outside the app; the deletion must show at the next poll.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.kinds.registry import all_kinds, kind_for
from tuicloud.cloud.lookups import Lookups, tables_for
from tuicloud.cloud.poller import Poller
from tuicloud.config import DEFAULT_REFRESH
from tuicloud.simcloud import SimConfig, latency, run_simcloud


@dataclass
class ApiLoad:
    """What the minute cost the cloud, in the model's seconds."""

    servers: int
    start_seconds: float
    """The first full list (what a periodic resync would cost each time)."""
    minute_seconds: float
    polls: int
    requests: int
    deletion_polls: int
    """Polls after the deletion until its row went (1: the next poll)."""
    breakdown: str = ""


def measure(servers: int = 10_000) -> ApiLoad:
    """Run the servers view's minute against a simcloud of ``servers`` servers."""
    kind = kind_for("servers")
    assert kind is not None
    with tempfile.TemporaryDirectory(prefix="tuicloud-apiload-") as folder:
        clouds = Path(folder) / "clouds.yaml"
        config = SimConfig(servers=servers, volumes=50, images=20, build_delay=0.0,
                           action_delay=0.05)
        with run_simcloud(config, clouds_yaml=clouds) as running:
            os.environ["OS_CLIENT_CONFIG_FILE"] = str(clouds)
            model = latency.install(running.cloud, latency.measured(sleeps=False))
            with CloudSession.connect("simcloud-admin") as app_side, \
                    CloudSession.connect("simcloud-admin") as outside:
                lookups = Lookups(recent=0.0)  # the minute is compressed: 60 s between
                poller = Poller(app_side, kind, all_projects=True, lookups=lookups)
                tables = set().union(*(tables_for(k, app_side, all_projects=True)
                                       for k in all_kinds()))
                mark = model.mark()
                first = poller.poll(on_page=lambda _rows: None)
                lookups.refresh(app_side, sorted(tables))
                start_seconds = model.seconds_since(mark)
                victims = sorted(first.upserts)[:3]
                minute: list[latency.Charged] = []
                polls = max(1, round(60 / DEFAULT_REFRESH))
                deletion_polls = 0
                for number in range(polls):
                    if number == 2:  # changed outside: a rename, and a deletion
                        outside.request("PUT", "compute", f"/servers/{victims[0]}",
                                        json={"server": {"name": "renamed-outside"}},
                                        description="rename")
                        outside.request("DELETE", "compute", f"/servers/{victims[1]}",
                                        description="delete")
                        _wait_gone(outside, victims[1])  # real polls are 5 s apart
                    mark = model.mark()
                    removed = poller.poll().removals
                    minute.extend(model.since(mark))
                    if number >= 2 and not deletion_polls and victims[1] in removed:
                        deletion_polls = number - 1
                mark = model.mark()
                lookups.refresh(app_side, sorted(tables))  # the app's 60-s timer
                minute.extend(model.since(mark))
    return ApiLoad(servers=servers, start_seconds=start_seconds,
                   minute_seconds=sum(c.seconds for c in minute),
                   polls=polls, requests=len(minute), deletion_polls=deletion_polls,
                   breakdown=_breakdown(minute))


def _wait_gone(session: CloudSession, ident: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            session.get_json("compute", f"/servers/{ident}")
        except CloudError as error:
            if error.status == 404:
                return
            raise
        time.sleep(0.02)
    raise RuntimeError("the deleted server did not go")


def _breakdown(charged: list[latency.Charged]) -> str:
    """Seconds per (method, path), largest first."""
    sums: dict[str, float] = {}
    for c in charged:
        key = f"{c.method} {c.path}"
        sums[key] = sums.get(key, 0.0) + c.seconds
    return ", ".join(f"{k} {v:.2f} s" for k, v in sorted(sums.items(), key=lambda i: -i[1]))


if __name__ == "__main__":
    load = measure()
    print(load)
