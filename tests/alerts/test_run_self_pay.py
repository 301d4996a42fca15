"""Rule 1, high medical self-pay: threshold, 365-day window, monitoring dates, cooldown."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from alerts.models import Alert, AlertEvent
from alerts.services.run import monitoring_run
from tests.alerts.feed_factories import MedicalSettlementFactory, monitored_person, rule_defaults  # noqa: F401

AS_OF = date(2026, 11, 20)
RULE = "high_medical_self_pay"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rule_defaults")]


def pay(person, amount: str, day: date = AS_OF):
    return MedicalSettlementFactory(id_number=person.id_number, settle_date=day, self_paid=Decimal(amount))


def alerted(person) -> bool:
    return Alert.objects.filter(rule=RULE, person=person).exists()


def test_exactly_the_threshold_alerts_one_fen_below_does_not(regions):
    at, below = monitored_person(), monitored_person()
    pay(at, "6000.00"), pay(at, "4000.00", AS_OF - timedelta(days=30))
    pay(below, "9999.99")
    run = monitoring_run(as_of=AS_OF)
    assert alerted(at) and not alerted(below)
    assert run.counts["rules"][RULE] == {"candidates": 1, "new": 1, "already_alerted": 0}


def test_window_is_365_days_ending_on_the_as_of_date(regions):
    inside, outside, future = monitored_person(), monitored_person(), monitored_person()
    # as_of − 364 is the first day in the window; as_of − 365 is out.
    pay(inside, "5000"), pay(inside, "5000", AS_OF - timedelta(days=364))
    pay(outside, "5000"), pay(outside, "5000", AS_OF - timedelta(days=365))
    pay(future, "5000"), pay(future, "5000", AS_OF + timedelta(days=1))
    monitoring_run(as_of=AS_OF)
    assert alerted(inside)
    assert not alerted(outside)
    assert not alerted(future)


def test_only_people_monitored_on_the_as_of_date(regions):
    not_yet = monitored_person(since=AS_OF + timedelta(days=1))
    exited_on = monitored_person(exit_date=AS_OF)
    exits_tomorrow = monitored_person(exit_date=AS_OF + timedelta(days=1))
    starts_today = monitored_person(since=AS_OF)
    for person in (not_yet, exited_on, exits_tomorrow, starts_today):
        pay(person, "12000")
    # Someone in the feed who is not in the registry at all.
    MedicalSettlementFactory(settle_date=AS_OF, self_paid=Decimal("50000"))
    monitoring_run(as_of=AS_OF)
    assert [alerted(p) for p in (not_yet, exited_on, exits_tomorrow, starts_today)] == [
        False,
        False,
        True,
        True,
    ]
    assert Alert.objects.count() == 2


def test_alert_belongs_to_household_region_with_deadline_and_evidence(regions):
    person = monitored_person(village="130921102201", annual_income=Decimal("8400"))
    spouse = monitored_person(household=person.household)
    first = pay(person, "23000.50", AS_OF - timedelta(days=3))
    pay(person, "410.00")
    pay(spouse, "100.00")
    monitoring_run(as_of=AS_OF)
    alert = Alert.objects.get(rule=RULE, person=person)
    assert alert.household == person.household and alert.region_id == "130921102201"
    assert alert.raised_on == AS_OF and alert.deadline == AS_OF + timedelta(days=15)
    assert alert.rule_version.version == 1 and alert.run is not None
    assert alert.evidence["summary"] == "近365天个人自付 23,410.50 元，达到阈值 10,000.00 元"
    assert alert.evidence["values"]["self_paid_total"] == "23410.50"
    assert alert.evidence["values"]["household_self_paid_total"] == "23510.50"
    assert alert.evidence["values"]["household_annual_income"] == "8400.00"
    sources = alert.evidence["sources"]
    assert sources[0]["key"] == first.settlement_id
    assert sources[0]["batch_id"] == first.batch_id and sources[0]["table"] == "medical_settlement"
    assert "23,000.50 元" in sources[0]["label"]
    assert AlertEvent.objects.filter(alert=alert, action="raised", to_status="new").exists()
    assert not alerted(spouse)


def test_cooldown_one_alert_per_person_per_365_days(regions):
    person = monitored_person()
    pay(person, "10000", AS_OF - timedelta(days=10))
    monitoring_run(as_of=AS_OF)
    # New large payments later in the cooldown do not raise another alert …
    pay(person, "20000", AS_OF + timedelta(days=100))
    later = monitoring_run(as_of=AS_OF + timedelta(days=364), mode="full")
    assert Alert.objects.filter(rule=RULE, person=person).count() == 1
    assert later.counts["rules"][RULE] == {"candidates": 1, "new": 0, "already_alerted": 1}
    # … the first day after the cooldown does.
    monitoring_run(as_of=AS_OF + timedelta(days=365), mode="full")
    assert list(
        Alert.objects.filter(rule=RULE, person=person)
        .values_list("raised_on", flat=True)
        .order_by("raised_on")
    ) == [
        AS_OF,
        AS_OF + timedelta(days=365),
    ]


def test_cooldown_ending_is_noticed_by_an_incremental_night(regions):
    person = monitored_person()
    pay(person, "10000", AS_OF - timedelta(days=10))
    pay(person, "20000", AS_OF + timedelta(days=300))
    monitoring_run(as_of=AS_OF)
    monitoring_run(as_of=AS_OF + timedelta(days=362), mode="full")
    night = monitoring_run(as_of=AS_OF + timedelta(days=365))
    assert night.counts["modes"][RULE] == "incremental"
    assert night.counts["rules"][RULE]["new"] == 1
