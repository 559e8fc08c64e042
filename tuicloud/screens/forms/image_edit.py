"""Edit an image (opened from the actions menu with the image's raw JSON): name, visibility,
protected, min disk, min RAM and properties, sent as one Glance JSON-patch."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, TextArea

from tuicloud.screens.forms.base import Created, FormScreen, field_row
from tuicloud.screens.host import connected

VISIBILITIES = [("private", "private"), ("shared", "shared"), ("community", "community"),
                ("public", "public")]
# Glance's own attributes: everything else at the top level of an image is a property.
BASE_ATTRIBUTES = frozenset({
    "id", "name", "status", "visibility", "protected", "os_hidden", "checksum", "os_hash_algo",
    "os_hash_value", "owner", "size", "virtual_size", "min_ram", "min_disk", "created_at",
    "updated_at", "tags", "self", "file", "schema", "disk_format", "container_format",
    "locations", "direct_url", "stores",
})


def image_properties(image: Mapping[str, Any]) -> dict[str, str]:
    """The image's custom properties (string values outside Glance's base attributes)."""
    return {str(k): str(v) for k, v in image.items()
            if k not in BASE_ATTRIBUTES and isinstance(v, str)}


def parse_properties(text: str) -> tuple[dict[str, str], str | None]:
    """One ``key=value`` per line (values may hold commas) -> (dict, error or None)."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key:
            return found, f"'{line[:40]}' is not key=value"
        if key in BASE_ATTRIBUTES:
            return found, f"'{key}' is one of Glance's own attributes, not a property"
        found[key] = value.strip()
    return found, None


class ImageEditForm(FormScreen):
    """The image's editable attributes; only what changed is sent."""

    FORM_TITLE = "Edit image"
    SUBMIT_LABEL = "Save changes"
    NO_COMMAND = "(nothing changed yet)"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [
        (r"visibility|publicize", "visibility"),
        (r"protected", "protected"),
        (r"min_disk", "min_disk"),
        (r"min_ram", "min_ram"),
        (r"propert|attribute|too long", "properties"),
        (r"name", "name"),
    ]

    def __init__(self, image: Mapping[str, Any]) -> None:
        super().__init__()
        self.image = dict(image)
        self.image_id = str(image.get("id") or "")
        self.old_properties = image_properties(image)

    def fields(self) -> Iterable[Widget]:
        """The rows, filled from the image."""
        image = self.image
        visibility = str(image.get("visibility") or "private")
        options = VISIBILITIES if any(v == visibility for _, v in VISIBILITIES) else \
            [*VISIBILITIES, (visibility, visibility)]
        yield field_row("Name", Input(str(image.get("name") or "")), "name",
                        hint=f"id {self.image_id}")
        yield field_row("Visibility", Select(options, value=visibility, allow_blank=False),
                        "visibility")
        yield field_row("", Checkbox("protected (cannot be deleted)",
                                     bool(image.get("protected"))), "protected")
        yield field_row("Min disk GB", Input(str(image.get("min_disk") or 0), type="integer"),
                        "min_disk")
        yield field_row("Min RAM MB", Input(str(image.get("min_ram") or 0), type="integer"),
                        "min_ram")
        text = "\n".join(f"{k}={v}" for k, v in sorted(self.old_properties.items()))
        yield field_row("Properties", TextArea(text, soft_wrap=False, show_line_numbers=False),
                        "properties", hint="one key=value per line; delete a line to remove it")

    def _new(self, values: dict[str, Any]) -> dict[str, Any]:
        new: dict[str, Any] = {"name": str(values.get("name") or ""),
                               "visibility": values.get("visibility"),
                               "protected": bool(values.get("protected"))}
        for key in ("min_disk", "min_ram"):
            try:
                new[key] = int(str(values.get(key) or "0").strip())
            except ValueError:
                pass
        return new

    def ops(self, values: dict[str, Any]) -> list[dict[str, Any]]:
        """The JSON-patch operations for what changed."""
        from tuicloud.cloud.create import image_patch

        old = {"name": self.image.get("name") or "", "visibility": self.image.get("visibility"),
               "protected": bool(self.image.get("protected")),
               "min_disk": int(self.image.get("min_disk") or 0),
               "min_ram": int(self.image.get("min_ram") or 0)}
        props, _ = parse_properties(str(values.get("properties") or ""))
        return image_patch(old, self._new(values), self.old_properties, props)

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """Name format, whole numbers, key=value lines."""
        from tuicloud.cloud.create import validate_name

        problems: dict[str, str] = {}
        name_problem = validate_name(str(values.get("name") or ""))
        if name_problem:
            problems["name"] = name_problem
        for key in ("min_disk", "min_ram"):
            try:
                if int(str(values.get(key) or "0").strip()) < 0:
                    raise ValueError
            except ValueError:
                problems[key] = "a whole number, 0 or more"
        _, error = parse_properties(str(values.get("properties") or ""))
        if error:
            problems["properties"] = error
        return problems

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack image set ...`` for the changes."""
        from tuicloud.cloud.create import image_set_command

        ops = self.ops(values)
        return image_set_command(str(self.image.get("name") or self.image_id), ops) \
            if ops else None

    def action_submit(self) -> None:
        """Nothing changed: say so instead of sending an empty patch."""
        if not self._submitting and not self.validate(self.values()) \
                and not self.ops(self.values()):
            self.set_message("Nothing changed.")
            return
        super().action_submit()

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Send the patch."""
        from tuicloud.cloud.create import patch_image

        label = str(self.image.get("name") or self.image_id)
        return patch_image(connected(self.tui.session), self.image_id, self.ops(values), label)

    def submitted(self, result: Any) -> None:
        """Close and refresh the images."""
        self.app.notify(f"Image {result.get('name') or self.image_id} updated")
        self.dismiss(Created((self.image_id,)))
