"""Issue 16, draining a host: from a hypervisor, its compute service disabled with a reason,
then its 20 servers live-migrated at most `drain_concurrency` at a time (counted from
simcloud's migration records, not from timing); three cannot move (a SHUTOFF server, a
mem-encryption flavor Nova refuses with its 400, a migration that rolls back), each listed
with Nova's reason for a decision. Stopped half-way nothing is lost and nothing more is sent;
reopened, the table is rebuilt from the cloud; the decisions are carried out, the host ends
empty, the service is enabled again with one key, and the workflow copies as a script."""

from __future__ import annotations

import shlex
from typing import Any

import pytest

from tests.helpers.app import loaded, make_app, notes, wait_until
from tests.helpers.ops import open_menu, press_and_confirm
from tests.helpers.osc import osc_parser_for
from tuicloud.cloud import drain as plan
from tuicloud.screens.drain import DrainScreen
from tuicloud.screens.prompts import TextPrompt
from tuicloud.simcloud import RunningSim, SimConfig
from tuicloud.simcloud.nova_hosts import compute_service, servers_on

TEST_SIMCLOUD = SimConfig(servers=40, volumes=4, images=4, build_delay=0.2, action_delay=0.2,
                          live_migration_delay=0.8)
HOST = "compute-01"
CAP = 2


def _nova(sim: RunningSim) -> Any:
    return sim.cloud.service("compute")


def _crowd_the_host(sim: RunningSim) -> tuple[list[Any], Any, Any, Any]:
    """20 servers on HOST (every other one moved away): 17 that move, one SHUTOFF, one with a
    mem-encryption flavor, one whose migration fails. (servers, shutoff, sev, failing)"""
    nova = _nova(sim)
    with sim.cloud.lock:
        idle = [s for s in nova.servers.values()
                if s.host and not s.task_state and s.vm_state in ("active", "stopped")]
        active = [s for s in idle if s.vm_state == "active"][:19]
        stopped = next(s for s in idle if s.vm_state == "stopped")
        chosen = [*active, stopped]
        assert len(chosen) == 20
        for server in servers_on(nova, HOST):
            if server not in chosen:
                server.host = "compute-05"
        for server in chosen:
            server.host = HOST
        sev, failing = active[3], active[7]
        flavor = nova.flavors[sev.flavor_id]
        nova.flavors["sev"] = {**flavor, "id": "sev", "name": "m1.sev",
                               "extra_specs": {"hw:mem_encryption": "true"}}
        sev.flavor_id = "sev"
        sim.cloud.faults.failing_migrations.add(failing.id)
    return chosen, stopped, sev, failing


async def _open_drain(pilot: Any, app: Any, reason: str | None) -> DrainScreen:
    """`a` on HOST's hypervisor → Drain host… → the reason → confirm."""
    grid = await loaded(pilot, app)
    ident = next(i for i in grid.visible_ids()
                 if str((grid.get_row(i) or {}).get("name")).startswith(HOST + "."))
    grid.cursor_id = ident
    await open_menu(pilot, app)
    await pilot.press(*"drain", "enter")
    await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), what="the reason")
    if reason is not None:
        await pilot.press(*["backspace"] * 40, *reason)
    await press_and_confirm(pilot, app, ("enter",))
    await wait_until(pilot, lambda: isinstance(app.screen, DrainScreen)
                     and app.screen.drain is not None and app.screen.drain.loaded,
                     what="the drain screen")
    screen = app.screen
    assert isinstance(screen, DrainScreen)
    return screen


def _rows(screen: DrainScreen) -> dict[str, plan.DrainRow]:
    assert screen.drain is not None
    return {row.id: row for row in screen.drain.snapshot()}


def _most_at_once(records: list[dict[str, Any]]) -> int:
    """The most live migrations that ran at the same time (from their start and end)."""
    edges = sorted([(r["_started"], 1) for r in records]
                   + [(r["_ended"], -1) for r in records])
    running = peak = 0
    for _, step in edges:
        running += step
        peak = max(peak, running)
    return peak


async def _cursor_to(pilot: Any, screen: DrainScreen, ident: str) -> None:
    from textual.widgets import DataTable

    table = screen.query_one("#drain-table", DataTable)
    table.move_cursor(row=table.get_row_index(ident))
    await wait_until(pilot, lambda: getattr(screen.cursor_row(), "id", None) == ident,
                     what="the cursor on the row")


