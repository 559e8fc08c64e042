"""Deleting objects from a container's view: the marked objects (or the one under the
cursor; a folder means every object under it), named with how many and how big before
anything goes. Enter deletes, with progress; escape cancels between batches; what failed is
named and stays to try again."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from tuicloud.cloud.kinds.base import format_bytes
from tuicloud.screens.forms.base import Created, field_row
from tuicloud.screens.forms.object_transfer import _TransferForm
from tuicloud.screens.host import connected
from tuicloud.widgets.sanitize import sanitize_text

__all__ = ["DeleteObjectsForm"]


class DeleteObjectsForm(_TransferForm):
    """Delete these objects of ``container`` (large ones with their segments)."""

    FORM_TITLE = "Delete objects"
    SUBMIT_LABEL = "Delete"
    VERB = "Deleting"
    ERROR_FIELDS: ClassVar[list[tuple[str, str]]] = []

    def __init__(self, container: str, names: list[str], *, large: set[str],
                 size: int) -> None:
        super().__init__()
        self.container = container
        self.names = list(names)
        self.large = set(large)
        self.total_bytes = size

    def describe(self) -> str:
        """"3 objects (12 KB) and the folder logs/, 1 a large object with its segments"."""
        folders = [n for n in self.names if n.endswith("/")]
        objects = len(self.names) - len(folders)
        parts = []
        if objects:
            parts.append(f"{objects:,} object{'s' if objects != 1 else ''} "
                         f"({format_bytes(self.total_bytes)})")
        if folders:
            shown = ", ".join(folders[:3]) + (f" and {len(folders) - 3} more"
                                             if len(folders) > 3 else "")
            parts.append(f"every object under {shown}")
        text = " and ".join(parts)
        if self.large:
            text += f"; {len(self.large)} large, with their segments"
        return text

    def fields(self) -> Iterable[Widget]:
        """What goes: counted, sized and named (the first few)."""
        names = ", ".join(self.names[:5]) + (f" and {len(self.names) - 5} more"
                                            if len(self.names) > 5 else "")
        yield field_row("Delete", Static(Text(sanitize_text(self.describe(), max_len=300))),
                        "what", hint=sanitize_text(f"in {self.container}: {names}",
                                                   max_len=300))

    def validate(self, values: dict[str, Any]) -> dict[str, str]:
        """Nothing to type."""
        return {}

    def command(self, values: dict[str, Any]) -> list[str] | None:
        """``openstack object delete`` (``swift delete`` with large objects or folders)."""
        from tuicloud.cloud.bulk_delete import objects_delete_command

        folders = [n for n in self.names if n.endswith("/")]
        if folders:
            return ["swift", "delete", "--prefix", folders[0], self.container]
        return objects_delete_command(self.container, self.names, large=bool(self.large))

    def submit_blocking(self, values: dict[str, Any]) -> Any:
        """Folders become the objects under them; then delete, bulk where offered."""
        from tuicloud.cloud.bulk_delete import delete_objects
        from tuicloud.cloud.object_transfer import list_objects

        session = connected(self.tui.session)
        names: list[str] = []
        large = set(self.large)
        for name in self.names:
            if not name.endswith("/"):
                names.append(name)
                continue
            for item in list_objects(session, self.container, name):
                names.append(str(item["name"]))
                if item.get("slo_etag"):
                    large.add(str(item["name"]))
        return delete_objects(session, self.container, names, large=large,
                              on_progress=self.reporter(), cancel=self._cancel)

    def submitted(self, result: Any) -> None:
        """All gone: close. Some failed: name them; enter tries those again."""
        from tuicloud.cloud.bulk_delete import DeleteOutcome

        outcome: DeleteOutcome = result
        if outcome.failed:
            self.query_one("#form-progress").add_class("-hidden")
            failed = [name for name, _why in outcome.failed]
            self.large &= set(failed)
            self.names = failed
            self.set_message(sanitize_text(f"{outcome.summary()}. Enter tries the failed "
                                           "ones again.", max_len=600), error=True)
            return
        self.app.notify(f"Deleted {outcome.deleted:,} object"
                        f"{'s' if outcome.deleted != 1 else ''} from {self.container}",
                        markup=False)
        self.dismiss(Created(()))
