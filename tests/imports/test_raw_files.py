"""Uploaded raw files: stored owner-only (0600), deleted once loaded and past the retention period."""

import io
import os
import stat
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from households import clock
from imports import services
from imports.models import BatchStatus, FeedCategory, ImportBatch
from imports.tasks import raw_files_purge
from tests.helpers import page_text

pytestmark = pytest.mark.django_db
CATEGORY = FeedCategory.MEDICAL_SETTLEMENT


def submit(data: bytes, name: str = "feed.csv") -> ImportBatch:
    return services.batch_submit(
        category=CATEGORY, fileobj=io.BytesIO(data), file_name=name, start=False
    ).batch


def ended(data: bytes, status: str) -> ImportBatch:
    """A batch of these bytes that ended with `status` now (the loader's result is not the point)."""
    batch = submit(data)
    ImportBatch.objects.filter(pk=batch.pk).update(status=status, finished_at=clock.now())
    batch.refresh_from_db()
    return batch


def stored(batch: ImportBatch) -> Path:
    return Path(settings.MEDIA_ROOT) / batch.file.name


def test_an_uploaded_file_and_its_folders_are_the_owners_only(departments):
    batch = submit(b"a,b\r\n1,2\r\n")
    path = stored(batch)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    for folder in (path.parent, path.parent.parent, path.parent.parent.parent):  # imports/YYYY/MM
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder


def test_loaded_files_are_deleted_after_the_period_and_the_others_kept(departments, load, pinned_clock):
    rejected = load(CATEGORY, b"a,b\r\n1,2\r\n", "wrong-columns.csv")  # refused whole: missing columns
    assert rejected.status == BatchStatus.REJECTED
    succeeded = ended(b"succeeded", BatchStatus.SUCCEEDED)
    failed = ended(b"failed", BatchStatus.FAILED)
    pending = submit(b"pending")
    files = {b.pk: stored(b) for b in (rejected, succeeded, failed, pending)}
    assert all(path.exists() for path in files.values())

    pinned_clock.shift(timedelta(days=settings.RAW_FILE_RETENTION_DAYS) - timedelta(minutes=1))
    assert raw_files_purge() == 0  # not yet
    assert all(path.exists() for path in files.values())

    pinned_clock.shift(timedelta(minutes=2))
    assert raw_files_purge() == 2
    for batch in (rejected, succeeded):
        before = (batch.sha256, batch.size_bytes, batch.data_rows, batch.status, batch.error_message)
        batch.refresh_from_db()
        assert not files[batch.pk].exists()
        assert batch.file_deleted_at == clock.now() and not batch.file
        assert (batch.sha256, batch.size_bytes, batch.data_rows, batch.status, batch.error_message) == before
    for batch in (failed, pending):  # may be loaded again
        batch.refresh_from_db()
        assert files[batch.pk].exists() and batch.file and batch.file_deleted_at is None
    assert raw_files_purge() == 0  # idempotent


def test_the_same_bytes_sent_again_are_still_recognised(departments, pinned_clock):
    first = ended(b"same bytes", BatchStatus.SUCCEEDED)
    pinned_clock.shift(timedelta(days=settings.RAW_FILE_RETENTION_DAYS + 1))
    assert raw_files_purge() == 1
    again = services.batch_submit(category=CATEGORY, fileobj=io.BytesIO(b"same bytes"), file_name="again.csv")
    assert again.resubmitted and again.batch.pk == first.pk
    assert ImportBatch.objects.count() == 1


def test_the_batch_page_says_when_the_raw_file_was_deleted(client_for, data_admin, pinned_clock):
    batch = ended(b"succeeded", BatchStatus.SUCCEEDED)
    url = reverse("imports:batch_detail", args=[batch.pk])
    assert "服务器保存中，导入结束 90 天后删除" in page_text(client_for(data_admin).get(url))
    pinned_clock.shift(timedelta(days=91))
    raw_files_purge()
    text = page_text(client_for(data_admin).get(url))  # signed in again: 91 days idle
    deleted_at = f"{timezone.localtime(clock.now()):%Y-%m-%d %H:%M}"
    assert f"已于 {deleted_at} 按保存期限删除；SHA-256 和各项计数保留" in text
    assert batch.sha256 in text and "服务器保存中" not in text


def test_the_command_takes_a_period(departments, pinned_clock):
    batch = ended(b"succeeded", BatchStatus.SUCCEEDED)
    pinned_clock.shift(timedelta(days=11))
    out = StringIO()
    call_command("purge_raw_files", "--days", "10", stdout=out)
    assert "已删除 1 个批次的原始文件" in out.getvalue()
    path = stored(batch)
    batch.refresh_from_db()
    assert not path.exists()
    assert batch.file_deleted_at is not None


def test_the_purge_runs_nightly_from_the_beat_schedule():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "imports.tasks.raw_files_purge" in tasks
    assert settings.RAW_FILE_RETENTION_DAYS == 90
