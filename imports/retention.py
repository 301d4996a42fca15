"""Uploaded raw files are kept only as long as they may be needed: deleted once loaded and old.

A batch that ended (succeeded, or the file was rejected) more than RAW_FILE_RETENTION_DAYS ago
loses its stored file; its SHA-256, counts and rejected rows stay, so its page and report still
work and the same bytes sent again are still recognised. Pending, running and failed batches keep
their file: they may be loaded (again).
"""

from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q

from households import clock
from imports.models import BatchStatus, ImportBatch


@transaction.atomic
def raw_files_purge(*, days: int | None = None) -> int:
    """Delete the stored files of batches loaded more than `days` ago; the number of batches.

    One query finds the batches (locked, so two runs do not race), the files are unlinked, one
    UPDATE records it. A file unlinked before the UPDATE failed is simply missing next time (no
    error); a batch is never marked deleted while its file is still there.
    """
    days = settings.RAW_FILE_RETENTION_DAYS if days is None else days
    now = clock.now()
    cutoff = now - timedelta(days=days)
    ended = Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    due = list(
        ImportBatch.objects.select_for_update(skip_locked=True)
        .filter(ended, status__in=(BatchStatus.SUCCEEDED, BatchStatus.REJECTED), file_deleted_at__isnull=True)
        .exclude(file="")
        .values_list("pk", "file")
    )
    for _pk, name in due:
        default_storage.delete(name)
    return ImportBatch.objects.filter(pk__in=[pk for pk, _name in due]).update(file="", file_deleted_at=now)
