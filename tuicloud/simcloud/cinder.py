"""Cinder v3 at ``/volume/v3`` (no project id in URLs): volumes, actions, metadata, snapshots,
types, limits, quota sets, availability zones. HTTP handlers live in :mod:`cinder_api`.

Records are dicts in Cinder's own field names (``bootable`` is the string "true"/"false" as
Cinder shows it; ``project_id`` is shown as ``os-vol-tenant-attr:tenant_id``).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
import uuid
from typing import Any

from tuicloud.simcloud.core import ApiError, Router, SimCloud

NAME = "volume"

DEFAULT_QUOTAS = {"volumes": 10, "gigabytes": 1000, "snapshots": 10, "backups": 10,
                  "backup_gigabytes": 1000, "groups": 10, "per_volume_gigabytes": -1}
TYPES: tuple[tuple[str, str, dict[str, str]], ...] = (("__DEFAULT__", "Default Volume Type", {}),
         ("ssd", "Replicated NVMe storage", {"volume_backend_name": "ceph-ssd",
                                             "RESKEY:availability_zones": "nova"}),
         ("hdd", "Bulk spinning-disk storage", {"volume_backend_name": "ceph-hdd"}))
# Real Cinder (fake driver, the rig) removes a deleted volume or snapshot in about 0.1 s.
DELETE_SECONDS = 0.1
DELETABLE = ("available", "error", "error_restoring", "error_extending", "error_managing")
CANNOT_DELETE = ("Invalid volume: Volume status must be available or error or error_restoring "
                 "or error_extending or error_managing and must not be migrating, attached, "
                 "belong to a group, have snapshots, awaiting a transfer, or be disassociated "
                 "from snapshots after volume transfer.")
_NAMES = ("data", "db", "logs", "scratch", "backup-staging", "media", "cache", "home", "build",
          "archive", "metrics", "queue")


def cinder_time(when: float | None = None) -> str:
    """Cinder's timestamp format: naive UTC ISO 8601 with microseconds."""
    moment = dt.datetime.fromtimestamp(time.time() if when is None else when, dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")


class Service:
    """Cinder's records: ``volumes`` and ``snapshots`` (id -> dict), ``types``."""

    def __init__(self, cloud: SimCloud) -> None:
        self.cloud = cloud
        self.rng = random.Random(cloud.config.seed * 31 + 5)
        self.volumes: dict[str, dict[str, Any]] = {}
        self.snapshots: dict[str, dict[str, Any]] = {}
        self.types: dict[str, dict[str, Any]] = {}
        self.quotas: dict[str, dict[str, int]] = {}  # explicit per-project overrides
        self._default_limits: dict[str, dict[str, int]] = {}
        self._seeded = False  # quota checks start once seeding (incl. nova's boot volumes) ends
        for name, description, specs in TYPES:
            type_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"simcloud/{cloud.config.seed}/{name}"))
            self.types[type_id] = {"id": type_id, "name": name, "description": description,
                                   "is_public": True, "os-volume-type-access:is_public": True,
                                   "extra_specs": dict(specs), "qos_specs_id": None}

    def register(self, router: Router) -> None:
        """Cinder's routes (handlers in :mod:`cinder_api`)."""
        from tuicloud.simcloud import cinder_api

        cinder_api.register(router, NAME)

    # -- helpers --------------------------------------------------------------------------------
    def new_id(self) -> str:
        """A resource id (deterministic sequence from the seed)."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def type_by_name_or_id(self, name_or_id: str | None) -> dict[str, Any]:
        """A volume type (the default for None); 404 as Cinder words it."""
        if name_or_id is None:
            return self.default_type()
        if name_or_id in self.types:
            return self.types[name_or_id]
        for vtype in self.types.values():
            if vtype["name"] == name_or_id:
                return vtype
        raise ApiError(404, f"Volume type with name {name_or_id} could not be found.")

    def default_type(self) -> dict[str, Any]:
        """The ``__DEFAULT__`` type."""
        return next(t for t in self.types.values() if t["name"] == "__DEFAULT__")

    def touch(self, record: dict[str, Any]) -> None:
        """Bump updated_at (what ``updated_at=gte:`` polling sees)."""
        record["updated_at"] = cinder_time()

    def new_volume(self, project_id: str, user_id: str, size: int, *, name: str | None = None,
                   description: str | None = None, vtype: dict[str, Any] | None = None,
                   status: str = "creating", metadata: dict[str, str] | None = None,
                   created: float | None = None) -> dict[str, Any]:
        """A volume record (not yet bootable, not attached)."""
        vtype = vtype or self.default_type()
        volume = {
            "id": self.new_id(), "name": name, "description": description, "status": status,
            "size": size, "availability_zone": "nova", "bootable": "false", "encrypted": False,
            "multiattach": False, "project_id": project_id, "user_id": user_id,
            "volume_type": vtype["name"], "volume_type_id": vtype["id"], "snapshot_id": None,
            "source_volid": None, "metadata": dict(metadata or {}),
            "volume_image_metadata": None, "attachments": [],
            "created_at": cinder_time(created), "updated_at": None,
            "host": f"cinder-volume-1@{vtype['extra_specs'].get('volume_backend_name', 'lvm')}"
                    "#pool", "replication_status": None, "consistencygroup_id": None,
            "group_id": None, "migration_status": None,
        }
        self.volumes[volume["id"]] = volume
        return volume

    def make_bootable(self, volume: dict[str, Any], image: dict[str, Any]) -> None:
        """Mark a volume as made from an image (``volume_image_metadata``)."""
        meta = {"image_id": image["id"], "image_name": image.get("name") or "",
                "checksum": image.get("checksum") or "",
                "container_format": image.get("container_format") or "bare",
                "disk_format": image.get("disk_format") or "raw",
                "min_disk": str(image.get("min_disk", 0)), "min_ram": str(image.get("min_ram", 0)),
                "size": str(image.get("size") or 0)}
        for key in ("os_distro", "os_version", "os_admin_user", "architecture", "os_type",
                    "hw_disk_bus", "hw_machine_type"):
            if key in image:
                meta[key] = str(image[key])
        volume["bootable"] = "true"
        volume["volume_image_metadata"] = meta

    def image_check(self, image_id: str, project_id: str, is_admin: bool,
                    size: int | None) -> tuple[dict[str, Any], int]:
        """The image to make a volume from and the size to use; 400s as Cinder words them."""
        glance = self.cloud.service("image")
        image = glance.image_visible_to(image_id, project_id, is_admin)
        if image is None or image["status"] != "active":
            raise ApiError(400, "Invalid image identifier or unable to access requested image.")
        image_gb = max(1, math.ceil((image.get("size") or 0) / (1 << 30)))
        min_disk = int(image.get("min_disk") or 0)
        size = size if size is not None else max(image_gb, min_disk)
        if image_gb > size:
            raise ApiError(400, f"Invalid input received: Size of specified image {image_gb}GB "
                                f"is larger than volume size {size}GB.")
        if min_disk > size:
            raise ApiError(400, f"Invalid input received: Volume size {size}GB cannot be "
                                f"smaller than the image minDisk size {min_disk}GB.")
        return image, size

    # -- quotas ---------------------------------------------------------------------------------
    def usage(self, project_id: str) -> dict[str, int]:
        """In-use counts per quota (gigabytes include snapshots, as Cinder counts them)."""
        volumes = [v for v in self.volumes.values() if v["project_id"] == project_id]
        snaps = [s for s in self.snapshots.values() if s["project_id"] == project_id]
        used = {"volumes": len(volumes), "snapshots": len(snaps),
                "gigabytes": sum(v["size"] for v in volumes) + sum(s["size"] for s in snaps),
                "backups": 0, "backup_gigabytes": 0, "groups": 0, "per_volume_gigabytes": 0}
        for vtype in self.types.values():
            name = vtype["name"]
            typed = [v for v in volumes if v["volume_type_id"] == vtype["id"]]
            used[f"volumes_{name}"] = len(typed)
            used[f"gigabytes_{name}"] = sum(v["size"] for v in typed)
            used[f"snapshots_{name}"] = sum(1 for s in snaps if s["volume_type_id"] == vtype["id"])
        return used

    def limits(self, project_id: str) -> dict[str, int]:
        """The project's quota limits. A project seeded beyond the defaults gets room to grow,
        as its operator would have raised the quota (computed once, after seeding)."""
        if project_id not in self._default_limits:
            used = self.usage(project_id)
            limits = dict(DEFAULT_QUOTAS)
            if used["volumes"] > limits["volumes"] - 5:
                limits["volumes"] = (used["volumes"] // 10 + 2) * 10
            if used["snapshots"] > limits["snapshots"] - 5:
                limits["snapshots"] = (used["snapshots"] // 10 + 2) * 10
            if used["gigabytes"] > limits["gigabytes"] // 2:
                limits["gigabytes"] = (used["gigabytes"] // 1000 + 2) * 1000
            for vtype in self.types.values():
                for kind in ("volumes", "gigabytes", "snapshots"):
                    limits[f"{kind}_{vtype['name']}"] = -1
            self._default_limits[project_id] = limits
        limits = dict(self._default_limits[project_id])
        limits.update(self.quotas.get(project_id, {}))
        return limits

    def check_quota(self, project_id: str, *, volumes: int = 0, snapshots: int = 0,
                    gigabytes: int = 0) -> None:
        """413 with Cinder's messages when the request would exceed a quota."""
        if not self._seeded:
            return
        limits = self.limits(project_id)
        used = self.usage(project_id)
        per_volume = limits["per_volume_gigabytes"]
        if per_volume >= 0 and gigabytes > per_volume:
            raise ApiError(413, f"VolumeSizeExceedsLimit: Requested volume size {gigabytes}G is "
                                f"larger than maximum allowed limit {per_volume}G.")
        if gigabytes and 0 <= limits["gigabytes"] < used["gigabytes"] + gigabytes:
            raise ApiError(413, "VolumeSizeExceedsAvailableQuota: Requested volume or snapshot "
                                f"exceeds allowed gigabytes quota. Requested {gigabytes}G, quota "
                                f"is {limits['gigabytes']}G and {used['gigabytes']}G has been "
                                "consumed.")
        if volumes and 0 <= limits["volumes"] < used["volumes"] + volumes:
            raise ApiError(413, f"VolumeLimitExceeded: Maximum number of volumes allowed "
                                f"({limits['volumes']}) exceeded for quota 'volumes'.")
        if snapshots and 0 <= limits["snapshots"] < used["snapshots"] + snapshots:
            raise ApiError(413, f"SnapshotLimitExceeded: Maximum number of snapshots allowed "
                                f"({limits['snapshots']}) exceeded for quota 'snapshots'.")

    # -- state transitions ----------------------------------------------------------------------
    def later(self, delay: float, record: dict[str, Any], store: dict[str, dict[str, Any]],
              expected: str, action: Any) -> None:
        """Run ``action(record)`` after ``delay`` if the record still exists in that status."""
        def run() -> None:
            if store.get(record["id"]) is record and record["status"] == expected:
                action(record)
                if store.get(record["id"]) is record:
                    self.touch(record)

        self.cloud.scheduler.call_later(delay, run)

    def finish_attach_state(self, volume: dict[str, Any]) -> None:
        """in-use while attached, available otherwise."""
        volume["status"] = "in-use" if volume["attachments"] else "available"

    def start_delete(self, volume: dict[str, Any], cascade: bool = False) -> None:
        """deleting now, gone after :meth:`delete_delay` (snapshots too with cascade)."""
        volume["status"] = "deleting"
        self.touch(volume)
        if cascade:
            for snap in [s for s in self.snapshots.values() if s["volume_id"] == volume["id"]]:
                snap["status"] = "deleting"

        def gone(record: dict[str, Any]) -> None:
            del self.volumes[record["id"]]
            for snap_id in [s for s, v in self.snapshots.items()
                            if v["volume_id"] == record["id"]]:
                del self.snapshots[snap_id]

        self.later(self.delete_delay(), volume, self.volumes, "deleting", gone)

    def delete_delay(self) -> float:
        """How long a deleted volume or snapshot stays ``deleting``: real Cinder's fake driver
        on the rig removes it in about 0.1 s, whatever the other transitions take."""
        return min(DELETE_SECONDS, self.cloud.config.action_delay)

    # -- seeding --------------------------------------------------------------------------------
    def seed(self) -> None:
        """``cloud.config.volumes`` volumes across projects (available, in-use on seeded servers,
        one in error, some bootable) and a couple of snapshots."""
        cloud = self.cloud
        self.rng = random.Random(cloud.rng.getrandbits(64))
        rng = self.rng
        by_name = {p.name: p.id for p in cloud.projects.values()}
        users = {u.name: u.id for u in cloud.users.values()}
        weights = [("demo", 4), ("ops", 3), ("research", 2), ("admin", 1)]
        owners = [by_name[name] for name, weight in weights if name in by_name
                  for _ in range(weight)]
        compute = cloud.service("compute")
        servers: dict[str, list[str]] = {}
        if hasattr(compute, "seeded_server_ids"):
            for pid in cloud.projects:
                servers[pid] = list(compute.seeded_server_ids(pid))
        devices: dict[str, int] = {}
        glance = cloud.service("image")
        images = [i for i in getattr(glance, "images", {}).values()
                  if i["status"] == "active" and i["visibility"] == "public"
                  and (i.get("size") or 0) < (1 << 30)]
        now = time.time()
        available: list[dict[str, Any]] = []
        for index in range(cloud.config.volumes):
            project = owners[index % len(owners)]
            vtype = rng.choice(list(self.types.values()))
            size = rng.choice((1, 1, 2, 5, 10, 10, 20, 40, 80))
            name = f"{_NAMES[index % len(_NAMES)]}-{index // len(_NAMES) + 1:02d}"
            user = users.get("admin" if project == by_name.get("admin") else "demo", "")
            volume = self.new_volume(project, user, size, name=name, vtype=vtype,
                                     status="available", created=now - rng.uniform(1, 200) * 86400,
                                     description=rng.choice((None, "", f"{name} for the team")))
            volume["updated_at"] = volume["created_at"]
            if images and index % 5 == 1:
                image = rng.choice(images)
                volume["size"] = max(size, int(image.get("min_disk") or 1))
                self.make_bootable(volume, image)
            if index % 7 == 3:
                volume["metadata"] = {"purpose": rng.choice(("db", "cache", "logs")),
                                      "owner": rng.choice(("alice", "bob", "carol"))}
            if index == 6:
                volume["status"] = "error"
                continue
            candidates = servers.get(project) or []
            if candidates and index % 4 == 0:
                server_id = candidates[(index // 4) % len(candidates)]
                count = devices.get(server_id, 0)
                if count < 4:
                    devices[server_id] = count + 1
                    device = f"/dev/vd{'bcde'[count]}"
                    self._attach_record(volume, server_id, device, self.new_id(),
                                        when=now - rng.uniform(0, 30) * 86400)
                    if hasattr(compute, "record_seed_attachment"):
                        compute.record_seed_attachment(server_id, volume["id"], device)
                    continue
            available.append(volume)
        for volume in available[:3]:
            self.new_snapshot(volume, f"{volume['name']}-nightly", status="available",
                              description="Nightly snapshot")
        self._seeded = True
        network = cloud.service("network")
        if hasattr(network, "seed_after_compute"):
            network.seed_after_compute()

    def new_snapshot(self, volume: dict[str, Any], name: str | None, *, status: str = "creating",
                     description: str | None = None, metadata: dict[str, str] | None = None,
                     user_id: str | None = None) -> dict[str, Any]:
        """A snapshot record of ``volume``."""
        snap = {"id": self.new_id(), "name": name, "description": description,
                "status": status, "size": volume["size"], "volume_id": volume["id"],
                "project_id": volume["project_id"], "user_id": user_id or volume["user_id"],
                "metadata": dict(metadata or {}), "created_at": cinder_time(),
                "updated_at": None, "group_snapshot_id": None,
                "volume_type_id": volume["volume_type_id"],
                "progress": "100%" if status == "available" else "0%"}
        self.snapshots[snap["id"]] = snap
        return snap

    def _attach_record(self, volume: dict[str, Any], server_id: str, device: str,
                       attachment_id: str, when: float | None = None) -> None:
        volume["attachments"].append({
            "id": volume["id"], "attachment_id": attachment_id, "volume_id": volume["id"],
            "server_id": server_id, "host_name": None, "device": device,
            "attached_at": cinder_time(when)})
        volume["status"] = "in-use"
        self.touch(volume)

    # -- contract: other services call these (under cloud.lock) ---------------------------------
    def volume(self, volume_id: str) -> dict[str, Any] | None:
        """The volume record, or None."""
        return self.volumes.get(volume_id)

    def attach(self, volume_id: str, server_id: str, device: str, attachment_id: str,
               project_id: str | None) -> None:
        """Attach for nova's os-volume_attachments: in-use at once. ``project_id`` None means
        an admin caller (no ownership check)."""
        volume = self.volumes.get(volume_id)
        if volume is None or (project_id is not None and volume["project_id"] != project_id):
            raise ApiError(404, f"Volume {volume_id} could not be found.")
        if any(a["server_id"] == server_id for a in volume["attachments"]):
            raise ApiError(409, f"volume {volume_id} is already attached to server "
                                f"{server_id}")
        ok = volume["status"] == "available" or (
            volume["multiattach"] and volume["status"] == "in-use")
        if not ok:
            raise ApiError(400, f"Invalid volume: volume {volume_id} status must be "
                                f"'available'. Currently in '{volume['status']}'")
        self._attach_record(volume, server_id, device, attachment_id)

    def detach(self, volume_id: str, server_id: str) -> None:
        """Detach: "detaching" now, then available (or still in-use for other servers)."""
        volume = self.volumes.get(volume_id)
        if volume is None or not any(a["server_id"] == server_id
                                     for a in volume["attachments"]):
            return  # nothing to do: nova's view is what counts
        volume["status"] = "detaching"
        self.touch(volume)

        def done(record: dict[str, Any]) -> None:
            record["attachments"] = [a for a in record["attachments"]
                                     if a["server_id"] != server_id]
            self.finish_attach_state(record)

        self.later(self.cloud.config.action_delay, volume, self.volumes, "detaching", done)

    def create_boot_volume(self, project_id: str, image_id: str, size_gb: int,
                           name: str) -> str:
        """A bootable volume from an image, "available" at once so nova can attach it as
        /dev/vda. Quota-checked once seeding is over (413 as Cinder words it)."""
        image, size = self.image_check(image_id, project_id, True, size_gb)
        self.check_quota(project_id, volumes=1, gigabytes=size)
        users = [u.id for u in self.cloud.users.values() if project_id in u.roles]
        volume = self.new_volume(project_id, users[0] if users else "", size, name=name,
                                 status="available")
        self.make_bootable(volume, image)
        self.touch(volume)
        return str(volume["id"])

    def delete_if_requested(self, volume_id: str) -> None:
        """delete_on_termination: detach and delete (kept, detached, if it has snapshots)."""
        volume = self.volumes.get(volume_id)
        if volume is None:
            return
        volume["attachments"] = []
        if any(s["volume_id"] == volume_id for s in self.snapshots.values()):
            volume["status"] = "available"
            self.touch(volume)
            return
        self.start_delete(volume)
