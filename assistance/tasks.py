"""Celery interface of the assistance app: one service call per task."""

from celery import shared_task

from assistance.services.due_dates import due_dates_refresh
from assistance.services.exchanges import medical_lists_produce_monthly
from assistance.services.followups import followups_generate
from assistance.services.reviews import reviews_generate
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
    name="assistance.tasks.produce_medical_lists",
    acks_late=True,
    soft_time_limit=10 * 60,
    time_limit=15 * 60,
    **RETRY_ON_DATABASE_ERRORS,
)
def produce_medical_lists() -> int:
    """On the 1st: the previous month's lists to medical insurance (idempotent: same bytes, no new version)."""
    return medical_lists_produce_monthly(today=clock.today())


@shared_task(
    name="assistance.tasks.generate_reviews",
    acks_late=True,
    soft_time_limit=10 * 60,
    time_limit=15 * 60,
    **RETRY_ON_DATABASE_ERRORS,
)
def generate_reviews() -> dict:
    """Daily: the reviews due soon, and the grants whose 渐退期 is over end (idempotent)."""
    return reviews_generate(today=clock.today())


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
