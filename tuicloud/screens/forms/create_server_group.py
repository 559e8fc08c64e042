"""`c` on the server groups view: a new group with its policy (and, for anti-affinity, how
many of its servers one host may take)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual import work
from textual.widget import Widget
from textual.widgets import Input, Select

from tuicloud.cloud.operations.server_groups import (
    POLICIES,
    RULES_MICROVERSION,
    ServerGroupSpec,
    create_server_group,
    policies_offered,
    server_group_command,
    validate_max_per_host,
)
from tuicloud.screens.forms.base import Created, FormScreen, field_row
from tuicloud.screens.host import connected

__all__ = ["CREATE_FORM", "CreateServerGroupForm"]


class CreateServerGroupForm(FormScreen):
    """Name, policy, and the anti-affinity rule ``max_server_per_host`` (compute 2.64+)."""

    FORM_TITLE = "Create server group"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [
        (r"quota|server.?groups", "name"),
        (r"polic", "policy"),
        (r"rules|max_server_per_host", "max_per_host"),
        (r"name", "name"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._offered: tuple[str, ...] = POLICIES
        self._rules = True  # until the microversion is known; validate() rechecks after

    def fields(self) -> Iterable[Widget]:
        """The rows."""
        yield field_row("Name", Input(placeholder="e.g. web-anti-affinity"), "name")
        yield field_row("Policy", Select([(p, p) for p in POLICIES], value="anti-affinity",
                                         allow_blank=False), "policy")
        yield field_row("Max per host", Input(type="integer", placeholder="(no limit)"),
                        "max_per_host", hint="anti-affinity only: servers of the group per host")

    def on_mount(self) -> None:
        """Ask which policies and rules this cloud's compute API takes."""
        super().on_mount()
        self._load_worker()

    @work(thread=True, exclusive=True, group="form-load", exit_on_error=False)
    def _load_worker(self) -> None:
        session = self.tui.session
        if session is None:
            return
        offered = policies_offered(session)
        rules = session.supports_microversion("compute", RULES_MICROVERSION)
        self.app.call_from_thread(self._loaded, offered, rules)

    def _loaded(self, offered: tuple[str, ...], rules: bool) -> None:
        self._offered, self._rules = offered, rules
        policy = self.rows()["policy"].widget
        assert isinstance(policy, Select)
        if offered != POLICIES:
            with policy.prevent(Select.Changed):
                policy.set_options([(p, p) for p in offered])
                policy.value = "anti-affinity"
        if not rules:
            self.rows()["max_per_host"].set_hint(
                f"needs compute {RULES_MICROVERSION}; this cloud is older")
        self.loading_settled()

    def _spec(self, values: dict[str, Any]) -> tuple[ServerGroupSpec, dict[str, str]]:
        from tuicloud.cloud.create import validate_name

        problems: dict[str, str] = {}
        name = str(values.get("name") or "")
        policy = str(values.get("policy") or "anti-affinity")
        name_problem = validate_name(name)
        if name_problem:
            problems["name"] = name_problem
        if policy not in self._offered:
            problems["policy"] = f"this cloud offers {', '.join(self._offered)}"
        limit, limit_problem = validate_max_per_host(str(values.get("max_per_host") or ""),
                                                     policy, rules=self._rules)
        if limit_problem:
            problems["max_per_host"] = limit_problem
        return ServerGroupSpec(name=name, policy=policy, max_per_host=limit), problems

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """A name as Nova takes it, a policy the cloud offers, a whole maximum per host."""
        return self._spec(values)[1]

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack server group create ...``."""
        spec, problems = self._spec(values)
        return server_group_command(spec) if spec.name and not problems else None

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Create it."""
        spec = self._spec(values)[0]
        return spec.name, create_server_group(connected(self.tui.session), spec)

    def submitted(self, result: Any) -> None:
        """Close and show the new group in the list."""
        name, ident = result
        self.app.notify(f"Created server group {name}")
        self.dismiss(Created((ident,) if ident else ()))


CREATE_FORM = CreateServerGroupForm
