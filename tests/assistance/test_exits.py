"""Exits (退出): the grant ends, the overpayment of locked rolls is counted, its people leave monitoring."""

from datetime import date
from decimal import Decimal

import pytest
from django.http import Http404

from assistance.models import ExitReason, Grant, GrantAmount, GrantExit
from assistance.services import AssistanceError
from assistance.services.exits import grant_exit, grants_exit
from households import clock
from monitoring.models import MonitoringRecord, MonitoringSpell
from tests.assistance.case_factories import family
from tests.assistance.grant_factories import grant_for
from tests.assistance.review_factories import locked_roll

pytestmark = [pytest.mark.django_db]

DEC, JAN, FEB = date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)


def test_exit_ends_grant_counts_overpayment_and_exits_monitoring(caseworker_a, county_supervisor):
    grant = grant_for(caseworker_a, start_month=DEC, approved_on=date(2026, 11, 20))
    GrantAmount.objects.create(
        grant=grant, amount=Decimal("700.00"), from_month=FEB, reason="调整", changed_by=caseworker_a
    )
    locked_roll(county_supervisor, DEC, [(grant, DEC, DEC, "600")])
    locked_roll(county_supervisor, JAN, [(grant, JAN, JAN, "600")])
    locked_roll(county_supervisor, FEB, [(grant, FEB, FEB, "700")])
    locked_roll(
        county_supervisor,
        date(2027, 3, 1),
        [(grant, date(2027, 3, 1), date(2027, 3, 1), "700")],
        line_status="failed",
    )

    exit_row = grant_exit(
        actor=caseworker_a,
        grant_id=grant.pk,
        reason=ExitReason.DEATH,
        effective_on=date(2027, 1, 15),
        note="户主去世",
    )

    grant.refresh_from_db()
    assert grant.status == "ended" and grant.end_month == JAN
    # February was paid (700) after the end month; March's line failed: nothing paid
    assert exit_row.overpaid == Decimal("700.00")
    assert exit_row.decided_by == caseworker_a and exit_row.decided_at == clock.now()
    for person in grant.household.members.all():
        record = MonitoringRecord.objects.get(person=person)
        assert (record.status, record.exit_date) == ("exited", date(2027, 1, 15))
        change = record.history.order_by("-id").first()
        assert change.changed_by == caseworker_a
        assert change.before["status"] == "active" and change.after["status"] == "exited"
        assert change.after["exit_date"] == "2027-01-15"
        spell = MonitoringSpell.objects.get(person=person)
        assert spell.exit_date == date(2027, 1, 15)


def test_a_person_covered_by_another_active_grant_stays_monitored(caseworker_a):
    household = family(members=3)
    head = household.members.get(relation="head")
    dibao = grant_for(caseworker_a, household, start_month=DEC, approved_on=date(2026, 11, 20))
    grant_for(
        caseworker_a,
        household,
        program_code="tekun_dispersed",
        person=head,
        start_month=DEC,
        approved_on=date(2026, 11, 20),
    )

    grant_exit(
        actor=caseworker_a, grant_id=dibao.pk, reason=ExitReason.INCOME_ABOVE_LINE, effective_on=clock.today()
    )

    statuses = dict(MonitoringRecord.objects.filter(household=household).values_list("person_id", "status"))
    assert statuses.pop(head.pk) == "active"
    assert set(statuses.values()) == {"exited"}


def test_exit_before_start_month_pays_through_the_first_month_only(caseworker_a, county_supervisor):
    grant = grant_for(caseworker_a, start_month=date(2027, 4, 1), approved_on=date(2027, 3, 1))
    exit_row = grant_exit(
        actor=caseworker_a, grant_id=grant.pk, reason=ExitReason.DEATH, effective_on=date(2027, 3, 1)
    )
    grant.refresh_from_db()
    assert grant.end_month == grant.start_month
    assert exit_row.overpaid == 0


def test_exit_refusals(caseworker_a, caseworker_b, data_admin):
    grant = grant_for(caseworker_a, start_month=DEC, approved_on=date(2026, 11, 20))
    with pytest.raises(AssistanceError, match="本月最后一天（2027-03-31）"):
        grant_exit(actor=caseworker_a, grant_id=grant.pk, reason="death", effective_on=date(2027, 4, 1))
    with pytest.raises(AssistanceError, match="退出原因"):
        grant_exit(
            actor=caseworker_a, grant_id=grant.pk, reason="gradual_exit_ended", effective_on=clock.today()
        )
    with pytest.raises(Http404):
        grant_exit(actor=caseworker_b, grant_id=grant.pk, reason="death", effective_on=clock.today())
    with pytest.raises(AssistanceError, match="经办人和督导"):
        grant_exit(actor=data_admin, grant_id=grant.pk, reason="death", effective_on=clock.today())
    grant_exit(actor=caseworker_a, grant_id=grant.pk, reason="death", effective_on=clock.today())
    with pytest.raises(AssistanceError, match="已停发"):
        grant_exit(actor=caseworker_a, grant_id=grant.pk, reason="death", effective_on=clock.today())
    one_off = grant_for(caseworker_a, program_code="temp_emergency", start_month=date(2027, 3, 1))
    with pytest.raises(AssistanceError, match="一次性"):
        grant_exit(actor=caseworker_a, grant_id=one_off.pk, reason="death", effective_on=clock.today())
    assert GrantExit.objects.count() == 1


def test_set_based_exit_by_the_system_skips_ended_grants(caseworker_a):
    first = grant_for(caseworker_a, start_month=DEC, approved_on=date(2026, 11, 20))
    second = grant_for(caseworker_a, start_month=DEC, approved_on=date(2026, 11, 20))
    result = grants_exit(
        rows=[(first.pk, "death", date(2027, 2, 10)), (second.pk, "moved_away", date(2027, 2, 20))],
        actor=None,
        now=clock.now(),
    )
    assert result == {"ended": 2, "skipped": 0, "people_exited": 6}
    assert GrantExit.objects.get(grant=first).decided_by is None
    again = grants_exit(rows=[(first.pk, "death", date(2027, 2, 10))], now=clock.now())
    assert again["ended"] == 0 and again["skipped"] == 1
    assert Grant.objects.filter(status="ended").count() == 2
