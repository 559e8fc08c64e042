"""Key pairs (Nova): per user, keyed by name, listed in full."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuicloud.cloud.kinds.base import (
    Column,
    Raw,
    ResourceKind,
    Row,
    Sections,
    StatusClass,
    format_age,
    parse_time,
    text,
    time_field,
)

if TYPE_CHECKING:
    from tuicloud.cloud.lookups import Lookups

__all__ = ["KEYPAIRS"]


def to_row(raw: Raw, lookups: Lookups) -> Row:
    """A key pair's display row (the list gives name, type, fingerprint and public key)."""
    public_key = text(raw.get("public_key")).strip()
    comment = public_key.split(None, 2)[2] if len(public_key.split(None, 2)) == 3 else ""
    return {
        "id": text(raw.get("name")),
        "name": text(raw.get("name")),
        "type": text(raw.get("type")) or "ssh",
        "fingerprint": text(raw.get("fingerprint")),
        "comment": comment,
        "age": format_age(raw.get("created_at")),
        "created_ts": parse_time(raw.get("created_at")),
    }


def status_class(value: object) -> StatusClass | None:
    """Key pairs have no status."""
    return None


def detail_sections(raw: Raw, lookups: Lookups) -> Sections:
    """Grouped fields for a key pair's detail view."""
    return [
        ("Key pair", [(k, v) for k, v in [
            ("Name", text(raw.get("name"))),
            ("Type", text(raw.get("type")) or "ssh"),
            ("Fingerprint", text(raw.get("fingerprint"))),
            ("User", text(raw.get("user_id"))),
            ("Created", time_field(raw.get("created_at"))),
        ] if v]),
        ("Public key", [("Key", text(raw.get("public_key")).strip())]),
    ]


KEYPAIRS = ResourceKind(
    name="keypairs",
    title="Key pairs",
    aliases=("kp", "k", "keypair", "keys"),
    service_type="compute",
    list_path="/os-keypairs",
    list_key="keypairs",
    show_path="/os-keypairs/{id}",
    show_key="keypair",
    columns=(
        Column("name", "Name", 24, 0),
        Column("type", "Type", 5, 1),
        Column("fingerprint", "Fingerprint", 47, 2),
        Column("comment", "Comment", 20, 3),
    ),
    to_row=to_row,
    detail_sections=detail_sections,
    status_class=status_class,
    status_key=None,
    id_key="name",
    unwrap="keypair",
    page_size=None,
    create_form="create_keypair",
)
