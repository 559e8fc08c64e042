"""Nova's input rules checked in the app (tuicloud/cloud/validation.py), with the cases a real
Nova 2026.2 at 2.96 was seen to accept or refuse, and the launch form and rename prompt
refusing them inline instead of sending them."""

from __future__ import annotations

import pytest

from tests.helpers.app import make_app, wait_until
from tests.helpers.forms import field_error, open_form, set_field
from tuicloud.cloud import create
from tuicloud.cloud import operations as ops
from tuicloud.cloud.create import parse_metadata
from tuicloud.cloud.validation import (
    check_description,
    check_metadata_key,
    check_metadata_value,
    check_server_name,
)
from tuicloud.screens.forms.launch_server import LaunchServerForm
from tuicloud.simcloud import RunningSim, SimConfig

MODULE_SIMCLOUD = SimConfig(servers=4, volumes=2, images=3, build_delay=0.2,
                            action_delay=0.1)


@pytest.mark.parametrize("key", ["role", "a b", "app:tier", "x.y-z_w", "A9", "k" * 255])
def test_metadata_keys_nova_accepts(key: str) -> None:
    assert check_metadata_key(key) is None


@pytest.mark.parametrize("key", ["a/b", "a@b", "é", "k" * 256, "", "tab\there", "a\nb",
                                 "key\n", "emoji😀"])
def test_metadata_keys_nova_refuses(key: str) -> None:
    assert check_metadata_key(key) is not None


def test_metadata_messages_name_the_rule_and_the_key() -> None:
    assert check_metadata_key("a/b") == (
        "metadata key 'a/b': only letters a-z A-Z, digits, space and - _ : . are allowed")
    assert "longer than 255" in (check_metadata_key("k" * 256) or "")
    assert check_metadata_value("k", "v" * 255) is None
    assert "at most 255" in (check_metadata_value("k", "v" * 256) or "")
    assert parse_metadata("role=web, a/b=1") == (
        {"role": "web"}, check_metadata_key("a/b"))
    assert parse_metadata("role=web, app:tier = front ") == (
        {"role": "web", "app:tier": "front"}, None)


@pytest.mark.parametrize("name", ["web-1", "ok name", "Ünïcödé ✓", "日本語", "a" * 255])
def test_server_names_nova_accepts(name: str) -> None:
    assert check_server_name(name) is None and create.validate_server_name(name) is None


@pytest.mark.parametrize(("name", "words"), [
    ("web 😀", "printable"), ("a\u200eb", "U+200E LEFT-TO-RIGHT MARK"),
    ("a\u2028b", "printable"), ("a\x01b", "U+0001"), (" lead", "start or end"),
    ("trail ", "start or end"), ("   ", "required"), ("a" * 256, "255"),
])
def test_server_names_nova_refuses(name: str, words: str) -> None:
    problem = check_server_name(name)
    assert problem is not None and words in problem, problem


@pytest.mark.parametrize(("text", "ok"), [
    ("", True), ("web tier, owned by ops (#42)", True), ("Ünïcödé ✓", True),
    ("line\nbreak", False), ("tab\there", False), ("bidi\u200e", False),
    ("emoji 😀", False), ("d" * 256, False),
])
def test_descriptions(text: str, ok: bool) -> None:
    assert (check_description(text) is None) == ok


def test_rename_and_snapshot_prompts_refuse_what_nova_refuses() -> None:
    raw = {"id": "x", "name": "web-1", "status": "ACTIVE"}
    for op_id in ("server.rename", "server.snapshot"):
        needs = ops.find(op_id).needs
        assert needs is not None and needs.validate is not None
        assert needs.validate(raw, "web-2") is None
        assert "printable" in (needs.validate(raw, "web 😀") or "")
        assert "start or end" in (needs.validate(raw, " web") or "")


# -- the launch form, through the Pilot ----------------------------------------------------------


async def test_launch_form_refuses_nova_invalid_name_and_metadata_inline(sim: RunningSim) -> None:
    app = make_app(view="servers")
    nova = sim.cloud.service("compute")
    before = len(nova.servers)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, app, LaunchServerForm,
                                 ready=lambda s: isinstance(s, LaunchServerForm)
                                 and s.choices is not None)
        set_field(screen, "name", "web 😀")
        set_field(screen, "metadata", "role=web, team/owner=ops")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bool(field_error(screen, "metadata")),
                         what="the metadata error")
        assert "metadata key 'team/owner'" in field_error(screen, "metadata")
        assert "printable" in field_error(screen, "name")
        assert screen.values()["metadata"] == "role=web, team/owner=ops"  # nothing lost
        assert screen.values()["name"] == "web 😀"
        assert isinstance(app.screen, LaunchServerForm)
    assert len(nova.servers) == before
