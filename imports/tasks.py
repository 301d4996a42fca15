"""Celery tasks of the imports app: thin wrappers around services (queue "imports")."""

from celery import shared_task

from households.task_retry import RETRY_ON_DATABASE_ERRORS
from imports import retention, services


@shared_task(
    name="imports.tasks.load_batch",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    time_limit=3600,
    soft_time_limit=3500,
    **RETRY_ON_DATABASE_ERRORS,
)
def load_batch(batch_id: int) -> dict:
    """Idempotent: a batch that ended is returned as is, one left running or failed is taken over,
    and one being loaded by another worker (its advisory lock) is left alone."""
    batch = services.batch_load(batch_id=batch_id)
    return {"batch": batch.pk, "status": batch.status}


@shared_task(time_limit=60, **RETRY_ON_DATABASE_ERRORS)
def recover_interrupted_loads() -> list[int]:
    """The periodic sweep (beat): queue the load of every batch whose loading process died.

    Two sweeps at once may queue the same batch twice; batch_load's advisory lock and its
    conditional claim let only one load run, and the other returns the batch untouched.
    """
    batch_ids = services.interrupted_batch_ids()
    for batch_id in batch_ids:
        load_batch.delay(batch_id)
    return batch_ids


@shared_task(time_limit=30 * 60, **RETRY_ON_DATABASE_ERRORS)
def raw_files_purge() -> int:
    """Nightly: delete uploaded files of batches loaded longer ago than the retention period."""
    return retention.raw_files_purge()
