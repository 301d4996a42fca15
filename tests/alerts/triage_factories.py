"""Factories for the triage tests: alerts placed in a region, in a given state."""

from datetime import timedelta

from alerts.models import Alert, AlertStatus, HomeVisit
from households import clock
from tests.factories import AlertFactory, HouseholdFactory, MonitoringRecordFactory, PersonFactory, region


def alert_in(
    region_code: str, *, name: str | None = None, status: str = AlertStatus.NEW, assignee=None, **kwargs
) -> Alert:
    """An alert about a monitored person of a household in `region_code`."""
    person_kwargs = {"household": HouseholdFactory(region=region(region_code))}
    if name:
        person_kwargs["name"] = name
    person = PersonFactory(**person_kwargs)
    MonitoringRecordFactory(person=person)
    return AlertFactory(person=person, status=status, assignee=assignee, **kwargs)


def closed_alert_in(region_code: str, *, assignee, closed_at="2026-01-01T00:00Z", **kwargs) -> Alert:
    """An alert `assignee` closed (as data error) at `closed_at`."""
    return alert_in(
        region_code,
        status=AlertStatus.CLOSED,
        assignee=assignee,
        outcome="data_error",
        closed_at=closed_at,
        **kwargs,
    )


def overdue_alert_in(region_code: str, **kwargs) -> Alert:
    raised = clock.today() - timedelta(days=30)
    return alert_in(region_code, raised_on=raised, deadline=raised + timedelta(days=15), **kwargs)


def visit_for(alert: Alert, user, **kwargs) -> HomeVisit:
    values = {
        "visited_on": alert.raised_on,
        "visitors": "李四、王五",
        "findings": "核实属实",
        "household_situation": "一家三口，主要劳动力住院",
        "recorded_by": user,
    }
    values.update(kwargs)
    return HomeVisit.objects.create(alert=alert, household=alert.household, **values)
