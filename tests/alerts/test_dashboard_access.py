"""Who may open the dashboard, and that drilling down never leaves the user's region."""

import pytest
from django.urls import reverse

from households.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = [
    reverse("alerts:dashboard"),
    reverse("alerts:dashboard_export"),
    reverse("alerts:dashboard_region", args=["130921"]),
    reverse("alerts:dashboard_region_export", args=["130921"]),
]


@pytest.mark.parametrize("url", PAGES)
def test_caseworkers_are_refused(client_for, caseworker_a, url):
    assert client_for(caseworker_a).get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_users_are_sent_to_sign_in(client, regions, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_supervisor_without_a_region_is_refused(client_for, regions):
    nowhere = UserFactory(username="supervisor_nowhere", role=Role.SUPERVISOR, scope=None)
    assert client_for(nowhere).get(reverse("alerts:dashboard")).status_code == 403


@pytest.mark.parametrize(
    "code",
    ["130984", "130900", "130984101", "130922", "130921999"],  # other counties, the city, a missing town
)
@pytest.mark.parametrize("name", ["alerts:dashboard_region", "alerts:dashboard_region_export"])
def test_regions_outside_a_county_supervisors_scope_look_missing(client_for, county_supervisor, code, name):
    assert client_for(county_supervisor).get(reverse(name, args=[code])).status_code == 404


def test_supervisors_and_data_admins_open_their_dashboards(
    client_for, city_supervisor, data_admin, county_supervisor
):
    for user, title in ((city_supervisor, "沧州市"), (data_admin, "沧州市"), (county_supervisor, "沧县")):
        response = client_for(user).get(reverse("alerts:dashboard"))
        assert response.status_code == 200
        assert f"统计看板 · {title}" in response.content.decode()
    city = client_for(city_supervisor).get(reverse("alerts:dashboard_region", args=["130984"]))
    assert city.status_code == 200 and "统计看板 · 河间市" in city.content.decode()


def test_the_dashboard_is_in_the_navigation_of_its_roles_only(client_for, county_supervisor, caseworker_a):
    url = reverse("alerts:dashboard")
    assert f'href="{url}"' in client_for(county_supervisor).get("/").content.decode()
    assert f'href="{url}"' not in client_for(caseworker_a).get("/").content.decode()
