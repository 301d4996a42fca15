"""Real Celery worker processes for the integration tests, against this test database.

The worker subprocess gets DATABASE_URL pointing at the test database (which the test's own
connection uses: `django_db(transaction=True)`, so the worker sees what the test wrote), and either
REDIS_URL (tests/alerts/test_run_celery.py) or, without it, the broker in files under
LOCAL_QUEUE_DIR, as `./dev demo` runs (tests/imports/test_worker_process.py).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
# Every queue (config/settings.py CELERY_TASK_ROUTES), as the one worker of `./dev demo` consumes.
ALL_QUEUES = "imports,monitoring,celery"


def db_url() -> str:
    """This test database as a URL for the worker subprocess: over TCP, or through the socket
    directory of the embedded PostgreSQL (README set-up, no DATABASE_URL)."""
    connection.ensure_connection()
    info = connection.connection.info
    if info.host.startswith("/"):
        return f"postgres://{info.user}@/{info.dbname}?host={info.host}&port={info.port}"
    return f"postgres://{info.user}@{info.host}:{info.port}/{info.dbname}"


def start_worker(env: dict, log: Path, *, queues: str = ALL_QUEUES) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=2",
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "-Q", queues],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def stop_workers(*workers: subprocess.Popen | None) -> None:
    """Warm shutdown through the main process (it stops its pool). Not the whole process group: a
    pool child killed while it waits on the pool's queue can leave the main process waiting forever
    for that queue's lock (billiard)."""
    for worker in workers:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)


def wait_for(condition, what: str, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
