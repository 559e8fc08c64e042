"""Start-up imports (issue 17): openstacksdk, keystoneauth1 and requests cost about 0.3 s to
import; the app imports them in the connection's worker, after the first screen (with the
view cache's rows) is painted. The screens the first list view does not show, and the other
kinds' cloud operations, are imported when first used or preloaded after the first paint.
Each check runs in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tuicloud.simcloud import RunningSim

ROOT = Path(__file__).resolve().parents[2]
SDK = ("openstack", "keystoneauth1", "requests")


SECOND = ("tuicloud.screens.overview", "tuicloud.screens.dialogs",
          "tuicloud.screens.actions_menu", "tuicloud.screens.confirm",
          "tuicloud.screens.prompts", "tuicloud.screens.detail", "tuicloud.screens.forms",
          "tuicloud.screens.forms.base", "tuicloud.screens.console_log",
          "tuicloud.screens.all_clouds", "tuicloud.cloud.operations.volumes",
          "tuicloud.cloud.operations.identity_admin", "tuicloud.cloud.create",
          "tuicloud.cloud.kinds.volumes", "tuicloud.cloud.kinds.containers",
          "importlib.metadata")
"""What the first list view does without (about 70 ms to import)."""


def imported_after(code: str, modules: tuple[str, ...] = SDK) -> list[str]:
    """Which of ``modules`` (the SDK's packages) ``code`` leaves imported (in a new
    interpreter)."""
    probe = f"{code}\nimport sys\nprint(sorted(m for m in {modules!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return list(eval(done.stdout.strip().splitlines()[-1]))  # noqa: S307 - our own output


def test_importing_the_app_leaves_the_sdk_unimported() -> None:
    assert imported_after("import tuicloud.app") == []


def test_importing_the_command_line_and_the_app_leaves_other_screens_unimported() -> None:
    assert imported_after("import tuicloud.cli, tuicloud.app", SECOND) == []


POLLING = ("tuicloud.cloud.poller", "tuicloud.cloud.window_poller", "tuicloud.cloud.lookups",
           "ctypes", "http", "html")
"""What the view cache's rows are painted without: the first poll (in its worker) imports the
pollers and the name lookups; the first trim of freed memory ctypes; an error's text http
and html."""


def test_the_first_list_view_paints_cached_rows_without_the_pollers() -> None:
    """A list screen's feed before any poll, as the cached paint uses it, and the app with
    its first view's screen: no poller, no lookups, nothing only errors need."""
    code = ("import tuicloud.cli, tuicloud.app\n"
            "from tuicloud.cloud.kinds.registry import kind_for\n"
            "from tuicloud.model.feed import ListFeed\n"
            "from tuicloud.screens.resource_list import ResourceListScreen\n"
            "feed = ListFeed(kind_for('servers'))\n"
            "assert not feed.more_available and not feed.wants_more and not feed.ask_more()\n"
            "ResourceListScreen(kind_for('servers'))")
    assert imported_after(code, POLLING) == []


def test_importing_the_app_compiles_no_pattern_of_the_errors_module() -> None:
    """cloud/errors.py loads before the first frame: its patterns wait for a first error."""
    code = ("import tuicloud.cli, tuicloud.app\n"
            "from tuicloud.cloud import errors\n"
            "assert errors._token_patterns.cache_info().currsize == 0\n"
            "assert errors._regex.cache_info().currsize == 0")
    assert imported_after(code) == []
    code = ("from tuicloud.cloud import errors\n"
            "assert errors.scrub_secrets('http://me:pw@h/ X-Auth-Token: gAAAA' + 'a' * 20)"
            " == 'http://h/ X-Auth-Token: ***'\n"
            "assert errors.text_of_html('<h1>403 Forbidden</h1><p>No &amp; no</p>')"
            " == 'No & no'")
    assert imported_after(code) == []


def test_the_preload_imports_what_start_up_left_out() -> None:
    """The preload (after the first paint) leaves for later only what no first key opens."""
    code = "import tuicloud.app\ntuicloud.app.preload()"
    left = {"tuicloud.screens.all_clouds", "importlib.metadata"}  # `:servers all`, --version
    assert imported_after(code, SECOND) == sorted(set(SECOND) - left)


def test_the_list_views_direct_keys_load_with_their_kinds_operations_only() -> None:
    """Every list screen binds the direct keys (``Operation.key``): the registry names the kinds
    that have them, so the first paint imports those kinds' operations and no others."""
    from tuicloud.cloud import operations

    keyed = {op.kind for op in operations.all_operations() if op.key}
    assert keyed == set(operations.DIRECT_KEY_KINDS)
    code = ("from tuicloud.screens.operations import OPERATION_BINDINGS\n"
            "assert {b.key for b in OPERATION_BINDINGS} >= {'o', 'x', 'b'}")
    ops_modules = tuple(f"tuicloud.cloud.operations.{name}" for name in (
        "servers", "volumes", "images", "networks", "identity", "flavors"))
    assert imported_after(code, ops_modules) == ["tuicloud.cloud.operations.servers"]


def test_every_screen_and_widget_imports_without_the_sdk() -> None:
    code = ("import importlib, pkgutil, tuicloud.screens, tuicloud.widgets, tuicloud.cli\n"
            "for package in (tuicloud.screens, tuicloud.widgets):\n"
            "    for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
            "        importlib.import_module(info.name)")
    assert imported_after(code) == []


def test_the_command_line_checks_a_plain_clouds_yaml_without_the_sdk(sim: RunningSim) -> None:
    """`tuicloud --os-cloud simcloud` up to the app's construction: the cloud is checked in
    clouds.yaml without openstacksdk; an unknown cloud still gets the SDK's full check."""
    code = ("from tuicloud import cli\n"
            "from tuicloud.app import TuiCloudApp\n"
            "options = cli.parse_options(['--os-cloud', 'simcloud', '--view', 'servers'])\n"
            "assert cli._check_cloud(options, digest=True) is None\n"
            "TuiCloudApp(options)")
    assert imported_after(code) == []
    code = ("from tuicloud import cli\n"
            "options = cli.parse_options(['--os-cloud', 'nowhere'])\n"
            "assert 'not found in clouds.yaml' in cli._check_cloud(options, digest=True)")
    assert imported_after(code) == sorted(SDK)


def test_the_connection_imports_the_sdk(sim: RunningSim) -> None:
    code = ("from tuicloud.cloud.connection import CloudSession\n"
            "CloudSession.connect('simcloud').close()")
    assert imported_after(code) == sorted(SDK)
