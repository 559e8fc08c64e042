"""Build tuicloud's wheel the way pip and pipx do, from a clean copy of the source tree.

Shared by tests/project/test_wheel.py and tests/installed/check_wheel.py (`make check-wheel`).
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2]

# setuptools reuses build/lib: a stale copy there from an earlier build would put files in the
# wheel that the package-data rules no longer select (and hide the very bug this checks).
_NOT_SOURCE = shutil.ignore_patterns(
    ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", ".git", ".*_cache",
    ".hypothesis")


def clean_copy(destination: Path) -> Path:
    """Copy what the build reads (pyproject, README, the package) to ``destination``."""
    destination.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(SOURCE / name, destination / name)
    shutil.copytree(SOURCE / "tuicloud", destination / "tuicloud", ignore=_NOT_SOURCE)
    return destination


def build_wheel(work: Path, *, isolated: bool) -> Path:
    """Build the wheel in ``work`` and return its path. ``isolated``: in a fresh build
    environment from the index, as `pip install .` does; otherwise with this interpreter's
    setuptools (offline, a few seconds)."""
    if not isolated:
        needed = _build_requirement()
        found = importlib.metadata.version("setuptools")
        if int(found.split(".")[0]) < needed:
            raise RuntimeError(f"setuptools {found} here; the build needs >= {needed}: "
                               "install the dev extra (make test does)")
    source = clean_copy(work / "src")
    out = work / "dist"
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir",
               str(out), str(source)]
    if not isolated:
        command.insert(4, "--no-build-isolation")
    subprocess.run(command, check=True, stdin=subprocess.DEVNULL, timeout=600)
    wheels = sorted(out.glob("tuicloud-*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one tuicloud wheel in {out}, found {wheels}")
    return wheels[0]


def _build_requirement() -> int:
    """The major version of setuptools pyproject.toml's [build-system] asks for."""
    with (SOURCE / "pyproject.toml").open("rb") as file:
        requires = tomllib.load(file)["build-system"]["requires"]
    for requirement in requires:
        match = re.fullmatch(r"setuptools\s*>=\s*(\d+).*", requirement)
        if match:
            return int(match.group(1))
    return 0


def package_data_in_source() -> set[str]:
    """Every non-Python file the package needs at run time (.tcss stylesheets, py.typed), as
    wheel paths."""
    package = SOURCE / "tuicloud"
    found = {p for p in package.rglob("*.tcss")} | {p for p in package.rglob("py.typed")}
    return {p.relative_to(SOURCE).as_posix() for p in found}


def missing_from(wheel: Path) -> list[str]:
    """The package data files of the source tree that ``wheel`` lacks."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    return sorted(package_data_in_source() - names)
