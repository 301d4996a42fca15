"""A roster file that moves a household: its open alerts follow to the new area's caseworker."""

import pytest

from alerts.models import AlertStatus, Responsibility
from households.models import Person
from monitoring.models import MonitoringRecord
from tests.conftest import TOWN_A, TOWN_B, VILLAGE_A, VILLAGE_B
from tests.factories import AlertFactory, region
from tests.imports.helpers import csv_bytes
from tests.imports.test_roster import CHILD, HEAD, HEADER, SPOUSE, person_row

pytestmark = pytest.mark.django_db


def family(village: str) -> bytes:
    return csv_bytes(
        [
            HEADER,
            person_row(HEAD, "张大", relation="户主", region=village),
            person_row(SPOUSE, "李二", region=village),
            person_row(CHILD, "张小", relation="子", region=village),
        ]
    )


def test_a_roster_that_moves_a_household_takes_its_open_alerts_along(
    load, data_admin, caseworker_a, caseworker_b
):
    Responsibility.objects.create(region=region(TOWN_A), caseworker=caseworker_a)
    Responsibility.objects.create(region=region(TOWN_B), caseworker=caseworker_b)
    load("roster", family(VILLAGE_A), "名册.csv", user=data_admin)
    spouse = Person.objects.get(id_number=SPOUSE)
    open_alert = AlertFactory(person=spouse, status=AlertStatus.VERIFYING, assignee=caseworker_a)
    closed = AlertFactory(
        person=spouse,
        status=AlertStatus.CLOSED,
        assignee=caseworker_a,
        outcome="data_error",
        closed_at="2027-01-01T00:00Z",
    )

    batch = load("roster", family(VILLAGE_B), "名册2.csv", user=data_admin)

    open_alert.refresh_from_db()
    assert (open_alert.region_id, open_alert.assignee, open_alert.status) == (
        VILLAGE_B,
        caseworker_b,
        AlertStatus.VERIFYING,
    )
    event = open_alert.events.get(action="move")
    assert event.actor == data_admin and f"#{batch.pk}" in event.note
    closed.refresh_from_db()
    assert (closed.region_id, closed.assignee) == (VILLAGE_A, caseworker_a)
    assert MonitoringRecord.objects.get(person=spouse).region_code == VILLAGE_B
