"""Neutron v2.0 HTTP handlers (state in :mod:`neutron`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast
from urllib.parse import urlencode

from tuicloud.simcloud.core import (
    ApiError,
    Request,
    Response,
    Router,
    SimCloud,
    Token,
    parse_time,
)
from tuicloud.simcloud.neutron import Service
from tuicloud.simcloud.neutron_model import MISSING

V2 = "/networking/v2.0"
_RESERVED = {"fields", "limit", "marker", "sort_key", "sort_dir", "page_reverse", "tags",
             "tags-any", "not-tags", "not-tags-any"}
EXTENSIONS = (
    ("standard-attr-description", "standard-attr-description",
     "Extension to add descriptions to standard attributes"),
    ("standard-attr-timestamp", "Standard Attribute Timestamp",
     "Adds created_at and updated_at fields to all Neutron resources that have Neutron "
     "standard attributes."),
    ("standard-attr-revisions", "Resource revision numbers",
     "This extension will display the revision number of neutron resources."),
    ("standard-attr-tag", "Tag support for resources with standard attribute",
     "Enables to set tag on resources with standard attribute."),
    ("tag", "Tag support", "Enables to set tag on resources."),
    ("security-group", "security-group", "The security groups extension."),
    ("port-security", "Port Security", "Provides port security"),
    ("router", "Neutron L3 Router", "Router abstraction for basic L3 forwarding between L2 "
                                    "Neutron networks and access to external networks via a "
                                    "NAT gateway."),
    ("ext-gw-mode", "Neutron L3 Configurable external gateway mode",
     "Extension of the router abstraction for specifying whether SNAT should occur on the "
     "external gateway"),
    ("external-net", "Neutron external network", "Adds external network attribute to network "
                                                 "resource."),
    ("fip-port-details", "Floating IP Port Details Extension",
     "Add port_details attribute to Floating IP resource"),
    ("quotas", "Quota management support", "Expose functions for quotas management per "
                                           "tenant"),
    ("quota_details", "Quota details management support",
     "Expose functions for quotas usage statistics per project"),
    ("availability_zone", "Availability Zone", "The availability zone extension."),
    ("network_availability_zone", "Network Availability Zone",
     "Availability zone support for network."),
    ("router_availability_zone", "Router Availability Zone",
     "Availability zone support for router."),
    ("binding", "Port Binding", "Expose port bindings of a virtual port to external "
                                "application"),
    ("allowed-address-pairs", "Allowed Address Pairs", "Provides allowed address pairs"),
    ("extra_dhcp_opt", "Neutron Extra DHCP options",
     "Extra options configuration for DHCP. For example PXE boot options to DHCP clients "
     "can be specified (e.g. tftp-server, server-ip-address, bootfile-name)"),
    ("net-mtu", "Network MTU", "Provides MTU attribute for a network resource."),
    ("project-id", "project_id field enabled", "Extension that indicates that project_id "
                                               "field is enabled."),
    ("pagination", "Pagination support", "Extension that indicates that pagination is "
                                         "enabled."),
    ("sorting", "Sorting support", "Extension that indicates that sorting is enabled."),
    ("filter-validation", "Filter parameters validation",
     "Provides validation on filter parameters."),
    ("empty-string-filtering", "Empty String Filtering Extension",
     "Allow filtering by attributes with empty string value"),
    ("stateful-security-group", "Stateful security group",
     "Indicates if the security group is stateful or not"),
)


def register(router: Router, service: str) -> None:
    """Register Neutron's routes."""
    add = router.add
    add("GET", "/networking", versions, service=service, auth=False)
    add("GET", V2, resources, service=service, auth=False)
    add("GET", f"{V2}/extensions", list_extensions, service=service)
    add("GET", f"{V2}/extensions/{{alias}}", show_extension, service=service)
    add("GET", f"{V2}/availability_zones", availability_zones, service=service)
    from tuicloud.simcloud import neutron_nets as nets
    from tuicloud.simcloud import neutron_sec as sec

    crud = {
        "networks": (nets.list_networks, nets.create_network, nets.show_network,
                     nets.update_network, nets.delete_network),
        "subnets": (nets.list_subnets, nets.create_subnet, nets.show_subnet,
                    nets.update_subnet, nets.delete_subnet),
        "ports": (nets.list_ports, nets.create_port, nets.show_port, nets.update_port,
                  nets.delete_port),
        "security-groups": (sec.list_security_groups, sec.create_security_group,
                            sec.show_security_group, sec.update_security_group,
                            sec.delete_security_group),
        "security-group-rules": (sec.list_rules, sec.create_rule, sec.show_rule,
                                 sec.update_rule, sec.delete_rule),
        "floatingips": (sec.list_floating_ips, sec.create_floating_ip, sec.show_floating_ip,
                        sec.update_floating_ip, sec.delete_floating_ip),
        "routers": (sec.list_routers, sec.create_router, sec.show_router, sec.update_router,
                    sec.delete_router),
    }
    for collection, handlers in crud.items():
        lister, creator, shower, updater, deleter = handlers
        add("GET", f"{V2}/{collection}", lister, service=service)
        add("POST", f"{V2}/{collection}", creator, service=service)
        add("GET", f"{V2}/{collection}/{{item_id}}", shower, service=service)
        add("PUT", f"{V2}/{collection}/{{item_id}}", updater, service=service)
        add("DELETE", f"{V2}/{collection}/{{item_id}}", deleter, service=service)
    add("PUT", f"{V2}/routers/{{item_id}}/add_router_interface", sec.add_interface,
        service=service)
    add("PUT", f"{V2}/routers/{{item_id}}/remove_router_interface", sec.remove_interface,
        service=service)
    add("GET", f"{V2}/quotas", sec.list_quotas, service=service)
    add("GET", f"{V2}/quotas/{{project_id}}", sec.show_quota, service=service)
    add("GET", f"{V2}/quotas/{{project_id}}/details", sec.quota_details, service=service)
    add("GET", f"{V2}/quotas/{{project_id}}/default", sec.quota_defaults, service=service)
    add("PUT", f"{V2}/quotas/{{project_id}}", sec.update_quota, service=service)
    add("DELETE", f"{V2}/quotas/{{project_id}}", sec.reset_quota, service=service)
    from tuicloud.simcloud import neutron_agents, neutron_tags

    neutron_tags.register(router, service)
    neutron_agents.register(router, service)


