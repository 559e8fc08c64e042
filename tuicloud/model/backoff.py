"""One retry policy for every refresh loop (lists, all clouds, overview, console log, connect).

After a failure the loop retries at its usual interval, then doubles the wait with each failure
in a row, up to a minute: a cloud that is down is asked about once a minute per view, and one
that blinked is asked again soon. A success starts over.
"""

from __future__ import annotations

__all__ = ["MAX_DELAY", "MIN_RETRY", "retry_delay"]

MAX_DELAY = 60.0
"""The longest wait between two tries, in seconds."""
MIN_RETRY = 2.0
"""The shortest wait after a failure (a fast-polling view must not hammer a failing API)."""


def retry_delay(interval: float, failures: int) -> float:
    """Seconds to wait before the next try: ``interval`` while all is well; after ``failures``
    in a row, ``max(interval, 2 s)`` doubled for each failure after the first, at most 60 s
    (or ``interval`` if that is longer: a view refreshed every 5 minutes waits 5 minutes)."""
    if failures <= 0:
        return interval
    wait: float = max(interval, MIN_RETRY) * 2.0 ** min(failures - 1, 6)
    return max(min(wait, MAX_DELAY), interval)
