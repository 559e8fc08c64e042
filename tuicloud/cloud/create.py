"""Creating servers and volumes, and editing images: choices, quota headroom, requests, CLI.

Pure data in, plain JSON out: the forms (screens/forms/) build a spec, this module turns it into
the API request and into the equivalent ``openstack ...`` command line. Everything that talks
to the cloud blocks (call it from a thread worker); every change goes through
:meth:`CloudSession.request`, so a read-only session refuses it before anything is sent.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tuicloud.cloud.errors import CloudError
from tuicloud.cloud.validation import check_metadata_key, check_metadata_value, check_server_name

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = [
    "Headroom", "LaunchChoices", "ServerSpec", "VolumeChoices", "VolumeSpec",
    "compute_headroom", "create_servers", "create_volume", "flavor_fits", "image_patch",
    "launch_choices", "parse_metadata", "patch_image", "server_command", "server_body",
    "validate_name", "validate_server_name", "volume_body", "volume_choices", "volume_command",
    "volume_headroom",
    "image_set_command",
]

MAX_USER_DATA = 65535  # Nova's limit on the base64 text


@dataclass(frozen=True)
class Headroom:
    """One quota: its limit (-1 = unlimited) and what is used."""

    what: str  # "instances", "vCPUs", "GB of RAM" ...
    limit: int
    used: int

    @property
    def left(self) -> int | None:
        """How many more fit; None when unlimited."""
        return None if self.limit < 0 else max(0, self.limit - self.used)

    def text(self, scale: int = 1) -> str:
        """ "3 of 10 instances left" (``scale`` divides, e.g. MB -> GB)."""
        if self.left is None:
            return f"{self.what}: unlimited"
        return f"{self.left // scale} of {self.limit // scale} {self.what} left"


def _absolute(session: CloudSession, service: str) -> dict[str, Any]:
    body, _ = session.get_json(service, "/limits")
    limits = body.get("limits", {}) if isinstance(body, dict) else {}
    absolute = limits.get("absolute", {}) if isinstance(limits, dict) else {}
    return absolute if isinstance(absolute, dict) else {}


def _int(value: Any, default: int = -1) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def compute_headroom(session: CloudSession) -> dict[str, Headroom]:
    """Nova's ``GET /limits``: instances, cores and RAM (MB) left (blocking)."""
    absolute = _absolute(session, "compute")
    return {
        "instances": Headroom("instances", _int(absolute.get("maxTotalInstances")),
                              _int(absolute.get("totalInstancesUsed"), 0)),
        "cores": Headroom("vCPUs", _int(absolute.get("maxTotalCores")),
                          _int(absolute.get("totalCoresUsed"), 0)),
        "ram": Headroom("MB RAM", _int(absolute.get("maxTotalRAMSize")),
                        _int(absolute.get("totalRAMUsed"), 0)),
    }


def volume_headroom(session: CloudSession) -> dict[str, Headroom]:
    """Cinder's ``GET /limits``: volumes and gigabytes left (blocking)."""
    absolute = _absolute(session, "block-storage")
    return {
        "volumes": Headroom("volumes", _int(absolute.get("maxTotalVolumes")),
                            _int(absolute.get("totalVolumesUsed"), 0)),
        "gigabytes": Headroom("GB", _int(absolute.get("maxTotalVolumeGigabytes")),
                              _int(absolute.get("totalGigabytesUsed"), 0)),
    }


# -- validation (pure) -------------------------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def validate_name(name: str, *, required: bool = True, what: str = "name") -> str | None:
    """Why a resource name is not acceptable, or None (Nova's rules: 1-255 characters, no
    leading or trailing space, no control characters)."""
    if not name:
        return f"a {what} is required" if required else None
    if len(name) > 255:
        return f"the {what} is too long (at most 255 characters)"
    if name != name.strip():
        return f"the {what} must not start or end with a space"
    if _CONTROL.search(name):
        return f"the {what} must not contain control characters"
    return None


def parse_metadata(text: str) -> tuple[dict[str, str], str | None]:
    """``key=value`` pairs separated by commas or new lines -> (dict, error or None)."""
    found: dict[str, str] = {}
    for part in re.split(r"[,\n]", text):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            return found, f"'{part[:40]}' is not key=value"
        problem = check_metadata_key(key) or check_metadata_value(key, value)
        if problem:
            return found, problem
        found[key] = value
    return found, None


def validate_server_name(name: str) -> str | None:
    """Why Nova would refuse ``name`` for a new server (see :func:`validate_name` and
    :func:`tuicloud.cloud.validation.check_server_name`), or None."""
    return validate_name(name) or check_server_name(name)