def _svc(cloud: SimCloud) -> Service:
    return cast(Service, cloud.service("network"))



def _forbidden(rule: str) -> ApiError:
    return ApiError(403, f"({rule}) is disallowed by policy", kind="HTTPForbidden")


def _bad(message: str, kind: str = "HTTPBadRequest") -> ApiError:
    return ApiError(400, message, kind=kind)


# -- discovery --------------------------------------------------------------------------------
def versions(cloud: SimCloud, request: Request) -> Response:
    """GET /networking: the version list."""
    return Response(200, {"versions": [{"id": "v2.0", "status": "CURRENT", "links": [
        {"href": f"{cloud.base_url}{V2}/", "rel": "self"}]}]})


def resources(cloud: SimCloud, request: Request) -> Response:
    """GET /networking/v2.0: the resource collections."""
    names = (("network", "networks"), ("subnet", "subnets"), ("port", "ports"),
             ("router", "routers"), ("floatingip", "floatingips"),
             ("security_group", "security-groups"),
             ("security_group_rule", "security-group-rules"), ("quota", "quotas"))
    return Response(200, {"resources": [
        {"name": name, "collection": collection,
         "links": [{"href": f"{cloud.base_url}{V2}/{collection}", "rel": "self"}]}
        for name, collection in names]})


def _extension_doc(alias: str, name: str, description: str) -> dict[str, Any]:
    return {"alias": alias, "name": name, "description": description, "links": [],
            "updated": "2023-01-01T00:00:00-00:00"}


