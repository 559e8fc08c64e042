"""Glance image members: an owner shares a ``shared`` image with another project, which accepts
or rejects it. Answers and errors as the rig's Glance gives them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tuicloud.simcloud.core import ApiError, Request, Response, Router, SimCloud, isotime

if TYPE_CHECKING:
    from tuicloud.simcloud.glance import Service

STATUSES = ("pending", "accepted", "rejected")


def register(router: Router, service: str, base: str) -> None:
    """Member routes under ``base`` (e.g. /image/v2)."""
    path = f"{base}/images/{{image_id}}/members"
    router.add("GET", path, list_members, service=service)
    router.add("POST", path, add_member, service=service)
    router.add("GET", path + "/{member_id}", show_member, service=service)
    router.add("PUT", path + "/{member_id}", update_member, service=service)
    router.add("DELETE", path + "/{member_id}", delete_member, service=service)


def members_of(svc: Service, image_id: str) -> dict[str, dict[str, Any]]:
    """The image's members by project id (an empty dict when it has none)."""
    return svc.members.get(image_id, {})


def member_status(svc: Service, image_id: str, project_id: str | None) -> str | None:
    """The project's membership status on the image, or None."""
    if project_id is None:
        return None
    member = members_of(svc, image_id).get(project_id)
    return None if member is None else str(member["status"])


def _glance(cloud: SimCloud) -> Service:
    svc: Service = cloud.service("image")
    return svc



def _member(svc: Service, request: Request) -> dict[str, Any]:
    image_id, member_id = request.params["image_id"], request.params["member_id"]
    member = members_of(svc, image_id).get(member_id)
    if member is None:
        raise ApiError(404, f"{member_id} not found in the member list of the image "
                            f"{image_id}.")
    return member


def _doc(member: dict[str, Any]) -> dict[str, Any]:
    return {**member, "schema": "/v2/schemas/member"}


def list_members(cloud: SimCloud, request: Request) -> Response:
    """GET /v2/images/{id}/members: the owner sees all, a member only itself."""
    svc = _glance(cloud)
    token = request.authed
    with cloud.lock:
        record = svc.visible(request.params["image_id"], token)
        members = list(members_of(svc, record["id"]).values())
        if not token.is_admin and record["owner"] != token.project_id:
            members = [m for m in members if m["member_id"] == token.project_id]
        return Response(200, {"members": [_doc(m) for m in members],
                              "schema": "/v2/schemas/members"})


def add_member(cloud: SimCloud, request: Request) -> Response:
    """POST /v2/images/{id}/members {"member": project}: 200, pending; 409 when already one;
    403 unless the image is ``shared``."""
    svc = _glance(cloud)
    body = request.json_object()
    member_id = body.get("member")
    if not isinstance(member_id, str) or not member_id:
        raise ApiError(400, "Member to be added not specified")
    with cloud.lock:
        record = svc.owned(request.params["image_id"], request.authed, "add_member")
        if record["visibility"] != "shared":
            raise ApiError(403, f"Not allowed to create members for image {record['id']}.")
        members = svc.members.setdefault(record["id"], {})
        if member_id in members:
            raise ApiError(409, f"Member {member_id} is duplicated for image {record['id']}")
        stamp = isotime()
        members[member_id] = {"member_id": member_id, "image_id": record["id"],
                              "status": "pending", "created_at": stamp, "updated_at": stamp}
        return Response(200, _doc(members[member_id]))


def show_member(cloud: SimCloud, request: Request) -> Response:
    """GET /v2/images/{id}/members/{project}."""
    svc = _glance(cloud)
    with cloud.lock:
        svc.visible(request.params["image_id"], request.authed)
        return Response(200, _doc(_member(svc, request)))


def update_member(cloud: SimCloud, request: Request) -> Response:
    """PUT /v2/images/{id}/members/{project} {"status": ...}: only the member itself decides."""
    svc = _glance(cloud)
    token = request.authed
    status = request.json_object().get("status")
    with cloud.lock:
        svc.visible(request.params["image_id"], token)
        member = _member(svc, request)
        if member["member_id"] != token.project_id:
            raise ApiError(403, "You are not authorized to complete modify_member action.")
        if status not in STATUSES:
            raise ApiError(400, 'Incorrect request: Status must be "pending", "accepted" or '
                                '"rejected".')
        member["status"] = status
        member["updated_at"] = isotime()
        return Response(200, _doc(member))


def delete_member(cloud: SimCloud, request: Request) -> Response:
    """DELETE /v2/images/{id}/members/{project} (owner): 204."""
    svc = _glance(cloud)
    with cloud.lock:
        record = svc.owned(request.params["image_id"], request.authed, "delete_member")
        _member(svc, request)
        del svc.members[record["id"]][request.params["member_id"]]
    return Response(204)
