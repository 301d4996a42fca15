import pytest

from alerts.assignment import auto_assign_new_alerts
from alerts.models import AlertEvent, AlertStatus, Responsibility
from tests.conftest import TOWN_A, VILLAGE_A, VILLAGE_B
from tests.factories import AlertFactory, HouseholdFactory, MonitoringRecordFactory, PersonFactory, region

pytestmark = pytest.mark.django_db


def alert_in(region_code: str):
    person = PersonFactory(household=HouseholdFactory(region=region(region_code)))
    MonitoringRecordFactory(person=person)
    return AlertFactory(person=person)


def test_village_caseworker_wins_over_town_and_unowned_alerts_wait_in_queue(
    caseworker_a, caseworker_b, regions
):
    Responsibility.objects.create(region=region(TOWN_A), caseworker=caseworker_b)
    Responsibility.objects.create(region=region(VILLAGE_A), caseworker=caseworker_a)
    in_village = alert_in(VILLAGE_A)
    in_town_elsewhere = alert_in(TOWN_A + "202")
    unowned = alert_in(VILLAGE_B)

    assert auto_assign_new_alerts() == 2

    for alert in (in_village, in_town_elsewhere, unowned):
        alert.refresh_from_db()
    assert (in_village.assignee, in_village.status) == (caseworker_a, AlertStatus.ASSIGNED)
    assert in_town_elsewhere.assignee == caseworker_b
    assert (unowned.assignee, unowned.status) == (None, AlertStatus.NEW)
    event = AlertEvent.objects.get(alert=in_village)
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "auto_assign",
        "new",
        "assigned",
        None,
    )
    assert auto_assign_new_alerts() == 0  # already assigned alerts are left alone
