"""`c` on the servers view: launch one or more servers."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, SelectionList

from tuicloud.screens.forms.base import Created, FormScreen, field_row
from tuicloud.screens.host import connected
from tuicloud.widgets.sanitize import sanitize_text

BOOT_SOURCES = [("image", "image"), ("new volume from an image", "volume-from-image"),
                ("existing bootable volume", "volume")]
MAX_USER_DATA_FILE = 48 * 1024  # 64 KB of base64 at most, as Nova allows


def _gb(mb: Any) -> str:
    try:
        value = int(mb) / 1024
    except (TypeError, ValueError):
        return "?"
    return f"{value:g} GB"


class LaunchServerForm(FormScreen):
    """Name, count, boot source, flavor, networks, groups, key pair, AZ, user data, metadata."""

    FORM_TITLE = "Launch server"
    SUBMIT_LABEL = "Launch"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [
        (r"quota exceeded for (instances|cores|ram)|min_count|max_count", "count"),
        (r"flavor", "flavor"),
        (r"key_name|key pair", "key_name"),
        (r"availability zone", "zone"),
        (r"security.?group", "security_groups"),
        (r"network|port|fixed.?ip", "networks"),
        (r"user_data", "user_data"),
        (r"metadata", "metadata"),
        (r"block device|volume size|volume_size", "volume_size"),
        (r"volume", "volume"),
        (r"image", "image"),
        (r"attribute name|'name'", "name"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.choices: Any = None
        self._names: dict[str, str] = {}

    def fields(self) -> Iterable[Widget]:
        """The rows."""
        yield field_row("Name", Input(placeholder="e.g. web-1"), "name")
        yield field_row("Count", Input("1", type="integer"), "count", hint="quota: loading…")
        yield field_row("Boot from", Select(BOOT_SOURCES, value="image", allow_blank=False),
                        "boot")
        yield field_row("Image", Select([], prompt="(loading)"), "image")
        yield field_row("Volume size GB",
                        Input(type="integer", placeholder="e.g. 20 (required)"),
                        "volume_size")
        yield field_row("Volume", Select([], prompt="(no bootable volume)"), "volume")
        yield field_row("", Checkbox("delete volume with the server"), "delete_on_terminate")
        yield field_row("Flavor", Select([], prompt="(loading)"), "flavor", hint=" ")
        yield field_row("Networks", SelectionList[str](), "networks")
        yield field_row("Security groups", SelectionList[str](), "security_groups")
        yield field_row("Key pair", Select([], prompt="(none)"), "key_name")
        yield field_row("Availability zone", Select([], prompt="(any)"), "zone")
        yield field_row("User data file", Input(placeholder="path to a cloud-init file"),
                        "user_data")
        yield field_row("Metadata", Input(placeholder="e.g. key=value, key2=value2"), "metadata")

    def on_mount(self) -> None:
        """Fetch the choices in a worker."""
        super().on_mount()
        self.set_message("Loading flavors, images, networks and quota…")
        self._show_boot_fields("image")
        self._load_worker()

    @work(thread=True, exclusive=True, group="form-load", exit_on_error=False)
    def _load_worker(self) -> None:
        from tuicloud.cloud.create import launch_choices
        from tuicloud.cloud.errors import CloudError

        session = self.tui.session
        if session is None:
            return
        try:
            choices = launch_choices(session)
        except CloudError as error:
            self.app.call_from_thread(self.set_message, f"Cannot load choices: {error}",
                                      error=True)
            return
        self.app.call_from_thread(self._loaded, choices)

    def _loaded(self, choices: Any) -> None:
        self.choices = choices
        for item in [*choices.flavors, *choices.images, *choices.volumes, *choices.networks]:
            if item.get("id"):
                self._names[str(item["id"])] = str(item.get("name") or item["id"])
        rows = self.rows()
        image = rows["image"].widget
        assert isinstance(image, Select)
        image.set_options((Text(sanitize_text(str(i.get("name") or i["id"]), max_len=60)),
                           str(i["id"])) for i in choices.images)
        image.prompt = "(choose an image)" if choices.images else "(no active image)"
        if len(choices.images) == 1:
            image.value = str(choices.images[0]["id"])
        volume = rows["volume"].widget
        assert isinstance(volume, Select)
        volume.set_options((Text(sanitize_text(
            f"{v.get('name') or v['id'][:8]} ({v.get('size')} GB)", max_len=60)), str(v["id"]))
            for v in choices.volumes)
        self._set_flavor_options()
        networks = rows["networks"].widget
        assert isinstance(networks, SelectionList)
        networks.clear_options()
        only = len(choices.networks) == 1
        for net in choices.networks:
            label = str(net.get("name") or net["id"])
            if net.get("router:external"):
                label += " (external)"
            networks.add_option((Text(sanitize_text(label, max_len=60)), str(net["id"]), only))
        groups = rows["security_groups"].widget
        assert isinstance(groups, SelectionList)
        groups.clear_options()
        for group in choices.security_groups:
            groups.add_option((Text(sanitize_text(group, max_len=60)), group,
                               group == "default"))
        keys = rows["key_name"].widget
        assert isinstance(keys, Select)
        keys.set_options((Text(sanitize_text(k, max_len=60)), k) for k in choices.keypairs)
        if len(choices.keypairs) == 1:
            keys.value = choices.keypairs[0]
        zones = rows["zone"].widget
        assert isinstance(zones, Select)
        zones.set_options((Text(sanitize_text(z, max_len=40)), z) for z in choices.zones)
        self.set_message("; ".join(choices.errors), error=True) if choices.errors else \
            self.set_message("")
        self._update_quota_hint()
        self.loading_settled()

    def _set_flavor_options(self) -> None:
        if self.choices is None:
            return
        select = self.rows()["flavor"].widget
        assert isinstance(select, Select)
        current = select.value
        image = self._chosen_image()
        from tuicloud.cloud.create import flavor_fits

        options: list[tuple[Text, str]] = []
        for flavor in self.choices.flavors:
            label = Text(sanitize_text(str(flavor.get("name") or flavor["id"]), max_len=30))
            label.append(f"  {flavor.get('vcpus')} vCPU, {_gb(flavor.get('ram'))} RAM, "
                         f"{flavor.get('disk')} GB disk")
            if flavor_fits(flavor, image):
                label.append("  ✗ too small", style="bold")  # bold only: colours live in the .tcss
            options.append((label, str(flavor["id"])))
        with select.prevent(Select.Changed):
            select.set_options(options)
            select.prompt = "(choose a flavor)"
            if current is not Select.NULL and any(v == current for _, v in options):
                select.value = current

    def _chosen_image(self) -> dict[str, Any] | None:
        if self.choices is None:
            return None
        values = self.values()
        if values.get("boot") == "volume":
            return None
        wanted = values.get("image")
        return next((i for i in self.choices.images if str(i["id"]) == wanted), None)

    def _flavor(self, flavor_id: Any) -> dict[str, Any] | None:
        if self.choices is None or not flavor_id:
            return None
        return next((f for f in self.choices.flavors if str(f["id"]) == flavor_id), None)

    def field_changed(self, name: str) -> None:
        """Boot source shows its fields; the image re-marks the flavors."""
        if name == "boot":
            self._show_boot_fields(str(self.values().get("boot")))
            self._set_flavor_options()
        elif name == "image":
            self._set_flavor_options()
        if name in ("flavor", "count", "boot", "image"):
            self._update_quota_hint()

    def _show_boot_fields(self, boot: str) -> None:
        rows = self.rows()
        rows["image"].display = boot in ("image", "volume-from-image")
        rows["volume_size"].display = boot == "volume-from-image"
        rows["volume"].display = boot == "volume"
        rows["delete_on_terminate"].display = boot != "image"

    def _update_quota_hint(self) -> None:
        rows = self.rows()
        if self.choices is not None and self.choices.headroom:
            room = self.choices.headroom
            rows["count"].set_hint(" · ".join([room["instances"].text(),
                                               "vCPUs " + _ratio(room["cores"]),
                                               "RAM " + _ratio(room["ram"], 1024, " GB")]))
        elif self.choices is not None:
            rows["count"].set_hint("quota: unknown (the limits API did not answer)")
        flavor = self._flavor(self.values().get("flavor"))
        if flavor is not None:
            from tuicloud.cloud.create import flavor_fits

            text = (f"{flavor.get('vcpus')} vCPUs, {_gb(flavor.get('ram'))} RAM, "
                    f"{flavor.get('disk')} GB disk")
            too_small = flavor_fits(flavor, self._chosen_image())
            rows["flavor"].set_hint(text + (f" — too small for the image: {too_small}"
                                            if too_small else ""))

    # -- the form's logic ---------------------------------------------------------------------
    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """Required fields, name format, count >= 1 and within the quota, files, metadata."""
        from tuicloud.cloud.create import parse_metadata, validate_server_name

        problems: dict[str, str] = {}
        name_problem = validate_server_name(str(values.get("name") or ""))
        if name_problem:
            problems["name"] = name_problem
        count = _int_or_none(values.get("count"))
        if count is None or count < 1:
            problems["count"] = "the count must be a whole number, at least 1"
        boot = values.get("boot")
        if boot in ("image", "volume-from-image") and not values.get("image"):
            problems["image"] = "choose an image"
        if boot == "volume-from-image":
            size = _int_or_none(values.get("volume_size"))
            if size is None or size < 1:
                problems["volume_size"] = "the volume size (GB) must be at least 1"
            else:
                image = self._chosen_image()
                min_disk = int((image or {}).get("min_disk") or 0)
                if size < min_disk:
                    problems["volume_size"] = f"the image needs at least {min_disk} GB"
        if boot == "volume" and not values.get("volume"):
            problems["volume"] = "choose a bootable volume"
        flavor = self._flavor(values.get("flavor"))
        if flavor is None:
            problems["flavor"] = "choose a flavor"
        elif boot == "image":
            from tuicloud.cloud.create import flavor_fits

            too_small = flavor_fits(flavor, self._chosen_image())
            if too_small:  # marked in the list, and Nova would refuse it: not sent
                problems["flavor"] = f"too small for the image: {too_small}"
        if self.choices is not None and len(self.choices.networks) > 1 \
                and not values.get("networks"):
            # Nova refuses a boot on "auto" when several networks are usable (409).
            problems["networks"] = "choose a network: several are available"
        if count is not None and count >= 1 and self.choices is not None:
            room = self.choices.headroom
            quota = _over_quota(room, count, flavor)
            if quota:
                problems["count"] = quota
        path = str(values.get("user_data") or "").strip()
        if path:
            file = Path(path).expanduser()
            if not file.is_file():
                problems["user_data"] = "no such file"
            elif file.stat().st_size > MAX_USER_DATA_FILE:
                problems["user_data"] = "too large: Nova takes at most 64 KB (base64)"
        _, meta_problem = parse_metadata(str(values.get("metadata") or ""))
        if meta_problem:
            problems["metadata"] = meta_problem
        return problems

    def spec(self, values: dict[str, Any], user_data: bytes | None = None) -> Any:
        """The :class:`ServerSpec` for the values."""
        from tuicloud.cloud.create import ServerSpec, parse_metadata

        path = str(values.get("user_data") or "").strip()
        return ServerSpec(
            name=str(values.get("name") or ""), flavor_id=str(values.get("flavor") or ""),
            count=_int_or_none(values.get("count")) or 1,
            boot=str(values.get("boot") or "image"),
            image_id=values.get("image"), volume_id=values.get("volume"),
            volume_size=_int_or_none(values.get("volume_size")),
            delete_on_terminate=bool(values.get("delete_on_terminate")),
            networks=list(values.get("networks") or []),
            security_groups=list(values.get("security_groups") or []),
            key_name=values.get("key_name"), zone=values.get("zone"),
            user_data=user_data, user_data_path=path or None,
            metadata=parse_metadata(str(values.get("metadata") or ""))[0])

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack server create ...``."""
        if not values.get("name") or not values.get("flavor"):
            return None
        from tuicloud.cloud.create import server_command

        return server_command(self.spec(values), self._names)

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Read the user data file, then launch."""
        from tuicloud.cloud.create import create_servers
        from tuicloud.cloud.errors import CloudError

        path = str(values.get("user_data") or "").strip()
        data: bytes | None = None
        if path:
            try:
                data = Path(path).expanduser().read_bytes()
            except OSError as exc:
                raise CloudError(f"user_data: cannot read {path}: {exc.strerror}") from exc
        spec = self.spec(values, data)
        return spec.name, create_servers(connected(self.tui.session), spec)

    def submitted(self, result: Any) -> None:
        """Close, follow the new servers, and say so."""
        name, ids = result
        self.app.notify(f"Launching {name}" + (f" ({len(ids)} servers)" if len(ids) > 1 else ""))
        self.dismiss(Created(tuple(ids), "BUILD"))


def _ratio(quota: Any, scale: int = 1, unit: str = "") -> str:
    """ "44 of 60 left" (read as used/total, "44/60" misled), or "unlimited"."""
    if quota.left is None:
        return "unlimited"
    return f"{quota.left // scale} of {quota.limit // scale}{unit} left"


def _int_or_none(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _over_quota(room: dict[str, Any], count: int, flavor: dict[str, Any] | None) -> str | None:
    """Why ``count`` servers of ``flavor`` do not fit the quota headroom, or None."""
    instances = room.get("instances")
    if instances is not None and instances.left is not None and count > instances.left:
        return f"only {instances.left} of {instances.limit} instances left in the quota"
    if flavor is None:
        return None
    for key, need, what in (("cores", int(flavor.get("vcpus") or 0), "vCPUs"),
                            ("ram", int(flavor.get("ram") or 0), "MB RAM")):
        quota = room.get(key)
        if quota is not None and quota.left is not None and count * need > quota.left:
            return f"needs {count * need} {what}, only {quota.left} left in the quota"
    return None


CREATE_FORM = LaunchServerForm
