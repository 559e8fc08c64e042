"""What a resource kind is: data (columns, where to list, how to turn JSON into a row).

One generic list screen and one generic table render every kind. A kind declares its columns,
the list endpoint, its refresh strategy and three pure functions: ``to_row`` (raw JSON -> display
row of plain values), ``detail_sections`` (grouped fields for the detail view) and
``status_class`` (a status value -> a semantic colour name). Rows keep cloud text as it is;
sanitising happens in the widget.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal, NamedTuple
from urllib.parse import quote

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession
    from tuicloud.cloud.lookups import Lookups

__all__ = [
    "Capability",
    "Column",
    "DetailBuilder",
    "GONE",
    "Jump",
    "JumpBuilder",
    "Raw",
    "Refresh",
    "ResourceKind",
    "Row",
    "RowBuilder",
    "Sections",
    "StatusClass",
    "format_age",
    "format_age_since",
    "format_bytes",
    "format_mib",
    "join_nonempty",
    "parse_time",
    "short_id",
    "text",
    "yes_no",
]

Raw = dict[str, Any]
Row = dict[str, object]
GONE = "_tuicloud_gone"
"""Set by an enricher on an item deleted between the list and its own request."""
Sections = list[tuple[str, list[tuple[str, str]]]]
RowBuilder = Callable[[Raw, "Lookups"], Row]
DetailBuilder = Callable[[Raw, "Lookups"], Sections]
class Jump(NamedTuple):
    """A related resource a detail can open: its kind's name, its id, what to call it."""

    kind: str
    ident: str
    label: str


JumpBuilder = Callable[[Raw, "Lookups"], list[Jump]]
Enricher = Callable[["CloudSession", list[Raw]], None]
StatusClass = Literal["ok", "busy", "warn", "error", "muted"]
Refresh = Literal["changes-since", "updated_at", "full", "window"]
Capability = Literal["console", "ssh", "download", "reach"]
"""What a kind offers beyond list, detail and its operations (k9s's verbs):
``console`` its console log (`l`), ``ssh`` a shell on it (`s`), ``download`` its bytes to a
file (`ctrl+s`), ``reach`` why a connection to it would fail (`ctrl+w`, `:why`)."""


@dataclass(frozen=True, slots=True)
class Column:
    """A table column (satisfies the widget's ColumnLike protocol).

    ``priority`` 0 is always shown; higher numbers are dropped first on narrow terminals.
    ``sort_key``, when set, names a hidden row key to sort by instead of the shown text (the
    "age" column shows "3d" but sorts by the creation timestamp); a leading "-" sorts that
    key's numbers the other way ("-created_ts": ascending age is the newest first).
    ``age_of``, when set, names the row key (epoch seconds) whose age the cell shows: the
    list recomputes it as time passes, since the resource itself does not change.
    """

    key: str
    title: str
    width: int
    priority: int = 0
    numeric: bool = False
    sort_key: str | None = None
    age_of: str | None = None


