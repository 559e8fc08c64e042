"""Identity actions (Keystone): enable, disable and delete projects and users; revoke a role
assignment; delete one's own application credential. Disabling is how an operator takes a
project or a person out without losing what they own, so it asks first as deleting does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuicloud.cloud.kinds.role_assignments import actor, grant_path, inherited, scope
from tuicloud.cloud.operations.base import (
    Cli,
    KindOperations,
    Needs,
    Operation,
    Raw,
    Runner,
    always_available,
    require,
    rid,
)
from tuicloud.cloud.operations.identity_admin import (
    password_problem,
    set_password,
    set_password_command,
)
from tuicloud.cloud.project_quotas import parse_quota_change, quota_command, set_quota

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["APP_CREDENTIAL_OPERATIONS", "ASSIGNMENT_OPERATIONS", "PROJECT_OPERATIONS",
           "USER_OPERATIONS", "delete_app_credential"]


def _enabled(raw: Raw) -> bool:
    return raw.get("enabled") is not False


def _set_enabled(what: str, enabled: bool) -> Runner:
    def run(session: CloudSession, raw: Raw, _value: str | None) -> None:
        verb = "enable" if enabled else "disable"
        session.request("PATCH", "identity", f"/{what}s/{rid(raw)}",
                        json={what: {"enabled": enabled}},
                        description=f"{verb} {what} {raw.get('name')}")
    return run


def _delete(what: str) -> Runner:
    def run(session: CloudSession, raw: Raw, _value: str | None) -> None:
        session.request("DELETE", "identity", f"/{what}s/{rid(raw)}",
                        description=f"delete {what} {raw.get('name')}")
    return run


def _toggles(what: str) -> tuple[Operation, ...]:
    """Enable, disable, delete: the same three on projects and users."""
    kind = f"{what}s"

    def cli(*args: str) -> Cli:
        # By id: a name may repeat across domains.
        return lambda raw, _v: ["openstack", what, *args, rid(raw)]

    return (
        Operation(f"{what}.disable", kind, "Disable",
                  lambda raw: None if _enabled(raw) else "disabled already",
                  _set_enabled(what, False), cli("set", "--disable"), destructive=True,
                  keywords=("lock", "off", "suspend")),
        Operation(f"{what}.enable", kind, "Enable",
                  lambda raw: "enabled already" if _enabled(raw) else None,
                  _set_enabled(what, True), cli("set", "--enable"), keywords=("unlock", "on")),
        Operation(f"{what}.delete", kind, "Delete", always_available, _delete(what),
                  cli("delete"), destructive=True, deletes=True, keywords=("remove",)),
    )


def _revoke(session: CloudSession, raw: Raw, _value: str | None) -> None:
    session.request("DELETE", "identity", "/" + grant_path(raw),
                    description=f"revoke role assignment {grant_path(raw)}")


def _revoke_cli(raw: Raw, _value: str | None) -> list[str]:
    """``openstack role remove --project P --user U ROLE`` (ids: names may repeat across
    domains)."""
    where, target = scope(raw)
    who, person = actor(raw)
    role = raw.get("role") if isinstance(raw.get("role"), dict) else {}
    place = ["--system", "all"] if where == "system" else [f"--{where}", str(target.get("id"))]
    return ["openstack", "role", "remove", *place, f"--{who}", str(person.get("id")),
            str(role.get("id") if isinstance(role, dict) else "")]


def _revocable(raw: Raw) -> str | None:
    if inherited(raw):
        return "inherited: revoke it on the project or domain that sets it"
    return None


def _quota_problem(_raw: Raw, text: str) -> str | None:
    parsed = parse_quota_change(text)
    return parsed if isinstance(parsed, str) else None


def _set_quota(session: CloudSession, raw: Raw, value: str | None) -> None:
    parsed = parse_quota_change(require(value, "a quota=limit"))
    if isinstance(parsed, str):
        raise ValueError(parsed)
    set_quota(session, rid(raw), str(raw.get("name") or rid(raw)), *parsed)


def _quota_cli(raw: Raw, value: str | None) -> list[str]:
    parsed = parse_quota_change(value or "")
    if isinstance(parsed, str):
        return ["openstack", "quota", "set", "--<quota>", "<limit>", rid(raw)]
    return quota_command(rid(raw), *parsed)


PROJECT_OPERATIONS = KindOperations("projects", "project", (
    *_toggles("project"),
    Operation("project.set_quota", "projects", "Set quota…", always_available, _set_quota,
              _quota_cli,
              needs=Needs("Quota and its new limit (the detail lists them with usage)",
                          "<quota>=<limit>", validate=_quota_problem,
                          default=lambda _raw: "cores="),
              single=True, keywords=("quota", "limit")),
))
def _set_password(session: CloudSession, raw: Raw, value: str | None) -> None:
    set_password(session, rid(raw), str(raw.get("name") or rid(raw)),
                 require(value, "a password"))


USER_OPERATIONS = KindOperations("users", "user", (
    *_toggles("user"),
    # Destructive: the user's old password stops working at once, so it asks first.
    Operation("user.set_password", "users", "Set password…", always_available, _set_password,
              lambda raw, _v: set_password_command(rid(raw)),
              needs=Needs("New password (twice)", "<password>", secret=True,
                          validate=lambda _raw, text: password_problem(text, text,
                                                                       required=True)),
              destructive=True, single=True, keywords=("password", "reset", "passwd")),
))

ASSIGNMENT_OPERATIONS = KindOperations("role-assignments", "role assignment", (
    Operation("role_assignment.revoke", "role-assignments", "Revoke", _revocable, _revoke,
              _revoke_cli, destructive=True, deletes=True, keywords=("remove", "delete")),
))


def delete_app_credential(session: CloudSession, ident: str, name: object) -> None:
    """Delete one of the signed-in user's application credentials (blocking)."""
    session.request("DELETE", "identity",
                    f"/users/{session.user_id}/application_credentials/{ident}",
                    description=f"delete application credential {name}")


def _delete_credential(session: CloudSession, raw: Raw, _value: str | None) -> None:
    delete_app_credential(session, rid(raw), raw.get("name"))


APP_CREDENTIAL_OPERATIONS = KindOperations("app-credentials", "application credential", (
    Operation("app_credential.delete", "app-credentials", "Delete", always_available,
              _delete_credential,
              lambda raw, _v: ["openstack", "application", "credential", "delete", rid(raw)],
              destructive=True, deletes=True, keywords=("remove", "revoke")),
))
