"""Celery interface of the assistance app: one service call per task."""

from celery import shared_task

from assistance.services.due_dates import due_dates_refresh
from assistance.services.followups import followups_generate
from households import clock
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


@shared_task(
    name="assistance.tasks.generate_followups",
    acks_late=True,
    soft_time_limit=10 * 60,
    time_limit=15 * 60,
    **RETRY_ON_DATABASE_ERRORS,
)
def generate_followups() -> dict[str, int]:
    """Daily: the follow-ups due after paid one-off payments and on visits' dates (idempotent)."""
    return followups_generate(today=clock.today())
