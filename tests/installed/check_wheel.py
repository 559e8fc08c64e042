"""`make check-wheel`: build the wheel, install it into a fresh venv, and run the installed
product from a folder outside the source tree (so the checkout cannot be imported by accident):
`tuicloud --version`, then smoke_installed.py with the venv's python.

Usage: python tests/installed/check_wheel.py [--wheel FILE] [--keep]
Exit status 0 when every stage passed; the first failing stage's status otherwise.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script by make
from tests.installed.wheel_build import SOURCE, build_wheel, missing_from  # noqa: E402

SMOKE = Path(__file__).resolve().parent / "smoke_installed.py"


@contextmanager
def stage(name: str) -> Iterator[None]:
    start = time.monotonic()
    print(f"== {name}", flush=True)
    try:
        yield
    finally:
        print(f"== {name}: {time.monotonic() - start:.1f} s", flush=True)


def run(command: list[str], *, cwd: Path, env: dict[str, str], timeout: float) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                            check=False)
    print(result.stdout, end="", flush=True)
    if result.returncode != 0:
        raise SystemExit(f"check-wheel: {' '.join(command)} exited {result.returncode}")
    return result.stdout


def outside_env() -> dict[str, str]:
    """The caller's environment without anything that would reach the checkout (PYTHONPATH,
    an activated venv) or a cloud (OS_*); the smoke test sets its own XDG folders."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("PYTHON", "OS_", "VIRTUAL_ENV"))}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="check this wheel instead of building one")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tuicloud-check-wheel-")).resolve()
    outside = work / "outside"
    outside.mkdir()
    if SOURCE == outside or SOURCE in outside.parents:
        raise SystemExit(f"check-wheel: {outside} is inside the source tree {SOURCE}")
    env = outside_env()
    try:
        if args.wheel:
            wheel = args.wheel.resolve()
        else:
            with stage("build the wheel (isolated, as pip and pipx do)"):
                wheel = build_wheel(work / "build", isolated=True)
        with zipfile.ZipFile(wheel) as archive:
            data = sorted(n for n in archive.namelist() if n.endswith((".tcss", "py.typed")))
        print(f"wheel: {wheel.name}; package data: {data}")
        missing = missing_from(wheel)
        if missing:
            # Not fatal yet: the smoke test below shows what users would hit.
            print(f"WARNING: the wheel lacks {missing}", flush=True)
        target = work / "venv"
        python = target / "bin" / "python"
        with stage("install the wheel into a fresh venv"):
            venv.create(target, with_pip=True, clear=True)
            run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                 str(wheel)], cwd=outside, env=env, timeout=1200)
        with stage("installed tuicloud --version"):
            shown = run([str(target / "bin" / "tuicloud"), "--version"], cwd=outside, env=env,
                        timeout=120).strip()
            version = wheel.name.split("-")[1]
            if shown != f"tuicloud {version}":
                raise SystemExit(f"check-wheel: --version printed {shown!r}; the wheel is "
                                 f"{version}")
        with stage("smoke test of the installed app on simcloud"):
            script = outside / SMOKE.name  # a copy: sys.path[0] must not be in the checkout
            shutil.copy2(SMOKE, script)
            run([str(python), str(script)], cwd=outside, env=env, timeout=900)
        if missing:
            raise SystemExit(f"check-wheel: the wheel lacks {missing}")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("check-wheel: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
