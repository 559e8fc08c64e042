"""`c` on the volumes view: create a volume (empty, or from an image, snapshot or volume)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.widget import Widget
from textual.widgets import Input, Select

from tuicloud.screens.forms.base import Created, FormScreen, field_row
from tuicloud.screens.host import connected
from tuicloud.widgets.sanitize import sanitize_text

SOURCES = [("empty volume", "empty"), ("image", "image"), ("snapshot", "snapshot"),
           ("another volume", "volume")]


class CreateVolumeForm(FormScreen):
    """Name, size, type, AZ, source; the Cinder quota headroom is shown."""

    FORM_TITLE = "Create volume"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [
        (r"gigabytes|size", "size"),
        (r"quota.*volumes|maximum number of volumes", "size"),
        (r"volume.?type", "volume_type"),
        (r"availability zone", "zone"),
        (r"snapshot|source volume|image", "source_id"),
        (r"attribute name|'name'", "name"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.choices: Any = None
        self._names: dict[str, str] = {}

    def fields(self) -> Iterable[Widget]:
        """The rows."""
        yield field_row("Name", Input(placeholder="e.g. data-1"), "name")
        yield field_row("Size GB", Input(type="integer", placeholder="e.g. 10 (required)"),
                        "size", hint="quota: loading…")
        yield field_row("Source", Select(SOURCES, value="empty", allow_blank=False), "source")
        yield field_row("From", Select([], prompt="(choose)"), "source_id")
        yield field_row("Type", Select([], prompt="(default)"), "volume_type")
        yield field_row("Availability zone", Select([], prompt="(any)"), "zone")
        yield field_row("Description", Input(), "description")

    def on_mount(self) -> None:
        """Fetch types, zones, sources and the quota in a worker."""
        super().on_mount()
        self.rows()["source_id"].display = False
        self.set_message("Loading volume types, sources and quota…")
        self._load_worker()

    @work(thread=True, exclusive=True, group="form-load", exit_on_error=False)
    def _load_worker(self) -> None:
        from tuicloud.cloud.create import volume_choices

        session = self.tui.session
        if session is not None:
            self.app.call_from_thread(self._loaded, volume_choices(session))

    def _loaded(self, choices: Any) -> None:
        self.choices = choices
        for item in [*choices.images, *choices.snapshots, *choices.volumes]:
            self._names[str(item["id"])] = str(item.get("name") or item["id"])
        rows = self.rows()
        types = rows["volume_type"].widget
        assert isinstance(types, Select)
        types.set_options((Text(sanitize_text(t, max_len=40)), t) for t in choices.types)
        zones = rows["zone"].widget
        assert isinstance(zones, Select)
        zones.set_options((Text(sanitize_text(z, max_len=40)), z) for z in choices.zones)
        if len(choices.zones) == 1:
            zones.value = choices.zones[0]
        room = choices.headroom
        if room:
            rows["size"].set_hint(f"{room['volumes'].text()} · {room['gigabytes'].text()}")
        else:
            rows["size"].set_hint("quota: unknown (the limits API did not answer)")
        if choices.errors:
            self.set_message("; ".join(choices.errors), error=True)
        else:
            self.set_message("")
        self.loading_settled()

    def _sources(self, source: str) -> list[dict[str, Any]]:
        if self.choices is None:
            return []
        found: dict[str, list[dict[str, Any]]] = {
            "image": self.choices.images, "snapshot": self.choices.snapshots,
            "volume": self.choices.volumes}
        return found.get(source, [])

    def field_changed(self, name: str) -> None:
        """The source kind fills the "From" list."""
        if name != "source":
            return
        source = str(self.values().get("source"))
        row = self.rows()["source_id"]
        row.display = source != "empty"
        select = row.widget
        assert isinstance(select, Select)
        options = []
        for item in self._sources(source):
            label = str(item.get("name") or item["id"][:8])
            size = item.get("size")
            if source == "image" and size:
                label += f" ({int(size) / 2**30:.1f} GB, min disk {item.get('min_disk') or 0})"
            elif size:
                label += f" ({size} GB)"
            options.append((Text(sanitize_text(label, max_len=60)), str(item["id"])))
        with select.prevent(Select.Changed):
            select.set_options(options)

    def _min_size(self, values: dict[str, Any]) -> int:
        source = values.get("source")
        item = next((i for i in self._sources(str(source))
                     if str(i["id"]) == values.get("source_id")), None)
        if item is None:
            return 1
        if source == "image":
            gigabytes = -(-int(item.get("size") or 0) // 2**30)
            return max(1, gigabytes, int(item.get("min_disk") or 0))
        return int(item.get("size") or 1)

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """Size at least the source's, within the quota; a source picked; name format."""
        from tuicloud.cloud.create import validate_name

        problems: dict[str, str] = {}
        name_problem = validate_name(str(values.get("name") or ""), required=False)
        if name_problem:
            problems["name"] = name_problem
        source = values.get("source")
        if source != "empty" and not values.get("source_id"):
            problems["source_id"] = f"choose the {source}"
        try:
            size = int(str(values.get("size") or "").strip())
        except ValueError:
            size = None
        if size is None or size < 1:
            problems["size"] = "the size (GB) must be a whole number, at least 1"
        elif size < self._min_size(values):
            problems["size"] = f"at least {self._min_size(values)} GB for this source"
        elif self.choices is not None and self.choices.headroom:
            room = self.choices.headroom
            if room["volumes"].left is not None and room["volumes"].left < 1:
                problems["size"] = f"no volume left in the quota ({room['volumes'].text()})"
            elif room["gigabytes"].left is not None and size > room["gigabytes"].left:
                problems["size"] = f"only {room['gigabytes'].left} GB left in the quota"
        return problems

    def spec(self, values: dict[str, Any]) -> Any:
        """The :class:`VolumeSpec`."""
        from tuicloud.cloud.create import VolumeSpec

        try:
            size: int | None = int(str(values.get("size") or "").strip())
        except ValueError:
            size = None
        source = str(values.get("source") or "empty")
        return VolumeSpec(name=str(values.get("name") or ""), size=size,
                          volume_type=values.get("volume_type"), zone=values.get("zone"),
                          source=source,
                          source_id=values.get("source_id") if source != "empty" else None,
                          description=str(values.get("description") or "") or None)

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack volume create ...``."""
        from tuicloud.cloud.create import volume_command

        spec = self.spec(values)
        return volume_command(spec, self._names) if spec.size else None

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Create it."""
        from tuicloud.cloud.create import create_volume

        spec = self.spec(values)
        return spec.name, create_volume(connected(self.tui.session), spec)

    def submitted(self, result: Any) -> None:
        """Close and follow the new volume."""
        name, ident = result
        self.app.notify(f"Creating volume {name or ident}")
        self.dismiss(Created((ident,) if ident else (), "creating"))


CREATE_FORM = CreateVolumeForm
