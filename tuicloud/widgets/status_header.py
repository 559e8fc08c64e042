"""The header line: which cloud, project, region and user, and how fresh the current view is."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from tuicloud.model.freshness import Freshness, describe_freshness
from tuicloud.widgets.sanitize import sanitize_text


@dataclass(frozen=True)
class Identity:
    """Who and where we are connected."""

    cloud: str
    project: str = ""
    region: str = ""
    user: str = ""
    read_only: bool = False
    insecure: bool = False
    all_projects: bool = False
    accent: str | None = None  # the cloud's accent colour (the stylesheet's $cloud-accent)
    protected: bool = False  # destructive actions need the resource's name typed


class StatusHeader(Widget):
    """One line at the top of every list and detail screen."""

    DEFAULT_CSS = """
    StatusHeader { height: 1; dock: top; }
    """
    COMPONENT_CLASSES = {
        "status-header--identity", "status-header--view", "status-header--fresh",
        "status-header--stale", "status-header--warning",
    }

    identity: reactive[Identity | None] = reactive(None)
    view_title: reactive[str] = reactive("")
    summary: reactive[str] = reactive("")  # a line about the view (an account's totals)
    freshness: reactive[Freshness] = reactive(Freshness("connecting"))

    def on_mount(self) -> None:
        """Tick once a second so "updated N s ago" stays true."""
        self.set_interval(1.0, self.refresh)

    def render(self) -> Text:
        """cloud / project / region / user │ view (count) │ freshness."""
        line = Text(no_wrap=True, overflow="ellipsis")
        identity = self.identity
        style = self.get_component_rich_style
        if identity is None:
            line.append(" tuicloud ", style("status-header--identity"))
        else:
            parts = [identity.cloud, identity.project or "-", identity.region or "-",
                     identity.user or "-"]
            line.append(" " + sanitize_text(" / ".join(parts)) + " ",
                        style("status-header--identity"))
            if identity.all_projects:
                line.append(" ALL PROJECTS ", style("status-header--warning"))
            if identity.read_only:
                line.append(" READ-ONLY ", style("status-header--warning"))
            elif identity.protected:
                line.append(" PROTECTED ", style("status-header--warning"))
            if identity.insecure:
                line.append(" TLS NOT VERIFIED ", style("status-header--warning"))
        fresh = self.freshness
        if self.view_title:
            count = ""
            if fresh.count is not None:
                count = f" {fresh.visible if fresh.visible is not None else fresh.count:,}"
                if fresh.visible is not None and fresh.visible != fresh.count:
                    count += f"/{fresh.count:,}"
                if fresh.more:  # more below, read as the cursor gets there
                    count += "+"
            line.append(f" {self.view_title}{count} ", style("status-header--view"))
        status = describe_freshness(fresh)
        if status:
            bad = fresh.state in ("stale", "unavailable")
            line.append(" " + sanitize_text(status) + " ",
                        style("status-header--stale" if bad else "status-header--fresh"))
        if self.view_title and self.summary:  # last: a narrow terminal cuts it, not the rest
            line.append(f" {sanitize_text(self.summary, max_len=120)}",
                        style("status-header--fresh"))
        return line
