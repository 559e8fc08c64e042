"""Draining a compute host: disable its nova-compute service with a reason, then live-migrate
every server on it (all projects), a few at a time, and list those that cannot move with
Nova's reason for the operator to decide (cold-migrate, shelve, or leave them).

Everything here is blocking and meant for one worker thread (:meth:`HostDrain.run`); the
screen only reads :meth:`HostDrain.snapshot` and queues decisions. Nothing of the plan lives
only in memory: :meth:`HostDrain.load` rebuilds it from the cloud (the servers still on the
host, their migrations), so a drain stopped half-way, or by another operator's session, is
resumed where it stands. Stopping never aborts a migration in flight (Nova finishes or rolls
it back: the server is on one host or the other); it only stops sending new ones.
"""

from __future__ import annotations

import logging
import shlex
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.operations import explain
from tuicloud.cloud.operations.compute_services import service_command, set_service

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["COLD", "DONE", "FAILED", "GONE", "LEFT", "MIGRATING", "QUEUED", "SHELVED",
           "SHELVING", "UNMOVABLE", "DrainRow", "HostDrain"]

log = logging.getLogger("tuicloud.cloud.drain")

Raw = dict[str, Any]

QUEUED = "queued"  # to be live-migrated when a slot frees
MIGRATING = "migrating"  # live migration in flight
DONE = "done"  # on another host now
FAILED = "failed"  # Nova refused or rolled back the live migration: the operator decides
UNMOVABLE = "cannot"  # not in a state live migration accepts (SHUTOFF …): the operator decides
LEFT = "left"  # the operator chose to leave it on the host
COLD_QUEUED = "cold-queued"  # the operator chose a cold migration; waits for a slot
COLD = "cold-migrating"  # cold migration in flight (confirmed by the drain when it lands)
SHELVING = "shelving"  # the operator chose to shelve it
SHELVED = "shelved"  # shelved and offloaded: on no host
GONE = "gone"  # deleted meanwhile

DECIDE = (FAILED, UNMOVABLE)
"""Rows waiting for the operator: cold-migrate, shelve or leave."""
IN_FLIGHT = (MIGRATING, COLD)
"""What counts against the concurrency cap."""
OFF_HOST = (DONE, SHELVED, GONE)
"""Rows whose server is no longer on the host."""
POLL_SECONDS = 1.0
"""Between two rounds of reading the migrations in flight."""
HISTORY_SECONDS = 24 * 3600
"""How far back a reopened drain counts migrations from the host as its own."""
LIVE_STATES = ("ACTIVE", "PAUSED")  # what Nova live-migrates
HOST = "OS-EXT-SRV-ATTR:host"
_IN_PROGRESS = ("accepted", "queued", "preparing", "running", "post-migrating",
                "pre-migrating", "migrating")
_FAILED_MIGRATION = ("error", "failed")


@dataclass(frozen=True)
class DrainRow:
    """One server of the drain and where it stands."""

    id: str
    name: str
    project: str
    server_status: str
    state: str
    destination: str = ""
    message: str = ""  # why it failed (the API's message), or what the operator chose
    progress: float | None = None  # share of the memory copied, while migrating
    confirming: bool = False  # a cold migration's confirmResize was sent
    method: str = "live"  # how it leaves the host: "live", "cold" or "shelve"

    def outcome(self) -> str:
        """What the table's progress column says."""
        if self.state == MIGRATING:
            shown = f" {self.progress:.0%}" if self.progress is not None else ""
            return f"migrating{shown}"
        if self.state == DONE:
            return f"done → {self.destination}" if self.destination else "done"
        if self.state in DECIDE:
            return f"{'failed' if self.state == FAILED else 'cannot move'}: {self.message}"
        words = {QUEUED: "queued", LEFT: "left on the host", COLD_QUEUED: "cold migration queued",
                 COLD: "cold-migrating", SHELVING: "shelving", SHELVED: "shelved (on no host)",
                 GONE: "deleted meanwhile"}
        return words.get(self.state, self.state)


