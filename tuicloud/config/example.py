"""The commented example settings file, written on first run and by ``tuicloud --write-config``.

Lines starting with ``## `` explain; lines starting with ``# `` are settings with their default
(or an example value): remove the ``# `` to use one. (A test un-comments them all and checks the
result is a valid settings file.)
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from tuicloud.config.paths import private_dir
from tuicloud.config.settings import settings_path

__all__ = ["EXAMPLE", "ensure_example", "write_example"]

EXAMPLE = """\
## tuicloud settings (TOML). Every setting is optional; remove the "# " to use one.
## A wrong value is reported at start with its line, and that setting keeps its default;
## read_only and protected fail closed: a wrong value there counts as true.

## The view opened at start ("overview", or a resource view: servers, volumes, images,
## flavors, networks, keypairs, security-groups). Set, it wins over the view the last session
## ended on; unset, that view is restored (the overview on the very first run).
# default_view = "overview"

## A Textual theme: textual-dark, textual-light, nord, gruvbox, dracula, tokyo-night, ...
# theme = "textual-dark"

## Lines kept by the console log (l) before the oldest are dropped.
# console_log_lines = 100000

## Keep the last rows of each view (user cache dir, readable by you only; names, states and
## addresses, never a password or token) and show them at start until the cloud answers;
## with it, clouds.yaml's entries without their secrets, to start without reading YAML.
## A wrong value turns both off.
# cache = true

## Live migrations a host drain runs at once (1 to 16; a wrong value means 1).
# drain_concurrency = 2

## Uploads above this size go to Swift as static large objects, in segments of this size
## (in <container>_segments, as the swift client does); between 1MiB and 5GiB.
# large_object_threshold = "1GiB"

## Safety for every cloud (per cloud: [clouds.NAME] below).
# read_only = false      # true: refuse every call that would change any cloud
# protected = false      # true: destructive actions require typing the resource's name

## Seconds between polls, per view (--refresh on the command line overrides them all).
# [refresh]
# default = 5
# servers = 5
# volumes = 10
# images = 30
# overview = 15
# all = 15

## Columns shown per view, in this order (keys as below; the rest are hidden).
# [columns]
# servers = ["name", "status", "addresses", "flavor", "image", "age"]
# volumes = ["name", "status", "size", "attached", "age"]

## Key overrides: binding id = key(s), as in Textual's keymap. Binding ids include
## app.quit, app.command, app.help; list.filter, list.refresh, list.pause, list.command,
## list.actions, list.delete, list.create, list.ssh, list.console_log, list.all_projects;
## detail.back, detail.raw; log.search, log.follow, log.save; overview.refresh, overview.open.
# [keys]
# "list.filter" = "f"
# "list.refresh" = ["r", "ctrl+r"]

## ssh (s) user by image name (shell-style pattern, first match wins; case-insensitive).
## Otherwise: the cloud's ssh_user, the image's os_admin_user, its distribution, root.
# [ssh_users]
# "ubuntu*" = "ubuntu"
# "*rhel*" = "cloud-user"

## Per cloud (the name from clouds.yaml). These add to clouds.yaml's `tuicloud:` options:
## read_only and protected are on when either file says so; accent and ssh_user from this
## file win over clouds.yaml's.
# [clouds.production]
# accent = "#d08770"     # colour of the header and frame while on this cloud
# read_only = true       # refuse every call that would change the cloud
# protected = true       # destructive actions require typing the resource's name
# ssh_user = "admin"
"""


def write_example(path: Path | None = None, *, force: bool = False) -> Path:
    """Write the example to ``path`` (default: the settings path); FileExistsError when a file
    is there and ``force`` is False. The file is 0600, its directory 0700."""
    path = settings_path() if path is None else path
    private_dir(path.parent)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(EXAMPLE)
    return path


def ensure_example(path: Path | None = None) -> None:
    """First run: write the example when there is no settings file (failures are ignored)."""
    with contextlib.suppress(OSError):
        write_example(path)
