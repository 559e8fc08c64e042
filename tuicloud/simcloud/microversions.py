"""Microversions, in one place for every simcloud service that has them (Nova's compute 2.x,
Cinder's volume 3.x): the version a request asks for, and the headers each answer carries,
with each service's own error texts (as the rig answered them)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tuicloud.simcloud.core import ApiError, Request

__all__ = ["Microversions", "Version", "version_string"]

Version = tuple[int, int]


def version_string(version: Version) -> str:
    """(2, 47) -> "2.47"."""
    return f"{version[0]}.{version[1]}"


@dataclass(frozen=True)
class Microversions:
    """One service's range. ``service`` is its name in ``OpenStack-API-Version``;
    ``legacy_header`` the older header it also reads and answers (Nova's)."""

    service: str
    minimum: Version
    maximum: Version
    legacy_header: str | None = None

    def negotiate(self, request: Request) -> Version:
        """The version asked for (the minimum when none is); 400 for a malformed one, 406
        outside the range."""
        raw: str | None = None
        for part in request.header("openstack-api-version").split(","):
            service, _, value = part.strip().partition(" ")
            if service.lower() == self.service and value.strip():
                raw = value.strip()
        if raw is None and self.legacy_header:
            raw = request.header(self.legacy_header).strip() or None
        if raw is None:
            return self.minimum
        if raw.lower() == "latest":
            return self.maximum
        found = re.fullmatch(r"(\d+)\.(\d+)", raw)
        if not found:  # no version headers on this one (the rig's Nova and Cinder)
            raise ApiError(400, f"API Version String {raw} is of invalid format. Must be of "
                                "format MajorNum.MinorNum.")
        version = (int(found.group(1)), int(found.group(2)))
        if not self.minimum <= version <= self.maximum:
            # The answer names the version asked for, as the rig's services do.
            raise ApiError(406, f"Version {raw} is not supported by the API. Minimum is "
                                f"{version_string(self.minimum)} and maximum is "
                                f"{version_string(self.maximum)}.",
                           headers=self.headers(version))
        return version

    def headers(self, version: Version) -> dict[str, str]:
        """The headers every microversioned answer carries."""
        text = version_string(version)
        found = {"OpenStack-API-Version": f"{self.service} {text}"}
        vary = "OpenStack-API-Version"
        if self.legacy_header:
            legacy = "-".join(w.capitalize() for w in self.legacy_header.split("-"))
            legacy = legacy.replace("Openstack", "OpenStack").replace("Api", "API")
            found[legacy] = text
            vary += f", {legacy}"
        found["Vary"] = vary
        return found
