"""Writes of the imports app: submitting a department file and loading it."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Value, When
from django.utils.translation import gettext as _

from households import clock
from imports import progress
from imports.departments import CATEGORY_DEPARTMENT
from imports.loading import FileRejected, limits, load_file
from imports.models import BatchStatus, Department, FeedCategory, ImportBatch

LOAD_LOCK_CLASS = 7301  # first key of the session advisory lock held while a batch loads
LIVE_STATUSES = (BatchStatus.PENDING, BatchStatus.RUNNING, BatchStatus.SUCCEEDED)


@dataclass(frozen=True)
class Submission:
    batch: ImportBatch
    # True when the same bytes of the same category were submitted before: `batch` is that earlier
    # batch and nothing was created or changed.
    resubmitted: bool
    # True when that earlier batch was left loading by a process that died: it is loaded again
    # (queued, with `start`; the command loads it itself).
    interrupted: bool = False


def _sha256_and_size(fileobj) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(1 << 20), b""):
        digest.update(chunk)
        size += len(chunk)
    fileobj.seek(0)
    return digest.hexdigest(), size


def batch_submit(*, category: str, fileobj, file_name: str, user=None, start: bool = True) -> Submission:
    """Store an uploaded file as a new pending batch and (with `start`) queue its load after commit.

    The same bytes of the same category are recognised (SHA-256): the earlier live batch is
    returned and nothing changes, unless its load was interrupted (its loader died): then it is
    queued again. The database constraint `importbatch_one_live_batch_per_file` makes this hold
    for two uploads at once as well. A file over the size limit raises FileRejected, storing
    nothing.
    """
    category = FeedCategory(category)
    sha256, size = _sha256_and_size(fileobj)
    limits.check_file_size(size)
    earlier = ImportBatch.objects.filter(category=category, sha256=sha256, status__in=LIVE_STATUSES).first()
    if earlier is not None:
        interrupted = earlier.status == BatchStatus.RUNNING and loader_gone(earlier.pk)
        if interrupted and start:
            from imports.tasks import load_batch

            transaction.on_commit(lambda: load_batch.delay(earlier.pk))
        return Submission(earlier, resubmitted=True, interrupted=interrupted)
    try:
        with transaction.atomic():
            batch = ImportBatch(
                category=category,
                department=Department.objects.get(code=CATEGORY_DEPARTMENT[category]),
                file_name=file_name[:255],
                sha256=sha256,
                size_bytes=size,
                uploaded_by=user,
            )
            batch.file.save(file_name, File(fileobj), save=False)
            batch.save()
            if start:
                from imports.tasks import load_batch

                transaction.on_commit(lambda: load_batch.delay(batch.pk))
    except IntegrityError:
        earlier = ImportBatch.objects.get(category=category, sha256=sha256, status__in=LIVE_STATUSES)
        return Submission(earlier, resubmitted=True)
    return Submission(batch, resubmitted=False)


def _try_lock(batch_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOAD_LOCK_CLASS, batch_id])
        return cursor.fetchone()[0]


def _unlock(batch_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOAD_LOCK_CLASS, batch_id])


# Batches whose load lock nobody holds (pg_locks lists a two-key advisory lock as classid, objid
# and objsubid = 2). A live loader holds the lock from before it marks the batch running until
# after it marks the end, so a running batch without it was left by a process that died.
_WITHOUT_LOADER = """
    SELECT b.id FROM imports_importbatch b
     WHERE b.status = %s AND b.id = ANY(%s)
       AND NOT EXISTS (
           SELECT 1 FROM pg_locks l
            WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND l.classid = %s AND l.objid = b.id AND l.objsubid = 2)
     ORDER BY b.id