@dataclass(frozen=True)
class ResourceKind:
    """A kind of resource (servers, volumes ...) described as data.

    ``list_path``/``list_key`` say where the list lives on ``service_type``'s endpoint;
    ``show_path`` (with ``{id}``) and ``show_key`` where one resource lives. ``refresh`` is the
    incremental refresh strategy the poller uses. ``status_key`` is the row key holding the
    status (for ``status_class``). ``unwrap`` names a per-item wrapper key (Nova key pairs come
    as ``{"keypair": {...}}``). ``all_projects_params`` are added to list queries for the
    all-projects view; ``in_project`` (when set) filters an admin's own-project view for
    services that show admins everything (Neutron, Glance). ``admin_list_params`` are added
    for admins only (Nova's ``is_public=None`` shows them private flavors too).
    ``poll_created_at`` makes ``updated_at`` polls also ask ``created_at=gte:``, for services
    that leave ``updated_at`` empty on a new resource (Cinder).
    """

    name: str
    title: str
    aliases: tuple[str, ...]
    service_type: str
    list_path: str
    list_key: str
    columns: tuple[Column, ...]
    to_row: RowBuilder
    detail_sections: DetailBuilder
    status_class: Callable[[object], StatusClass | None]
    show_path: str
    show_key: str
    all_projects_column: Column | None = None
    refresh: Refresh = "full"
    status_key: str | None = "status"
    id_key: str = "id"
    unwrap: str | None = None
    page_size: int | None = 1000
    all_projects_params: tuple[tuple[str, str], ...] = ()
    list_params: tuple[tuple[str, str], ...] = ()
    admin_list_params: tuple[tuple[str, str], ...] = ()
    in_project: Callable[[Raw, str], bool] | None = None
    poll_created_at: bool = False
    lookups: frozenset[str] = frozenset()
    default_sort: str | None = "name"
    list_fields: frozenset[str] | None = None
    """Keys kept from each listed item (None = all): rows need a few of a server's ~35, and
    10,000 full server dicts cost ~45 MB. The detail view fetches the whole resource. A kept
    reference to another resource (``{"id": ..., "links": [...]}``) keeps its id, not its
    links: a server's image link alone is a seventh of what a list of them keeps."""
    capabilities: frozenset[Capability] = frozenset()
    create_form: str | None = None
    """The module under ``tuicloud.screens.forms`` whose form `c` opens (None: no `c`). A name,
    not an import: kinds stay below the screens."""
    create_admin_only: bool = False
    """`c` (the create form) only for the admin role (Nova's flavors): others are not offered
    it, and are told it needs that role."""
    names_table: str | None = None
    """The lookup table this list fills for free (server names from the servers list)."""
    lookups_embedded_from: tuple[tuple[str, str], ...] = ()
    """(lookup table, microversion) pairs: from that microversion of the kind's service the
    listed items embed what the table would name (Nova 2.47 embeds the flavor)."""

    name_key: str | None = "name"
    """The field the first column (row key ``name``) shows: what people call the resource by.
    Floating IPs have no name: their address stands in. None: nothing of the resource's own
    does (a rule's first column is its group's name, from the lookups)."""

    paged: bool = True
    """False when the list API refuses ``limit`` (Nova's services): no first short page."""

    show_from_list: bool = False
    """The API has no show URL (Nova's services): one resource is read from the list."""

    admin_only: bool = False
    """The cloud's own views (hypervisors, services): shown, completed and opened only for a
    user whose token carries the admin role; others are told it needs that role."""

    enrich: Enricher | None = None
    """Adds what the kind's own API no longer reports to each listed (or shown) item, in
    place, from another service: hypervisors' usage from placement. Blocking; raises
    CloudError. An item it finds gone meanwhile (404) it marks with ``GONE`` (a True value):
    the list drops it."""

    jumps: JumpBuilder | None = None
    """The resources this one points at (a volume's server, a server's volumes), for the
    detail view's `J`: each a :class:`Jump`."""

    id_from: Callable[[Mapping[str, Any]], str] | None = None
    """Builds the id when the API gives none (a role assignment is its grant's path)."""

    opens: Callable[[str], ResourceKind | None] | None = None
    """Enter on a row opens this list instead of the detail (a container's objects, a
    pseudo-folder); None for that row: the detail as usual."""

    enter_command: Callable[[Mapping[str, Any]], str | None] | None = None
    """Enter on a row runs this `:` command (``project NAME`` on one's own projects) instead
    of opening the detail; None for that row: the detail as usual."""

    nested: bool = False
    """A list opened from a row of another (objects in a container): backspace goes up."""

    summary: Callable[[CloudSession], str] | None = None
    """A line the list's header shows beside its title, read with each poll (an object
    store's account totals). Blocking; raises CloudError (the list goes on without it)."""

    show_from_headers: Callable[[Mapping[str, str], str], Raw] | None = None
    """The resource is read with HEAD on ``show_path`` and its headers make the document
    (Swift: a GET would download the object)."""

    def can(self, capability: Capability) -> bool:
        """True when this kind offers ``capability``."""
        return capability in self.capabilities

    def columns_for(self, all_projects: bool) -> tuple[Column, ...]:
        """The columns to show, with the project column when listing all projects."""
        if all_projects and self.all_projects_column is not None:
            return (*self.columns, self.all_projects_column)
        return self.columns

    @property
    def supports_all_projects(self) -> bool:
        """True when an all-projects view means something for this kind."""
        return self.all_projects_column is not None

    def item(self, raw: Mapping[str, Any]) -> Raw:
        """A list item without its wrapper (see ``unwrap``)."""
        if self.unwrap is not None:
            inner = raw.get(self.unwrap)
            if isinstance(inner, dict):
                raw = inner
        if self.list_fields is not None:
            return _kept_fields(raw, self.list_fields)
        return dict(raw)

    def id_of(self, raw: Mapping[str, Any]) -> str:
        """The id that keys this resource in tables and pollers."""
        if self.id_from is not None:
            return self.id_from(raw)
        return str(raw.get(self.id_key) or "")

    def list_path_for(self, user_id: str | None) -> str:
        """The list URL; ``{user_id}`` stands for the signed-in user (Keystone keeps a user's
        application credentials under the user)."""
        return self.list_path.replace("{user_id}", quote(user_id or "", safe=""))

    def show_path_for(self, ident: str, user_id: str | None) -> str:
        """The URL of one resource (see :meth:`list_path_for`)."""
        return self.show_path.replace("{user_id}", quote(user_id or "", safe="")).format(
            id=quote(ident, safe=""))

    def row(self, raw: Raw, lookups: Lookups) -> Row:
        """``to_row`` plus the ``id`` key every row carries."""
        row = self.to_row(raw, lookups)
        row.setdefault("id", self.id_of(raw))
        return row


