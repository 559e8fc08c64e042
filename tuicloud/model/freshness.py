"""How fresh a view's data is, and the states a refresh loop moves it through."""

from __future__ import annotations

import time
from dataclasses import dataclass

__all__ = ["Freshness", "describe_freshness", "stale_after"]


@dataclass(frozen=True)
class Freshness:
    """The state of the current view's data."""

    state: str  # "connecting", "loading", "fresh", "stale", "paused", "unavailable", "failed"
    updated_at: float | None = None  # time.time() of the last good poll
    elapsed_ms: float | None = None  # how long that poll took
    stale_since: float | None = None
    error: str = ""
    count: int | None = None
    visible: int | None = None
    cached_at: float | None = None  # rows shown from the view cache, kept at this time.time()
    more: bool = False  # the list goes on past ``count`` (read as the user scrolls)


def stale_after(previous: Freshness, error: str, *, count: int | None,
                visible: int | None = None, now: float | None = None) -> Freshness:
    """The view after a failed poll: its last good data kept, stale since the first failure of
    this run of failures, with the newest error."""
    since = previous.stale_since if previous.state == "stale" else None
    return Freshness("stale", updated_at=previous.updated_at, elapsed_ms=previous.elapsed_ms,
                     stale_since=since if since is not None else (now or time.time()),
                     error=error, count=count, visible=visible, cached_at=previous.cached_at,
                     more=previous.more)


def describe_freshness(fresh: Freshness, now: float | None = None) -> str:
    """"updated 3 s ago, 40 ms" / "stale since 12:04:31: 503 Service Unavailable" ...;
    rows from the view cache say so first: "cached, from 12:03:10 · connecting…"."""
    text = _describe(fresh, time.time() if now is None else now)
    if fresh.cached_at is None:
        return text
    cached = "cached, from " + time.strftime("%H:%M:%S", time.localtime(fresh.cached_at))
    return f"{cached} · {text}" if text else cached


def _describe(fresh: Freshness, now: float) -> str:
    if fresh.state == "connecting":
        return "connecting…"
    if fresh.state == "loading":
        return "loading…"
    if fresh.state == "unavailable":
        return fresh.error
    if fresh.state == "stale" and fresh.stale_since is not None:
        since = time.strftime("%H:%M:%S", time.localtime(fresh.stale_since))
        return f"stale since {since}: {fresh.error}"
    text = ""
    if fresh.updated_at is not None:
        age = max(0, int(now - fresh.updated_at))
        text = f"updated {age} s ago" if age < 120 else f"updated {age // 60} min ago"
        if fresh.elapsed_ms is not None:
            text += f", {fresh.elapsed_ms:.0f} ms"
    if fresh.state == "paused":
        text = "paused" + (f" ({text})" if text else "")
    return text
