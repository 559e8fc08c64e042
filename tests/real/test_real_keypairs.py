"""Key pairs against the rig's Nova (2.92+: it no longer generates keys): a pair generated in
the form (the private key only in its 0600 file), its public half as Nova stores it, then
deleted after confirmation."""

from __future__ import annotations

import stat
from pathlib import Path

from openstack.connection import Connection

from tests.helpers.app import loaded, make_app, table, wait_until
from tests.helpers.forms import open_form, set_field
from tests.real import rig
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.forms.create_keypair import CreateKeypairForm
from tuicloud.screens.resource_list import ResourceListScreen


async def test_generated_pair_is_imported_then_deleted(prefix: str, demo_sdk: Connection,
                                                       tmp_path: Path) -> None:
    name = prefix + "key"
    target = tmp_path / name
    app = make_app(cloud="real-demo", view="keypairs")
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, app, 0, timeout=rig.SLOW)  # a busy rig: more than 15 s
        screen = await open_form(pilot, app, CreateKeypairForm, minimum=0)
        set_field(screen, "name", name)
        set_field(screen, "source", "generate")
        await pilot.pause()
        set_field(screen, "private_key", str(target))
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         timeout=rig.SLOW, what="form closed")
        pair = demo_sdk.compute.get_keypair(name)
        assert pair.public_key.strip() == (tmp_path / f"{name}.pub").read_text().strip()
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        grid = table(app)
        await wait_until(pilot, lambda: grid.get_row(name) is not None, timeout=rig.SLOW,
                         what="its row")
        grid.cursor_id = name
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: grid.get_row(name) is None, timeout=rig.SLOW,
                         what="row gone")
        assert demo_sdk.compute.find_keypair(name) is None
