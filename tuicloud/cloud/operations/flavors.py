"""Flavor management (Nova, admin): create (a form, ``screens/forms/create_flavor.py``) with
extra specs and public or private, delete, and grant or revoke a project's access to a private
flavor. Offered to admins only: Nova's policy refuses everyone else."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.operations.base import (
    Choice,
    KindOperations,
    Needs,
    Operation,
    Raw,
    always_available,
    name_of,
    require,
    rid,
)

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["OPERATIONS", "FlavorSpec", "create_flavor", "flavor_command", "parse_count",
           "parse_specs"]

PUBLIC_KEY = "os-flavor-access:is_public"


@dataclass(frozen=True)
class FlavorSpec:
    """What the form collected, checked."""

    name: str
    vcpus: int
    ram: int  # MiB
    disk: int  # GiB
    ephemeral: int = 0
    swap: int = 0  # MiB
    public: bool = True
    extra_specs: dict[str, str] = field(default_factory=dict)


def parse_count(text: str, what: str, minimum: int) -> tuple[int | None, str | None]:
    """A whole number of at least ``minimum``: (value, why not)."""
    text = text.strip()
    if not text:
        return None, f"{what} is required"
    if not text.isdigit():
        return None, f"{what}: a whole number"
    number = int(text)
    if number < minimum:
        return None, f"{what}: at least {minimum}"
    if number > 2**31 - 1:
        return None, f"{what}: too large"
    return number, None


def parse_specs(text: str) -> tuple[dict[str, str], str | None]:
    """Extra specs, one ``key=value`` a line: (specs, why not)."""
    specs: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            return specs, f"line {number}: key=value (e.g. hw:cpu_policy=dedicated)"
        if len(key) > 255 or len(value) > 255:
            return specs, f"line {number}: at most 255 characters each side"
        if key in specs:
            return specs, f"line {number}: {key} given twice"
        specs[key] = value
    return specs, None


def flavor_command(spec: FlavorSpec) -> list[str]:
    """``openstack flavor create --vcpus … --ram … --disk … NAME``."""
    command = ["openstack", "flavor", "create", "--vcpus", str(spec.vcpus), "--ram",
               str(spec.ram), "--disk", str(spec.disk)]
    if spec.ephemeral:
        command += ["--ephemeral", str(spec.ephemeral)]
    if spec.swap:
        command += ["--swap", str(spec.swap)]
    command.append("--public" if spec.public else "--private")
    for key, value in spec.extra_specs.items():
        command += ["--property", f"{key}={value}"]
    return [*command, spec.name]


def create_flavor(session: CloudSession, spec: FlavorSpec) -> str:
    """Create it, then its extra specs; when Nova refuses the specs, the flavor is deleted
    again (no half-made flavor left) and the refusal raised. Returns its id."""
    body = {"flavor": {"name": spec.name, "vcpus": spec.vcpus, "ram": spec.ram,
                       "disk": spec.disk, "OS-FLV-EXT-DATA:ephemeral": spec.ephemeral,
                       "swap": spec.swap, PUBLIC_KEY: spec.public}}
    answer, _ = session.request("POST", "compute", "/flavors", json=body,
                                description=f"create flavor {spec.name}")
    made = answer.get("flavor") if isinstance(answer, dict) else None
    ident = str(made.get("id")) if isinstance(made, dict) else ""
    if spec.extra_specs and ident:
        try:
            session.request("POST", "compute", f"/flavors/{ident}/os-extra_specs",
                            json={"extra_specs": spec.extra_specs},
                            description=f"set extra specs of flavor {spec.name}")
        except CloudError:
            session.request("DELETE", "compute", f"/flavors/{ident}",
                            description=f"delete flavor {spec.name} (its specs were refused)")
            raise
    return ident


def _projects(session: CloudSession) -> dict[str, str]:
    body, _ = session.get_json("identity", "/projects")
    return {str(p["id"]): str(p.get("name") or p["id"]) for p in body.get("projects", [])}


def _access(session: CloudSession, raw: Raw) -> set[str]:
    body, _ = session.get_json("compute", f"/flavors/{rid(raw)}/os-flavor-access")
    return {str(a.get("tenant_id")) for a in body.get("flavor_access", [])}


def _projects_to_grant(session: CloudSession, raw: Raw) -> list[Choice]:
    has = _access(session, raw)
    choices = [Choice(ident, name, "has access already" if ident in has else None)
               for ident, name in _projects(session).items()]
    return sorted(choices, key=lambda c: (c.disabled is not None, c.label))


def _projects_with_access(session: CloudSession, raw: Raw) -> list[Choice]:
    names = _projects(session)
    return sorted((Choice(ident, names.get(ident, ident)) for ident in _access(session, raw)),
                  key=lambda c: c.label)


def _private(raw: Raw) -> str | None:
    if raw.get(PUBLIC_KEY, True):
        return "a public flavor: every project has it"
    return None


def _access_action(session: CloudSession, raw: Raw, action: str, project: str) -> None:
    session.request("POST", "compute", f"/flavors/{rid(raw)}/action",
                    json={action: {"tenant": project}},
                    description=f"{'grant' if action == 'addTenantAccess' else 'revoke'} "
                                f"access to flavor {name_of(raw)}")


def _delete(session: CloudSession, raw: Raw, _value: str | None) -> None:
    session.request("DELETE", "compute", f"/flavors/{rid(raw)}",
                    description=f"delete flavor {name_of(raw)}")


def _cli(*words: str) -> list[str]:
    return ["openstack", "flavor", *words]


OPERATIONS = KindOperations("flavors", "flavor", (
    Operation(
        "flavor.grant_access", "flavors", "Grant a project access…", _private,
        lambda session, raw, v: _access_action(session, raw, "addTenantAccess",
                                               require(v, "a project")),
        lambda raw, v: _cli("set", "--project", str(v), rid(raw)),
        needs=Needs("Project to grant", "<project>", choices=_projects_to_grant),
        keywords=("access", "private", "project", "share"), single=True, admin_only=True),
    Operation(
        "flavor.revoke_access", "flavors", "Revoke a project's access…", _private,
        lambda session, raw, v: _access_action(session, raw, "removeTenantAccess",
                                               require(v, "a project")),
        lambda raw, v: _cli("unset", "--project", str(v), rid(raw)),
        needs=Needs("Project to revoke", "<project>", choices=_projects_with_access),
        destructive=True, keywords=("access", "private", "project"), single=True,
        admin_only=True),
    Operation(
        "flavor.delete", "flavors", "Delete", always_available, _delete,
        lambda raw, _v: _cli("delete", rid(raw)),
        destructive=True, deletes=True, keywords=("remove",), admin_only=True),
))