async def test_a_host_drained_interrupted_resumed_and_emptied(
        sim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan, "POLL_SECONDS", 0.2)
    nova = _nova(sim)
    chosen, stopped, sev, failing = _crowd_the_host(sim)
    ids = {s.id for s in chosen}
    before = len(nova.migrations)
    record = compute_service(nova, HOST)
    app = make_app(cloud="simcloud-admin", view="hypervisors")
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await _open_drain(pilot, app, "disk swap, ticket 4711")
        assert (record["status"], record["disabled_reason"]) == ("disabled",
                                                                 "disk swap, ticket 4711")
        assert set(_rows(screen)) == ids
        # Stopped half-way: what is queued is never sent, what is in flight finishes.
        await wait_until(pilot, lambda: sum(r.state == plan.DONE
                                            for r in _rows(screen).values()) >= 5,
                         timeout=60, what="a few moved")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, DrainScreen), what="back")
        sent = len(nova.migrations)
        await wait_until(pilot, lambda: not any(s.task_state for s in chosen), timeout=30,
                         what="the migrations in flight finished")
        assert len(nova.migrations) == sent  # nothing more was sent
        assert all(s.host and s.vm_state in ("active", "stopped") for s in chosen)
        left = {s.id for s in chosen if s.host == HOST}
        assert 3 < len(left) < 20

        # Reopened: rebuilt from the cloud (the moved ones done, the rest resumed).
        screen = await _open_drain(pilot, app, None)
        rows = _rows(screen)
        assert set(rows) == ids
        moved = ids - left
        assert all(rows[i].state == plan.DONE and rows[i].destination != HOST for i in moved)
        await wait_until(pilot, lambda: screen.drain is not None and screen.drain.settled(),
                         timeout=90, what="the drain settled")
        rows = _rows(screen)
        assert {i for i, r in rows.items() if r.state == plan.DONE} == ids - {
            stopped.id, sev.id, failing.id}
        assert rows[stopped.id].state == plan.UNMOVABLE
        assert "SHUTOFF" in rows[stopped.id].message
        assert rows[sev.id].state == plan.FAILED
        assert "not supported for mem encryption enabled instance" in rows[sev.id].message
        assert rows[failing.id].state == plan.FAILED
        assert rows[failing.id].message.startswith("migration failed: Migration error")
        mine = [m for m in nova.migrations[before:] if m["migration_type"] == "live-migration"]
        assert _most_at_once(mine) == CAP  # the cap, reached and never passed
        assert all(rows[i].destination != HOST and nova.servers[i].host
                   == rows[i].destination for i in ids - {stopped.id, sev.id, failing.id})
        assert f"3 need a decision · at most {CAP} at once" in screen.drain.summary()

        # The decisions: cold-migrate the SHUTOFF one, shelve the refused one, leave the
        # rolled-back one, then try it again once the fault is gone.
        await _cursor_to(pilot, screen, stopped.id)
        await press_and_confirm(pilot, app, ("c",))
        await _cursor_to(pilot, screen, sev.id)
        await press_and_confirm(pilot, app, ("s",))
        await _cursor_to(pilot, screen, failing.id)
        await pilot.press("l")
        await wait_until(pilot, lambda: _rows(screen)[failing.id].state == plan.LEFT,
                         what="left")
        await wait_until(pilot, lambda: _rows(screen)[stopped.id].state == plan.DONE
                         and _rows(screen)[sev.id].state == plan.SHELVED, timeout=30,
                         what="cold-migrated and shelved")
        assert stopped.host != HOST and stopped.vm_state == "stopped"  # confirmed, still off
        assert sev.vm_state == "shelved_offloaded" and sev.host is None
        assert "1 left by choice" in screen.drain.summary()
        sim.cloud.faults.failing_migrations.clear()
        await pilot.press("m")
        await wait_until(pilot, lambda: screen.drain is not None and screen.drain.empty(),
                         timeout=30, what="the host empty")
        assert servers_on(nova, HOST) == []
        assert f"{HOST} is empty" in screen.drain.summary()

        # Re-enabled with one key; the workflow copied as a script.
        await pilot.press("e")
        await wait_until(pilot, lambda: record["status"] == "enabled", what="enabled")
        await pilot.press("y")
        await wait_until(pilot, lambda: any("as a script" in n for n in notes(app)),
                         what="copied")
        commands = [shlex.split(line) for line in app.clipboard.splitlines()
                    if line.startswith("openstack ")]
        for argv in commands:
            parser, rest = osc_parser_for(argv)
            parser.parse_args(rest)  # the installed openstackclient accepts each line
        assert commands[0] == ["openstack", "compute", "service", "set", "--disable",
                               "--disable-reason", "disk swap, ticket 4711", HOST,
                               "nova-compute"]
        assert commands[-1] == ["openstack", "compute", "service", "set", "--enable", HOST,
                                "nova-compute"]
        live = {argv[-1] for argv in commands if "--live-migration" in argv}
        assert live == ids - {stopped.id, sev.id}
        assert ["openstack", "server", "resize", "confirm", stopped.id] in commands
        assert ["openstack", "server", "shelve", "--offload", "--wait", sev.id] in commands