_FIELD_ORDER: dict[frozenset[str], tuple[str, ...]] = {}


def _kept_fields(raw: Mapping[str, Any], fields: frozenset[str]) -> Raw:
    """The ``fields`` of ``raw`` (in one fixed order, so equal items pack equal), a reference
    to another resource without its links. Walks the few fields, not the item's ~45 keys: a
    list of 50,000 does this once per server."""
    order = _FIELD_ORDER.get(fields)
    if order is None:
        order = _FIELD_ORDER[fields] = tuple(sorted(fields))
    kept: Raw = {}
    for key in order:
        if key in raw:
            value = raw[key]
            if type(value) is dict and "links" in value and "id" in value:
                value = {k: v for k, v in value.items() if k != "links"}
            kept[key] = value
    return kept


# -- formatting helpers shared by the kind modules ---------------------------------------------

def text(value: object) -> str:
    """A value as display text: None -> "", bools -> yes/no, else str()."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    return str(value)


def yes_no(value: object) -> str:
    """True/"true" -> "yes", False/"false" -> "no", None -> ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return "yes" if value.strip().lower() in ("true", "1", "yes") else "no"
    return "yes" if value else "no"


def owned_by(raw: Raw, project_id: str) -> bool:
    """True when the project owns the resource (Neutron's ``project_id``, or the older
    ``tenant_id``): the own-project view of kinds where Neutron shows admins everything."""
    return (raw.get("project_id") or raw.get("tenant_id")) == project_id


def short_id(value: object) -> str:
    """The first 8 characters of an id (what the CLI users recognise)."""
    return str(value)[:8] if value else ""


def parse_time(value: object) -> float | None:
    """Epoch seconds from an API timestamp (``Z``, offsets, or naive UTC); None if absent."""
    if not isinstance(value, str) or not value:
        return None
    raw = value.strip()
    if raw.endswith("Z"):
        raw = raw[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()


def format_age(value: object, now: float | None = None) -> str:
    """A short age for a timestamp: "40s", "12m", "5h", "3d", "2y"."""
    return format_age_since(parse_time(value), now)


def format_age_since(when: object, now: float | None = None) -> str:
    """A short age for epoch seconds (as rows hold them); "" when absent."""
    if not isinstance(when, (int, float)) or isinstance(when, bool):
        return ""
    seconds = max(0.0, (time.time() if now is None else now) - when)
    if seconds < 60:
        return f"{int(seconds)}s"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 48 * 3600:
        return f"{int(seconds // 3600)}h"
    if seconds < 365 * 86400:
        return f"{int(seconds // 86400)}d"
    return f"{int(seconds // (365 * 86400))}y"


def format_bytes(value: object) -> str:
    """A byte count for people: "21 MB", "1.5 GB" (decimal units, as Glance users expect)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return ""
    size = float(value)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            if unit == "B":
                return f"{int(size)} B"
            return f"{size:.1f} {unit}" if size < 10 else f"{size:.0f} {unit}"
        size /= 1000
    return ""  # pragma: no cover - the loop always returns


def format_mib(value: object) -> str:
    """A size in MiB (flavor RAM, image min RAM) as "512 MB" or "2 GB"."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return ""
    if value >= 1024 and value % 1024 == 0:
        return f"{int(value // 1024)} GB"
    if value >= 1024:
        return f"{value / 1024:.1f} GB"
    return f"{int(value)} MB"


def join_nonempty(parts: Iterable[object], sep: str = ", ") -> str:
    """Join the non-empty parts as text."""
    return sep.join(str(part) for part in parts if part not in (None, ""))


def pairs(mapping: object) -> list[tuple[str, str]]:
    """A metadata mapping as sorted (key, value) pairs of text."""
    if not isinstance(mapping, dict):
        return []
    return [(str(k), text(v)) for k, v in sorted(mapping.items(), key=lambda kv: str(kv[0]))]


def time_field(value: object) -> str:
    """A timestamp for a detail view: the API's text plus its age ("... (3d ago)")."""
    if not value:
        return ""
    age = format_age(value)
    return f"{value} ({age} ago)" if age else str(value)
