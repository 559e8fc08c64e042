"""An operation on an existing resource, described as data.

An :class:`Operation` says when it can run (``unavailable``), what it needs from the user
(``needs``), the status to show at once (``transitional``), how to run it (``run``, which only
sends through :meth:`CloudSession.request` with a description, so a read-only session refuses it
before sending) and the equivalent ``openstack`` command (``cli``). Screens never build requests.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

Raw = dict[str, Any]
Unavailable = Callable[[Raw], "str | None"]
Runner = Callable[["CloudSession", Raw, str | None], None]
Cli = Callable[[Raw, str | None], list[str]]


@dataclass(frozen=True)
class Choice:
    """One entry of a picker: the value passed to ``run``/``cli`` and what the user reads."""

    value: str
    label: str
    disabled: str | None = None  # why it cannot be picked ("too small for the image")


@dataclass(frozen=True)
class Needs:
    """The one input an operation asks for before it runs.

    ``choices`` (run in a worker) makes it a picker; otherwise it is a text prompt checked by
    ``validate`` (an error message, or None when the text is fine). ``placeholder`` stands for
    the value in the command shown before it is chosen.
    """

    prompt: str
    placeholder: str
    choices: Callable[[CloudSession, Raw], list[Choice]] | None = None
    validate: Callable[[Raw, str], str | None] | None = None
    default: Callable[[Raw], str] | None = None
    secret: bool = False
    """A password: typed twice, masked; the command shows a prompt for it, never the text."""


@dataclass(frozen=True)
class Operation:
    """An action on one resource of ``kind`` (see the module docstring)."""

    id: str
    kind: str  # the kind's name (see cloud/kinds)
    label: str
    unavailable: Unavailable
    run: Runner
    cli: Cli
    key: str | None = None  # a direct key on the list view
    destructive: bool = False  # ask for confirmation (and the name on protected clouds)
    needs: Needs | None = None
    transitional: str | None = None  # a status, or a server task, shown at once
    deletes: bool = False  # following ends when the resource is gone (404)
    keywords: tuple[str, ...] = field(default=())  # extra words the menu's filter matches
    single: bool = False  # one resource at a time (its input depends on that resource)
    # Following goes on until this holds as well as the kind's resting state: Nova answers
    # confirmResize with 204 and keeps VERIFY_RESIZE, with no task, until compute finishes.
    until: Callable[[Raw], bool] | None = None
    admin_only: bool = False  # offered only to a token with the admin role (Nova's policy)
    # How the confirmation names one resource, when its name alone would hide what goes with
    # it (a container's objects and bytes).
    describe: Callable[[Raw], str] | None = None
    # A workflow with its own screen (the drain of a host): once confirmed, the screen of
    # this name opens with the resource and the input, and does the work; ``run`` is unused.
    opens: str | None = None

    def shown_status(self, raw: Raw) -> str | None:
        """The status cell to show at once: a Nova status ("REBOOT") as is; a server's task
        ("powering-off") after its current status, as the table shows tasks."""
        text = self.transitional
        if text is None or self.kind != "servers" or text.isupper():
            return text
        return f"{str(raw.get('status') or 'UNKNOWN').upper()} ({text})"

    def command(self, raw: Raw, value: str | None = None) -> str:
        """The equivalent ``openstack`` command line, quoted for a shell."""
        if value is None and self.needs is not None:
            value = self.needs.placeholder
        return shlex.join(self.cli(raw, value))


def always_available(raw: Raw) -> str | None:
    """For operations that can run in any state (Neutron and Nova say no where they must)."""
    return None


def always_settled(raw: Raw) -> bool:
    """For kinds without transitional states: every state is a resting one."""
    return True


@dataclass(frozen=True)
class KindOperations:
    """What one kind declares for its actions: the operations (menu order), the word for one
    resource, and when a followed resource is at rest. One per module in this package."""

    kind: str
    singular: str
    operations: tuple[Operation, ...]
    settled: Callable[[Raw], bool] = always_settled


# -- helpers for the kind modules -----------------------------------------------------------------
def name_of(raw: Raw) -> str:
    """The resource's name, or its address (a floating IP) or its id when it has none."""
    return str(raw.get("name") or raw.get("floating_ip_address") or raw.get("id") or "")


def rid(raw: Raw) -> str:
    """The resource's id."""
    return str(raw.get("id") or "")


def require(value: str | None, what: str) -> str:
    """The input value, which must have been given."""
    if value is None or not value.strip():
        raise ValueError(f"{what} is required")
    return value.strip()


def check_name(raw: Raw, text: str) -> str | None:
    """A resource name: not empty, not only spaces, at most 255 characters."""
    if not text.strip():
        return "a name is required"
    if len(text) > 255:
        return "at most 255 characters"
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        return "no control characters"
    return None
