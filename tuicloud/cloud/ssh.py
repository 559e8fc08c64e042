"""Where and as whom to ssh to a server: its floating IP (else first fixed IP), and a user name
from the cloud's settings, else the image's own properties, else the distribution's habit.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tuicloud.cloud.connection import CloudSession
from tuicloud.cloud.errors import CloudError

# Default login users of the common cloud images, by os_distro (or image name) — what the
# images' own documentation gives.
DISTRO_USERS = (
    ("ubuntu", "ubuntu"), ("debian", "debian"), ("fedora", "fedora"), ("centos", "centos"),
    ("rocky", "rocky"), ("almalinux", "almalinux"), ("rhel", "cloud-user"),
    ("opensuse", "opensuse"), ("sles", "sles"), ("cirros", "cirros"), ("arch", "arch"),
    ("alpine", "alpine"), ("flatcar", "core"), ("coreos", "core"),
)
DEFAULT_USER = "root"


@dataclass(frozen=True)
class SshTarget:
    """A user and host to run `ssh user@host` with, and why that address was chosen."""

    user: str
    host: str
    address_kind: str  # "floating" or "fixed"

    @property
    def destination(self) -> str:
        """user@host (IPv6 hosts need no brackets for ssh)."""
        return f"{self.user}@{self.host}"


def pick_address(server: dict[str, Any]) -> tuple[str, str] | None:
    """(address, "floating"|"fixed"): the first floating IP, else the first fixed IPv4/IPv6."""
    addresses = server.get("addresses") or {}
    fixed: list[str] = []
    floating: list[str] = []
    if not isinstance(addresses, dict):
        return None
    for entries in addresses.values():
        for entry in entries or []:
            if not isinstance(entry, dict):
                continue
            addr = str(entry.get("addr") or "")
            try:
                ipaddress.ip_address(addr)  # never pass a hostile string to ssh as a host
            except ValueError:
                continue
            kind = entry.get("OS-EXT-IPS:type")
            (floating if kind == "floating" else fixed).append(addr)
    if floating:
        return floating[0], "floating"
    if fixed:
        v4 = [a for a in fixed if ipaddress.ip_address(a).version == 4]
        return (v4 or fixed)[0], "fixed"
    return None


def guess_user(image: dict[str, Any] | None, cloud_user: str | None,
               rules: Sequence[tuple[str, str]] = ()) -> str:
    """The cloud's `ssh_user`, else the first rule (image-name pattern, user) matching the
    image's name, else the image's os_admin_user, else by distro, else root."""
    candidates: list[str] = []
    if cloud_user:
        candidates.append(cloud_user)
    name = str((image or {}).get("name") or "").lower()
    if name:
        candidates.extend(user for pattern, user in rules
                          if fnmatch.fnmatchcase(name, pattern.lower()))
    if image:
        admin = image.get("os_admin_user") or image.get("os_default_user")
        if isinstance(admin, str):
            candidates.append(admin)
        hints = " ".join(str(image.get(k) or "") for k in ("os_distro", "name")).lower()
        candidates.extend(user for distro, user in DISTRO_USERS if distro in hints)
    for user in candidates:
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}", user):  # a safe POSIX user name
            return user
    return DEFAULT_USER


def ssh_target(session: CloudSession, server: dict[str, Any]) -> SshTarget:
    """Work out the target for a server (blocking: it may fetch the server's image)."""
    picked = pick_address(server)
    if picked is None:
        raise CloudError("the server has no IP address to ssh to")
    image_ref = server.get("image")
    image: dict[str, Any] | None = None
    image_id = image_ref.get("id") if isinstance(image_ref, dict) else None
    if image_id and session.has_service("image"):
        try:
            body, _ = session.get_json("image", f"/images/{image_id}")
            image = body if isinstance(body, dict) else None
        except CloudError:
            image = None  # a deleted image: fall back to the default user
    host, kind = picked
    return SshTarget(guess_user(image, session.ssh_user, session.ssh_user_rules), host, kind)
