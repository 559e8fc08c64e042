"""A 200 MB object goes up through the upload form (`u`) and comes back through the download
form (`d`) of the objects view while the process's memory stays flat: both directions stream
(simcloud, which shares the process, streams to disk too). The bytes must match."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openstack

from tests.helpers.app import loaded, make_app, wait_until
from tests.helpers.forms import form, set_field, settle
from tests.helpers.memory import PeakRss, generate
from tuicloud.cloud.kinds.objects import objects_in
from tuicloud.screens.forms.object_transfer import DownloadObjectForm, UploadObjectForm
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim, SimConfig

SIZE = 200 << 20
ALLOWED_GROWTH = 48 << 20  # far below the file's size; a few chunks and caches fit easily
TEST_SIMCLOUD = SimConfig(servers=2, volumes=1, images=1, build_delay=0.1, action_delay=0.1)


async def test_200_mb_object_up_and_down_streams(sim: RunningSim, tmp_path: Path) -> None:
    source = tmp_path / "dump.bin"
    wanted = generate(source, SIZE)
    target = tmp_path / "dump.copy"
    conn = openstack.connect(cloud="simcloud")
    conn.object_store.create_container("big")
    conn.close()
    app = make_app(view="containers")
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot, app)
        screen = ResourceListScreen(objects_in("big", ""))
        app.push_screen(screen)
        await wait_until(pilot, lambda: app.screen is screen
                         and screen.freshness.state == "fresh", what="the empty container")
        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, UploadObjectForm), what="upload")
        set_field(form(app), "source", str(source))
        await settle(pilot)
        with PeakRss() as upload:
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: app.screen is screen, timeout=120, what="uploaded")
        await wait_until(pilot, lambda: "dump.bin" in screen.table.visible_ids(), what="row")
        screen.table.cursor_id = "dump.bin"
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DownloadObjectForm),
                         what="download")
        set_field(form(app), "path", str(target))
        await settle(pilot)
        with PeakRss() as download:
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: app.screen is screen, timeout=120,
                             what="downloaded")
    print(f"\nRSS peak during upload +{(upload.peak - upload.start) >> 20} MB, during download "
          f"+{(download.peak - download.start) >> 20} MB; file {SIZE >> 20} MB")
    assert upload.peak - upload.start < ALLOWED_GROWTH
    assert download.peak - download.start < ALLOWED_GROWTH
    digest = hashlib.sha256()
    with open(target, "rb") as copy:
        for piece in iter(lambda: copy.read(1 << 20), b""):
            digest.update(piece)
    assert digest.hexdigest() == wanted
