"""Nova v2.1 at ``/compute`` (catalog endpoint ``/compute/v2.1``), microversions 2.1 to 2.96.

This module keeps the state (servers, flavors, key pairs, quotas), the seed and the cross-service
contract; the HTTP handlers are in :mod:`nova_servers` (servers and their sub-resources),
:mod:`nova_actions` (``/action``, console log, instance actions) and :mod:`nova_misc` (versions,
flavors, key pairs, limits, quotas, zones). Servers are kept in creation order so a page of a
50,000-server list costs O(page), and in an append-only change log so ``changes-since`` costs
O(changes).
"""

from __future__ import annotations

import hashlib
import random
import time
import uuid
from array import array
from bisect import bisect_left
from typing import Any

from tuicloud.simcloud.core import ApiError, Router, SimCloud
from tuicloud.simcloud.nova_model import (
    HOSTS,
    NAME,
    NOSTATE,
    PAUSED,
    RUNNING,
    SHUTDOWN,
    ZONES,
    Ctx,
    Order,
    Server,
)

__all__ = ["NAME", "Service"]

DEFAULT_QUOTAS = {
    "instances": 10, "cores": 20, "ram": 51200, "key_pairs": 100, "metadata_items": 128,
    "server_groups": 10, "server_group_members": 10, "injected_files": 5,
    "injected_file_content_bytes": 10240, "injected_file_path_bytes": 255,
}

# id, name, vcpus, ram MiB, disk GiB, ephemeral, swap, public, description, extra_specs
_FLAVORS: tuple[tuple[str, str, int, int, int, int, int, bool, str | None, dict[str, str]],
                ...] = (
    ("1", "m1.tiny", 1, 512, 1, 0, 0, True, None, {}),
    ("2", "m1.small", 1, 2048, 20, 0, 0, True, None, {}),
    ("3", "m1.medium", 2, 4096, 40, 0, 0, True, None, {}),
    ("4", "m1.large", 4, 8192, 80, 0, 0, True, None, {}),
    ("5", "m1.xlarge", 8, 16384, 160, 0, 0, True, None, {}),
    ("6", "c1.dedicated", 4, 8192, 40, 0, 0, True,
     "Pinned CPUs for latency-sensitive workloads",
     {"hw:cpu_policy": "dedicated", "hw:numa_nodes": "1", "hw:mem_page_size": "large"}),
    ("7", "g1.gpu", 8, 32768, 100, 100, 2048, True, "One vGPU (A100 slice)",
     {"resources:VGPU": "1", "trait:CUSTOM_GPU_A100": "required"}),
    ("8", "ops.private", 2, 2048, 20, 0, 0, False, "Private flavor for the ops project",
     {"quota:disk_read_iops_sec": "5000"}),
)

# Seeded statuses: (weight, vm_state, power_state)
_STATUS_MIX = (
    (80.0, "active", RUNNING), (8.0, "stopped", SHUTDOWN), (3.0, "error", NOSTATE),
    (2.0, "paused", PAUSED), (2.0, "suspended", SHUTDOWN),
    (3.0, "shelved_offloaded", NOSTATE), (1.0, "resized", RUNNING),
)
_ROLES = ("web", "app", "api", "db", "cache", "worker", "batch", "ci-runner", "k8s-node",
          "etl", "proxy", "mq")
_FAULTS = (
    "No valid host was found. There are not enough hosts available.",
    "Exceeded maximum number of retries. Exhausted all hosts available for retrying build "
    "failures for instance {id}.",
    "Build of instance {id} aborted: Volume did not finish being created even after we waited "
    "187 seconds or 61 attempts. And its status is error.",
    "Unexpected error while running command.\nCommand: qemu-img convert -O raw\nExit code: 1",
)
# (name, vm_state, metadata) of the hand-picked seeded servers of the demo project.
_SPECIALS: tuple[tuple[str, str, dict[str, str] | None], ...] = (
    ("db-primary", "active", {"role": "database", "env": "prod"}),
    ("db-replica-1", "active", {"role": "database", "env": "prod"}),
    ("数据库-主节点", "active", {"role": "database", "地区": "上海"}),
    ("serveur-élevé", "stopped", {"propriétaire": "équipe-données"}),
    ("very-long-name-" + "x" * 185, "active", None),
    ("console-chaos", "active", {"simcloud:hostile-console": "1"}),
    ("bastion", "active", {"role": "bastion"}),
    ("web frontend (legacy)", "active", {"env": "legacy"}),
    ("gpu-trainer-01", "error", None),
    ("resize-me", "resized", None),
)


