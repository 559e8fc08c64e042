"""Every third-party module imported directly is declared in pyproject.toml: what tuicloud/
imports in the run-time dependencies (simcloud ships in the package and runs with --demo),
what tests/ and bench/ import in those or the test/dev extras. An undeclared import works in
the dev venv only because something else pulled it in, and breaks the day that changes."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
LOCAL = {"tuicloud", "tests", "bench"}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _names(requirements: list[str]) -> set[str]:
    return {_normal(re.split(r"[\s<>=!~;\[(]", r, maxsplit=1)[0]) for r in requirements}


def top_level_imports(folder: Path) -> dict[str, str]:
    """Absolute imports in every .py under ``folder``: top-level module -> a file using it."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                found.setdefault(module.partition(".")[0], str(path.relative_to(ROOT)))
    return found


def undeclared(folders: list[str], declared: set[str]) -> list[str]:
    """Third-party modules imported under ``folders`` whose distribution is not declared."""
    providers = importlib.metadata.packages_distributions()
    problems = []
    for module, where in sorted(
            {m: w for f in folders for m, w in top_level_imports(ROOT / f).items()}.items()):
        if module in sys.stdlib_module_names or module in LOCAL or module == "__future__":
            continue
        distributions = {_normal(d) for d in providers.get(module, [])}
        if not distributions & declared:
            problems.append(f"{module} (imported in {where}; provided by "
                            f"{sorted(distributions) or 'nothing installed'})")
    return problems


def project() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return dict(tomllib.load(file)["project"])


def test_every_module_tuicloud_imports_is_a_run_time_dependency() -> None:
    runtime = _names(project()["dependencies"])
    assert undeclared(["tuicloud"], runtime) == []


def test_every_module_the_tests_and_benchmarks_import_is_declared() -> None:
    meta = project()
    declared = _names(meta["dependencies"])
    for requirements in meta["optional-dependencies"].values():
        declared |= _names(requirements)
    assert undeclared(["tests", "bench"], declared) == []


def test_the_scan_sees_imports_inside_functions() -> None:
    # simcloud imports cryptography inside a function; a scan of top-level lines only would
    # have passed it by.
    assert "cryptography" in top_level_imports(ROOT / "tuicloud" / "simcloud")
