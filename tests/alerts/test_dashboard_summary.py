"""The nightly summaries on hand-made cases: local dates, history fallback, window edges."""

from datetime import date, timedelta

import pytest

from alerts.models import AlertEvent, DashboardMeasure, DashboardSummary
from alerts.services.dashboard import refresh_dashboard_summaries, window_start
from tests.alerts.dashboard_factories import at, monitored
from tests.conftest import OTHER_COUNTY_VILLAGE, VILLAGE_A
from tests.factories import AlertFactory

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 6, 15)


def figure(node: str, measure: str, rule: str = "", **filters):
    return DashboardSummary.objects.filter(node=node, measure=measure, rule=rule, **filters).first()


def test_window_is_the_twelve_months_ending_with_the_as_of_month():
    assert window_start(date(2025, 6, 15)) == date(2024, 7, 1)
    assert window_start(date(2025, 12, 31)) == date(2025, 1, 1)
    assert window_start(date(2026, 1, 1)) == date(2025, 2, 1)


def test_durations_count_local_calendar_days_and_fall_back_to_the_history(regions, caseworker_a):
    person = monitored(VILLAGE_A, "dibao", date(2024, 1, 1)).person
    raised = AS_OF - timedelta(days=10)
    # 07:00 in Cangzhou is still the previous day in UTC: two local days, not one
    AlertFactory(
        person=person,
        raised_on=raised,
        status="closed",
        assignee=caseworker_a,
        outcome="enrol_dibao",
        verified_at=at(raised + timedelta(days=2), 7),
        closed_at=at(raised + timedelta(days=5), 7),
    )
    from_history = AlertFactory(person=person, raised_on=raised, status="verifying", assignee=caseworker_a)
    first = AlertEvent.objects.create(alert=from_history, action="start_verification", to_status="verifying")
    second = AlertEvent.objects.create(alert=from_history, action="start_verification", to_status="verifying")
    AlertEvent.objects.filter(pk=first.pk).update(at=at(raised + timedelta(days=4)))
    AlertEvent.objects.filter(pk=second.pk).update(at=at(raised + timedelta(days=8)))
    # closed before the window: neither in the outcomes nor in the medians
    AlertFactory(
        person=person,
        raised_on=date(2024, 5, 1),
        status="closed",
        assignee=caseworker_a,
        outcome="not_eligible",
        verified_at=at(date(2024, 5, 2)),
        closed_at=at(date(2024, 6, 30), 23),
    )
    # verified after the as-of date (a refresh for an earlier day): not counted yet
    AlertFactory(
        person=person,
        raised_on=raised,
        status="verifying",
        assignee=caseworker_a,
        verified_at=at(AS_OF + timedelta(days=1)),
    )
    refresh_dashboard_summaries(as_of=AS_OF)
    for node in ("1309", "130921", "130921101", VILLAGE_A):
        verify = figure(node, DashboardMeasure.DAYS_TO_VERIFY)
        assert (verify.count, verify.median_days) == (2, 3.0)  # 2 days and 4 days
        close = figure(node, DashboardMeasure.DAYS_TO_CLOSE)
        assert (close.count, close.median_days) == (1, 5.0)
        assert figure(node, DashboardMeasure.CLOSED, "high_medical_self_pay", key="enrol_dibao").count == 1
        assert not figure(node, DashboardMeasure.CLOSED, "high_medical_self_pay", key="not_eligible")
    assert not figure("130984", DashboardMeasure.DAYS_TO_VERIFY)


def test_raised_per_month_and_monitored_people_per_node(regions):
    here = monitored(VILLAGE_A, "tekun", date(2025, 6, 15)).person  # enrolled on the as-of day: counted
    monitored(VILLAGE_A, "tekun", date(2025, 6, 16))  # from tomorrow: not yet
    monitored(VILLAGE_A, "dibao", date(2020, 1, 1), exit_date=date(2025, 6, 15))  # exited that day: gone
    there = monitored(OTHER_COUNTY_VILLAGE, "dibao", date(2020, 1, 1)).person
    for day in (date(2025, 6, 1), date(2025, 6, 15), date(2024, 7, 1), date(2024, 6, 30), date(2025, 6, 16)):
        AlertFactory(person=here, rule="serious_disease", raised_on=day)
    AlertFactory(person=there, rule="serious_disease", raised_on=date(2025, 6, 2))
    refresh_dashboard_summaries(as_of=AS_OF)
    june = figure("130921", DashboardMeasure.RAISED, "serious_disease", month=date(2025, 6, 1))
    assert june.count == 2  # the 16th is after the as-of date
    assert figure("130921", DashboardMeasure.RAISED, "serious_disease", month=date(2024, 7, 1)).count == 1
    assert not figure("130921", DashboardMeasure.RAISED, "serious_disease", month=date(2024, 6, 1))
    assert figure("1309", DashboardMeasure.RAISED, "serious_disease", month=date(2025, 6, 1)).count == 3
    assert figure("130984101", DashboardMeasure.RAISED, "serious_disease", month=date(2025, 6, 1)).count == 1
    assert figure("130921101201", DashboardMeasure.MONITORED, key="tekun").count == 1
    assert not figure("130921101201", DashboardMeasure.MONITORED, key="dibao")
    assert figure("1309", DashboardMeasure.MONITORED, key="dibao").count == 1