def _uuid(bits: int) -> str:
    return str(uuid.UUID(int=bits, version=4))


class Service:
    """Nova's records and the cross-service contract (see /work/notes/simcloud-contract.md)."""

    def __init__(self, cloud: SimCloud) -> None:
        self.cloud = cloud
        self.servers: dict[str, Server] = {}  # live (including ones being deleted)
        self.deleted: dict[str, Server] = {}  # for changes-since and deleted=true
        self.order = Order()
        self.by_project: dict[str, Order] = {}
        self._log_times: array[float] = array("d")  # change log: non-decreasing times
        self._log_servers: list[Server] = []
        self._last_update = 0.0
        self._seq = 0
        self.usage: dict[str, list[int]] = {}  # project -> [instances, cores, ram]
        self.flavors: dict[str, dict[str, Any]] = {}  # including deleted ones (servers keep them)
        self.flavor_access: dict[str, set[str]] = {}
        self.keypairs: dict[str, dict[str, dict[str, Any]]] = {}  # user -> name -> key pair
        self._keypair_num = 0
        self.quotas: dict[str, dict[str, int]] = {}  # project -> overrides of DEFAULT_QUOTAS
        self.started = time.time()
        self._image_minimums: dict[str, tuple[int, int]] = {}

    # -- lifecycle ----------------------------------------------------------------------------
    def register(self, router: Router) -> None:
        """Nova's routes."""
        from tuicloud.simcloud import (
            nova_actions,
            nova_aggregates,
            nova_extras,
            nova_flavors,
            nova_misc,
            nova_server_parts,
            nova_servers,
            nova_usage,
        )

        nova_misc.register(router, NAME)
        nova_flavors.register(router, NAME)
        nova_servers.register(router, NAME)
        nova_server_parts.register(router, NAME)
        nova_actions.register(router, NAME)
        nova_extras.register(router, NAME)  # after nova_misc: /os-hypervisors/detail first
        nova_aggregates.register(router, NAME)
        nova_usage.register(router, NAME)

    def seed(self) -> None:
        """Flavors, key pairs and ``cloud.config.servers`` servers, deterministic from cloud.rng."""
        for (fid, name, vcpus, ram, disk, ephemeral, swap, public, description,
             specs) in _FLAVORS:
            self.flavors[fid] = {
                "id": fid, "name": name, "vcpus": vcpus, "ram": ram, "disk": disk,
                "ephemeral": ephemeral, "swap": swap, "is_public": public,
                "description": description, "extra_specs": dict(specs), "rxtx_factor": 1.0,
                "disabled": False, "deleted": False}
        projects = {p.name: p.id for p in self.cloud.projects.values()}
        self.flavor_access["8"] = {projects["ops"], projects["admin"]}
        self._seed_keypairs()
        self._seed_servers(projects)
        self._seed_server_groups(projects)
        self._seed_migrations()

    def _seed_migrations(self) -> None:
        """A cloud's history: the first two placed servers came by live migration (one
        completed, one failed and stayed), so the migrations view is never empty at first."""
        from tuicloud.simcloud.nova_hosts import record_migration, set_migration
        from tuicloud.simcloud.nova_model import HOST_ZONE
        from tuicloud.simcloud.nova_views import usage_time

        placed = [s for s in self.servers.values() if s.host][:2]
        hosts = list(HOST_ZONE)
        for server, status in zip(placed, ("completed", "error"), strict=False):
            source = hosts[(hosts.index(str(server.host)) + 1) % len(hosts)]
            record = record_migration(self, server, "live-migration", source, None, "running")
            set_migration(record, status, str(server.host) if status == "completed" else None)
            when = usage_time(time.time() - 2 * 86400)  # history: two days ago
            record.update(created_at=when, updated_at=when)

    def _seed_server_groups(self, projects: dict[str, str]) -> None:
        """Two groups in the demo project, one holding two servers (ids from uuid4, not the
        seeded rng, so every other seeded resource stays as it was)."""
        from tuicloud.simcloud.core import new_id

        groups: dict[str, dict[str, Any]] = self.__dict__.setdefault("server_groups", {})
        demo = projects["demo"]
        owner = next((u.id for u in self.cloud.users.values() if u.name == "demo"), "")
        members = self.seeded_server_ids(demo)[:2]
        for name, policy, held in (("web-anti-affinity", "anti-affinity", members),
                                   ("db-soft-affinity", "soft-affinity", [])):
            ident = new_id()
            groups[ident] = {"id": ident, "name": name, "policy": policy, "rules": {},
                             "members": list(held), "project_id": demo, "user_id": owner}

    def _seed_keypairs(self) -> None:
        from tuicloud.simcloud.nova_misc import fake_public_key

        rng = self.cloud.rng
        now = time.time()
        wanted = {"demo": ("demo-key", "laptop-ed25519", "ci-deploy"),
                  "admin": ("admin-key", "ops-break-glass")}
        for user in self.cloud.users.values():
            for name in wanted.get(user.name, ()):
                kind = "rsa" if name == "ci-deploy" else "ed25519"
                public = fake_public_key(rng.randbytes(256 if kind == "rsa" else 32), kind,
                                         f"{user.name}@simcloud")
                self.add_keypair(user.id, name, public, "ssh",
                                 created=now - rng.uniform(30, 400) * 86400)

    def _seed_servers(self, projects: dict[str, str]) -> None:
        cloud = self.cloud
        rng = cloud.rng
        count = cloud.config.servers
        now = time.time()
        network = self.network_service()
        users = {u.name: u.id for u in cloud.users.values()}
        owners = ((0.80, projects["demo"], users["demo"]), (0.90, projects["ops"], users["demo"]),
                  (0.97, projects["research"], users["admin"]),
                  (1.01, projects["admin"], users["admin"]))
        default_net = {pid: network.default_network_id(pid) for pid in projects.values()
                       } if network else {}
        images = self._seed_images()
        keys = {uid: sorted(kps) for uid, kps in self.keypairs.items()}
        flavor_ids = ("1", "2", "2", "2", "3", "3", "3", "4", "4", "5", "6", "7")
        total_weight = sum(w for w, _, _ in _STATUS_MIX)
        building = 2 if count >= 10 else 0
        regular = count - building
        specials = list(_SPECIALS) if regular >= 2 * len(_SPECIALS) else []
        special_at = dict(zip(sorted(rng.sample(range(regular), len(specials))), specials,
                              strict=True)) if specials else {}
        # Ages sorted oldest first, biased to recent, over the last 180 days.
        ages = sorted((rng.random() ** 1.5 * 180 * 86400 + 900 for _ in range(regular)),
                      reverse=True)
        for index in range(count):
            if index < regular:
                created = now - ages[index]
            else:  # the two still building were created a moment ago
                created = now - 1.0 + index - regular
            pick = rng.random()
            project_id, user_id = next((p, u) for limit, p, u in owners if pick < limit)
            roll = rng.random() * total_weight
            vm_state, power = "active", RUNNING
            for weight, state, pstate in _STATUS_MIX:
                if roll < weight:
                    vm_state, power = state, pstate
                    break
                roll -= weight
            name = f"{rng.choice(_ROLES)}-{index + 1:04d}"
            metadata: dict[str, str] | None = None
            if rng.random() < 0.15:
                metadata = {"env": rng.choice(("prod", "staging", "dev")),
                            "owner": rng.choice(("alice", "bob", "team-data"))}
            special = special_at.get(index)
            if special is not None:
                name, vm_state, special_meta = special
                project_id, user_id = projects["demo"], users["demo"]
                power = {"active": RUNNING, "resized": RUNNING,
                         "stopped": SHUTDOWN}.get(vm_state, NOSTATE)
                metadata = dict(special_meta) if special_meta else None
            task_state = None
            if index >= regular:
                name, vm_state, task_state, power = f"provisioning-{index - regular + 1}", \
                    "building", "spawning", NOSTATE
            zone = ZONES[0] if rng.random() < 0.75 else ZONES[1]
            host_names = HOSTS[zone]
            flavor_id = flavor_ids[rng.randrange(len(flavor_ids))]
            image_pool = images.get(project_id) or images.get("") or [""]
            image_id = image_pool[rng.randrange(len(image_pool))]
            min_disk, min_ram = self._image_minimums.get(image_id, (0, 0))
            for candidate in (flavor_id, "4", "5"):  # seeded servers fit their image
                flavor = self.flavors[candidate]
                if flavor["disk"] >= min_disk and flavor["ram"] >= min_ram:
                    flavor_id = candidate
                    break
            user_keys = keys.get(user_id) or []
            server = Server(
                seq=self._next_seq(), id=_uuid(rng.getrandbits(128)), name=name,
                project_id=project_id, user_id=user_id, flavor_id=flavor_id,
                image_id=image_id, created=created,
                updated=created, vm_state=vm_state, task_state=task_state, power_state=power,
                az=zone, host=host_names[rng.randrange(len(host_names))],
                key_name=user_keys[rng.randrange(len(user_keys))] if user_keys
                and rng.random() < 0.7 else None,
                metadata=metadata, reservation_id=f"r-{rng.getrandbits(40):010x}"[:10])
            if metadata and "simcloud:hostile-console" in metadata:
                server.hostile = True
            if vm_state != "building":
                server.launched_at = created + rng.uniform(20, 90)
            if rng.random() < 0.05:
                server.tags = [rng.choice(("prod", "k8s", "legacy", "pci"))]
            if rng.random() < 0.02 or name == "bastion":
                server.locked_by, server.locked_reason = "owner", "maintenance window"
            if vm_state == "error":
                server.host = None
                message = _FAULTS[rng.randrange(len(_FAULTS))].format(id=server.id)
                server.fault = (500, message, created + 30, "Traceback (most recent call last):"
                                "\n  File \"nova/conductor/manager.py\", line 1654, in "
                                "schedule_and_build_instances\nNoValidHost")
            elif vm_state == "shelved_offloaded":
                server.host = None
            elif vm_state == "resized":
                server.old_flavor_id = "1" if flavor_id != "1" else "2"
                server.prior_vm_state = "active"
            if vm_state in ("active", "resized"):
                server.console_start = now - rng.uniform(20, 300)
            elif vm_state in ("stopped", "paused", "suspended"):
                server.console_start = now - 400
                server.console_frozen = rng.uniform(30, 300)
            elif vm_state == "building":
                server.console_start = now
            # Most servers were last touched when they launched; some later on.
            latest = max(created, now - 120)
            if rng.random() < 0.3:
                server.updated = created + (latest - created) * rng.random()
            else:
                server.updated = min(created + 60 + rng.random() * 60, latest)
            if network is not None and vm_state != "error" and project_id in default_net:
                network.allocate_port(project_id, default_net[project_id], server.id)
            self._insert(server)
            if vm_state == "building":
                self._schedule_seed_build(server)
        # The change log starts sorted by the seeded update times.
        for server in sorted(self.servers.values(), key=lambda s: s.updated):
            self._log_times.append(server.updated)
            self._log_servers.append(server)
        self._last_update = self._log_times[-1] if self._log_times else 0.0
        # Seeded projects get room for their seeded servers (tests may lower it).
        for project_id, (instances, cores, ram) in self.usage.items():
            self.quotas[project_id] = {
                "instances": max(DEFAULT_QUOTAS["instances"], -(-(instances + 20) // 10) * 10),
                "cores": max(DEFAULT_QUOTAS["cores"], -(-(cores + 40) // 10) * 10),
                "ram": max(DEFAULT_QUOTAS["ram"], -(-(ram + 81920) // 1024) * 1024)}

    def _seed_images(self) -> dict[str, list[str]]:
        """Image ids to boot seeded servers from: per project (its own + public), "" = public."""
        glance = self.image_service()
        records = list(getattr(glance, "images", {}).values()) if glance else []
        public = [r["id"] for r in records
                  if r.get("status") == "active" and r.get("visibility") == "public"]
        self._image_minimums = {r["id"]: (int(r.get("min_disk") or 0), int(r.get("min_ram") or 0))
                                for r in records}
        pools: dict[str, list[str]] = {"": public}
        for record in records:
            if record.get("status") == "active" and record.get("visibility") != "public":
                pools.setdefault(record["owner"], list(public)).append(record["id"])
        return pools

    def _schedule_seed_build(self, server: Server) -> None:
        from tuicloud.simcloud.nova_lifecycle import finish_build

        gen = server.gen
        self.cloud.scheduler.call_later(self.cloud.config.build_delay,
                                        lambda: finish_build(self, server, gen, None))

    # -- records --------------------------------------------------------------------------------
    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def new_seq(self) -> int:
        """The next server seq (Nova's integer instance id)."""
        return self._next_seq()

    def _insert(self, server: Server) -> None:
        self.servers[server.id] = server
        self.order.add(server)
        self.by_project.setdefault(server.project_id, Order()).add(server)
        flavor = self.flavors[server.flavor_id]
        usage = self.usage.setdefault(server.project_id, [0, 0, 0])
        usage[0] += 1
        usage[1] += flavor["vcpus"]
        usage[2] += flavor["ram"]

    def add_server(self, server: Server) -> None:
        """Add a newly created server (its change is logged)."""
        self._insert(server)
        self.touch(server)

    def remove_server(self, server: Server) -> None:
        """The end of a delete: the record moves to ``deleted`` (changes-since still sees it)."""
        if self.servers.pop(server.id, None) is None:
            return
        self.order.remove(server)
        project_order = self.by_project.get(server.project_id)
        if project_order is not None:
            project_order.remove(server)
        self.charge(server.project_id, server.flavor_id, -1)
        server.deleted = True
        server.vm_state, server.task_state, server.power_state = "deleted", None, NOSTATE
        server.terminated_at = time.time()
        server.gen += 1
        self.deleted[server.id] = server
        self.touch(server)

    def charge(self, project_id: str, flavor_id: str, sign: int) -> None:
        """Add (sign 1) or release (sign -1) one server of that flavor to the project's usage."""
        flavor = self.flavors[flavor_id]
        usage = self.usage.setdefault(project_id, [0, 0, 0])
        usage[0] += sign
        usage[1] += sign * flavor["vcpus"]
        usage[2] += sign * flavor["ram"]

    def touch(self, server: Server) -> None:
        """Bump ``updated`` (monotonic) and log the change for changes-since."""
        now = max(time.time(), self._last_update)
        self._last_update = now
        server.updated = now
        self._log_times.append(now)
        self._log_servers.append(server)
        if len(self._log_servers) > 2 * (len(self.servers) + len(self.deleted)) + 4096:
            self._compact_log()

    def start_churn(self, fraction: float, interval: float) -> None:
        """Every ``interval`` s flip ``fraction`` of the servers between ACTIVE and rebooting.

        For benchmarks: a steady trickle of visible changes, as on a busy cloud.
        """
        rng = random.Random(self.cloud.config.seed + 7)

        def tick() -> None:
            live = [s for s in self.servers.values() if s.vm_state == "active"]
            for server in rng.sample(live, min(len(live), max(1, round(fraction * len(live))))):
                server.task_state = None if server.task_state == "rebooting" else "rebooting"
                self.touch(server)
            self.cloud.scheduler.call_later(interval, tick)

        self.cloud.scheduler.call_later(interval, tick)

    def _compact_log(self) -> None:
        """Keep one log entry per server (its latest), so the log stays O(servers)."""
        records = sorted([*self.servers.values(), *self.deleted.values()],
                         key=lambda s: s.updated)
        self._log_times = array("d", (s.updated for s in records))
        self._log_servers = records

    def changed_since(self, since: float) -> list[Server]:
        """Servers (live or deleted) whose ``updated`` is at or after ``since``: O(changes)."""
        start = bisect_left(self._log_times, since)
        seen: dict[str, Server] = {}
        for server in self._log_servers[start:]:
            if server.deleted and server.id not in self.deleted:
                continue  # a create that was rolled back never existed
            seen[server.id] = server
        return list(seen.values())

    def find(self, ctx: Ctx, server_id: str) -> Server:
        """The server the request may see, or Nova's 404."""
        server = self.servers.get(server_id)
        if server is None or (not ctx.is_admin and server.project_id != ctx.project_id):
            raise ApiError(404, f"Instance {server_id} could not be found.")
        return server

    def flavor_record(self, flavor_id: str) -> dict[str, Any]:
        """A flavor record (deleted ones too: servers keep their flavor)."""
        return self.flavors[flavor_id]

    def flavor_visible(self, ctx: Ctx, flavor_id: str) -> dict[str, Any] | None:
        """A live flavor the request may use, or None."""
        flavor = self.flavors.get(flavor_id)
        if flavor is None or flavor["deleted"]:
            return None
        if flavor["is_public"] or ctx.is_admin or ctx.project_id in self.flavor_access.get(
                flavor_id, ()):
            return flavor
        return None

    def quota(self, project_id: str) -> dict[str, int]:
        """The project's effective quota limits."""
        limits = dict(DEFAULT_QUOTAS)
        limits.update(self.quotas.get(project_id, {}))
        return limits

    def progress(self, server: Server) -> int:
        """Build progress in percent (0 once built, as Nova shows it)."""
        if server.vm_state != "building":
            return 0
        delay = max(self.cloud.config.build_delay, 0.001)
        return max(0, min(99, int((time.time() - server.created) / delay * 100)))

    def add_keypair(self, user_id: str, name: str, public_key: str, key_type: str, *,
                    created: float | None = None) -> dict[str, Any]:
        """Store a key pair (validated by the caller)."""
        from tuicloud.simcloud.nova_misc import fingerprint

        self._keypair_num += 1
        record = {"name": name, "user_id": user_id, "public_key": public_key,
                  "fingerprint": fingerprint(public_key), "type": key_type,
                  "created_at": created if created is not None else time.time(),
                  "num": self._keypair_num}
        self.keypairs.setdefault(user_id, {})[name] = record
        return record

    def record_action(self, server: Server, action: str, ctx: Ctx | None, *,
                      request_id: str | None = None, failed: bool = False) -> dict[str, Any]:
        """Add an instance action (with its one event) and return it."""
        now = time.time()
        entry: dict[str, Any] = {
            "action": action,
            "request_id": request_id or (ctx.request_id if ctx else "") or f"req-{uuid.uuid4()}",
            "user_id": ctx.user_id if ctx else server.user_id,
            "project_id": ctx.project_id if ctx else server.project_id,
            "start_time": now, "finish_time": None, "message": "Error" if failed else None,
            "event": f"compute_{action}_instance" if action != "create"
            else "compute__do_build_and_run_instance", "result": None, "host": server.host}
        if server.actions is None:
            server.actions = []
        server.actions.append(entry)
        return entry

    @staticmethod
    def finish_action(entry: dict[str, Any] | None, *, failed: bool = False) -> None:
        """Mark an instance action's event finished."""
        if entry is None:
            return
        entry["finish_time"] = time.time()
        entry["result"] = "Error" if failed else "Success"
        if failed:
            entry["message"] = "Error"

    @staticmethod
    def create_request_id(server: Server) -> str:
        """A stable request id for a seeded server's "create" action."""
        digest = hashlib.md5(f"{server.id}/create".encode()).hexdigest()
        return f"req-{uuid.UUID(digest)}"

    # -- other services -------------------------------------------------------------------------
    def _peer(self, name: str, method: str) -> Any:
        """Another service if it implements the contract method (it may still be a stub)."""
        try:
            peer = self.cloud.service(name)
        except KeyError:
            return None
        return peer if hasattr(peer, method) else None

    def network_service(self) -> Any:
        """Neutron, or None while it is not there."""
        return self._peer("network", "ports_for_device")

    def image_service(self) -> Any:
        """Glance, or None."""
        return self._peer("image", "image")

    def volume_service(self) -> Any:
        """Cinder, or None."""
        return self._peer("volume", "attach")

    # -- contract: other services call these (under cloud.lock) ---------------------------------
    def server(self, server_id: str) -> dict[str, Any] | None:
        """A snapshot of a live server's main fields, or None."""
        server = self.servers.get(server_id)
        if server is None:
            return None
        return {"id": server.id, "name": server.name, "project_id": server.project_id,
                "user_id": server.user_id, "status": server.status,
                "vm_state": server.vm_state, "task_state": server.task_state,
                "availability_zone": server.az, "host": server.host,
                "flavor_id": server.flavor_id, "image_id": server.image_id,
                "created": server.created, "updated": server.updated}

    def server_name(self, server_id: str) -> str | None:
        """A live server's name."""
        server = self.servers.get(server_id)
        return server.name if server else None

    def seeded_server_ids(self, project_id: str) -> list[str]:
        """A few ACTIVE/SHUTOFF servers of that project (oldest first) for seeded attachments."""
        order = self.by_project.get(project_id)
        found: list[str] = []
        for server in order.walk(None, False) if order else ():
            if server.vm_state in ("active", "stopped") and not server.hostile:
                found.append(server.id)
                if len(found) >= 12:
                    break
        return found

    def record_seed_attachment(self, server_id: str, volume_id: str, device: str) -> None:
        """Cinder's seed attached a volume to a seeded server: show it on the server."""
        server = self.servers.get(server_id)
        if server is None:
            return
        if server.volumes is None:
            server.volumes = []
        server.volumes.append({"volume_id": volume_id, "device": device,
                               "attachment_id": _uuid(self.cloud.rng.getrandbits(128)),
                               "bdm_uuid": _uuid(self.cloud.rng.getrandbits(128)),
                               "delete_on_termination": False, "tag": None})

    def instance_usage(self, project_id: str) -> dict[str, int]:
        """Instances, cores and RAM (MiB) the project's servers use."""
        instances, cores, ram = self.usage.get(project_id, (0, 0, 0))
        return {"instances": instances, "cores": cores, "ram": ram}
