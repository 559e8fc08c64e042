"""Compute service actions (Nova, admin): disable with a reason (the scheduler stops placing
servers there; what runs stays), enable, mark forced down (what an evacuation needs when a
host is dead) and up again. Nova only lets nova-compute services change (compute 2.53+:
``PUT /os-services/{id}``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tuicloud.cloud.operations.base import KindOperations, Needs, Operation, Raw, require, rid

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["OPERATIONS", "service_command", "set_service"]

MAX_REASON = 255  # Nova's column


def _compute(check: Callable[[Raw], str | None]) -> Callable[[Raw], str | None]:
    def unavailable(raw: Raw) -> str | None:
        if raw.get("binary") != "nova-compute":
            return "Nova changes only nova-compute services"
        return check(raw)
    return unavailable


def set_service(session: CloudSession, raw: Raw, change: dict[str, Any], what: str) -> None:
    """PUT the change on the service (blocking; ReadOnlyError before sending)."""
    session.request("PUT", "compute", f"/os-services/{rid(raw)}", json=change,
                    description=f"{what} compute service {raw.get('binary')} on "
                                f"{raw.get('host')}")


def service_command(raw: Raw, *flags: str) -> list[str]:
    """``openstack compute service set FLAGS HOST BINARY``."""
    return ["openstack", "compute", "service", "set", *flags, str(raw.get("host")),
            str(raw.get("binary"))]


def _validate_reason(raw: Raw, text: str) -> str | None:
    if not text.strip():
        return "say why (the next operator will read it)"
    if len(text) > MAX_REASON:
        return f"at most {MAX_REASON} characters"
    return None


def _disable(session: CloudSession, raw: Raw, value: str | None) -> None:
    set_service(session, raw, {"status": "disabled",
                               "disabled_reason": require(value, "a reason")}, "disable")


OPERATIONS = KindOperations("compute-services", "compute service", (
    Operation(
        "compute_service.disable", "compute-services", "Disable…",
        _compute(lambda raw: "disabled already" if raw.get("status") == "disabled" else None),
        _disable,
        lambda raw, v: service_command(raw, "--disable", "--disable-reason", str(v)),
        needs=Needs("Why (shown to every operator)", "<reason>", validate=_validate_reason,
                    default=lambda raw: "maintenance"),
        destructive=True, keywords=("maintenance", "drain", "off"), single=True),
    Operation(
        "compute_service.enable", "compute-services", "Enable",
        _compute(lambda raw: None if raw.get("status") == "disabled" else "enabled already"),
        lambda session, raw, _v: set_service(session, raw, {"status": "enabled"}, "enable"),
        lambda raw, _v: service_command(raw, "--enable"),
        keywords=("maintenance", "on")),
    Operation(
        "compute_service.force_down", "compute-services", "Mark forced down",
        _compute(lambda raw: "forced down already" if raw.get("forced_down") else None),
        lambda session, raw, _v: set_service(session, raw, {"forced_down": True},
                                             "force down"),
        lambda raw, _v: service_command(raw, "--down"),
        destructive=True, keywords=("evacuate", "dead", "fence")),
    Operation(
        "compute_service.unforce_down", "compute-services", "Clear forced down",
        _compute(lambda raw: None if raw.get("forced_down") else "not forced down"),
        lambda session, raw, _v: set_service(session, raw, {"forced_down": False},
                                             "clear forced down on"),
        lambda raw, _v: service_command(raw, "--up"),
        keywords=("up", "back")),
))
