"""Celery interface of the assistance app: one service call per task."""

from celery import shared_task

from assistance.services.due_dates import due_dates_refresh
from households.task_retry import RETRY_ON_DATABASE_ERRORS


@shared_task(
    name="assistance.tasks.refresh_due_dates",
    acks_late=True,
    soft_time_limit=10 * 60,
    time_limit=15 * 60,
    **RETRY_ON_DATABASE_ERRORS,
)
def refresh_due_dates() -> int:
    """After the holiday calendar changed: the open applications' due dates again (idempotent)."""
    return due_dates_refresh()
