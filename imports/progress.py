"""Progress of a running load, readable from any process while the load's transaction is open.

The load writes its feed rows in one transaction, so nothing it writes to the database is visible
before it commits; progress therefore goes through the cache (Redis in production).
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from imports.models import ImportBatch

PHASES = {
    "queued": _("排队等待"),
    "reading": _("读取并校验"),
    "merging": _("写入数据库"),
    "done": _("已完成"),
}


def _key(batch_id: int) -> str:
    return f"imports:progress:{batch_id}"


def report(batch_id: int, *, phase: str, rows_read: int = 0, bytes_read: int = 0) -> None:
    """Record how far the load of a batch has got (called by the loader, cheap enough per chunk)."""
    cache.set(_key(batch_id), {"phase": phase, "rows_read": rows_read, "bytes_read": bytes_read}, 3600)


@dataclass(frozen=True)
class Progress:
    phase: str
    label: str
    rows_read: int
    percent: int | None  # None when unknown

    @property
    def finished(self) -> bool:
        return self.phase == "done"


def batch_progress(batch: ImportBatch) -> Progress:
    """Where a batch's load stands: from the cache while it runs, from the batch once it ended."""
    if not batch.in_progress:
        return Progress("done", str(PHASES["done"]), batch.data_rows, 100)
    state = cache.get(_key(batch.pk)) or {"phase": "queued", "rows_read": 0, "bytes_read": 0}
    percent = None
    if batch.size_bytes and state["phase"] == "reading":
        percent = min(99, int(state["bytes_read"] * 100 / batch.size_bytes))
    elif state["phase"] == "merging":
        percent = 99
    return Progress(
        state["phase"], str(PHASES.get(state["phase"], state["phase"])), state["rows_read"], percent
    )