"""


def loader_gone(batch_id: int) -> bool:
    """Whether a running batch has no live loader (the process loading it died)."""
    return batch_id in interrupted_batch_ids(among=[batch_id])


def interrupted_batch_ids(*, among: list[int] | None = None) -> list[int]:
    """Running batches whose loader is gone: loading them again (batch_load) recovers them."""
    if among is None:
        among = list(ImportBatch.objects.filter(status=BatchStatus.RUNNING).values_list("pk", flat=True))
    if not among:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_WITHOUT_LOADER, [BatchStatus.RUNNING, among, LOAD_LOCK_CLASS])
        return [row[0] for row in cursor.fetchall()]


def batch_load(*, batch_id: int) -> ImportBatch:
    """Load a pending batch: every data row ends up loaded, corrected, duplicate or rejected.

    A file-level problem (encoding, missing required column) marks the batch `rejected` with a
    Chinese message and changes nothing else. Loading a batch that already ended returns it as is.

    The rows of the file are written in one transaction: all of them or none. If the load fails
    (an error, a crash) nothing of it stays and the batch is marked `failed` after the rollback;
    loading that batch again (or the same file again) gives the result of a clean run. A batch
    left `running` by a process that died (kill -9 of the command or of a worker) is taken over
    by the next call, which counts the attempt and records when the interruption was found
    (`attempts`, `interrupted_at`); while a process is loading a batch (its session advisory
    lock) other calls return it untouched.

    Not @transaction.atomic on purpose: the batch's status must be written after a rollback.
    """
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status in (BatchStatus.SUCCEEDED, BatchStatus.REJECTED) or not _try_lock(batch_id):
        return batch
    try:
        now = clock.now()
        # A file whose loader dies every time (too big for the worker's memory, say) must not be
        # reloaded for ever by the sweep: after so many attempts it fails, saying why.
        gave_up = ImportBatch.objects.filter(
            pk=batch_id, status=BatchStatus.RUNNING, attempts__gte=settings.IMPORT_MAX_LOAD_ATTEMPTS
        ).update(
            status=BatchStatus.FAILED,
            interrupted_at=now,
            finished_at=now,
            error_code="load_interrupted",
            error_message=_(
                "导入进程已连续 %(n)s 次在导入本文件时中断（常见原因：服务器内存不足或进程被重启），"
                "已停止自动重试，本文件的数据均未写入。请联系系统管理员处理后重新上传。"
            )
            % {"n": settings.IMPORT_MAX_LOAD_ATTEMPTS},
        )
        if gave_up:
            batch.refresh_from_db()
            return batch
        claimed = ImportBatch.objects.filter(
            pk=batch_id, status__in=(BatchStatus.PENDING, BatchStatus.RUNNING, BatchStatus.FAILED)
        ).update(
            status=BatchStatus.RUNNING,
            attempts=F("attempts") + 1,
            # Running while we hold its lock: the process that marked it running is gone.
            interrupted_at=Case(
                When(status=BatchStatus.RUNNING, then=Value(now)), default=F("interrupted_at")
            ),
            started_at=now,
            finished_at=None,
            error_code="",
            error_message="",
        )
        batch.refresh_from_db()
        if not claimed:
            return batch
        progress.report(batch_id, phase="reading")
        try:
            with transaction.atomic():
                with batch.file.storage.open(batch.file.name, "rb") as stored:
                    result = load_file(batch=batch, fileobj=getattr(stored, "file", stored), now=clock.now())
                batch.status = BatchStatus.SUCCEEDED
                for name in ("data_rows", "loaded", "corrected", "duplicate", "rejected", "name_mismatch"):
                    setattr(batch, name, getattr(result, name))
                batch.rows_read = result.data_rows
                batch.encoding = result.encoding
                batch.delimiter = result.delimiter
                batch.columns = result.columns
                batch.extra_columns = result.extra_columns
                batch.finished_at = clock.now()
                batch.save(update_fields=[*SUMMARY_FIELDS, "status", "rows_read", "finished_at"])
        except FileRejected as exc:
            _end(batch, BatchStatus.REJECTED, exc.code, exc.message, extra_columns=exc.extra_columns)
        except Exception as exc:
            _end(
                batch,
                BatchStatus.FAILED,
                "load_failed",
                _("导入过程中出错，本文件的数据均未写入，可重新导入：%(err)s") % {"err": exc},
            )
            raise
    finally:
        progress.report(batch_id, phase="done", rows_read=batch.data_rows)
        _unlock(batch_id)
    return batch


SUMMARY_FIELDS = (
    "data_rows", "loaded", "corrected", "duplicate", "rejected", "name_mismatch",
    "encoding", "delimiter", "columns", "extra_columns",
)  # fmt: skip


def _end(batch: ImportBatch, status: str, code: str, message: str, *, extra_columns=None) -> None:
    """Record how a load ended without rows (after the load's transaction rolled back)."""
    batch.status = status
    batch.error_code = code
    batch.error_message = str(message)[:4000]
    batch.extra_columns = extra_columns or []
    batch.data_rows = batch.rows_read = batch.loaded = batch.corrected = batch.duplicate = 0
    batch.rejected = batch.name_mismatch = 0
    batch.finished_at = clock.now()
    batch.save(
        update_fields=[*SUMMARY_FIELDS, "status", "rows_read", "error_code", "error_message", "finished_at"]
    )
