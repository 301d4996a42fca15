from celery import shared_task

from households.readlog import services
from households.task_retry import RETRY_ON_DATABASE_ERRORS


@shared_task(time_limit=30 * 60, **RETRY_ON_DATABASE_ERRORS)
def read_log_purge() -> int:
    """Nightly: delete read-log entries past the retention period (idempotent)."""
    return services.entries_purge()
