"""Celery tasks of the imports app: thin wrappers around services."""

from celery import shared_task

from imports import retention, services


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=3600, soft_time_limit=3500)
def load_batch(batch_id: int) -> dict:
    batch = services.batch_load(batch_id=batch_id)
    return {"batch": batch.pk, "status": batch.status}


@shared_task(time_limit=30 * 60)
def raw_files_purge() -> int:
    """Nightly: delete uploaded files of batches loaded longer ago than the retention period."""
    return retention.raw_files_purge()
