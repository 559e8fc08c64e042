"""Group actions (Keystone, admin): add a user to a group, remove one, delete the group (its
members keep their own roles; the group's grants go with it). Creating is a form
(``screens/forms/create_group.py``) calling :func:`create_group`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuicloud.cloud.operations.base import (
    Choice,
    KindOperations,
    Needs,
    Operation,
    Raw,
    Runner,
    always_available,
    require,
    rid,
)
from tuicloud.cloud.operations.identity_admin import named_choices

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["OPERATIONS", "create_group", "group_command", "members_of"]


def members_of(session: CloudSession, group_id: str) -> list[tuple[str, str]]:
    """(id, name) of the group's members."""
    body, _ = session.get_json("identity", f"/groups/{group_id}/users")
    users = body.get("users") if isinstance(body, dict) else None
    return [(str(u["id"]), str(u.get("name") or u["id"])) for u in users or []
            if isinstance(u, dict) and u.get("id")]


def _addable(session: CloudSession, raw: Raw) -> list[Choice]:
    """Users not in the group yet, by name."""
    inside = {ident for ident, _ in members_of(session, rid(raw))}
    return [Choice(ident, name) for name, ident in named_choices(session, "users")
            if ident not in inside]


def _removable(session: CloudSession, raw: Raw) -> list[Choice]:
    """The group's members, by name."""
    return [Choice(ident, name) for ident, name in sorted(members_of(session, rid(raw)),
                                                          key=lambda u: u[1].lower())]


def _membership(method: str, verb: str) -> Runner:
    def run(session: CloudSession, raw: Raw, value: str | None) -> None:
        user = require(value, "a user")
        session.request(method, "identity", f"/groups/{rid(raw)}/users/{user}",
                        description=f"{verb} user {user} {'to' if method == 'PUT' else 'from'} "
                                    f"group {raw.get('name')}")
    return run


def _delete(session: CloudSession, raw: Raw, _value: str | None) -> None:
    session.request("DELETE", "identity", f"/groups/{rid(raw)}",
                    description=f"delete group {raw.get('name')}")


def group_command(name: str, description: str) -> list[str]:
    """``openstack group create [--description T] NAME``."""
    command = ["openstack", "group", "create"]
    if description:
        command += ["--description", description]
    return [*command, name]


def create_group(session: CloudSession, name: str, description: str) -> str | None:
    """Create the group; returns its id (blocking; ReadOnlyError before sending)."""
    group = {"name": name, "description": description}
    body, _ = session.request("POST", "identity", "/groups", json={"group": group},
                              description=f"create group {name}")
    made = body.get("group") if isinstance(body, dict) else None
    return str(made["id"]) if isinstance(made, dict) and made.get("id") else None


OPERATIONS = KindOperations("groups", "group", (
    Operation("group.add_user", "groups", "Add user…", always_available,
              _membership("PUT", "add"),
              lambda raw, v: ["openstack", "group", "add", "user", rid(raw), v or "<user>"],
              needs=Needs("User to add", "<user>", choices=_addable), single=True,
              keywords=("member", "join")),
    Operation("group.remove_user", "groups", "Remove user…", always_available,
              _membership("DELETE", "remove"),
              lambda raw, v: ["openstack", "group", "remove", "user", rid(raw), v or "<user>"],
              needs=Needs("Member to remove", "<user>", choices=_removable),
              destructive=True, single=True, keywords=("member", "leave")),
    Operation("group.delete", "groups", "Delete", always_available, _delete,
              lambda raw, _v: ["openstack", "group", "delete", rid(raw)],
              destructive=True, deletes=True, keywords=("remove",)),
))
