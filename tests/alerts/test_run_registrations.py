"""Rules 3 and 4: registered unemployment and new severe disability certificates."""

from datetime import date, timedelta

import pytest

from alerts.models import Alert
from alerts.services.run import monitoring_run
from tests.alerts.feed_factories import (
    DisabilityCertificateFactory,
    UnemploymentRegistrationFactory,
    monitored_person,
    rule_defaults,  # noqa: F401
)

AS_OF = date(2026, 11, 20)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rule_defaults")]


def keys(rule: str) -> set[str]:
    return set(Alert.objects.filter(rule=rule).values_list("dedupe_key", flat=True))


def test_unemployment_registration_rules(regions):
    people = [monitored_person() for _ in range(6)]
    reg = UnemploymentRegistrationFactory
    open_ = reg(id_number=people[0].id_number, registered_on=AS_OF - timedelta(days=89))
    reg(id_number=people[1].id_number, registered_on=AS_OF - timedelta(days=90))  # out of window
    reg(
        id_number=people[2].id_number,
        registered_on=AS_OF - timedelta(days=10),
        status="employed",
        ended_on=AS_OF - timedelta(days=1),
    )
    reg(
        id_number=people[3].id_number, registered_on=AS_OF - timedelta(days=10), ended_on=AS_OF
    )  # ended on as_of
    ends_later = reg(
        id_number=people[4].id_number,
        registered_on=AS_OF - timedelta(days=10),
        ended_on=AS_OF + timedelta(days=1),
    )
    reg(id_number=people[5].id_number, registered_on=AS_OF - timedelta(days=10), status="cancelled")
    run = monitoring_run(as_of=AS_OF)
    assert keys("registered_unemployment") == {open_.registration_no, ends_later.registration_no}
    alert = Alert.objects.get(dedupe_key=open_.registration_no)
    assert alert.person == people[0] and alert.deadline == AS_OF + timedelta(days=15)
    assert open_.registration_no in alert.evidence["summary"]
    assert alert.evidence["sources"][0]["table"] == "unemployment_registration"
    assert run.counts["rules"]["registered_unemployment"]["new"] == 2


def test_one_alert_per_registration(regions):
    person = monitored_person()
    first = UnemploymentRegistrationFactory(
        id_number=person.id_number, registered_on=AS_OF - timedelta(days=80)
    )
    monitoring_run(as_of=AS_OF)
    second = UnemploymentRegistrationFactory(
        id_number=person.id_number, registered_on=AS_OF + timedelta(days=5)
    )
    monitoring_run(as_of=AS_OF + timedelta(days=5), mode="full")
    assert keys("registered_unemployment") == {first.registration_no, second.registration_no}


def test_disability_certificate_rules(regions):
    people = [monitored_person() for _ in range(6)]
    cert = DisabilityCertificateFactory
    grade1 = cert(id_number=people[0].id_number, grade=1, issued_on=AS_OF)
    grade2 = cert(id_number=people[1].id_number, grade=2, issued_on=AS_OF - timedelta(days=89))
    cert(id_number=people[2].id_number, grade=3, issued_on=AS_OF)  # not severe
    cert(id_number=people[3].id_number, grade=1, issued_on=AS_OF, status="cancelled")
    cert(id_number=people[4].id_number, grade=2, issued_on=AS_OF - timedelta(days=90))  # out of window
    cert(id_number=people[5].id_number, grade=1, issued_on=AS_OF + timedelta(days=1))  # after as_of
    monitoring_run(as_of=AS_OF)
    assert keys("new_severe_disability") == {grade1.certificate_no, grade2.certificate_no}
    alert = Alert.objects.get(dedupe_key=grade1.certificate_no)
    assert alert.deadline == AS_OF + timedelta(days=7)
    assert "一级肢体残疾" in alert.evidence["summary"]
    assert alert.evidence["sources"][0]["batch_id"] == grade1.batch_id


def test_exited_person_gets_no_registration_alerts(regions):
    gone = monitored_person(exit_date=AS_OF - timedelta(days=1))
    UnemploymentRegistrationFactory(id_number=gone.id_number, registered_on=AS_OF - timedelta(days=3))
    DisabilityCertificateFactory(id_number=gone.id_number, issued_on=AS_OF - timedelta(days=3))
    monitoring_run(as_of=AS_OF)
    assert not Alert.objects.exists()


def test_deadlines_come_from_the_rule_version_and_alerts_keep_theirs(regions, city_supervisor):
    from alerts.services.rules import rule_version_create

    person, later = monitored_person(), monitored_person()
    first = UnemploymentRegistrationFactory(
        id_number=person.id_number, registered_on=AS_OF - timedelta(days=3)
    )
    DisabilityCertificateFactory(id_number=person.id_number, issued_on=AS_OF - timedelta(days=3))
    monitoring_run(as_of=AS_OF)
    raised = Alert.objects.get(dedupe_key=first.registration_no)
    assert raised.deadline == AS_OF + timedelta(days=15)  # version 1: 15 days
    assert Alert.objects.get(rule="new_severe_disability").deadline == AS_OF + timedelta(days=7)
    rule_version_create(
        rule="registered_unemployment",
        params={"window_days": 90, "deadline_days": 5},
        user=city_supervisor,
        note="缩短办理期限",
    )
    second = UnemploymentRegistrationFactory(id_number=later.id_number, registered_on=AS_OF)
    next_day = AS_OF + timedelta(days=1)
    monitoring_run(as_of=next_day)
    assert Alert.objects.get(dedupe_key=second.registration_no).deadline == next_day + timedelta(days=5)
    raised.refresh_from_db()
    assert raised.deadline == AS_OF + timedelta(days=15)  # raised under version 1: unchanged
