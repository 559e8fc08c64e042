"""Memory and big files for the transfer tests: the resident set sampled on a thread (its
peak), and large non-sparse files generated with their digest."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    """The process's resident set now, in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


class PeakRss:
    """Samples the resident set on a thread until stopped; keeps the peak."""

    def __init__(self) -> None:
        self.start = self.peak = rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, rss())

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss())


def generate(path: Path, size: int) -> str:
    """Write ``size`` bytes of varied, non-sparse data in 1 MiB blocks; return its sha256."""
    digest = hashlib.sha256()
    seed = os.urandom(64)
    block = bytearray(hashlib.sha512(seed).digest() * (1 << 14))
    with open(path, "wb") as out:
        for index in range(size >> 20):
            block[:8] = index.to_bytes(8, "little")  # every block differs
            out.write(block)
            digest.update(block)
    return digest.hexdigest()
