"""Neutron's agents (admin): ``GET /v2.0/agents`` and ``/v2.0/agents/{id}``. simcloud runs
the agents of an ML2/Open vSwitch deployment (DHCP, L3 and metadata on a network node, an
Open vSwitch agent on each compute host); the rig runs ML2 without agents, so its list is
empty. Members are shown no agent (Neutron filters the list by policy: 200 and an empty
list), and a member's show is 404 as for an agent that does not exist. A test stops an agent
reporting with its record's ``dead``, or empties the list to be the rig."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from tuicloud.simcloud.core import ApiError, Request, Response, Router, SimCloud
from tuicloud.simcloud.neutron_api import V2, _list_docs, _matcher, _svc
from tuicloud.simcloud.nova_model import HOST_ZONE

__all__ = ["agent_records", "register"]

NETWORK_HOST = "network-01"
_NOT_FOUND = ("Agent {} could not be found.", "AgentNotFound")
_NODE_AGENTS = (("DHCP agent", "neutron-dhcp-agent", "dhcp_agent"),
                ("L3 agent", "neutron-l3-agent", "l3_agent"),
                ("Metadata agent", "neutron-metadata-agent", None))
_KEYS = ("id", "agent_type", "binary", "topic", "host", "admin_state_up", "created_at",
         "started_at", "heartbeat_timestamp", "description", "alive", "configurations",
         "availability_zone", "resources_synced")


def register(router: Router, service: str) -> None:
    """The agents' routes."""
    router.add("GET", f"{V2}/agents", list_agents, service=service)
    router.add("GET", f"{V2}/agents/{{item_id}}", show_agent, service=service)


def _neutron_time(when: float) -> str:
    """Agents' timestamps as Neutron shows them: naive UTC with a space."""
    return dt.datetime.fromtimestamp(when, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def agent_records(cloud: SimCloud) -> list[dict[str, Any]]:
    """The agents' records (made on first use), in the order Neutron lists them."""
    svc = _svc(cloud)
    if "agents" in svc.__dict__:  # an empty list stays empty: ML2 without agents, as the rig
        records: list[dict[str, Any]] = svc.__dict__["agents"]
        return records
    records = svc.__dict__["agents"] = []
    started = _neutron_time(time.time() - 86400 * 3)
    rows: list[tuple[str, str, str | None, str]] = [
        (kind, binary, topic, NETWORK_HOST) for kind, binary, topic in _NODE_AGENTS]
    rows += [("Open vSwitch agent", "neutron-openvswitch-agent", "N/A", host)
             for host in HOST_ZONE]
    for index, (kind, binary, topic, host) in enumerate(rows):
        zoned = kind in ("DHCP agent", "L3 agent")
        records.append({
            "id": f"a9e1c6f0-0000-4000-8000-{index + 1:012d}", "agent_type": kind,
            "binary": binary, "topic": topic, "host": host, "admin_state_up": True,
            "created_at": started, "started_at": started, "description": None,
            "configurations": {}, "availability_zone": "nova" if zoned else None,
            "resources_synced": None, "dead": False})
    return records


def _doc(record: dict[str, Any]) -> dict[str, Any]:
    # Neutron calls an agent dead once its heartbeat is older than agent_down_time (75 s).
    beat = time.time() - (600 if record["dead"] else 10)
    doc = {key: record.get(key) for key in _KEYS}
    doc.update(heartbeat_timestamp=_neutron_time(beat), alive=not record["dead"])
    return doc


def list_agents(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/agents: every agent for an admin, none for others; filters checked against
    the agent's attributes, paged as other collections."""
    _matcher(request, _KEYS)  # an unknown filter is a 400 even when nothing is listed
    with cloud.lock:
        docs = [_doc(r) for r in agent_records(cloud)] if request.authed.is_admin else []
    return _list_docs(cloud, request, "agents", docs, _NOT_FOUND)


def show_agent(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/agents/{id} (admin; 404 for others, as for a missing agent)."""
    wanted = request.params["item_id"]
    with cloud.lock:
        found = next((r for r in agent_records(cloud) if r["id"] == wanted), None)
        if found is None or not request.authed.is_admin:
            raise ApiError(404, _NOT_FOUND[0].format(wanted), kind=_NOT_FOUND[1])
        return Response(200, {"agent": _doc(found)})
