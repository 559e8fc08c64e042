"""The built wheel carries every stylesheet: a screen whose .tcss is missing raises
StylesheetError when it opens, and the editable install of the other tests never notices."""

from __future__ import annotations

from pathlib import Path

from tests.installed.wheel_build import build_wheel, missing_from, package_data_in_source


def test_the_source_tree_has_stylesheets_below_the_top_package() -> None:
    # Guards the next test against passing vacuously if the layout changes.
    data = package_data_in_source()
    assert "tuicloud/tuicloud.tcss" in data
    assert "tuicloud/screens/ops.tcss" in data
    assert "tuicloud/screens/forms/forms.tcss" in data
    assert "tuicloud/py.typed" in data


def test_the_wheel_ships_every_tcss_and_py_typed(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path, isolated=False)
    assert missing_from(wheel) == []