def list_extensions(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/extensions."""
    return Response(200, {"extensions": [_extension_doc(*e) for e in EXTENSIONS]})


def show_extension(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/extensions/{alias}."""
    for ext in EXTENSIONS:
        if ext[0] == request.params["alias"]:
            return Response(200, {"extension": _extension_doc(*ext)})
    raise ApiError(404, f"Extension with alias {request.params['alias']} does not exist",
                   kind="HTTPNotFound")


def availability_zones(cloud: SimCloud, request: Request) -> Response:
    """GET /v2.0/availability_zones."""
    return Response(200, {"availability_zones": [
        {"name": "nova", "resource": resource, "state": "available"}
        for resource in ("network", "router")]})


# -- listing machinery ------------------------------------------------------------------------
def _as_bool(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in ("true", "1", "yes", "t"):
        return True
    if text in ("false", "0", "no", "f"):
        return False
    raise _bad(f"Invalid input for {what}. Reason: '{value}' cannot be converted to boolean.",
               "InvalidInput")


def _value_ok(actual: Any, wanted: list[str], key: str) -> bool:
    if isinstance(actual, bool):
        return any(_as_bool(w, key) == actual for w in wanted)
    if isinstance(actual, list):
        return any(str(a) in wanted for a in actual)
    if actual is None:
        return "" in wanted or "None" in wanted
    return str(actual) in wanted


def _fixed_ips_ok(items: list[Any], wanted: list[str]) -> bool:
    fixed = [(i["subnet_id"], i["ip_address"]) if isinstance(i, dict) else i for i in items]
    for spec in wanted:
        key, _, value = spec.partition("=")
        if key == "ip_address":
            ok = any(a == value for _, a in fixed)
        elif key == "subnet_id":
            ok = any(s == value for s, _ in fixed)
        elif key == "ip_address_substr":
            ok = any(value in a for _, a in fixed)
        else:
            raise _bad(f"Invalid input for fixed_ips. Reason: '{spec}' is not a valid filter.",
                       "InvalidInput")
        if not ok:
            return False
    return True


def _tags_ok(tags: list[str], request: Request) -> bool:
    def arg(name: str) -> list[str] | None:
        value = request.arg(name)
        return value.split(",") if value else None

    wanted_all, wanted_any = arg("tags"), arg("tags-any")
    not_all, not_any = arg("not-tags"), arg("not-tags-any")
    if wanted_all and not set(wanted_all) <= set(tags):
        return False
    if wanted_any and not set(wanted_any) & set(tags):
        return False
    if not_all and set(not_all) <= set(tags):
        return False
    return not (not_any and set(not_any) & set(tags))


def _matcher(request: Request, valid: Iterable[str] | None) -> Callable[[Callable[[str], Any],
                                                                         list[str]], bool]:
    """A predicate over (attribute getter, tags) for the request's filters."""
    filters = {k: v for k, v in request.query.items() if k not in _RESERVED}
    since: float | None = None
    if "changed_since" in filters:  # standard-attr-timestamp: updated at or after
        text = filters.pop("changed_since")[-1]
        try:
            since = parse_time(text)
        except ValueError as exc:
            raise _bad(f"Failed to parse changed_since. Reason: '{text}' is not a valid "
                       "ISO 8601 time.", "InvalidInput") from exc
    if valid is not None:
        known = set(valid) | {"tenant_id", "project_id"}
        for key in filters:
            if key not in known:
                raise _bad(f"{key} is invalid attribute for filtering", "HTTPBadRequest")
    tag_filters = any(k in request.query for k in ("tags", "tags-any", "not-tags",
                                                   "not-tags-any"))

    def match(get: Callable[[str], Any], tags: list[str]) -> bool:
        if since is not None and parse_time(get("updated_at") or get("created_at")) < since:
            return False
        for key, wanted in filters.items():
            actual = get(key)
            if actual is MISSING:
                return False
            if key == "fixed_ips":
                if not _fixed_ips_ok(actual, wanted):
                    return False
            elif not _value_ok(actual, wanted, key):
                return False
        return not tag_filters or _tags_ok(tags, request)

    return match


def _limit(request: Request) -> int | None:
    value = request.arg("limit")
    if value in (None, ""):
        return None
    try:
        limit = int(value)
    except ValueError as exc:
        raise _bad(f"Bad limit request: Limit must be an integer 0 or greater and not "
                   f"'{value}'.") from exc
    if limit < 0:
        raise _bad(f"Bad limit request: Limit must be an integer 0 or greater and not "
                   f"'{value}'.")
    return limit or None


def _fields(docs: list[dict[str, Any]], request: Request) -> list[dict[str, Any]]:
    wanted = [f for value in request.query.get("fields", []) for f in value.split(",") if f]
    if not wanted:
        return docs
    return [{k: v for k, v in doc.items() if k in wanted} for doc in docs]


def _page_body(cloud: SimCloud, request: Request, collection: str, docs: list[dict[str, Any]],
               more: bool) -> dict[str, Any]:
    body: dict[str, Any] = {collection.replace("-", "_"): _fields(docs, request)}
    if more and docs:
        params = [(k, v) for k, values in request.query.items() if k != "marker"
                  for v in values]
        params.append(("marker", docs[-1]["id"]))
        body[f"{collection.replace('-', '_')}_links"] = [
            {"rel": "next", "href": f"{cloud.base_url}{V2}/{collection}?{urlencode(params)}"}]
    return body


def _sort_docs(docs: list[dict[str, Any]], request: Request) -> list[dict[str, Any]]:
    keys = request.query.get("sort_key", [])
    dirs = request.query.get("sort_dir", [])
    if not keys:
        return docs
    for index in range(len(keys) - 1, -1, -1):
        key = keys[index]
        if docs and key not in docs[0]:
            raise _bad(f"{key} is an invalid attribute for sort_key", "HTTPBadRequest")
        direction = dirs[index] if index < len(dirs) else "asc"
        if direction not in ("asc", "desc"):
            raise _bad(f"{direction} is an invalid value for sort_dir, valid values are "
                       "'asc' and 'desc'")
        docs = sorted(docs, key=lambda d: (d.get(key) is None, str(d.get(key))),
                      reverse=direction == "desc")
    return docs


def _list_docs(cloud: SimCloud, request: Request, collection: str, docs: list[dict[str, Any]],
               not_found: tuple[str, str]) -> Response:
    """Filter, sort and page visible documents of a small collection."""
    match = _matcher(request, docs[0].keys() if docs else None)
    ordered = _sort_docs(docs, request)
    marker = request.arg("marker")
    start = 0
    if marker:
        ids = [d["id"] for d in ordered]
        if marker not in ids:
            raise ApiError(404, not_found[0].format(marker), kind=not_found[1])
        start = ids.index(marker) + 1
    limit = _limit(request)
    page: list[dict[str, Any]] = []
    more = False
    for doc in ordered[start:]:
        if match(doc.get, doc.get("tags") or []):
            if limit is not None and len(page) >= limit:
                more = True
                break
            page.append(doc)
    return Response(200, _page_body(cloud, request, collection, page, more))


def _get_or_404(records: dict[str, Any], item_id: str, message: str, kind: str) -> Any:
    record = records.get(item_id)
    if record is None:
        raise ApiError(404, message.format(item_id), kind=kind)
    return record


def _owned(record: dict[str, Any], token: Token, message: str, kind: str) -> None:
    """404 (as Neutron hides others' resources) unless the token's project owns it or admin."""
    if not token.is_admin and record["project_id"] != token.project_id:
        raise ApiError(404, message.format(record["id"]), kind=kind)


def _body(request: Request, key: str) -> dict[str, Any]:
    try:
        return request.json_object(key)
    except ApiError as error:
        raise _bad(error.message) from error


def _project_for(body: dict[str, Any], token: Token) -> str:
    project = body.get("project_id") or body.get("tenant_id") or token.project_id or ""
    if project != token.project_id and not token.is_admin:
        raise _forbidden("rule:create and rule:create:project_id")
    return str(project)


def _strip(record: dict[str, Any], *hidden: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in hidden}


def _touch(svc: Service, record: dict[str, Any]) -> None:
    record["updated_at"] = svc.stamp()
    record["revision_number"] = record.get("revision_number", 0) + 1


def _apply(record: dict[str, Any], body: dict[str, Any], allowed: dict[str, type]) -> None:
    for key, value in body.items():
        if key not in allowed:
            raise _bad(f"Cannot update read-only attribute {key}")
        kind = allowed[key]
        if kind is bool:
            value = _as_bool(value, key)
        elif kind is str and value is not None and not isinstance(value, str):
            raise _bad(f"Invalid input for {key}. Reason: '{value}' is not a valid string.",
                       "InvalidInput")
        elif kind is list and not isinstance(value, list):
            raise _bad(f"Invalid input for {key}. Reason: '{value}' is not a list.",
                       "InvalidInput")
        record[key] = value


NET_404 = ("Network {} could not be found.", "NetworkNotFound")
SUBNET_404 = ("Subnet {} could not be found.", "SubnetNotFound")
PORT_404 = ("Port {} could not be found.", "PortNotFound")
SG_404 = ("Security group {} does not exist", "SecurityGroupNotFound")
RULE_404 = ("Security group rule {} does not exist", "SecurityGroupRuleNotFound")
FIP_404 = ("Floating IP {} could not be found", "FloatingIPNotFound")
ROUTER_404 = ("Router {} could not be found", "RouterNotFound")
