"""A real Celery worker on Redis is killed in the middle of a night; a new worker re-runs the night
and leaves exactly the alerts a clean run leaves.

Runs against the session's Redis (the `redis_url` fixture: REDIS_TEST_URL, or a private redis-server);
the worker subprocess gets REDIS_URL (so it uses the broker and result backend) and DATABASE_URL
pointing at this test database.
"""

import os
import signal
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal

import psycopg
import pytest
import redis

from alerts.models import Alert, AlertEvent, MonitoringRun
from alerts.services.run import COUNTY_LOCK_CLASS, county_lock_key, monitoring_run
from tests.alerts.feed_factories import (
    DiagnosisFactory,
    DisabilityCertificateFactory,
    MedicalSettlementFactory,
    UnemploymentRegistrationFactory,
    monitored_person,
)
from tests.celery_worker import ROOT, db_url, start_worker, stop_workers, wait_for

AS_OF = date(2026, 11, 18)
BLOCKED = "130984"  # the county whose task is in flight when the worker dies
pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def worker_env(url: str) -> dict:
    return {
        **os.environ,
        "REDIS_URL": url,
        "DATABASE_URL": db_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


def enqueue(env: dict) -> None:
    code = f"from alerts.tasks import nightly_monitoring_run; nightly_monitoring_run.delay('{AS_OF.isoformat()}')"
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True, timeout=60
    )


def world():
    """Three counties, every rule firing."""
    people = [monitored_person(village=v) for v in ("130921101201", "130922101201", BLOCKED + "101201")]
    for n, person in enumerate(people):
        MedicalSettlementFactory(
            id_number=person.id_number, settle_date=AS_OF - timedelta(days=n), self_paid=Decimal("12000")
        )
        DiagnosisFactory(
            id_number=person.id_number, diagnosed_on=AS_OF - timedelta(days=5), diagnosis_code="I63.9"
        )
        UnemploymentRegistrationFactory(id_number=person.id_number, registered_on=AS_OF - timedelta(days=8))
        DisabilityCertificateFactory(id_number=person.id_number, grade=1, issued_on=AS_OF - timedelta(days=9))


def snapshot():
    return sorted(
        Alert.objects.values_list(
            "rule", "dedupe_key", "person_id", "region_id", "raised_on", "deadline", "evidence"
        )
    )


def counties_done() -> set[str]:
    run = MonitoringRun.objects.filter(as_of=AS_OF).first()
    return set(run.counts.get("counties", {})) if run else set()


def test_worker_killed_mid_run_and_rerun_leaves_the_alerts_of_a_clean_run(cangzhou, redis_url, tmp_path):
    url = redis_url
    redis.Redis.from_url(url).flushdb()
    world()
    env = worker_env(url)
    log = tmp_path / "worker.log"
    # Hold the blocked county's lock, so its task is in the middle of its transaction when killed.
    holder = psycopg.connect(db_url().replace("postgres://", "postgresql://"), autocommit=True)
    holder.execute("SELECT pg_advisory_lock(%s, %s)", [COUNTY_LOCK_CLASS, county_lock_key(BLOCKED)])
    first = start_worker(env, log)
    second = None
    try:
        enqueue(env)
        wait_for(lambda: counties_done() == {"130921", "130922"}, "the two unblocked counties")
        wait_for(
            lambda: holder.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = %s AND objid = %s",
                [COUNTY_LOCK_CLASS, county_lock_key(BLOCKED)],
            ).fetchone()[0],
            "the blocked county's task to be waiting inside its transaction",
        )
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
        holder.execute("SELECT pg_advisory_unlock(%s, %s)", [COUNTY_LOCK_CLASS, county_lock_key(BLOCKED)])

        run = MonitoringRun.objects.get(as_of=AS_OF)
        assert run.status == "running"
        assert not Alert.objects.filter(region__code__startswith=BLOCKED).exists()
        assert Alert.objects.count() == 8

        second = start_worker(env, log)
        enqueue(env)  # the same night again: resumes the run the dead worker left
        wait_for(lambda: MonitoringRun.objects.get(pk=run.pk).status != "running", "the re-run to finish")
        run.refresh_from_db()
        assert run.status == "succeeded", log.read_text()[-3000:]
        assert MonitoringRun.objects.filter(as_of=AS_OF).count() == 1
    finally:
        stop_workers(first, second)
        holder.close()

    after_kill = snapshot()
    assert len(after_kill) == 12
    assert sum(c["new"] for c in run.counts["rules"].values()) == 12
    assert Alert.objects.filter(run=run).count() == 12
    assert AlertEvent.objects.filter(action="raised").count() == 12

    # A clean run of the same data, in this process, raises exactly the same alerts.
    AlertEvent.objects.all().delete()
    Alert.objects.all().delete()
    MonitoringRun.objects.all().delete()
    monitoring_run(as_of=AS_OF, mode="full")
    assert snapshot() == after_kill