def _time(text: object) -> float | None:
    """Nova's timestamps ("2024-05-01T10:00:00.000000", with or without a zone) as epoch."""
    if not isinstance(text, str) or not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _printable(text: str) -> str:
    """Cloud text made safe for one line of a shell comment (a newline would start a command)."""
    return "".join(c if c.isprintable() else "?" for c in text)


class HostDrain:
    """The drain of one host (see the module docstring)."""

    def __init__(self, session: CloudSession, host: str, concurrency: int) -> None:
        self.session = session
        self.host = host
        self.concurrency = max(1, concurrency)
        self.service: Raw | None = None
        self.reason = ""
        self._rows: dict[str, DrainRow] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.loaded = False

    # -- what the screen reads ----------------------------------------------------------------
    def snapshot(self) -> list[DrainRow]:
        """The rows, in the order the servers were found."""
        with self._lock:
            return list(self._rows.values())

    def row(self, server_id: str) -> DrainRow | None:
        with self._lock:
            return self._rows.get(server_id)

    @property
    def service_disabled(self) -> bool:
        return bool(self.service and self.service.get("status") == "disabled")

    def counts(self) -> dict[str, int]:
        """How many rows are in each state."""
        found: dict[str, int] = {}
        for row in self.snapshot():
            found[row.state] = found.get(row.state, 0) + 1
        return found

    def empty(self) -> bool:
        """No server the drain knows of is on the host any more (known once loaded)."""
        return self.loaded and all(row.state in OFF_HOST for row in self.snapshot())

    def settled(self) -> bool:
        """Nothing queued or in flight: what is left waits for the operator."""
        return all(row.state not in (QUEUED, COLD_QUEUED, *IN_FLIGHT, SHELVING)
                   for row in self.snapshot())

    def summary(self) -> str:
        """One line: how far the drain is."""
        if not self.loaded:
            return f"reading what runs on {self.host}…"
        counts = self.counts()
        total = sum(counts.values())
        moved = counts.get(DONE, 0) + counts.get(SHELVED, 0) + counts.get(GONE, 0)
        parts = [f"{total} servers", f"{moved} off the host",
                 f"{counts.get(MIGRATING, 0) + counts.get(COLD, 0)} moving",
                 f"{counts.get(QUEUED, 0) + counts.get(COLD_QUEUED, 0)} queued"]
        waiting = counts.get(FAILED, 0) + counts.get(UNMOVABLE, 0)
        if waiting:
            parts.append(f"{waiting} need a decision")
        if counts.get(LEFT):
            parts.append(f"{counts[LEFT]} left by choice")
        service = (f"service disabled ({self.reason})" if self.service_disabled
                   else "service enabled")
        if self.empty():
            return f"{self.host} is empty: no server left on it · {service}"
        return f"{' · '.join(parts)} · at most {self.concurrency} at once · {service}"

    # -- the compute service --------------------------------------------------------------------
    def read_service(self) -> Raw | None:
        """The host's nova-compute service (None when Nova knows none)."""
        body, _ = self.session.get_json("compute", "/os-services",
                                        {"binary": "nova-compute", "host": self.host})
        services = [s for s in body.get("services", []) if s.get("host") == self.host]
        self.service = services[0] if services else None
        self.reason = str((self.service or {}).get("disabled_reason") or "")
        return self.service

    def disable(self, reason: str) -> None:
        """Disable the service with ``reason`` (the scheduler stops placing servers there)."""
        service = self.service or self.read_service()
        if service is None:
            raise CloudError(f"Nova has no nova-compute service on {self.host}", status=404)
        if service.get("status") != "disabled" or service.get("disabled_reason") != reason:
            set_service(self.session, service, {"status": "disabled",
                                                "disabled_reason": reason}, "disable")
        self.read_service()

    def enable(self) -> None:
        """Enable the service again (the host takes new servers)."""
        service = self.service or self.read_service()
        if service is None:
            raise CloudError(f"Nova has no nova-compute service on {self.host}", status=404)
        set_service(self.session, service, {"status": "enabled"}, "enable")
        self.read_service()

    # -- building the table from the cloud ----------------------------------------------------
    def _servers_on_host(self) -> list[Raw]:
        found: list[Raw] = []
        params = {"all_tenants": "1", "host": self.host}
        for page in self.session.iter_pages("compute", "/servers/detail", "servers", params):
            found.extend(s for s in page.items if s.get(HOST) == self.host)
        return found

    def _migrations(self, **filters: str) -> list[Raw]:
        body, _ = self.session.get_json("compute", "/os-migrations", filters)
        found = body.get("migrations", []) if isinstance(body, dict) else []
        return sorted((m for m in found if isinstance(m, dict)),
                      key=lambda m: (_time(m.get("created_at")) or 0, m.get("id") or 0),
                      reverse=True)

    def load(self) -> None:
        """Build the table from the cloud: the servers still on the host (queued, in flight,
        or waiting for a decision when their last live migration from here failed), then
        those that left it by migration in the last day while its service is disabled."""
        self.read_service()
        on_host = self._servers_on_host()
        since = time.time() - HISTORY_SECONDS
        history = [m for m in self._migrations(source_compute=self.host)
                   if (_time(m.get("created_at")) or 0) >= since]
        latest: dict[str, Raw] = {}
        for migration in history:  # newest first
            latest.setdefault(str(migration.get("instance_uuid")), migration)
        rows: dict[str, DrainRow] = {}
        for server in on_host:
            rows[str(server["id"])] = self._row_on_host(server, latest.get(str(server["id"])))
        if self.service_disabled:
            for ident, migration in latest.items():
                if ident in rows or migration.get("status") not in (
                        "completed", "finished", "confirmed"):
                    continue
                found = self._fetch(ident)
                if found is None or found.get(HOST) == self.host:
                    continue
                server = found
                state = COLD if str(server.get("status")) == "VERIFY_RESIZE" else DONE
                method = "live" if migration.get("migration_type") == "live-migration" \
                    else "cold"
                rows[ident] = self._new_row(server, state, method=method,
                                            destination=str(server.get(HOST) or ""))
        with self._lock:
            self._rows = rows
        self.loaded = True

    def _new_row(self, server: Raw, state: str, **more: Any) -> DrainRow:
        return DrainRow(id=str(server.get("id")), name=str(server.get("name") or server["id"]),
                        project=str(server.get("tenant_id") or ""),
                        server_status=str(server.get("status") or ""), state=state, **more)

    def _row_on_host(self, server: Raw, migration: Raw | None) -> DrainRow:
        task = server.get("OS-EXT-STS:task_state")
        status = str(server.get("status") or "")
        if task == "migrating" or status == "MIGRATING":
            return self._new_row(server, MIGRATING)
        if status in ("RESIZE", "VERIFY_RESIZE") or str(task or "").startswith("resize"):
            return self._new_row(server, COLD, method="cold")
        unmovable = self._why_not_live(server)
        if unmovable is not None:
            return self._new_row(server, UNMOVABLE, message=unmovable)
        if (migration is not None and migration.get("migration_type") == "live-migration"
                and migration.get("status") in _FAILED_MIGRATION):
            return self._new_row(server, FAILED, message=self._why_failed(str(server["id"])))
        return self._new_row(server, QUEUED)

    @staticmethod
    def _why_not_live(server: Raw) -> str | None:
        status = str(server.get("status") or "").upper()
        if status in LIVE_STATES:
            return None
        return (f"server is {status or 'in an unknown state'}: live migration needs "
                "ACTIVE or PAUSED")

    def _fetch(self, ident: str) -> Raw | None:
        try:
            body, _ = self.session.get_json("compute", f"/servers/{ident}")
        except CloudError as error:
            if error.status == 404:
                return None
            raise
        server = body.get("server") if isinstance(body, dict) else None
        return server if isinstance(server, dict) else None

    def _why_failed(self, ident: str) -> str:
        """Why the server's last migration failed, in Nova's words: the migration's status
        and its instance action's event details (compute 2.84), when Nova recorded them."""
        status = "failed"
        try:
            migrations = self._migrations(instance_uuid=ident)
            if migrations:
                status = str(migrations[0].get("status") or status)
            body, _ = self.session.get_json("compute", f"/servers/{ident}/os-instance-actions")
            actions = [a for a in body.get("instanceActions", [])
                       if a.get("action") in ("live-migration", "migrate")]
            if actions:
                newest = max(actions, key=lambda a: str(a.get("start_time") or ""))
                detail, _ = self.session.get_json(
                    "compute", f"/servers/{ident}/os-instance-actions/{newest['request_id']}")
                events = (detail.get("instanceAction") or {}).get("events") or []
                details = [str(e.get("details")) for e in events if e.get("details")]
                if details:
                    return f"migration {status}: {details[-1]}"
        except CloudError as error:
            log.info("drain %s: cannot read why %s failed: %s", self.host, ident, error)
        return (f"migration {status} (Nova recorded no reason: see the server's instance "
                "actions and the compute logs)")

    # -- decisions (from the screen: queued, the worker sends them) ---------------------------
    def decide(self, server_id: str, choice: str) -> str | None:
        """The operator's choice for a row waiting for one: "cold", "shelve", "leave" or
        "retry" (live migration again). None when taken, else why not."""
        with self._lock:
            row = self._rows.get(server_id)
            if row is None:
                return "no such server in this drain"
            allowed: tuple[str, ...] = {"retry": (FAILED, LEFT),
                                        "leave": (*DECIDE, QUEUED)}.get(choice, DECIDE)
            if row.state not in allowed:
                return f"{row.name} is {row.outcome()}"
            states = {"cold": COLD_QUEUED, "shelve": SHELVING, "leave": LEFT, "retry": QUEUED}
            message = {"leave": "left by the operator"}.get(choice, "")
            method = {"cold": "cold", "shelve": "shelve"}.get(choice, row.method)
            self._rows[server_id] = replace(row, state=states[choice], message=message,
                                            method=method)
            return None

    # -- the worker ---------------------------------------------------------------------------
    def stop(self) -> None:
        """Send nothing more (what is in flight goes on in Nova)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _set(self, row: DrainRow, **changes: Any) -> None:
        with self._lock:
            self._rows[row.id] = replace(row, **changes)

    def run(self, changed: Callable[[], None], *, interval: float | None = None) -> None:
        """Until stopped: follow what is in flight, send what is queued (at most
        ``concurrency`` migrations at once), carry out the operator's decisions."""
        pause = POLL_SECONDS if interval is None else interval
        while not self._stop.is_set():
            self.tick()
            changed()
            self._stop.wait(pause)

    def tick(self) -> None:
        """One round (see :meth:`run`); a failed read is logged and retried next round."""
        for row in self.snapshot():
            if self._stop.is_set():
                return
            try:
                if row.state in (MIGRATING, COLD, SHELVING):
                    self._follow(row)
            except CloudError as error:
                log.info("drain %s: reading %s failed: %s", self.host, row.id, error)
        for row in self.snapshot():
            if self._stop.is_set():
                return
            if row.state == SHELVING and not row.message:
                self._send(row, {"shelve": None}, "shelve", SHELVING, message="shelve sent")
        for row in self.snapshot():
            if self._stop.is_set():
                return
            if sum(1 for r in self.snapshot() if r.state in IN_FLIGHT) >= self.concurrency:
                return
            if row.state in (COLD_QUEUED, QUEUED):
                self._start(row)

    def _start(self, row: DrainRow) -> None:
        try:
            server = self._fetch(row.id)
        except CloudError as error:
            log.info("drain %s: reading %s failed: %s", self.host, row.id, error)
            return
        if server is None:
            self._set(row, state=GONE)
            return
        if server.get(HOST) != self.host:
            self._set(row, state=DONE, destination=str(server.get(HOST) or ""))
            return
        if server.get("OS-EXT-STS:task_state"):
            return  # busy with something else: its turn comes when it is not
        status = str(server.get("status") or "")
        if row.state == COLD_QUEUED:
            self._send(row, {"migrate": None}, "migrate", COLD, server_status=status)
            return
        why = self._why_not_live(server)
        if why is not None:
            self._set(row, state=UNMOVABLE, message=why, server_status=status)
            return
        self._send(row, {"os-migrateLive": {"host": None, "block_migration": "auto"}},
                   "live-migrate", MIGRATING, server_status=status, progress=None)

    def _send(self, row: DrainRow, body: Raw, verb: str, state: str, **more: Any) -> None:
        try:
            self.session.request("POST", "compute", f"/servers/{row.id}/action", json=body,
                                 description=f"{verb} server {row.name}")
        except CloudError as error:
            self._set(row, state=FAILED, message=explain(error))
            return
        self._set(row, state=state, **more)

    def _follow(self, row: DrainRow) -> None:
        server = self._fetch(row.id)
        if server is None:
            self._set(row, state=GONE)
            return
        status = str(server.get("status") or "")
        task = server.get("OS-EXT-STS:task_state")
        host = str(server.get(HOST) or "")
        if row.state == SHELVING:
            if not row.message:
                return  # not sent yet
            if status == "SHELVED_OFFLOADED" or not host:
                self._set(row, state=SHELVED, server_status=status, message="")
            elif status == "ERROR":
                self._set(row, state=FAILED, server_status=status,
                          message=f"shelving failed: {self._fault(server)}")
            return
        if row.state == COLD:
            if status == "VERIFY_RESIZE" and not task and not row.confirming:
                self._send(row, {"confirmResize": None}, "confirm the migration of", COLD,
                           confirming=True, server_status=status)
                return
            if task or status in ("RESIZE", "VERIFY_RESIZE"):
                self._set(row, server_status=status)
                return
            if host != self.host:
                self._set(row, state=DONE, destination=host, server_status=status)
            else:
                self._set(row, state=FAILED, server_status=status,
                          message=self._why_failed(row.id))
            return
        # A live migration: in flight while Nova's task says so.
        if task == "migrating" or status == "MIGRATING":
            self._set(row, server_status=status, progress=self._progress(row.id))
            return
        if host != self.host:
            self._set(row, state=DONE, destination=host, server_status=status, progress=None)
        else:
            self._set(row, state=FAILED, server_status=status, progress=None,
                      message=self._why_failed(row.id))

    @staticmethod
    def _fault(server: Raw) -> str:
        fault = server.get("fault")
        return str(fault.get("message")) if isinstance(fault, dict) else "no fault message"

    def _progress(self, ident: str) -> float | None:
        """The share of its memory copied (``GET /servers/{id}/migrations``), if known."""
        try:
            body, _ = self.session.get_json("compute", f"/servers/{ident}/migrations")
        except CloudError:
            return None
        for migration in body.get("migrations", []) if isinstance(body, dict) else []:
            total = migration.get("memory_total_bytes")
            done = migration.get("memory_processed_bytes")
            if isinstance(total, int) and total > 0 and isinstance(done, int):
                return min(1.0, done / total)
        return None

    # -- the workflow as a script -------------------------------------------------------------
    def script(self, reason: str | None = None) -> str:
        """The whole workflow's ``openstack`` commands: disable, move each server as this
        drain did (or would), re-enable. They run one after another (``--wait``)."""
        binary = {"host": self.host, "binary": "nova-compute"}
        why = reason or self.reason or "maintenance"
        lines = ["#!/bin/sh",
                 f"# Drain {self.host}: disable its compute service, move its servers off it "
                 "(one at a time),",
                 "# then enable it again once the maintenance is done.",
                 shlex.join(service_command(binary, "--disable", "--disable-reason", why))]
        for row in self.snapshot():
            name = _printable(row.name)
            if row.state == LEFT:
                lines.append(f"# left on {self.host}: {name} ({row.id})")
            elif row.state == GONE:
                continue
            elif row.method == "shelve":
                lines.append(shlex.join(["openstack", "server", "shelve", "--offload",
                                         "--wait", row.id]))
            elif row.method == "cold":
                lines.append(shlex.join(["openstack", "server", "migrate", "--wait", row.id]))
                lines.append(shlex.join(["openstack", "server", "resize", "confirm", row.id]))
            elif row.state == UNMOVABLE:
                lines.append(f"# {name} ({row.id}) is {_printable(row.server_status)}: "
                             "cold-migrate or shelve it")
            else:
                lines.append(shlex.join(["openstack", "server", "migrate", "--live-migration",
                                         "--wait", row.id]))
        lines.append(shlex.join(service_command(binary, "--enable")))
        return "\n".join(lines) + "\n"
