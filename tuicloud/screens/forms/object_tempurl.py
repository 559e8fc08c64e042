"""`t` on a container's objects: a temporary URL for the object, with an expiry the user
picks, copied to the clipboard (OSC 52). When the account has no temp-URL key, one is set only
after a confirmation. The URL is never shown whole, logged or kept: only the clipboard gets it."""

from __future__ import annotations

import shlex
import time
from collections.abc import Iterable
from typing import Any, ClassVar

from textual.widget import Widget
from textual.widgets import Select

from tuicloud.screens.forms.base import AskScreen, FormScreen, field_row
from tuicloud.screens.host import connected

__all__ = ["TempUrlForm"]

CHOICES = (("1 hour", "1h"), ("1 day", "1d"), ("7 days", "7d"), ("30 days", "30d"))


class _NeedsKey:
    """The account has no key: ask before setting one."""


class TempUrlForm(FormScreen):
    """How long the URL works."""

    FORM_TITLE = "Temporary URL"
    SUBMIT_LABEL = "Copy URL"
    MUTATES = False  # signing only reads; setting a key is refused by the cloud layer
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = [(r".", "expiry")]

    def __init__(self, container: str, name: str) -> None:
        super().__init__()
        self.container = container
        self.object_name = name
        self._set_key = False
        self.digest = "sha256"
        self.endpoint = ""

    def fields(self) -> Iterable[Widget]:
        """The expiry."""
        yield field_row("Valid for", Select(CHOICES, value="1d", allow_blank=False), "expiry",
                        hint=f"anyone with the URL may read {self.container}/"
                             f"{self.object_name} until then")

    def _seconds(self, values: dict[str, Any]) -> int | None:
        from tuicloud.cloud.temp_url import parse_expiry

        return parse_expiry(str(values.get("expiry") or ""))

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """An expiry."""
        return {} if self._seconds(values) else {"expiry": "pick how long the URL works"}

    def command_text(self, values: dict[str, Any]) -> str | None:
        """``swift tempurl …`` with the key as ``$TEMP_URL_KEY`` (never the key itself);
        setting a key first when the account has none."""
        from tuicloud.cloud.temp_url import temp_url_command

        seconds = self._seconds(values)
        if seconds is None:
            return None
        argv = temp_url_command(self.endpoint or self._endpoint(), self.container,
                                self.object_name, seconds, self.digest)
        text = shlex.join(argv[:-1]) + ' "$TEMP_URL_KEY"'
        if self._set_key:
            text = ("openstack object store account set --property "
                    'Temp-URL-Key="$TEMP_URL_KEY" && ' + text)
        return text

    def _endpoint(self) -> str:
        session = self.tui.session
        try:
            return (session.endpoint("object-store") or "") if session is not None else ""
        except Exception:  # noqa: BLE001 - only the command line's path depends on it
            return ""

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Read the key and digest; set a key when agreed; sign."""
        from tuicloud.cloud.temp_url import make_temp_url, set_temp_url_key, temp_url_setup

        session = connected(self.tui.session)
        setup = temp_url_setup(session)
        self.endpoint, self.digest = setup.endpoint, setup.digest
        key = setup.key
        if key is None:
            if not self._set_key:
                return _NeedsKey()
            key = set_temp_url_key(session)
        seconds = self._seconds(values) or 3600
        return make_temp_url(setup, self.container, self.object_name, seconds, key=key), seconds

    def submitted(self, result: Any) -> None:
        """Ask about the key, or copy the URL and close."""
        if isinstance(result, _NeedsKey):
            def answered(yes: bool | None) -> None:
                if yes:
                    self._set_key = True
                    self.refresh_derived()
                    self.action_submit()
                else:
                    self.set_message("No URL: the account has no temporary URL key.",
                                     error=True)

            self.app.push_screen(AskScreen(
                "This account has no temporary URL key. Set a new random one? Anyone with a "
                "URL signed with it can read that object until it expires.  y / n"), answered)
            return
        url, seconds = result
        self.app.copy_to_clipboard(url)
        until = time.strftime("%Y-%m-%d %H:%M", time.localtime(time.time() + seconds))
        self.dismiss(None)
        self.app.notify(f"Copied a temporary URL for {self.object_name} ({self.digest}, valid "
                        f"until {until}) to the clipboard", markup=False)
