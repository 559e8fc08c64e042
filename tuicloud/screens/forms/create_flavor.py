"""`c` on the flavors view (admins): a new flavor with its sizes, public or private, and its
extra specs, each checked before anything is sent."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual.widget import Widget
from textual.widgets import Checkbox, Input, TextArea

from tuicloud.cloud.operations.flavors import (
    FlavorSpec,
    create_flavor,
    flavor_command,
    parse_count,
    parse_specs,
)
from tuicloud.screens.forms.base import Created, FormScreen, field_row
from tuicloud.screens.host import connected

__all__ = ["CREATE_FORM", "CreateFlavorForm"]

# (field, label, what the error says, minimum, default)
_COUNTS = (("vcpus", "vCPUs", "vCPUs", 1, ""), ("ram", "RAM MiB", "RAM", 1, ""),
           ("disk", "Disk GiB", "disk", 0, "0"), ("ephemeral", "Ephemeral GiB", "ephemeral", 0,
                                                  "0"),
           ("swap", "Swap MiB", "swap", 0, "0"))


class CreateFlavorForm(FormScreen):
    """Name, vCPUs, RAM, disk, ephemeral, swap, public, extra specs (key=value lines)."""

    FORM_TITLE = "Create flavor"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [
        (r"validation failed|extra.?spec|hw:", "extra_specs"),
        (r"vcpus", "vcpus"),
        (r"\bram\b", "ram"),
        (r"ephemeral", "ephemeral"),
        (r"swap", "swap"),
        (r"disk", "disk"),
        (r"name|already exists", "name"),
    ]

    def fields(self) -> Iterable[Widget]:
        """The rows."""
        yield field_row("Name", Input(placeholder="e.g. m2.large"), "name")
        for name, label, _what, _minimum, default in _COUNTS:
            yield field_row(label, Input(default, placeholder="a whole number"), name)
        yield field_row("", Checkbox("public (every project may use it)", value=True), "public")
        yield field_row("Extra specs", TextArea("", soft_wrap=False, show_line_numbers=False),
                        "extra_specs", hint="one key=value a line, e.g. hw:cpu_policy=dedicated")

    def _spec(self, values: dict[str, Any]) -> tuple[FlavorSpec | None, dict[str, str]]:
        from tuicloud.cloud.create import validate_name

        problems: dict[str, str] = {}
        name = str(values.get("name") or "")
        name_problem = validate_name(name)
        if name_problem:
            problems["name"] = name_problem
        counts: dict[str, int] = {}
        for field, _label, what, minimum, _default in _COUNTS:
            number, problem = parse_count(str(values.get(field) or ""), what, minimum)
            if problem:
                problems[field] = problem
            elif number is not None:
                counts[field] = number
        specs, spec_problem = parse_specs(str(values.get("extra_specs") or ""))
        if spec_problem:
            problems["extra_specs"] = spec_problem
        if problems:
            return None, problems
        return FlavorSpec(name=name, public=bool(values.get("public")), extra_specs=specs,
                          **counts), problems

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """Whole numbers (vCPUs and RAM at least 1), a name, specs as key=value lines."""
        return self._spec(values)[1]

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack flavor create …``."""
        spec = self._spec(values)[0]
        return flavor_command(spec) if spec is not None else None

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Create it (and its specs)."""
        spec = self._spec(values)[0]
        assert spec is not None  # validated before submitting
        return spec.name, create_flavor(connected(self.tui.session), spec)

    def submitted(self, result: Any) -> None:
        """Close and show the new flavor in the list."""
        name, ident = result
        self.app.notify(f"Created flavor {name}")
        self.dismiss(Created((ident,) if ident else ()))


CREATE_FORM = CreateFlavorForm
