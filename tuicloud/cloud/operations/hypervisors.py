"""Hypervisor actions (admin): drain the host. The drain is a workflow with its own screen
(``opens="drain"``, logic in :mod:`tuicloud.cloud.drain`): the reason asked here disables the
host's nova-compute service, then every server on it is live-migrated."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tuicloud.cloud.operations.base import KindOperations, Needs, Operation, Raw
from tuicloud.cloud.operations.compute_services import MAX_REASON, service_command

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["OPERATIONS", "service_host"]


def service_host(raw: Raw) -> str:
    """The host of the hypervisor's compute service (what servers' ``host`` names)."""
    service: Any = raw.get("service")
    return str(service.get("host") or "") if isinstance(service, dict) else ""


def _unavailable(raw: Raw) -> str | None:
    return None if service_host(raw) else "Nova reports no compute service for it"


def _reason(raw: Raw, text: str) -> str | None:
    if not text.strip():
        return "say why (the next operator will read it)"
    if len(text) > MAX_REASON:
        return f"at most {MAX_REASON} characters"
    return None


def _default_reason(raw: Raw) -> str:
    service: Any = raw.get("service")
    given = service.get("disabled_reason") if isinstance(service, dict) else None
    return str(given) if given else "maintenance"


def _not_run(session: CloudSession, raw: Raw, value: str | None) -> None:
    raise ValueError("the drain runs in its own screen")


def _cli(raw: Raw, value: str | None) -> list[str]:
    return service_command({"host": service_host(raw), "binary": "nova-compute"},
                           "--disable", "--disable-reason", str(value))


OPERATIONS = KindOperations("hypervisors", "hypervisor", (
    Operation(
        "hypervisor.drain", "hypervisors", "Drain host…", _unavailable, _not_run, _cli,
        needs=Needs("Why (the compute service is disabled with this reason)", "<reason>",
                    validate=_reason, default=_default_reason),
        destructive=True, keywords=("maintenance", "evacuate", "migrate", "empty", "admin"),
        single=True, admin_only=True, opens="drain",
        describe=lambda raw: f"{service_host(raw)}: disable its compute service, then "
                             "live-migrate every server on it"),
))
