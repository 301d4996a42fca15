"""A load whose process dies (kill -9) recovers by itself: the batch is not left "running" for
ever; the next attempt (the command again, the same upload again) or the periodic sweep loads it
again, cleanly, and the batch page says what happened."""

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports import services
from imports.models import BatchStatus, ImportBatch, MedicalSettlement, RejectedRow
from imports.tasks import recover_interrupted_loads
from tests.celery_worker import db_url, wait_for
from tests.helpers import page_text
from tests.imports.helpers import assert_accounted, csv_bytes, id18, import_feed

ROOT = Path(__file__).resolve().parents[2]
HEADER = ["结算流水号", "身份证号", "姓名", "结算日期", "医疗费用总额"]


def settlement_csv(rows: int) -> bytes:
    """`rows` settlements, one in a hundred with a damaged ID (rejected)."""
    good, damaged = id18(seq=21), "1.30921E+17"
    return csv_bytes(
        [HEADER]
        + [
            [f"R{n:08d}", damaged if n % 100 == 7 else good, "李四", "2020-05-01", "88.50"]
            for n in range(rows)
        ]
    )


@pytest.mark.django_db(transaction=True)  # the child process must see the batch
def test_import_feed_killed_mid_load_is_loaded_again_by_the_next_run(departments, settings, tmp_path):
    rows = 80_000
    path = tmp_path / "结算.csv"
    path.write_bytes(settlement_csv(rows))
    env = {
        **os.environ,
        "DATABASE_URL": db_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("REDIS_URL", None)
    child = subprocess.Popen(
        [sys.executable, "manage.py", "import_feed", "medical_settlement", str(path)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        batch = wait_for(
            lambda: ImportBatch.objects.filter(status=BatchStatus.RUNNING).first(), "the load to start"
        )
        time.sleep(0.2)  # well inside the load (reading and staging take seconds)
        assert child.poll() is None, "the load ended before it could be killed: make the file bigger"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()

    # Stuck but recoverable: still "running", nothing of it stored, and its lock is free once
    # PostgreSQL has noticed the client is gone.
    batch.refresh_from_db()
    assert (batch.status, batch.attempts, batch.interrupted_at) == (BatchStatus.RUNNING, 1, None)
    assert not MedicalSettlement.objects.exists() and not RejectedRow.objects.exists()
    wait_for(lambda: services.loader_gone(batch.pk), "the killed loader's lock to be released")

    status, out = import_feed(path)

    assert status == 0, out
    assert f"批次 #{batch.pk} 上次导入时进程中断" in out
    batch.refresh_from_db()
    assert_accounted(batch)
    assert ImportBatch.objects.count() == 1
    assert (batch.data_rows, batch.rejected, batch.loaded) == (rows, rows // 100, rows - rows // 100)
    assert MedicalSettlement.objects.count() == batch.loaded
    assert batch.attempts == 2 and batch.interrupted_at is not None


def interrupted_batch(load, data: bytes) -> ImportBatch:
    """A batch as a killed loader leaves it: running, its first attempt started, nothing stored."""
    batch = services.batch_submit(
        category="medical_settlement", fileobj=io.BytesIO(data), file_name="结算.csv", start=False
    ).batch
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING, attempts=1)
    batch.refresh_from_db()
    return batch


def upload_again(client, data: bytes, capture_on_commit):
    """The same file uploaded through the page again (its load runs, as a worker would)."""
    with capture_on_commit(execute=True):
        return client.post(
            reverse("imports:batch_upload"),
            {"category": "medical_settlement", "file": SimpleUploadedFile("结算-again.csv", data)},
        )


@pytest.fixture
def other_session():
    """A second database session, standing for a live loader in another process."""
    # The test database as the live connection reaches it: over TCP, or the embedded PostgreSQL's
    # socket directory (settings hold that in OPTIONS, not HOST).
    with psycopg.connect(db_url(), autocommit=True) as conn:
        yield conn


@pytest.mark.django_db
def test_the_sweep_reloads_an_interrupted_batch_and_leaves_a_live_load_alone(load, other_session):
    data = settlement_csv(300)
    batch = interrupted_batch(load, data)
    # While a live loader holds the batch's lock, the batch is not interrupted: the sweep (and a
    # second sweep's load running at the same time) leave it alone.
    other_session.execute("SELECT pg_advisory_lock(%s, %s)", [services.LOAD_LOCK_CLASS, batch.pk])
    assert recover_interrupted_loads() == []
    assert services.batch_load(batch_id=batch.pk).status == BatchStatus.RUNNING
    assert not MedicalSettlement.objects.exists()

    other_session.execute("SELECT pg_advisory_unlock(%s, %s)", [services.LOAD_LOCK_CLASS, batch.pk])
    assert recover_interrupted_loads() == [batch.pk]  # (no broker in tests: the load runs here)

    batch.refresh_from_db()
    assert_accounted(batch)
    assert (batch.data_rows, batch.rejected, batch.attempts) == (300, 3, 2)
    assert batch.interrupted_at is not None
    # A later sweep finds nothing to do, and nothing was loaded twice.
    assert recover_interrupted_loads() == []
    assert MedicalSettlement.objects.count() == 297


@pytest.mark.django_db
def test_the_batch_page_says_a_load_was_interrupted_and_the_same_upload_reloads_it(
    load, client_for, data_admin, django_capture_on_commit_callbacks
):
    data = settlement_csv(120)
    batch = interrupted_batch(load, data)
    client = client_for(data_admin)
    page = page_text(client.get(reverse("imports:batch_detail", args=[batch.pk])))
    assert "导入进程已中断" in page and "自动重新导入" in page

    response = upload_again(client, data, django_capture_on_commit_callbacks)
    assert response["Location"] == reverse("imports:batch_detail", args=[batch.pk])
    page = page_text(client.get(response["Location"]))
    assert f"批次 #{batch.pk}）因进程中断而未完成，已重新开始导入" in page
    assert "导入进程曾中断" in page and "共导入 2 次" in page
    batch.refresh_from_db()
    assert_accounted(batch)
    assert ImportBatch.objects.count() == 1 and MedicalSettlement.objects.count() == batch.loaded == 118


@pytest.mark.django_db
def test_a_file_whose_loader_dies_every_time_fails_after_the_attempt_limit_and_the_sweep_stops(
    load, client_for, data_admin, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_MAX_LOAD_ATTEMPTS = 3
    data = settlement_csv(150)
    batch = interrupted_batch(load, data)
    ImportBatch.objects.filter(pk=batch.pk).update(attempts=3)  # killed on each of its 3 loads

    assert recover_interrupted_loads() == [batch.pk]
    batch.refresh_from_db()
    assert (batch.status, batch.error_code, batch.attempts) == ("failed", "load_interrupted", 3)
    assert batch.interrupted_at is not None and batch.finished_at is not None
    assert not MedicalSettlement.objects.exists() and not RejectedRow.objects.exists()
    assert recover_interrupted_loads() == []  # not reloaded every 5 minutes for ever

    client = client_for(data_admin)
    page = page_text(client.get(reverse("imports:batch_detail", args=[batch.pk])))
    assert "已连续 3 次在导入本文件时中断" in page and "已停止自动重试" in page
    # Uploading the file again (once the cause is fixed) starts a new batch that loads.
    response = upload_again(client, data, django_capture_on_commit_callbacks)
    again = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert response["Location"] == reverse("imports:batch_detail", args=[again.pk])
    again.refresh_from_db()
    assert again.status == "succeeded" and again.loaded == MedicalSettlement.objects.count() == 148
