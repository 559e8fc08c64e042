"""A 200 MB image goes up through the upload form and comes back through the save form while
the process's memory stays flat: both directions stream. The downloaded bytes must match.

The app, the SDK and simcloud (which streams the body to disk too) share this process, so the
resident set is sampled from /proc/self/statm on a thread every 10 ms during the transfers and
its peak compared with the level before: a transfer that held the file in memory would add
about 200 MB (twice that for the download plus the upload).
"""

from __future__ import annotations

import hashlib
import resource
from pathlib import Path

from tests.helpers.app import make_app, wait_until
from tests.helpers.forms import open_form, plain_text, push_form, set_field
from tests.helpers.memory import PeakRss, generate, rss
from tuicloud.screens.forms.create_image import CreateImageForm
from tuicloud.screens.forms.save_image import SaveImageForm
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim, SimConfig

SIZE = 200 << 20
ALLOWED_GROWTH = 48 << 20  # far below the file's size; a few chunks and caches fit easily


# A small simcloud of its own for each test (`sim`, tests/conftest.py).
TEST_SIMCLOUD = SimConfig(servers=2, volumes=2, images=2, build_delay=0.1, action_delay=0.1)


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
