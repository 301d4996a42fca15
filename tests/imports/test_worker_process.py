"""Without Redis an upload is never loaded inside the web request: the request stores the file and
enqueues its load on the broker in files (kombu's filesystem transport, as `./dev demo` runs), and a
real worker process loads it. A load whose database connection is cut is retried by the worker
and ends with the rows of a clean load, once.

The rest of the suite runs tasks eagerly (tests/conftest.py); here the test process publishes for
real, to a broker folder of its own, and the worker subprocess consumes it.
"""

import os
from pathlib import Path

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from config.celery import app
from imports.models import BatchStatus, ImportBatch, MedicalSettlement
from tests.celery_worker import db_url, start_worker, stop_workers, wait_for
from tests.helpers import page_text
from tests.imports.helpers import csv_bytes, id18

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

HEADER = ["结算流水号", "身份证号", "姓名", "结算日期", "医疗费用总额（元）", "个人负担"]
ROWS = 40


def settlement_file() -> bytes:
    rows = [[f"JS{n:04d}", id18(seq=n), "张三", "2026-10-01", "1200", "300"] for n in range(1, ROWS + 1)]
    return csv_bytes([HEADER, *rows])


def _reset_producer_pool() -> None:
    if app._pool is not None:
        app._pool.force_close_all()
    app._after_fork()  # forgets the connection pool and the producer pool


@pytest.fixture
def file_broker(tmp_path, settings):
    """This process publishes to a filesystem broker in tmp_path, as the web server does without
    REDIS_URL; the environment a worker needs to consume it (and to read the stored upload)."""
    folder = tmp_path / "queue"
    for sub in ("broker", "results", "cache"):
        (folder / sub).mkdir(parents=True)
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "broker_transport_options")}
    broker = str(folder / "broker")
    app.conf.update(
        task_always_eager=False,
        broker_url="filesystem://",
        broker_transport_options={
            "data_folder_in": broker,
            "data_folder_out": broker,
            "control_folder": broker,
        },
    )
    _reset_producer_pool()
    env = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    env.update(
        DATABASE_URL=db_url(),
        LOCAL_QUEUE_DIR=str(folder),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    try:
        yield folder, env
    finally:
        app.conf.update(saved)
        _reset_producer_pool()


def queued_messages(folder: Path, queue: str) -> list[Path]:
    return sorted((folder / "broker").glob(f"*.{queue}.msg"))


def upload(client) -> ImportBatch:
    response = client.post(
        reverse("imports:batch_upload"),
        {"category": "medical_settlement", "file": SimpleUploadedFile("医保结算.csv", settlement_file())},
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:batch_detail", args=[batch.pk])
    return batch


def status_of(batch: ImportBatch) -> str:
    batch.refresh_from_db()
    return batch.status


def test_the_upload_request_only_enqueues_and_a_worker_process_loads_it(
    client_for, data_admin, file_broker, tmp_path
):
    folder, env = file_broker
    client = client_for(data_admin)
    batch = upload(client)

    # The request has returned: the file is stored, nothing of it is loaded, its load is queued.
    assert batch.status == BatchStatus.PENDING
    assert not MedicalSettlement.objects.exists()
    assert len(queued_messages(folder, "imports")) == 1
    text = page_text(client.get(reverse("imports:batch_detail", args=[batch.pk]), follow=True))
    assert "正在排队导入" in text and "排队等待" in text

    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    try:
        wait_for(lambda: status_of(batch) == BatchStatus.SUCCEEDED, "the worker to load the batch")
    finally:
        stop_workers(worker)
    assert MedicalSettlement.objects.filter(batch=batch).count() == ROWS
    assert batch.loaded == ROWS and batch.rejected == 0
    assert queued_messages(folder, "imports") == []
    text = page_text(client.get(reverse("imports:batch_detail", args=[batch.pk])))
    assert f"新增 {ROWS}" in text, log.read_text()[-3000:]


def test_a_load_whose_database_connection_is_cut_is_retried_and_loads_once(
    client_for, data_admin, file_broker, tmp_path
):
    _, env = file_broker
    # Hold the feed table, so the load waits in its merge; then cut the worker's connection there.
    holder = psycopg.connect(db_url().replace("postgres://", "postgresql://"))
    holder.execute("LOCK TABLE imports_medicalsettlement IN SHARE MODE")
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    try:
        batch = upload(client_for(data_admin))
        waiting = wait_for(
            lambda: holder.execute(
                "SELECT pid FROM pg_locks WHERE NOT granted AND relation = 'imports_medicalsettlement'::regclass"
            ).fetchone(),
            "the load to wait for the feed table inside its transaction",
        )[0]
        holder.execute("SELECT pg_terminate_backend(%s)", [waiting])
        holder.rollback()  # releases the table

        wait_for(lambda: status_of(batch) == BatchStatus.SUCCEEDED, "the retried load to succeed")
    finally:
        holder.close()
        stop_workers(worker)
    output = log.read_text()
    assert "Retry in" in output, output[-3000:]
    assert MedicalSettlement.objects.filter(batch=batch).count() == ROWS
    assert MedicalSettlement.objects.count() == ROWS
    assert (batch.loaded, batch.duplicate, batch.rejected) == (ROWS, 0, 0)
