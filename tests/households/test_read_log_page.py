"""Supervisors see who looked at a household of their region; nobody else does."""

import pytest
from django.urls import reverse

from households.auth_backends import role_permissions
from households.models import Role
from households.readlog.models import ReadLogEntry
from tests.conftest import OTHER_COUNTY_VILLAGE, VILLAGE_A
from tests.factories import UserFactory, household_with_head, region
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def reads_url(household) -> str:
    return reverse("households:reads", args=[household.pk])


def test_a_county_supervisor_sees_who_looked_when_and_from_where(client, caseworker_a, county_supervisor):
    household = household_with_head(VILLAGE_A)
    client.force_login(caseworker_a)
    client.get(reverse("households:detail", args=[household.pk]), REMOTE_ADDR="10.20.30.40")
    client.force_login(county_supervisor)
    response = client.get(reads_url(household))
    assert response.status_code == 200
    text = page_text(response)
    assert str(caseworker_a) in text and "经办人" in text and "查看家庭" in text
    assert "10.20.30.40" in text and f"/households/{household.pk}/" in text


def test_the_household_page_links_to_it_for_supervisors_only(client_for, caseworker_a, county_supervisor):
    household = household_with_head(VILLAGE_A)
    url = reverse("households:detail", args=[household.pk])
    assert reads_url(household) in client_for(county_supervisor).get(url).content.decode()
    assert reads_url(household) not in client_for(caseworker_a).get(url).content.decode()


def test_outside_the_region_is_404(client_for, county_supervisor, city_supervisor):
    household = household_with_head(OTHER_COUNTY_VILLAGE)
    assert client_for(county_supervisor).get(reads_url(household)).status_code == 404
    assert client_for(city_supervisor).get(reads_url(household)).status_code == 200


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.DATA_ADMIN, Role.SYSTEM_ADMIN])
def test_other_roles_may_not_see_it(client_for, regions, role):
    user = UserFactory(username=f"u_{role}", role=role, scope=region("130900"))
    household = household_with_head(VILLAGE_A)
    response = client_for(user).get(reads_url(household))
    assert response.status_code == 403
    assert "仅向督导开放" in page_text(response)
    assert "readlog.view_readlogentry" not in role_permissions(user)


def test_entries_of_other_households_are_not_listed_and_pages_hold_fifty(client_for, city_supervisor):
    household, other = household_with_head(VILLAGE_A), household_with_head(VILLAGE_A)
    client = client_for(city_supervisor)
    for _ in range(53):
        client.get(reverse("households:detail", args=[household.pk]))
    client.get(reverse("households:detail", args=[other.pk]))
    first = client.get(reads_url(household))
    assert len(first.context["entries"]) == 50
    second = client.get(reads_url(household), {"before": first.context["next_before"]})
    # 53 views of the household; the supervisor's own look at this list is not a household view
    assert len(second.context["entries"]) == 3 and second.context["next_before"] is None
    shown = {e.pk for e, _role in first.context["entries"]} | {e.pk for e, _role in second.context["entries"]}
    assert shown == set(
        ReadLogEntry.objects.filter(household_ids__contains=[household.pk]).values_list("pk", flat=True)
    )


def test_the_admin_shows_the_whole_log_to_superusers_only(client_for, city_supervisor, regions):
    root = UserFactory(username="root", is_superuser=True, role=Role.SYSTEM_ADMIN, scope=None)
    url = reverse("admin:readlog_readlogentry_changelist")
    assert client_for(city_supervisor).get(url).status_code == 403
    assert client_for(root).get(url).status_code == 200
    assert client_for(root).get(reverse("admin:readlog_readlogentry_add")).status_code == 403
