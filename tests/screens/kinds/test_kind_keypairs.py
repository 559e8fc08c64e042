"""Key pairs (issue 14): a public key imported from a file, a new pair generated here (the
private key only in the 0600 file named, never on screen or in a log, never over an existing
file), a bad file refused at its field, a taken name leaving no stray key file, delete after
confirmation."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.app import loaded, make_app, notes, screen_text, shown, table, wait_until
from tests.helpers.forms import field_error, form, set_field, settle
from tests.helpers.ops import writes
from tests.helpers.osc import osc_parser_for
from tuicloud.cloud.operations.keypairs import generate_key, import_command, read_public_key
from tuicloud.screens.confirm import ConfirmScreen
from tuicloud.screens.forms.create_keypair import CreateKeypairForm
from tuicloud.screens.resource_list import ResourceListScreen
from tuicloud.simcloud import RunningSim


def _pairs(sim: RunningSim) -> dict[str, dict[str, Any]]:
    nova = sim.cloud.service("compute")
    user = sim.cloud.service("identity").user_by_name("demo").id
    return nova.keypairs.get(user, {})


async def _open(pilot: Any, app: Any) -> CreateKeypairForm:
    await loaded(pilot, app)
    await pilot.press("c")
    await wait_until(pilot, lambda: isinstance(app.screen, CreateKeypairForm), what="form")
    screen = form(app)
    assert isinstance(screen, CreateKeypairForm)
    return screen


async def test_import_a_public_key_then_delete_it(sim: RunningSim, tmp_path: Path) -> None:
    public = tmp_path / "laptop.pub"
    public.write_text(generate_key("me@laptop").public + "\n")
    app = make_app(view="keypairs")
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await _open(pilot, app)
        set_field(screen, "name", "laptop")
        set_field(screen, "public_key", str(public))
        await settle(pilot)
        await wait_until(pilot, lambda: f"openstack keypair create --public-key {public} laptop"
                         in screen_text(app), what="command")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="form closed")
        assert _pairs(sim)["laptop"]["public_key"] == public.read_text().strip()
        grid = table(app)
        await wait_until(pilot, lambda: grid.get_row("laptop") is not None, what="its row")
        grid.cursor_id = "laptop"
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: grid.get_row("laptop") is None, what="row gone")
        assert "laptop" not in _pairs(sim)


async def test_a_private_key_file_is_refused_at_its_field(sim: RunningSim,
                                                          tmp_path: Path) -> None:
    secret = tmp_path / "id_ed25519"
    secret.write_bytes(generate_key("x").private)
    app = make_app(view="keypairs")
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await _open(pilot, app)
        set_field(screen, "name", "oops")
        set_field(screen, "public_key", str(secret))
        await settle(pilot)
        start = len(sim.cloud.request_log)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "private key" in field_error(screen, "public_key"),
                         what="refused")
        assert writes(sim, start) == []


async def test_generate_saves_the_private_key_only_to_its_file(sim: RunningSim,
                                                               tmp_path: Path) -> None:
    target = tmp_path / "gen-1"
    app = make_app(view="keypairs")
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await _open(pilot, app)
        set_field(screen, "name", "gen-1")
        set_field(screen, "source", "generate")
        await settle(pilot)
        set_field(screen, "private_key", str(target))
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ResourceListScreen),
                         what="form closed")
        private = target.read_text()
        assert private.startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        public = (tmp_path / "gen-1.pub").read_text().strip()
        assert _pairs(sim)["gen-1"]["public_key"] == public and public.endswith(" gen-1")
        assert any("private key saved to" in n for n in notes(app))
        body = private.splitlines()[1]
        assert body not in await shown(pilot, app, "Key pairs", "gen-1")
    # Nowhere else: not in any file the app wrote (log, state, settings).
    for root, _dirs, files in os.walk(os.environ["XDG_STATE_HOME"]):
        for name in files:
            assert body not in Path(root, name).read_text(errors="replace"), name
    # A second time: the file exists, so nothing is generated or sent.
    app = make_app(view="keypairs")
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await _open(pilot, app)
        set_field(screen, "name", "gen-2")
        set_field(screen, "source", "generate")
        await settle(pilot)
        set_field(screen, "private_key", str(target))
        await settle(pilot)
        start = len(sim.cloud.request_log)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "never overwritten" in field_error(screen,
                                                                           "private_key"),
                         what="refused")
        assert writes(sim, start) == [] and target.read_text() == private


async def test_a_taken_name_leaves_no_stray_key_file(sim: RunningSim, tmp_path: Path) -> None:
    taken = next(iter(_pairs(sim)))
    target = tmp_path / "stray"
    app = make_app(view="keypairs")
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await _open(pilot, app)
        set_field(screen, "name", taken)
        set_field(screen, "source", "generate")
        await settle(pilot)
        set_field(screen, "private_key", str(target))
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "already exists" in field_error(screen, "name"),
                         what="Nova's 409 at the name")
        assert not target.exists()


def test_public_key_files_are_read_with_care(tmp_path: Path) -> None:
    assert read_public_key(str(tmp_path / "nope"))[1] == "no such file"
    big = tmp_path / "big"
    big.write_text("ssh-rsa " + "A" * 20_000)
    assert "too big" in str(read_public_key(str(big))[1])
    two = tmp_path / "two.pub"
    two.write_text("ssh-ed25519 AAAA a\nssh-ed25519 BBBB b\n")
    assert "not an OpenSSH public key" in str(read_public_key(str(two))[1])
    assert repr(generate_key("c")).startswith("GeneratedKey(public='ssh-ed25519")
    assert "PRIVATE" not in repr(generate_key("c"))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # osc_lib's own, on import
def test_the_import_command_parses_with_the_openstack_cli() -> None:
    parser, rest = osc_parser_for(import_command("laptop", "/tmp/k.pub"))
    parsed = vars(parser.parse_args(rest))
    assert (parsed["name"], parsed["public_key"]) == ("laptop", "/tmp/k.pub")
