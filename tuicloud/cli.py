"""Command line: parse flags, resolve the cloud the way the `openstack` CLI does, start the app."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import TYPE_CHECKING

from tuicloud import __version__
from tuicloud.options import Options, demo_cloud

if TYPE_CHECKING:
    from tuicloud.config import Settings

__all__ = ["Options", "build_parser", "demo_cloud", "main", "parse_options"]


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from exc
    if not 0.5 <= value <= 3600:
        raise argparse.ArgumentTypeError("must be between 0.5 and 3600 seconds")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from exc
    if not 0 <= value <= 50000:
        raise argparse.ArgumentTypeError("must be between 0 and 50000")
    return value


def installed_version() -> str:
    """The installed distribution's version (what pip and pipx report); the source tree's
    when run from a checkout that was never installed."""
    import importlib.metadata  # 15 ms at every start: only `--version` needs it

    try:
        return importlib.metadata.version("tuicloud")
    except importlib.metadata.PackageNotFoundError:
        return __version__


class _VersionAction(argparse.Action):
    """`--version`: the version is looked up only when asked for (see installed_version)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:  # noqa: A002
        super().__init__(option_strings, dest=dest, default=default, nargs=0,
                         help=help or "show program's version number and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print(f"tuicloud {installed_version()}")  # on stdout, as argparse's own action does
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """tuicloud's flags; cloud selection mirrors the `openstack` CLI's."""
    parser = argparse.ArgumentParser(
        prog="tuicloud",
        description="A keyboard-first terminal console for OpenStack.",
        epilog="Clouds come from clouds.yaml (OS_CLIENT_CONFIG_FILE, ./clouds.yaml, "
               "~/.config/openstack/, /etc/openstack/) or OS_* variables, as for the "
               "openstack CLI.")
    parser.add_argument("--os-cloud", metavar="NAME", default=os.environ.get("OS_CLOUD") or None,
                        help="cloud name from clouds.yaml (default: $OS_CLOUD)")
    parser.add_argument("--os-region-name", "--region", metavar="REGION",
                        default=os.environ.get("OS_REGION_NAME") or None,
                        help="region (default: $OS_REGION_NAME or the cloud's)")
    parser.add_argument("--os-project-name", metavar="NAME", default=None,
                        help="project to scope to (default: the last one used on this cloud, "
                             "else the cloud's)")
    parser.add_argument("--read-only", action="store_true",
                        help="refuse every call that would change the cloud")
    parser.add_argument("--all-projects", action="store_true",
                        help="admins: list every project's resources")
    parser.add_argument("--refresh", type=_positive_float, default=None, metavar="SECONDS",
                        help="seconds between polls of every view (default: the settings "
                             "file's [refresh], else 5)")
    parser.add_argument("--view", default="", metavar="VIEW",
                        help="view to open first: overview, servers, volumes, images, ..., "
                             "all (every cloud's servers); default: the settings file's "
                             "default_view, else the last session's view, else overview")
    parser.add_argument("--demo", action="store_true",
                        help="run against simcloud, a simulated OpenStack started in-process")
    parser.add_argument("--demo-servers", type=_count, default=200, metavar="N",
                        help="servers in the demo cloud (default 200)")
    parser.add_argument("--debug", action="store_true",
                        help="verbose log in the user log dir (never passwords or tokens)")
    parser.add_argument("--write-config", action="store_true",
                        help="write a commented example settings file, print its path and exit")
    parser.add_argument("--force", action="store_true",
                        help="with --write-config: overwrite an existing settings file")
    parser.add_argument("--version", action=_VersionAction)
    return parser


def parse_options(argv: list[str] | None = None) -> Options:
    """Parse argv into Options (argparse exits with status 2 on bad flags)."""
    args = build_parser().parse_args(argv)
    return Options(cloud=args.os_cloud, region=args.os_region_name, read_only=args.read_only,
                   all_projects=args.all_projects, refresh=args.refresh, demo=args.demo,
                   demo_servers=args.demo_servers, view=args.view, debug=args.debug,
                   project=args.os_project_name, write_config=args.write_config,
                   force=args.force)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `tuicloud` command."""
    options = parse_options(argv)
    if options.write_config:
        return _write_config(options.force)
    from tuicloud.cloud.kinds.registry import kind_for

    try:
        if options.view and options.view.lower() not in ("overview", "all"):
            kind_for(options.view)
    except KeyError as error:
        print(f"tuicloud: {error.args[0]}, overview, all", file=sys.stderr)
        return 2
    if options.demo:
        with demo_cloud(options.demo_servers) as cloud_name:
            options.cloud = cloud_name
            return _run(options)
    from tuicloud.config import load_settings

    settings = load_settings()
    problem = _check_cloud(options, digest=settings.cache)
    if problem:
        for settings_problem in settings.problems:  # the TUI will not open to show them
            print(f"tuicloud: {settings_problem}", file=sys.stderr)
        print(f"tuicloud: {problem}", file=sys.stderr)
        return 2
    return _run(options, settings)


def _write_config(force: bool) -> int:
    """`--write-config`: the commented example at the settings path (never over a file)."""
    from tuicloud.config.example import EXAMPLE, write_example
    from tuicloud.config.settings import settings_path

    path = settings_path()
    try:
        write_example(path, force=force)
    except FileExistsError:
        # The first run writes the example: that file is the one asked for, not a conflict.
        with contextlib.suppress(OSError, UnicodeDecodeError):
            if path.read_text(encoding="utf-8") == EXAMPLE:
                print(path)
                return 0
        print(f"tuicloud: {path} exists and has your changes; add --force to overwrite it",
              file=sys.stderr)
        return 1
    except OSError as error:
        print(f"tuicloud: cannot write {path}: {error.strerror or error}", file=sys.stderr)
        return 1
    print(path)
    return 0


def _check_cloud(options: Options, *, digest: bool) -> str | None:
    """Fail fast, before the screen opens, on an unknown cloud or an unreadable clouds.yaml
    (``digest``: clouds.yaml may be read from its digest, see config/clouds_guess.py)."""
    from tuicloud.config.clouds_guess import plain_cloud_names

    override = os.environ.get("OS_CLIENT_CONFIG_FILE")
    if override and not os.path.isfile(override):
        # openstacksdk would quietly read ./clouds.yaml or ~/.config/openstack instead: the
        # user asked for this file, and another cloud than the one meant is worse than none.
        return (f"OS_CLIENT_CONFIG_FILE={override}: no such file; fix the path or unset it "
                "to use the usual clouds.yaml locations")
    plain = plain_cloud_names(digest=digest)  # a plain clouds.yaml: no openstacksdk yet
    if plain is not None and (options.cloud is None or options.cloud in plain):
        return None
    from tuicloud.cloud.config import cloud_names
    from tuicloud.cloud.errors import CloudError

    try:
        names = cloud_names()
    except CloudError as error:
        return str(error)
    if options.cloud and options.cloud not in names and options.cloud != "envvars":
        known = ", ".join(names) if names else "none"
        return (f"cloud '{options.cloud}' not found in clouds.yaml (known: {known}); "
                "see `tuicloud --help` for where clouds.yaml is read from")
    return None


def _run(options: Options, settings: Settings | None = None) -> int:
    import logging

    from tuicloud.app import TuiCloudApp
    from tuicloud.config.example import ensure_example
    from tuicloud.config.logs import setup_logging
    from tuicloud.gc_tuning import tune_gc

    setup_logging(logging.DEBUG if options.debug else logging.INFO)
    ensure_example()  # first run: a commented settings file to start from
    tune_gc()  # full collections at 10,000 rows stalled keys; see gc_tuning.py
    app = TuiCloudApp(options, settings)
    app.run()
    if app.fatal_error:
        from tuicloud.widgets.sanitize import sanitize_text

        # Printed on the user's terminal after the app left it: the text may come from the
        # cloud, so no escape sequence gets through.
        print(f"tuicloud: {sanitize_text(app.fatal_error)}", file=sys.stderr)
        return app.return_code or 1
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
