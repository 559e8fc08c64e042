"""Nova host aggregates (admin): create, show, update, delete, add/remove hosts and metadata,
shaped as the rig answers (integer ids, a uuid from 2.41, no hosts/metadata in the create
answer)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from tuicloud.simcloud.core import ApiError, Response, Router
from tuicloud.simcloud.nova_model import HOST_ZONE, Ctx, api, forbidden

_META_KEY = re.compile(r"[a-zA-Z0-9-_:. ]{1,255}")


def register(router: Router, service: str) -> None:
    """Routes under /os-aggregates."""
    base = "/compute/v2.1/os-aggregates"
    for method, path, handler in (
        ("GET", "", list_aggregates), ("POST", "", create_aggregate),
        ("GET", "/{aggregate_id}", show_aggregate), ("PUT", "/{aggregate_id}", update_aggregate),
        ("DELETE", "/{aggregate_id}", delete_aggregate),
        ("POST", "/{aggregate_id}/action", aggregate_action),
    ):
        router.add(method, base + path, api(handler), service=service)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _store(ctx: Ctx) -> dict[int, dict[str, Any]]:
    if "aggregates" not in ctx.svc.__dict__:
        # A zone other than the default exists because an aggregate names it: az-2's hosts.
        zone = "az-2"
        ctx.svc.__dict__["aggregates"] = {1: {
            "id": 1, "uuid": "3f0c9a52-0000-4000-8000-000000000001", "name": f"{zone}-hosts",
            "hosts": [h for h, z in HOST_ZONE.items() if z == zone],
            "metadata": {"availability_zone": zone}, "created_at": _now(),
            "updated_at": None}}
    aggregates: dict[int, dict[str, Any]] = ctx.svc.__dict__["aggregates"]
    return aggregates


def _admin(ctx: Ctx, rule: str) -> None:
    if not ctx.is_admin:
        raise forbidden(f"os_compute_api:os-aggregates:{rule}")


def _doc(ctx: Ctx, aggregate: dict[str, Any], *, created: bool = False) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": aggregate["id"]}
    if ctx.at_least(41):
        doc["uuid"] = aggregate["uuid"]
    doc["name"] = aggregate["name"]
    if not created:
        doc["hosts"] = list(aggregate["hosts"])
        doc["metadata"] = dict(aggregate["metadata"])
    doc.update({"created_at": aggregate["created_at"], "updated_at": aggregate["updated_at"],
                "deleted_at": None, "deleted": False,
                "availability_zone": aggregate["metadata"].get("availability_zone")})
    return doc


def _aggregate(ctx: Ctx) -> dict[str, Any]:
    text = ctx.param("aggregate_id")
    for aggregate in _store(ctx).values():
        if text in (str(aggregate["id"]), aggregate["uuid"]):
            return aggregate
    raise ApiError(404, f"Aggregate {text} could not be found.")


def _name(ctx: Ctx, name: Any, current: dict[str, Any] | None = None) -> str:
    if name == "":
        raise ApiError(400, "Invalid input for field/attribute name. Value: . '' should be "
                            "non-empty")
    if not isinstance(name, str) or not name.strip() or len(name) > 255:
        raise ApiError(400, f"Invalid input for field/attribute name. Value: {name}. "
                            f"{name!r} is not a valid name")
    if any(a["name"] == name and a is not current for a in _store(ctx).values()):
        raise ApiError(409, f"Aggregate {name} already exists.")
    return name


def list_aggregates(ctx: Ctx) -> Response:
    """GET /os-aggregates (admin)."""
    _admin(ctx, "index")
    return Response(200, {"aggregates": [_doc(ctx, a) for a in _store(ctx).values()]})


def create_aggregate(ctx: Ctx) -> Response:
    """POST /os-aggregates (admin): 200; 409 for a name in use."""
    _admin(ctx, "create")
    body = ctx.req.json_object("aggregate")
    name = _name(ctx, body.get("name"))
    store = _store(ctx)
    ident = max(store, default=0) + 1
    zone = body.get("availability_zone")
    aggregate = {"id": ident, "uuid": str(uuid.uuid4()), "name": name, "hosts": [],
                 "metadata": {"availability_zone": zone} if zone else {},
                 "created_at": _now(), "updated_at": None}
    store[ident] = aggregate
    return Response(200, {"aggregate": _doc(ctx, aggregate, created=True)})


def show_aggregate(ctx: Ctx) -> Response:
    """GET /os-aggregates/{id} (admin)."""
    _admin(ctx, "show")
    return Response(200, {"aggregate": _doc(ctx, _aggregate(ctx))})


def update_aggregate(ctx: Ctx) -> Response:
    """PUT /os-aggregates/{id} (admin): name, availability_zone."""
    _admin(ctx, "update")
    aggregate = _aggregate(ctx)
    body = ctx.req.json_object("aggregate")
    if "name" in body:
        aggregate["name"] = _name(ctx, body["name"], aggregate)
    if "availability_zone" in body:
        aggregate["metadata"]["availability_zone"] = body["availability_zone"]
    aggregate["updated_at"] = _now()
    return Response(200, {"aggregate": _doc(ctx, aggregate)})


def delete_aggregate(ctx: Ctx) -> Response:
    """DELETE /os-aggregates/{id} (admin): 200; 400 while it holds hosts."""
    _admin(ctx, "delete")
    aggregate = _aggregate(ctx)
    if aggregate["hosts"]:
        raise ApiError(400, f"Cannot remove host from aggregate {aggregate['id']}. Reason: "
                            "Host aggregate is not empty.")
    del _store(ctx)[aggregate["id"]]
    return Response(200)


def aggregate_action(ctx: Ctx) -> Response:
    """POST /os-aggregates/{id}/action: add_host, remove_host, set_metadata (admin)."""
    body = ctx.req.json_object()
    if len(body) != 1 or next(iter(body)) not in ("add_host", "remove_host", "set_metadata"):
        raise ApiError(400, "Invalid request body: one of add_host, remove_host, "
                            "set_metadata is required.")
    action, args = next(iter(body.items()))
    _admin(ctx, action)
    aggregate = _aggregate(ctx)
    if not isinstance(args, dict):
        raise ApiError(400, f"Invalid input for field/attribute {action}. Value: {args}.")
    if action == "set_metadata":
        metadata = args.get("metadata")
        if not isinstance(metadata, dict):
            raise ApiError(400, f"Invalid input for field/attribute set_metadata. Value: {args}."
                                " 'metadata' is a required property")
        for key in metadata:
            if not isinstance(key, str) or not _META_KEY.fullmatch(key):
                raise ApiError(400, "Invalid input for field/attribute metadata. Value: "
                                    f"{metadata}. {key!r} does not match any of the regexes: "
                                    "'^[a-zA-Z0-9-_:. ]{1,255}$'")
        for key, value in metadata.items():
            if value is None:
                aggregate["metadata"].pop(key, None)
            else:
                aggregate["metadata"][key] = str(value)
        aggregate["updated_at"] = _now()
        return Response(200, {"aggregate": _doc(ctx, aggregate)})
    host = args.get("host")
    if action == "add_host":
        if host not in HOST_ZONE:
            raise ApiError(404, f"Compute host {host} could not be found.")
        if host in aggregate["hosts"]:
            raise ApiError(409, f"Aggregate {aggregate['id']} already has host {host}.")
        aggregate["hosts"].append(host)
    else:  # the rig says the same for an unknown host and for one not in the aggregate
        if host not in aggregate["hosts"]:
            raise ApiError(404, f"Cannot remove host {host} in aggregate {aggregate['id']}")
        aggregate["hosts"].remove(host)
    return Response(200, {"aggregate": _doc(ctx, aggregate)})
