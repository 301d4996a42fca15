"""Self-pay on an incremental night: only people who could be alerted are re-summed (a stored upper
bound plus what arrived since reaches the threshold, and no alert within the cooldown) — and the
alerts are exactly those of a full run of the same night, at each boundary of that shortcut."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from alerts.models import Alert, MonitoringRun, SelfPayState
from alerts.services.run import monitoring_run, run_begin
from households import clock
from imports.models import ImportBatch
from monitoring.models import MonitoringRecord, MonitoringSpell
from tests.alerts.feed_factories import (
    ImportBatchFactory,
    MedicalSettlementFactory,
    monitored_person,
    rule_defaults,  # noqa: F401
)

AS_OF = date(2026, 11, 18)  # a Wednesday: "auto" may run incrementally the next night
NEXT = AS_OF + timedelta(days=1)
RULE = "high_medical_self_pay"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rule_defaults")]


def pay(person, amount: str, day: date, batch=None):
    extra = {"batch": batch} if batch else {}
    return MedicalSettlementFactory(
        id_number=person.id_number, settle_date=day, self_paid=Decimal(amount), **extra
    )


def as_if_last_night():
    yesterday = clock.now() - timedelta(days=1)
    MonitoringRun.objects.update(started_at=yesterday)
    ImportBatch.objects.update(finished_at=yesterday - timedelta(hours=1))
    MonitoringRecord.objects.update(updated_at=yesterday - timedelta(hours=1))
    MonitoringSpell.objects.update(updated_at=yesterday - timedelta(hours=1))


def evening(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(21)))


def alerts():
    return sorted(Alert.objects.filter(rule=RULE).values_list("person_id", "raised_on", "evidence"))


def night_then_full_agrees():
    """The incremental night, then a full run of the same night must find nothing more to raise."""
    night = monitoring_run(as_of=NEXT)
    assert night.counts["modes"][RULE] == "incremental"
    raised = alerts()
    night.states = {s.person_id: (s.as_of, s.total_upper) for s in SelfPayState.objects.all()}
    full = monitoring_run(as_of=NEXT, mode="full")
    assert full.counts["rules"][RULE]["new"] == 0
    assert alerts() == raised
    return night


def test_bound_one_fen_under_the_threshold_is_not_resummed_and_at_it_is(regions):
    under, at = monitored_person(), monitored_person()
    for person in (under, at):
        pay(person, "9000.00", AS_OF - timedelta(days=5))
    monitoring_run(as_of=AS_OF)
    assert SelfPayState.objects.get(person=under).total_upper == Decimal("9000.00")
    as_if_last_night()
    batch = ImportBatchFactory()
    pay(under, "999.99", NEXT, batch)
    pay(at, "1000.00", NEXT, batch)
    night = night_then_full_agrees()
    # Only `at` could reach the threshold, so only `at` was summed again — and alerted.
    assert night.counts["rules"][RULE] == {"candidates": 1, "new": 1, "already_alerted": 0}
    assert [a[0] for a in alerts()] == [at.id]
    # The skipped person's bound moved to tonight: old total plus the new row.
    assert night.states[under.id] == (NEXT, Decimal("9999.99"))


def test_window_slides_bound_reaches_threshold_but_exact_sum_does_not(regions):
    person = monitored_person()
    pay(person, "9000.00", AS_OF - timedelta(days=364))  # the last day it counts
    monitoring_run(as_of=AS_OF)
    as_if_last_night()
    pay(person, "1500.00", NEXT, ImportBatchFactory())
    night = night_then_full_agrees()
    # Summed again (9,000 + 1,500 could reach 10,000), but the 9,000 left the window tonight.
    assert night.counts["rules"][RULE] == {"candidates": 0, "new": 0, "already_alerted": 0}
    assert alerts() == []
    assert night.states[person.id] == (NEXT, Decimal("1500.00"))


def test_a_row_dated_ahead_counts_in_the_bound(regions):
    person = monitored_person()
    pay(person, "9000.00", AS_OF)
    pay(person, "600.00", NEXT)  # sent before its date: outside last night's window, inside tonight's
    monitoring_run(as_of=AS_OF)
    as_if_last_night()
    pay(person, "500.00", NEXT, ImportBatchFactory())
    night_then_full_agrees()
    assert [a[0] for a in alerts()] == [person.id]
    assert alerts()[0][2]["values"]["self_paid_total"] == "10100.00"


def test_rows_dated_ahead_are_looked_for_only_in_batches_finished_after_the_bound_was_stored(regions):
    person = monitored_person()
    on_time, ahead = ImportBatchFactory(), ImportBatchFactory()
    pay(person, "9000.00", AS_OF, on_time)
    pay(person, "600.00", NEXT, ahead)  # outside last night's window: not in the stored bound
    monitoring_run(as_of=AS_OF)
    as_if_last_night()
    # The loader rejects dates after the import day: a batch finished on the bound's date cannot
    # hold a row dated after it, one finished the day after can.
    ImportBatch.objects.filter(pk=on_time.pk).update(finished_at=evening(AS_OF))
    ImportBatch.objects.filter(pk=ahead.pk).update(finished_at=evening(NEXT))
    pay(person, "500.00", NEXT, ImportBatchFactory())
    night = night_then_full_agrees()
    assert night.counts["ahead_batches"] == [ahead.id]
    # 9,000 stored + 500 new + 600 dated ahead reaches the threshold: re-summed and alerted.
    assert [a[0] for a in alerts()] == [person.id]
    assert alerts()[0][2]["values"]["self_paid_total"] == "10100.00"


def test_someone_alerted_within_the_cooldown_is_not_resummed(regions):
    person = monitored_person()
    pay(person, "12000.00", AS_OF)
    monitoring_run(as_of=AS_OF)
    as_if_last_night()
    pay(person, "5000.00", NEXT, ImportBatchFactory())
    night = night_then_full_agrees()
    assert night.counts["rules"][RULE] == {"candidates": 0, "new": 0, "already_alerted": 0}
    assert Alert.objects.filter(rule=RULE, person=person).count() == 1


def test_without_a_stored_bound_everyone_touched_is_summed(regions):
    person = monitored_person()
    pay(person, "9500.00", AS_OF)
    monitoring_run(as_of=AS_OF)
    as_if_last_night()
    SelfPayState.objects.all().delete()  # e.g. the first night after this table appeared
    pay(person, "500.00", NEXT, ImportBatchFactory())
    night = night_then_full_agrees()
    assert night.counts["rules"][RULE]["new"] == 1


def test_a_full_night_stores_everyone_monitored_exactly(regions):
    a, b = monitored_person(), monitored_person()
    pay(a, "100.00", AS_OF)
    monitoring_run(as_of=AS_OF, mode="full")
    states = {s.person_id: s for s in SelfPayState.objects.all()}
    assert states[a.id].total_upper == Decimal("100.00") and states[b.id].total_upper == Decimal("0")
    assert states[a.id].as_of == AS_OF and states[a.id].id_number == a.id_number


def test_serious_disease_night_looks_only_at_new_records_naming_a_listed_disease(regions):
    common, lung = monitored_person(), monitored_person()
    monitoring_run(as_of=AS_OF)
    as_if_last_night()
    batch = ImportBatchFactory()
    for person, code in ((common, "I10"), (lung, "C34.901")):
        MedicalSettlementFactory(
            id_number=person.id_number,
            settle_date=NEXT,
            self_paid=Decimal("1"),
            diagnosis_code=code,
            batch=batch,
        )
    begun = run_begin(as_of=NEXT)  # the night's work list is kept while the run is going on
    # The person whose new record names no listed disease is not on the night's work list at all.
    work_list = [pid for ids in begun.counts["touched"]["serious_disease"].values() for pid in ids]
    assert work_list == [lung.id]
    night = night_then_full_agrees()  # resumes the run begun above
    assert night.pk == begun.pk
    assert "touched" not in MonitoringRun.objects.get(pk=night.pk).counts  # dropped at the end
    assert night.counts["rules"]["serious_disease"] == {"candidates": 1, "new": 1, "already_alerted": 0}
    assert Alert.objects.get(rule="serious_disease").person == lung
