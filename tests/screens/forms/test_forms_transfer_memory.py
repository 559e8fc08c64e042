"""A 200 MB image goes up through the upload form and comes back through the save form while
the process's memory stays flat: both directions stream. The downloaded bytes must match.

The app, the SDK and simcloud (which streams the body to disk too) share this process, so the
resident set is sampled from /proc/self/statm on a thread every 10 ms during the transfers and
its peak compared with the level before: a transfer that held the file in memory would add
about 200 MB (twice that for the download plus the upload).
"""

from __future__ import annotations

import hashlib
import os
import resource
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.app import make_app, wait_until
from tests.helpers.forms import open_form, plain_text, push_form, set_field
from tuicloud.screens.forms.create_image import CreateImageForm
from tuicloud.screens.forms.save_image import SaveImageForm
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim, SimConfig, run_simcloud

SIZE = 200 << 20
ALLOWED_GROWTH = 48 << 20  # far below the file's size; a few chunks and caches fit easily
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    """The process's resident set now, in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


class PeakRss:
    """Samples the resident set on a thread until stopped; keeps the peak."""

    def __init__(self) -> None:
        self.peak = rss()
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


@pytest.fixture
def sim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSim]:
    """A small simcloud of its own."""
    clouds = tmp_path / "clouds.yaml"
    with run_simcloud(SimConfig(servers=2, volumes=2, images=2, build_delay=0.1,
                                action_delay=0.1), clouds_yaml=clouds) as running:
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
        yield running


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


async def test_200_mb_upload_and_download_stream(sim: RunningSim, tmp_path: Path) -> None:
    """Upload and download 200 MB through the forms; memory does not grow by the file."""
    source = tmp_path / "big-disk.raw"
    wanted = generate(source, SIZE)
    target = tmp_path / "big-disk.copy"
    app = make_app(view="images")
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_form(pilot, app, CreateImageForm)
        set_field(form, "path", str(source))
        await wait_until(pilot, lambda: form.values()["name"] == "big-disk", what="guess")
        maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss << 10
        before = rss()
        with PeakRss() as upload:
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                             timeout=120, what="uploaded")
        glance = sim.cloud.service("image")
        image = next(i for i in glance.images.values() if i.get("name") == "big-disk")
        assert image["status"] == "active" and image["size"] == SIZE
        save = await push_form(pilot, app, SaveImageForm(image["id"], "big-disk", str(target)))
        with PeakRss() as download:
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: app.screen is not save, timeout=120,
                             what=f"saved ({plain_text(app)[-300:]})")
        maxrss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss << 10
    print(f"\nRSS before {before >> 20} MB; peak during upload {upload.peak >> 20} MB "
          f"(+{(upload.peak - before) >> 20} MB), during download {download.peak >> 20} MB "
          f"(+{(download.peak - before) >> 20} MB); ru_maxrss {maxrss_before >> 20} -> "
          f"{maxrss_after >> 20} MB; file {SIZE >> 20} MB")
    assert upload.peak - before < ALLOWED_GROWTH
    assert download.peak - before < ALLOWED_GROWTH
    digest = hashlib.sha256()
    with open(target, "rb") as copy:
        for piece in iter(lambda: copy.read(1 << 20), b""):
            digest.update(piece)
    assert digest.hexdigest() == wanted
