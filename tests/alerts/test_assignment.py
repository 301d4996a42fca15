import pytest
from django.core.exceptions import ValidationError

from alerts.assignment import auto_assign_new_alerts
from alerts.models import Alert, AlertEvent, AlertStatus, Responsibility
from households.models import Role
from households.scoping import scope_queryset
from tests.conftest import OTHER_COUNTY_VILLAGE, TOWN_A, VILLAGE_A, VILLAGE_B
from tests.factories import (
    AlertFactory,
    HouseholdFactory,
    MonitoringRecordFactory,
    PersonFactory,
    UserFactory,
    region,
)

pytestmark = pytest.mark.django_db


def alert_in(region_code: str):
    person = PersonFactory(household=HouseholdFactory(region=region(region_code)))
    MonitoringRecordFactory(person=person)
    return AlertFactory(person=person)


def test_village_caseworker_wins_over_town_and_unowned_alerts_wait_in_queue(caseworker_a, regions):
    town_lead = UserFactory(username="cw_town_a", role=Role.CASEWORKER, scope=region(TOWN_A))
    Responsibility.objects.create(region=region(TOWN_A), caseworker=town_lead)
    Responsibility.objects.create(region=region(VILLAGE_A), caseworker=caseworker_a)
    in_village = alert_in(VILLAGE_A)
    in_town_elsewhere = alert_in(TOWN_A + "202")
    unowned = alert_in(VILLAGE_B)

    assert auto_assign_new_alerts() == 2

    for alert in (in_village, in_town_elsewhere, unowned):
        alert.refresh_from_db()
    assert (in_village.assignee, in_village.status) == (caseworker_a, AlertStatus.ASSIGNED)
    assert in_town_elsewhere.assignee == town_lead
    assert (unowned.assignee, unowned.status) == (None, AlertStatus.NEW)
    event = AlertEvent.objects.get(alert=in_village)
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "auto_assign",
        "new",
        "assigned",
        None,
    )
    assert auto_assign_new_alerts() == 0  # already assigned alerts are left alone


def test_auto_assignment_only_picks_an_active_caseworker_who_can_see_the_alert(
    caseworker_a, caseworker_b, county_supervisor, regions
):
    """A responsibility naming someone who cannot see the alert (another town's caseworker, a
    supervisor, a deactivated caseworker) is passed over for the next wider one, or the alert waits."""
    city_caseworker = UserFactory(username="cw_city", role=Role.CASEWORKER, scope=region("130900"))
    gone = UserFactory(username="cw_gone", role=Role.CASEWORKER, scope=region(VILLAGE_A), is_active=False)
    Responsibility.objects.create(region=region(VILLAGE_A), caseworker=caseworker_b)  # town B's
    Responsibility.objects.create(region=region(TOWN_A), caseworker=caseworker_a)
    Responsibility.objects.create(region=region(VILLAGE_B), caseworker=county_supervisor)  # not a caseworker
    Responsibility.objects.create(region=region(TOWN_A + "203"), caseworker=gone)
    Responsibility.objects.create(region=region(OTHER_COUNTY_VILLAGE), caseworker=city_caseworker)
    wrong_town = alert_in(VILLAGE_A)
    supervisor_only = alert_in(VILLAGE_B)
    inactive = alert_in(TOWN_A + "203")
    city_wide = alert_in(OTHER_COUNTY_VILLAGE)

    assert auto_assign_new_alerts() == 3

    for alert in (wrong_town, supervisor_only, inactive, city_wide):
        alert.refresh_from_db()
    assert wrong_town.assignee == caseworker_a  # the town's caseworker, not town B's
    assert inactive.assignee == caseworker_a
    assert (supervisor_only.assignee, supervisor_only.status) == (None, AlertStatus.NEW)
    assert city_wide.assignee == city_caseworker  # a city scope covers every region of the city
    for alert in (wrong_town, inactive, city_wide):
        assert scope_queryset(Alert.objects.filter(pk=alert.pk), alert.assignee).exists()


def test_a_responsibility_names_only_a_caseworker_who_can_see_the_region(
    caseworker_a, caseworker_b, county_supervisor, regions
):
    for someone in (caseworker_b, county_supervisor):
        with pytest.raises(ValidationError, match="看不到"):
            Responsibility(region=region(VILLAGE_A), caseworker=someone).full_clean()
    Responsibility(region=region(VILLAGE_A), caseworker=caseworker_a).full_clean()
