"""Give freed memory back to the operating system after a large list.

Parsing a full list of 10,000 servers allocates and frees tens of megabytes of short-lived JSON
objects; glibc keeps the freed heap, so the process's resident size stays at its peak. On an
operator's jump host that peak is shared with everything else, so after a big poll we ask
glibc to return what it can (a no-op where glibc is absent).
"""

from __future__ import annotations

import functools


@functools.cache
def _malloc_trim() -> object | None:
    # ctypes is imported by the first trim (after a poll), not before the first frame.
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None)
    except OSError:
        return None


def release_free_memory() -> None:
    """Return free heap pages to the OS where the C library allows.

    No gc.collect() here: a full collection holds the GIL for ~100 ms at 10,000 servers and
    would stall keypresses; ctypes releases the GIL around malloc_trim.
    """
    trim = _malloc_trim()
    if callable(trim):
        trim(0)
