"""Neutron's tag API (the ``standard-attr-tag`` extension simcloud advertises): replace, list,
add, check and remove a resource's tags, answered as the rig's Neutron does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tuicloud.simcloud.core import ApiError, Request, Response, Router, SimCloud, Token
from tuicloud.simcloud.neutron import Service
from tuicloud.simcloud.neutron_api import V2, _svc

Finder = Callable[[Service, str, Token], Any]


def _finders() -> dict[str, Finder]:
    from tuicloud.simcloud import neutron_nets as nets
    from tuicloud.simcloud import neutron_sec as sec

    return {"networks": nets._visible_network, "subnets": nets._visible_subnet,
            "ports": nets._visible_port, "security-groups": sec._visible_group,
            "floatingips": sec._visible_fip, "routers": sec._visible_router}


def register(router: Router, service: str) -> None:
    """Tag routes for every taggable collection."""
    for collection in _finders():
        base = f"{V2}/{collection}/{{item_id}}/tags"
        for method, path, handler in (
            ("GET", base, list_tags), ("PUT", base, replace_tags),
            ("DELETE", base, clear_tags), ("GET", base + "/{tag}", check_tag),
            ("PUT", base + "/{tag}", add_tag), ("DELETE", base + "/{tag}", remove_tag),
        ):
            router.add(method, path, handler, service=service)


def _tags(cloud: SimCloud, request: Request) -> list[str]:
    """The resource's tag list itself (records are dicts; ports are objects)."""
    collection = request.path[len(V2) + 1:].split("/", 1)[0]
    record = _finders()[collection](_svc(cloud), request.params["item_id"], request.authed)
    tags: list[str] = record["tags"] if isinstance(record, dict) else record.tags
    return tags


def list_tags(cloud: SimCloud, request: Request) -> Response:
    """GET .../tags: 200, sorted."""
    with cloud.lock:
        return Response(200, {"tags": sorted(_tags(cloud, request))})


def replace_tags(cloud: SimCloud, request: Request) -> Response:
    """PUT .../tags {"tags": [...]}: 200 with the new set."""
    body = request.json_object()
    wanted = body.get("tags")
    if not isinstance(wanted, list) or not all(isinstance(t, str) for t in wanted):
        raise ApiError(400, f"Invalid input for operation: '{wanted}' is not a list.",
                       kind="InvalidInput")
    unique = sorted(set(wanted))  # kept sorted: Neutron shows tags in order
    with cloud.lock:
        tags = _tags(cloud, request)
        tags[:] = unique
    return Response(200, {"tags": unique})


def clear_tags(cloud: SimCloud, request: Request) -> Response:
    """DELETE .../tags: 204."""
    with cloud.lock:
        _tags(cloud, request).clear()
    return Response(204)


def check_tag(cloud: SimCloud, request: Request) -> Response:
    """GET .../tags/{tag}: 204 when present, 404 TagNotFound otherwise."""
    with cloud.lock:
        if request.params["tag"] not in _tags(cloud, request):
            raise _missing(request.params["tag"])
    return Response(204)


def add_tag(cloud: SimCloud, request: Request) -> Response:
    """PUT .../tags/{tag}: 201 with a JSON null body."""
    with cloud.lock:
        tags = _tags(cloud, request)
        if request.params["tag"] not in tags:
            tags.append(request.params["tag"])
            tags.sort()
    return Response(201, b"null", {"Content-Type": "application/json"})


def remove_tag(cloud: SimCloud, request: Request) -> Response:
    """DELETE .../tags/{tag}: 204; 404 TagNotFound when absent."""
    with cloud.lock:
        tags = _tags(cloud, request)
        if request.params["tag"] not in tags:
            raise _missing(request.params["tag"])
        tags.remove(request.params["tag"])
    return Response(204)


def _missing(tag: str) -> ApiError:
    return ApiError(404, f"Tag {tag} could not be found.", kind="TagNotFound")
