"""Re-running a night changes nothing; an incremental night finds what changed; the preview raises
nothing; the run record, the county split and the final step."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from alerts.models import Alert, AlertEvent, DashboardRefresh, MonitoringRun, Responsibility
from alerts.services.preview import preview_counts
from alerts.services.run import monitoring_run, run_begin, run_county, run_fail, run_finish
from alerts.tasks import nightly_monitoring_run
from households import clock
from imports.models import ImportBatch
from monitoring.models import MonitoringRecord, MonitoringSpell
from tests.alerts.feed_factories import (
    DiagnosisFactory,
    DisabilityCertificateFactory,
    ImportBatchFactory,
    MedicalSettlementFactory,
    UnemploymentRegistrationFactory,
    monitored_person,
    rule_defaults,  # noqa: F401
)
from tests.factories import UserFactory

AS_OF = date(2026, 11, 18)  # a Wednesday: "auto" may run incrementally
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rule_defaults")]


def snapshot():
    return sorted(Alert.objects.values_list("rule", "dedupe_key", "person_id", "raised_on", "evidence"))


def world():
    """Two counties, every rule firing at least once."""
    a, b = monitored_person(), monitored_person(village="130984101201")
    MedicalSettlementFactory(id_number=a.id_number, settle_date=AS_OF, self_paid=Decimal("15000"))
    MedicalSettlementFactory(
        id_number=b.id_number, settle_date=AS_OF, self_paid=Decimal("11000"), diagnosis_code="I21.0"
    )
    DiagnosisFactory(id_number=a.id_number, diagnosed_on=AS_OF - timedelta(days=3))
    UnemploymentRegistrationFactory(id_number=b.id_number, registered_on=AS_OF - timedelta(days=3))
    DisabilityCertificateFactory(id_number=a.id_number, issued_on=AS_OF - timedelta(days=3))
    return a, b


def test_rerunning_the_same_night_changes_nothing(regions):
    world()
    first = monitoring_run(as_of=AS_OF)
    before = snapshot()
    events = AlertEvent.objects.count()
    assert len(before) == 6
    again = monitoring_run(as_of=AS_OF, mode="full")
    assert snapshot() == before and AlertEvent.objects.count() == events
    assert {r: c["new"] for r, c in again.counts["rules"].items()} == dict.fromkeys(first.counts["rules"], 0)
    assert sum(c["already_alerted"] for c in again.counts["rules"].values()) == 6
    incremental = monitoring_run(as_of=AS_OF)
    assert incremental.counts["modes"]["high_medical_self_pay"] == "incremental"  # within the margin
    assert snapshot() == before
    as_if_last_night()
    quiet = monitoring_run(as_of=AS_OF + timedelta(days=1))
    # Nothing imported, nobody's monitoring changed, no cooldown ended: every rule is skipped.
    assert set(quiet.counts["modes"].values()) == {"unchanged"}
    assert snapshot() == before


def test_run_record_keeps_as_of_versions_counts_and_duration(regions):
    world()
    run = monitoring_run(as_of=AS_OF)
    run.refresh_from_db()
    assert run.status == "succeeded" and run.as_of == AS_OF
    assert run.finished_at and run.duration_ms is not None
    assert set(run.rule_versions) == {
        "high_medical_self_pay",
        "serious_disease",
        "registered_unemployment",
        "new_severe_disability",
    }
    assert sorted(run.counts["counties"]) == ["130921", "130984"]
    assert run.counts["rules"]["high_medical_self_pay"] == {"candidates": 2, "new": 2, "already_alerted": 0}
    assert Alert.objects.filter(run=run).count() == 6
    assert DashboardRefresh.objects.filter(as_of=AS_OF).exists()


def test_one_running_run_per_date_and_a_dead_run_is_resumed(regions):
    world()
    run = run_begin(as_of=AS_OF)
    # A worker finished one county and died: the next attempt resumes the same run.
    run_county(run_id=run.id, county="130921")
    assert run_begin(as_of=AS_OF).id == run.id
    with pytest.raises(IntegrityError), transaction.atomic():
        MonitoringRun.objects.create(as_of=AS_OF)
    resumed = monitoring_run(as_of=AS_OF)
    assert resumed.id == run.id and resumed.status == "succeeded"
    assert resumed.counts["rules"]["high_medical_self_pay"]["new"] == 2  # counts of both attempts


def test_a_county_task_delivered_twice_changes_nothing(regions):
    world()
    run = run_begin(as_of=AS_OF)
    first = run_county(run_id=run.id, county="130921")
    assert run_county(run_id=run.id, county="130921") == first
    run_county(run_id=run.id, county="130984")
    done = run_finish(run_id=run.id)
    assert run_finish(run_id=run.id).finished_at == done.finished_at
    assert Alert.objects.count() == 6


def test_finish_without_every_county_fails_the_run(regions):
    world()
    run = run_begin(as_of=AS_OF)
    run_county(run_id=run.id, county="130921")
    run = run_finish(run_id=run.id)
    assert run.status == "failed" and "130984" in run.error


def test_new_alerts_are_auto_assigned(regions, caseworker_a):
    Responsibility.objects.create(region_id="130921101", caseworker=caseworker_a)
    a, b = world()
    monitoring_run(as_of=AS_OF)
    assert set(Alert.objects.filter(person=a).values_list("assignee", flat=True)) == {caseworker_a.id}
    assert set(Alert.objects.filter(person=b).values_list("status", flat=True)) == {"new"}


def as_if_last_night():
    """Move what exists back a day, as if the baseline run and the imports before it were last night
    (the incremental watermark keeps a 30-minute margin before the baseline's start)."""
    yesterday = clock.now() - timedelta(days=1)
    MonitoringRun.objects.update(started_at=yesterday)
    ImportBatch.objects.update(finished_at=yesterday - timedelta(hours=1))
    MonitoringRecord.objects.update(updated_at=yesterday - timedelta(hours=1))
    MonitoringSpell.objects.update(updated_at=yesterday - timedelta(hours=1))


def test_incremental_night_sees_a_new_batch_and_skips_the_rest(regions):
    world()
    monitoring_run(as_of=AS_OF)
    as_if_last_night()
    batch = ImportBatchFactory(category="medical_settlement")
    c = monitored_person()
    MedicalSettlementFactory(
        id_number=c.id_number, settle_date=AS_OF, self_paid=Decimal("10000"), batch=batch
    )
    night = monitoring_run(as_of=AS_OF + timedelta(days=1))
    assert night.counts["modes"]["high_medical_self_pay"] == "incremental"
    # Only the person touched by the new batch is evaluated (a and b are not candidates again) …
    assert night.counts["rules"]["high_medical_self_pay"] == {"candidates": 1, "new": 1, "already_alerted": 0}
    # … and a full run of the same night agrees on the alerts.
    before = snapshot()
    monitoring_run(as_of=AS_OF + timedelta(days=1), mode="full")
    assert snapshot() == before


def test_incremental_night_sees_someone_newly_monitored(regions):
    world()
    monitoring_run(as_of=AS_OF)
    as_if_last_night()
    late = monitored_person(since=AS_OF + timedelta(days=1))
    # The certificate was imported long ago; the person joined monitoring today.
    DisabilityCertificateFactory(id_number=late.id_number, issued_on=AS_OF - timedelta(days=20))
    MonitoringRecord.objects.filter(person=late).update(updated_at=clock.now() - timedelta(days=3))
    MonitoringSpell.objects.filter(person=late).update(updated_at=clock.now() - timedelta(days=3))
    night = monitoring_run(as_of=AS_OF + timedelta(days=1))
    assert night.counts["modes"]["new_severe_disability"] == "incremental"
    assert night.counts["rules"]["new_severe_disability"] == {"candidates": 1, "new": 1, "already_alerted": 0}


def test_preview_counts_by_rule_and_county_and_raises_nothing(regions):
    world()
    counts = preview_counts(
        drafts={
            "high_medical_self_pay": {
                "threshold_yuan": "12000",
                "window_days": 365,
                "cooldown_days": 365,
                "deadline_days": 15,
            },
            "registered_unemployment": {"window_days": 2, "deadline_days": 15},
        },
        as_of=AS_OF,
    )
    assert counts == {"high_medical_self_pay": {"130921": 1}, "registered_unemployment": {}}
    assert not Alert.objects.exists() and not MonitoringRun.objects.exists()
    monitoring_run(as_of=AS_OF)
    # Once raised, the preview no longer counts them: it shows what *tonight* would add.
    assert preview_counts(
        drafts={
            "high_medical_self_pay": {
                "threshold_yuan": "100",
                "window_days": 365,
                "cooldown_days": 365,
                "deadline_days": 15,
            }
        },
        as_of=AS_OF,
    ) == {"high_medical_self_pay": {}}


def test_preview_limited_to_a_county(regions):
    world()
    draft = {
        "high_medical_self_pay": {
            "threshold_yuan": "10000",
            "window_days": 365,
            "cooldown_days": 365,
            "deadline_days": 15,
        }
    }
    assert preview_counts(drafts=draft, as_of=AS_OF, county_prefix="130984") == {
        "high_medical_self_pay": {"130984": 1}
    }


def test_celery_task_runs_the_whole_night_eagerly(regions):
    world()
    run_id = nightly_monitoring_run.delay(AS_OF.isoformat()).get()
    run = MonitoringRun.objects.get(pk=run_id)
    assert run.status == "succeeded" and Alert.objects.filter(run=run).count() == 6


def test_incremental_night_reads_only_new_records_for_serious_disease(regions):
    old, new = monitored_person(), monitored_person()
    DiagnosisFactory(id_number=old.id_number, diagnosed_on=AS_OF - timedelta(days=3), diagnosis_code="C16.0")
    monitoring_run(as_of=AS_OF)
    as_if_last_night()
    batch = ImportBatchFactory(category="diagnosis")
    DiagnosisFactory(id_number=new.id_number, diagnosed_on=AS_OF, diagnosis_code="I63.9", batch=batch)
    # `old` is in tonight's batch too, with an everyday code: his earlier stomach cancer record is
    # not read again (a full night would count it as a candidate already alerted).
    DiagnosisFactory(id_number=old.id_number, diagnosed_on=AS_OF, diagnosis_code="I10", batch=batch)
    night = monitoring_run(as_of=AS_OF + timedelta(days=1))
    assert night.counts["modes"]["serious_disease"] == "incremental"
    assert night.counts["rules"]["serious_disease"] == {"candidates": 1, "new": 1, "already_alerted": 0}
    alert = Alert.objects.get(person=new, rule="serious_disease")
    assert (
        alert.evidence["values"]["disease"] == "脑卒中"
        and alert.evidence["sources"][0]["batch_id"] == batch.id
    )
    assert Alert.objects.filter(rule="serious_disease").count() == 2
    full = monitoring_run(as_of=AS_OF + timedelta(days=1), mode="full")
    assert full.counts["rules"]["serious_disease"] == {"candidates": 2, "new": 0, "already_alerted": 2}


def test_a_failed_run_keeps_its_counts_but_not_the_nights_work_list():
    run = MonitoringRun.objects.create(
        as_of=AS_OF, counts={"county_list": ["130921"], "touched": {"serious_disease": {"130921": [1, 2]}}}
    )
    run_fail(run_id=run.id, error="worker lost")
    run.refresh_from_db()
    assert (run.status, run.error, run.counts) == ("failed", "worker lost", {"county_list": ["130921"]})


def test_the_night_and_its_assignments_are_stamped_with_the_clocks_instant(
    regions, caseworker_a, county_supervisor, pinned_clock
):
    """The database server's clock is months away from the pinned one: SQL's now() would show."""
    from alerts.services.triage import alert_bulk_assign
    from tests.conftest import TOWN_A

    Responsibility.objects.create(region_id=TOWN_A, caseworker=caseworker_a)
    world()
    night = clock.now()
    run = monitoring_run(as_of=AS_OF)
    alerts = Alert.objects.filter(run=run)
    assert alerts.exists()
    assert (run.started_at, run.finished_at) == (night, night)
    assert {(a.created_at, a.updated_at) for a in alerts} == {(night, night)}
    assert set(AlertEvent.objects.values_list("action", "at")) == {("raised", night), ("auto_assign", night)}

    pinned_clock.shift(timedelta(hours=7))
    handed_back = alerts.filter(assignee=caseworker_a).first()
    other = UserFactory(username="caseworker_a2", role="caseworker", scope=caseworker_a.scope)
    alert_bulk_assign(actor=county_supervisor, alert_ids=[handed_back.pk], assignee=other)
    handed_back.refresh_from_db()
    assert handed_back.updated_at == clock.now() == night + timedelta(hours=7)
    assert AlertEvent.objects.get(alert=handed_back, action="bulk_assign").at == clock.now()