def flavor_fits(flavor: Mapping[str, Any], image: Mapping[str, Any] | None) -> str | None:
    """Why a flavor is too small for an image (min_disk GB, min_ram MB), or None."""
    if not image:
        return None
    min_disk = _int(image.get("min_disk"), 0)
    min_ram = _int(image.get("min_ram"), 0)
    disk = _int(flavor.get("disk"), 0)
    if disk and disk < min_disk:
        return f"disk {disk} GB < image min {min_disk} GB"
    if _int(flavor.get("ram"), 0) < min_ram:
        return f"RAM {flavor.get('ram')} MB < image min {min_ram} MB"
    return None


# -- choices ---------------------------------------------------------------------------------
def _all(session: CloudSession, service: str, path: str, key: str,
         params: list[tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in session.iter_pages(service, path, key, params or []):
        items.extend(i for i in page.items if isinstance(i, dict))
    return items


def _zones(session: CloudSession, service: str) -> list[str]:
    try:
        body, _ = session.get_json(service, "/os-availability-zone")
    except CloudError:
        return []  # listing zones may be forbidden; the field then stays free text
    zones = body.get("availabilityZoneInfo", []) if isinstance(body, dict) else []
    return sorted(str(z.get("zoneName")) for z in zones
                  if isinstance(z, dict) and z.get("zoneName")
                  and (z.get("zoneState") or {}).get("available", True))


@dataclass
class LaunchChoices:
    """What the launch form offers, fetched in one worker."""

    flavors: list[dict[str, Any]] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    volumes: list[dict[str, Any]] = field(default_factory=list)  # bootable and available
    networks: list[dict[str, Any]] = field(default_factory=list)
    security_groups: list[str] = field(default_factory=list)
    keypairs: list[str] = field(default_factory=list)
    zones: list[str] = field(default_factory=list)
    headroom: dict[str, Headroom] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def launch_choices(session: CloudSession) -> LaunchChoices:
    """Flavors, active images, bootable volumes, networks, groups, key pairs, zones, quota."""
    found = LaunchChoices()

    def attempt(what: str, fn: Any) -> Any:
        try:
            return fn()
        except CloudError as error:
            found.errors.append(f"{what}: {error}")
            return None

    found.flavors = attempt("flavors", lambda: sorted(
        _all(session, "compute", "/flavors/detail", "flavors"),
        key=lambda f: (_int(f.get("vcpus"), 0), _int(f.get("ram"), 0), str(f.get("name"))))) or []
    found.images = attempt("images", lambda: sorted(
        _all(session, "image", "/images", "images", [("status", "active")]),
        key=lambda i: str(i.get("name") or ""))) or []
    if session.has_service("block-storage"):
        found.volumes = attempt("volumes", lambda: [
            v for v in _all(session, "block-storage", "/volumes/detail", "volumes")
            if str(v.get("bootable")).lower() == "true" and v.get("status") == "available"]) or []
    found.networks = attempt("networks", lambda: sorted(
        _all(session, "network", "/networks", "networks"),
        key=lambda n: str(n.get("name") or ""))) or []
    groups = attempt("security groups", lambda: _all(
        session, "network", "/security-groups", "security_groups",
        [("project_id", session.project_id or "")])) or []
    found.security_groups = sorted({str(g.get("name")) for g in groups if g.get("name")})
    pairs = attempt("key pairs", lambda: session.get_json("compute", "/os-keypairs")[0]) or {}
    found.keypairs = sorted(str((k.get("keypair") or {}).get("name"))
                            for k in pairs.get("keypairs", []) if isinstance(k, dict))
    found.zones = _zones(session, "compute")
    found.headroom = attempt("limits", lambda: compute_headroom(session)) or {}
    return found


@dataclass
class VolumeChoices:
    """What the volume form offers."""

    types: list[str] = field(default_factory=list)
    zones: list[str] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    snapshots: list[dict[str, Any]] = field(default_factory=list)
    volumes: list[dict[str, Any]] = field(default_factory=list)
    headroom: dict[str, Headroom] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def volume_choices(session: CloudSession) -> VolumeChoices:
    """Volume types, zones, images, available snapshots and volumes, quota (blocking)."""
    found = VolumeChoices()
    try:
        found.types = sorted(str(t.get("name")) for t in
                             _all(session, "block-storage", "/types", "volume_types")
                             if t.get("name"))
        found.snapshots = [s for s in _all(session, "block-storage", "/snapshots/detail",
                                           "snapshots") if s.get("status") == "available"]
        found.volumes = [v for v in _all(session, "block-storage", "/volumes/detail", "volumes")
                         if v.get("status") in ("available", "in-use")]
        found.headroom = volume_headroom(session)
    except CloudError as error:
        found.errors.append(str(error))
    try:
        found.images = sorted(_all(session, "image", "/images", "images", [("status", "active")]),
                              key=lambda i: str(i.get("name") or ""))
    except CloudError as error:
        found.errors.append(f"images: {error}")
    found.zones = _zones(session, "block-storage")
    return found


# -- servers ---------------------------------------------------------------------------------
@dataclass
class ServerSpec:
    """A launch request, as the form collected it."""

    name: str
    flavor_id: str
    count: int = 1
    boot: str = "image"  # "image" | "volume-from-image" | "volume"
    image_id: str | None = None
    volume_id: str | None = None
    volume_size: int | None = None
    delete_on_terminate: bool = False
    networks: list[str] = field(default_factory=list)
    security_groups: list[str] = field(default_factory=list)
    key_name: str | None = None
    zone: str | None = None
    user_data: bytes | None = None
    user_data_path: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


def server_body(spec: ServerSpec) -> dict[str, Any]:
    """The ``POST /servers`` body."""
    server: dict[str, Any] = {"name": spec.name, "flavorRef": spec.flavor_id}
    if spec.boot == "image":
        server["imageRef"] = spec.image_id
    elif spec.boot == "volume-from-image":
        server["block_device_mapping_v2"] = [{
            "boot_index": 0, "uuid": spec.image_id, "source_type": "image",
            "destination_type": "volume", "volume_size": spec.volume_size,
            "delete_on_termination": spec.delete_on_terminate}]
    else:
        server["block_device_mapping_v2"] = [{
            "boot_index": 0, "uuid": spec.volume_id, "source_type": "volume",
            "destination_type": "volume", "delete_on_termination": spec.delete_on_terminate}]
    server["networks"] = [{"uuid": n} for n in spec.networks] if spec.networks else "auto"
    if spec.security_groups:
        server["security_groups"] = [{"name": g} for g in spec.security_groups]
    if spec.key_name:
        server["key_name"] = spec.key_name
    if spec.zone:
        server["availability_zone"] = spec.zone
    if spec.user_data is not None:
        server["user_data"] = base64.b64encode(spec.user_data).decode("ascii")
    if spec.metadata:
        server["metadata"] = dict(spec.metadata)
    if spec.count > 1:
        server["min_count"] = spec.count
        server["max_count"] = spec.count
        server["return_reservation_id"] = True
    return {"server": server}


def shown_name(names: Mapping[str, str] | None, ident: str | None) -> str:
    """A resource in a command line: its name when known and printable, else its id (a name
    with control characters is shown defanged, and a copied command must still work)."""
    known = (names or {}).get(ident or "", "")
    return known if known and known.isprintable() else (ident or "")


def server_command(spec: ServerSpec, names: Mapping[str, str] | None = None) -> list[str]:
    """``openstack server create ...`` for the spec (ids shown by name when known)."""
    def name(ident: str | None) -> str:
        return shown_name(names, ident)

    argv = ["openstack", "server", "create", "--flavor", name(spec.flavor_id)]
    if spec.boot == "image":
        argv += ["--image", name(spec.image_id)]
    elif spec.boot == "volume-from-image":
        argv += ["--image", name(spec.image_id), "--boot-from-volume", str(spec.volume_size)]
    else:
        argv += ["--volume", name(spec.volume_id)]
    for net in spec.networks:
        argv += ["--network", name(net)]
    for group in spec.security_groups:
        argv += ["--security-group", group]
    if spec.key_name:
        argv += ["--key-name", spec.key_name]
    if spec.zone:
        argv += ["--availability-zone", spec.zone]
    if spec.user_data_path:
        argv += ["--user-data", spec.user_data_path]
    for key, value in spec.metadata.items():
        argv += ["--property", f"{key}={value}"]
    if spec.count > 1:
        argv += ["--min", str(spec.count), "--max", str(spec.count)]
    argv += ["--", spec.name] if spec.name.startswith("-") else [spec.name]
    return argv


def create_servers(session: CloudSession, spec: ServerSpec) -> list[str]:
    """Launch the servers; returns their ids (blocking; ReadOnlyError before sending)."""
    if spec.user_data is not None and len(base64.b64encode(spec.user_data)) > MAX_USER_DATA:
        raise CloudError("user data is too large (at most 64 KB once base64-encoded)",
                         status=None, service="compute")
    body, _ = session.request("POST", "compute", "/servers", json=server_body(spec),
                              description=f"launch server {spec.name}")
    if not isinstance(body, dict):
        return []
    if "reservation_id" in body:
        found, _ = session.get_json("compute", "/servers",
                                    [("reservation_id", str(body["reservation_id"]))])
        return [str(s["id"]) for s in (found or {}).get("servers", []) if s.get("id")]
    server = body.get("server") or {}
    return [str(server["id"])] if server.get("id") else []


# -- volumes ---------------------------------------------------------------------------------
@dataclass
class VolumeSpec:
    """A volume create request."""

    name: str
    size: int | None
    volume_type: str | None = None
    zone: str | None = None
    source: str = "empty"  # "empty" | "image" | "snapshot" | "volume"
    source_id: str | None = None
    description: str | None = None


def volume_body(spec: VolumeSpec) -> dict[str, Any]:
    """The ``POST /volumes`` body."""
    volume: dict[str, Any] = {"size": spec.size}
    if spec.name:
        volume["name"] = spec.name
    if spec.volume_type:
        volume["volume_type"] = spec.volume_type
    if spec.zone:
        volume["availability_zone"] = spec.zone
    key = {"image": "imageRef", "snapshot": "snapshot_id", "volume": "source_volid"}.get(
        spec.source)
    if key and spec.source_id:
        volume[key] = spec.source_id
    if spec.description:
        volume["description"] = spec.description
    return {"volume": volume}


def volume_command(spec: VolumeSpec, names: Mapping[str, str] | None = None) -> list[str]:
    """``openstack volume create ...``."""
    argv = ["openstack", "volume", "create"]
    if spec.size is not None:
        argv += ["--size", str(spec.size)]
    if spec.volume_type:
        argv += ["--type", spec.volume_type]
    if spec.zone:
        argv += ["--availability-zone", spec.zone]
    option = {"image": "--image", "snapshot": "--snapshot", "volume": "--source"}.get(
        spec.source)
    if option and spec.source_id:
        argv += [option, shown_name(names, spec.source_id)]
    if spec.description:
        argv += ["--description", spec.description]
    if spec.name:
        argv += ["--", spec.name] if spec.name.startswith("-") else [spec.name]
    return argv


def create_volume(session: CloudSession, spec: VolumeSpec) -> str | None:
    """Create the volume; returns its id (blocking; ReadOnlyError before sending)."""
    body, _ = session.request("POST", "block-storage", "/volumes", json=volume_body(spec),
                              description=f"create volume {spec.name or ''}".strip())
    volume = body.get("volume") if isinstance(body, dict) else None
    return str(volume["id"]) if isinstance(volume, dict) and volume.get("id") else None


# -- image edit ------------------------------------------------------------------------------
_BASE_IMAGE_FIELDS = ("name", "visibility", "protected", "min_disk", "min_ram")
PATCH_CONTENT_TYPE = "application/openstack-images-v2.1-json-patch"


def image_patch(old: Mapping[str, Any], new: Mapping[str, Any],
                old_props: Mapping[str, str], new_props: Mapping[str, str]
                ) -> list[dict[str, Any]]:
    """JSON-patch operations turning ``old`` into ``new`` (base fields and properties)."""
    ops: list[dict[str, Any]] = []
    for key in _BASE_IMAGE_FIELDS:
        if key in new and new[key] != old.get(key):
            ops.append({"op": "replace", "path": f"/{key}", "value": new[key]})
    for key, value in new_props.items():
        if key not in old_props:
            ops.append({"op": "add", "path": "/" + _pointer(key), "value": value})
        elif old_props[key] != value:
            ops.append({"op": "replace", "path": "/" + _pointer(key), "value": value})
    for key in old_props:
        if key not in new_props:
            ops.append({"op": "remove", "path": "/" + _pointer(key)})
    return ops


def _pointer(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def image_set_command(image: str, ops: list[dict[str, Any]]) -> list[str]:
    """``openstack image set ...`` (and ``image unset`` options) for patch operations."""
    argv = ["openstack", "image", "set"]
    for op in ops:
        key = str(op["path"])[1:].replace("~1", "/").replace("~0", "~")
        value = op.get("value")
        if op["op"] == "remove":
            argv += ["--remove-property", key]
        elif key == "name":
            argv += ["--name", str(value)]
        elif key == "visibility":
            argv += [f"--{value}"]
        elif key == "protected":
            argv += ["--protected" if value else "--unprotected"]
        elif key == "min_disk":
            argv += ["--min-disk", str(value)]
        elif key == "min_ram":
            argv += ["--min-ram", str(value)]
        else:
            argv += ["--property", f"{key}={value}"]
    return argv + [image]


def patch_image(session: CloudSession, image_id: str, ops: list[dict[str, Any]],
                label: str) -> dict[str, Any]:
    """Send a Glance JSON-patch; returns the updated image (blocking)."""
    body, _ = session.request("PATCH", "image", f"/images/{image_id}", json=ops,
                              headers={"Content-Type": PATCH_CONTENT_TYPE},
                              description=f"edit image {label}")
    return body if isinstance(body, dict) else {}
