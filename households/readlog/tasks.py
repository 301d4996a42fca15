from celery import shared_task

from households.readlog import services


@shared_task(time_limit=30 * 60)
def read_log_purge() -> int:
    """Nightly: delete read-log entries past the retention period (idempotent)."""
    return services.entries_purge()
