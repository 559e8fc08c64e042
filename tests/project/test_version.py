"""`tuicloud --version` prints the installed distribution's version, and that version has one
source: pyproject.toml reads it from tuicloud.__version__."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import tomllib
from pathlib import Path

from tuicloud import __version__

ROOT = Path(__file__).resolve().parents[2]


def test_the_installed_command_prints_the_package_metadata_version(tmp_path: Path) -> None:
    command = Path(sys.executable).parent / "tuicloud"
    result = subprocess.run([str(command), "--version"], capture_output=True, text=True,
                            cwd=tmp_path, stdin=subprocess.DEVNULL, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"tuicloud {importlib.metadata.version('tuicloud')}\n"


def test_the_version_has_one_source() -> None:
    with (ROOT / "pyproject.toml").open("rb") as file:
        pyproject = tomllib.load(file)
    assert "version" not in pyproject["project"]
    assert "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "tuicloud.__version__"}
    assert importlib.metadata.version("tuicloud") == __version__
