"""Any project's quotas with their usage, and a limit changed (admin): what `openstack quota show
--usage PROJECT` and `openstack quota set --cores N PROJECT` do, service by service.

Reads: Nova ``GET /os-quota-sets/{p}/detail``, Cinder ``GET /os-quota-sets/{p}?usage=true``,
Neutron ``GET /quotas/{p}/details`` (each only when the catalog offers the service). A change
is one ``PUT`` to the service that owns the quota.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tuicloud.cloud.errors import CloudError

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["ProjectQuota", "parse_quota_change", "project_quotas", "quota_command",
           "set_quota"]

# API key -> the `openstack quota set` flag (openstackclient/common/quota.py), per service.
COMPUTE = {"cores": "cores", "instances": "instances", "ram": "ram", "key_pairs": "key-pairs",
           "metadata_items": "properties", "server_groups": "server-groups",
           "server_group_members": "server-group-members", "injected_files": "injected-files",
           "injected_file_content_bytes": "injected-file-size",
           "injected_file_path_bytes": "injected-path-size"}
VOLUME = {"volumes": "volumes", "gigabytes": "gigabytes", "snapshots": "snapshots",
          "backups": "backups", "backup_gigabytes": "backup-gigabytes", "groups": "groups",
          "per_volume_gigabytes": "per-volume-gigabytes"}
NETWORK = {"network": "networks", "subnet": "subnets", "port": "ports", "router": "routers",
           "floatingip": "floating-ips", "security_group": "secgroups",
           "security_group_rule": "secgroup-rules", "rbac_policy": "rbac-policies",
           "subnetpool": "subnetpools"}
_SERVICES = (("compute", COMPUTE), ("block-storage", VOLUME), ("network", NETWORK))
FLAGS = {key: flag for _, keys in _SERVICES for key, flag in keys.items()}
_CHANGE = re.compile(r"^\s*([a-z_]+)\s*=\s*(-?\d+)\s*$")


@dataclass(frozen=True)
class ProjectQuota:
    """One quota of a project: ``used`` of ``limit`` (-1: unlimited)."""

    service: str
    key: str
    used: int
    limit: int


def _number(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _read(session: CloudSession, service: str, project_id: str) -> dict[str, Any]:
    if service == "compute":
        body, _ = session.get_json("compute", f"/os-quota-sets/{project_id}/detail")
        return dict(body.get("quota_set") or {}) if isinstance(body, dict) else {}
    if service == "block-storage":
        body, _ = session.get_json("block-storage", f"/os-quota-sets/{project_id}",
                                   [("usage", "true")])
        return dict(body.get("quota_set") or {}) if isinstance(body, dict) else {}
    body, _ = session.get_json("network", f"/quotas/{project_id}/details")
    return dict(body.get("quota") or {}) if isinstance(body, dict) else {}


def project_quotas(session: CloudSession, project_id: str) -> tuple[list[ProjectQuota],
                                                                    dict[str, str]]:
    """(quotas with usage, service -> why it could not be read), for the services offered."""
    found: list[ProjectQuota] = []
    failed: dict[str, str] = {}
    for service, keys in _SERVICES:
        if not session.has_service(service):
            continue
        try:
            body = _read(session, service, project_id)
        except CloudError as error:
            failed[service] = str(error)
            continue
        for key in keys:
            item = body.get(key)
            if isinstance(item, dict):
                used = _number(item.get("in_use", item.get("used")))
                found.append(ProjectQuota(service, key, used, _number(item.get("limit"), -1)))
    return found, failed


def parse_quota_change(text: str) -> tuple[str, int] | str:
    """``cores=40`` -> ("cores", 40); otherwise why not (unknown quota, not a number)."""
    match = _CHANGE.match(text)
    if match is None:
        return "quota=number, e.g. cores=40 (-1: unlimited)"
    key, value = match.group(1), int(match.group(2))
    if key not in FLAGS:
        return f"no quota {key!r} (known: {', '.join(sorted(FLAGS))})"
    if value < -1:
        return "a limit is -1 (unlimited) or more"
    return key, value


def quota_command(project_id: str, key: str, value: int) -> list[str]:
    """``openstack quota set --FLAG N PROJECT``."""
    return ["openstack", "quota", "set", f"--{FLAGS[key]}", str(value), project_id]


def set_quota(session: CloudSession, project_id: str, project_name: str, key: str,
              value: int) -> None:
    """PUT the one limit to the service owning it (blocking; ReadOnlyError before sending)."""
    service = next(s for s, keys in _SERVICES if key in keys)
    description = f"set quota {key}={value} of project {project_name}"
    if service == "network":
        session.request("PUT", "network", f"/quotas/{project_id}",
                        json={"quota": {key: value}}, description=description)
    else:
        session.request("PUT", service, f"/os-quota-sets/{project_id}",
                        json={"quota_set": {key: value}}, description=description)
