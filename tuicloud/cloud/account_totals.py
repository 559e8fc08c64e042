"""An object-storage account's totals (Swift): containers, objects and bytes, and the quota
where one is set (``X-Account-Meta-Quota-Bytes``, the account_quotas middleware). One HEAD of
the account, a few hundred bytes whatever it holds; the containers view's header and the
overview show them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tuicloud.cloud.kinds.base import format_bytes

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["AccountTotals", "account_summary", "account_totals", "totals_from_headers"]


@dataclass(frozen=True)
class AccountTotals:
    """What the account holds; a quota of None: none set."""

    containers: int
    objects: int
    bytes: int
    quota_bytes: int | None = None
    quota_count: int | None = None

    def describe(self) -> str:
        """"4 containers · 100,010 objects · 102 MB of 1.0 GB"."""
        size = format_bytes(self.bytes)
        if self.quota_bytes is not None:
            size += f" of {format_bytes(self.quota_bytes)}"
        objects = f"{self.objects:,} object{'s' if self.objects != 1 else ''}"
        if self.quota_count is not None:
            objects += f" of {self.quota_count:,}"
        return (f"{self.containers:,} container{'s' if self.containers != 1 else ''} · "
                f"{objects} · {size}")


def _number(headers: Mapping[str, str], key: str) -> int | None:
    value = headers.get(key, "").strip()
    return int(value) if value.isdigit() else None


def totals_from_headers(headers: Mapping[str, str]) -> AccountTotals:
    """The account's HEAD answer (lower-cased names) as totals."""
    return AccountTotals(containers=_number(headers, "x-account-container-count") or 0,
                         objects=_number(headers, "x-account-object-count") or 0,
                         bytes=_number(headers, "x-account-bytes-used") or 0,
                         quota_bytes=_number(headers, "x-account-meta-quota-bytes"),
                         quota_count=_number(headers, "x-account-meta-quota-count"))


def account_totals(session: CloudSession) -> AccountTotals:
    """One HEAD of the account (blocking); raises CloudError."""
    headers, _info = session.head("object-store", "")
    return totals_from_headers(headers)


def account_summary(session: CloudSession) -> str:
    """The containers view's header: the account's totals in one line."""
    return account_totals(session).describe()
