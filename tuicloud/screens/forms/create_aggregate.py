"""`c` on the host aggregates view: a new aggregate, with the availability zone it makes of
its hosts (optional)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual.widget import Widget
from textual.widgets import Input

from tuicloud.cloud.operations.aggregates import (
    aggregate_command,
    create_aggregate,
    validate_zone,
)
from tuicloud.screens.forms.base import Created, FormScreen, field_row
from tuicloud.screens.host import connected

__all__ = ["CREATE_FORM", "CreateAggregateForm"]


class CreateAggregateForm(FormScreen):
    """Name and availability zone; Nova's own refusals (a name in use) go to their field."""

    FORM_TITLE = "Create host aggregate"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [
        (r"availability.?zone", "zone"),
        (r"already exists|name", "name"),
    ]

    def fields(self) -> Iterable[Widget]:
        """The rows."""
        yield field_row("Name", Input(placeholder="e.g. ssd-hosts"), "name")
        yield field_row("Zone", Input(placeholder="(none: the hosts keep theirs)"), "zone",
                        hint="an availability zone made of this aggregate's hosts")

    @staticmethod
    def _clean(values: dict[str, Any]) -> tuple[str, str]:
        return str(values.get("name") or ""), str(values.get("zone") or "").strip()

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """A name as Nova takes it; a zone without ':'."""
        from tuicloud.cloud.create import validate_name

        name, zone = self._clean(values)
        problems = {}
        name_problem = validate_name(name)
        if name_problem:
            problems["name"] = name_problem
        zone_problem = validate_zone(zone)
        if zone_problem:
            problems["zone"] = zone_problem
        return problems

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack aggregate create [--zone Z] NAME``."""
        name, zone = self._clean(values)
        return aggregate_command(name, zone) if name and not self.validate(values) else None

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Create it."""
        name, zone = self._clean(values)
        return name, create_aggregate(connected(self.tui.session), name, zone)

    def submitted(self, result: Any) -> None:
        """Close and show the new aggregate in the list."""
        name, ident = result
        self.app.notify(f"Created host aggregate {name}")
        self.dismiss(Created((ident,) if ident else ()))


CREATE_FORM = CreateAggregateForm
