"""The dashboard's assistance figures (assistance/dashboard.py and its fragment), and the alerts
dashboard's people alerted: each figure inside and outside the window and the region."""

from datetime import date

import pytest
from django.urls import reverse

from alerts.selectors.dashboard import dashboard_node, summary
from alerts.services.dashboard import refresh_dashboard_summaries
from assistance import services
from assistance.dashboard import assistance_figures
from assistance.models import Application
from households import clock
from households.models import Relation, Role
from tests.assistance.case_factories import application_at, family
from tests.conftest import OTHER_COUNTY_VILLAGE, TOWN_A, TOWN_B, VILLAGE_A, VILLAGE_B, beijing
from tests.factories import AlertFactory, MonitoringRecordFactory, UserFactory, region

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 8)
WINDOW_START = date(2025, 7, 1)  # the twelve months ending with June 2026
BEFORE_WINDOW = date(2025, 6, 30)
OTHER_TOWN = OTHER_COUNTY_VILLAGE[:9]


@pytest.fixture
def workday(pinned_clock):
    pinned_clock.move_to(beijing("2026-06-08 09:00"))
    return pinned_clock


@pytest.fixture
def workers(regions, caseworker_a, caseworker_b):
    """A caseworker for every town the tests put households in."""
    other = UserFactory(username="caseworker_hejian", role=Role.CASEWORKER, scope=region(OTHER_TOWN))
    return {TOWN_A: caseworker_a, TOWN_B: caseworker_b, OTHER_TOWN: other}


def granted(
    workers,
    village: str,
    program_code: str,
    approved_on: date,
    *,
    members: int = 3,
    before=None,
    step="confirm",
):
    """A household of `members` in `village` granted `program_code` on `approved_on` (through the
    grant service); `before` is the monitoring category its head had until then."""
    household = family(village, members=members)
    head = household.members.get(relation=Relation.HEAD)
    if before:
        MonitoringRecordFactory(person=head, category=before)
    actor = workers[village[:9]]
    application = application_at(step, household, actor, program_code)
    grant = services.grant_create(application=application, actor=actor, today=approved_on, reason="批准")
    decide(application, "approved", approved_on)
    return grant


def decide(application: Application, status: str, day: date, hour: int = 10) -> None:
    Application.objects.filter(pk=application.pk).update(
        status=status, decided_at=beijing(f"{day:%Y-%m-%d} {hour:02d}:00"), current_due_on=None
    )


def monitored_head(household):
    return MonitoringRecordFactory(person=household.members.get(relation=Relation.HEAD)).person


def figures_for(user, code: str | None = None):
    return assistance_figures(user=user, node=dashboard_node(user=user, code=code), today=clock.today())


def by_code(figures) -> dict:
    return {r.code: r for r in figures.rows}


def test_people_granted_count_the_window_and_the_region(workday, workers, county_supervisor, city_supervisor):
    granted(workers, VILLAGE_A, "rural_dibao", TODAY, members=3, before="relapse_watch")
    granted(workers, VILLAGE_B, "rural_dibao", WINDOW_START, members=2)
    granted(workers, VILLAGE_B, "rural_dibao", BEFORE_WINDOW, members=5)  # before the window
    granted(workers, VILLAGE_B, "rural_dibao", TODAY, members=1, before="dibao")  # already 低保: not new
    granted(workers, OTHER_COUNTY_VILLAGE, "rural_dibao", TODAY, members=4, before="relapse_watch")
    granted(workers, VILLAGE_A, "tekun_dispersed", date(2026, 1, 15), before="relapse_watch")
    granted(workers, VILLAGE_B, "tekun_dispersed", BEFORE_WINDOW)
    granted(workers, OTHER_COUNTY_VILLAGE, "tekun_dispersed", TODAY)

    county = figures_for(county_supervisor)
    assert (county.total.new_dibao, county.total.new_tekun, county.total.from_relapse_watch) == (5, 1, 2)
    rows = by_code(county)
    assert (rows[TOWN_A].new_dibao, rows[TOWN_A].new_tekun, rows[TOWN_A].from_relapse_watch) == (3, 1, 2)
    assert (rows[TOWN_B].new_dibao, rows[TOWN_B].new_tekun, rows[TOWN_B].from_relapse_watch) == (2, 0, 0)
    assert OTHER_COUNTY_VILLAGE[:6] not in rows

    city = figures_for(city_supervisor)
    assert (city.total.new_dibao, city.total.new_tekun, city.total.from_relapse_watch) == (9, 2, 3)
    assert by_code(city)[OTHER_COUNTY_VILLAGE[:6]].new_dibao == 4
    assert by_code(city)["130921"].new_dibao == 5


def test_temporary_assistance_counts_people_covered_per_grant(
    workday, workers, county_supervisor, city_supervisor
):
    grant = granted(workers, VILLAGE_A, "temp_expenditure", TODAY, members=3)
    # the same household helped again in the window: person-times, so its people count again
    application = application_at("confirm", grant.household, workers[TOWN_A], "temp_emergency")
    services.grant_create(application=application, actor=workers[TOWN_A], today=WINDOW_START, reason="批准")
    decide(application, "approved", WINDOW_START)
    granted(workers, VILLAGE_B, "temp_expenditure", BEFORE_WINDOW, members=2)
    granted(
        workers, VILLAGE_B, "hardship_fund", TODAY, members=2, step="payment"
    )  # the special fund is not 临时救助
    granted(workers, OTHER_COUNTY_VILLAGE, "temp_expenditure", TODAY, members=4)

    county = figures_for(county_supervisor)
    assert county.total.temporary_person_times == 6
    assert by_code(county)[TOWN_A].temporary_person_times == 6
    assert by_code(county)[TOWN_B].temporary_person_times == 0
    assert county.total.new_dibao == county.total.new_tekun == 0
    assert figures_for(city_supervisor).total.temporary_person_times == 10


def test_applications_open_overdue_and_decided(workday, workers, county_supervisor, city_supervisor):
    overdue = application_at("home_visit", family(VILLAGE_A), workers[TOWN_A])
    in_time = application_at("home_visit", family(VILLAGE_A), workers[TOWN_A], "tekun_dispersed")
    pending = application_at("confirm", family(VILLAGE_B), workers[TOWN_B])
    due_today = application_at("accept", family(VILLAGE_B), workers[TOWN_B])
    elsewhere = application_at("home_visit", family(OTHER_COUNTY_VILLAGE), workers[OTHER_TOWN])
    for application, due in [
        (overdue, date(2026, 6, 5)),
        (in_time, date(2026, 6, 20)),
        (pending, None),  # due date not known yet: never overdue
        (due_today, TODAY),
        (elsewhere, date(2026, 5, 1)),
    ]:
        Application.objects.filter(pk=application.pk).update(current_due_on=due)
    for village, status, day in [
        (VILLAGE_A, "approved", date(2026, 3, 2)),
        (VILLAGE_A, "rejected", WINDOW_START),
        (VILLAGE_B, "rejected", TODAY),
        (VILLAGE_B, "withdrawn", date(2025, 12, 1)),
        (VILLAGE_B, "rejected", BEFORE_WINDOW),
        (OTHER_COUNTY_VILLAGE, "approved", TODAY),
    ]:
        decide(application_at("accept", family(village), workers[village[:9]]), status, day, hour=23)
    # decided at 23:30 on the last day before the window (15:30 UTC, inside it): still outside
    late = application_at("accept", family(VILLAGE_A), workers[TOWN_A])
    Application.objects.filter(pk=late.pk).update(status="withdrawn", decided_at=beijing("2025-06-30 23:30"))

    county = figures_for(county_supervisor)
    total = county.total
    assert (total.open, total.overdue) == (4, 1)
    assert (total.approved, total.rejected, total.withdrawn) == (1, 2, 1)
    rows = by_code(county)
    assert (rows[TOWN_A].open, rows[TOWN_A].overdue, rows[TOWN_A].approved, rows[TOWN_A].rejected) == (
        2,
        1,
        1,
        1,
    )
    assert (rows[TOWN_B].open, rows[TOWN_B].overdue, rows[TOWN_B].rejected, rows[TOWN_B].withdrawn) == (
        2,
        0,
        1,
        1,
    )
    steps = {s.name: (s.open, s.overdue) for s in county.steps}
    assert steps == {"申请受理": (1, 0), "入户调查": (2, 1), "审核确认": (1, 0)}
    assert [s.name for s in county.steps] == ["申请受理", "入户调查", "审核确认"]

    city = figures_for(city_supervisor)
    assert (city.total.open, city.total.overdue, city.total.approved) == (5, 2, 2)


def test_drilling_down_shows_the_childrens_figures(workday, workers, county_supervisor):
    granted(workers, VILLAGE_A, "rural_dibao", TODAY, members=3)
    town = figures_for(county_supervisor, TOWN_A)
    assert town.node.region.code == TOWN_A
    assert by_code(town)[VILLAGE_A].new_dibao == 3
    assert all(r.code.startswith(TOWN_A) for r in town.rows)
    village = figures_for(county_supervisor, VILLAGE_A)
    assert [(r.code, r.new_dibao) for r in village.rows] == [(VILLAGE_A, 3)]


def test_the_fragment_is_for_the_dashboards_roles_and_regions(
    workday, workers, client, county_supervisor, data_admin, caseworker_a
):
    granted(workers, VILLAGE_A, "rural_dibao", TODAY, members=3)
    granted(workers, OTHER_COUNTY_VILLAGE, "rural_dibao", TODAY, members=4)
    url = reverse("assistance:dashboard_figures")
    assert client.get(url).status_code == 302
    client.force_login(caseworker_a)
    assert client.get(url).status_code == 403
    client.force_login(county_supervisor)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["figures"].total.new_dibao == 3
    assert reverse("alerts:dashboard_region", args=[TOWN_A]) in response.content.decode()  # drill-down
    assert client.get(reverse("assistance:dashboard_figures", args=[TOWN_A])).status_code == 200
    assert (
        client.get(reverse("assistance:dashboard_figures", args=[OTHER_COUNTY_VILLAGE[:6]])).status_code
        == 404
    )
    assert client.post(url).status_code == 405
    client.force_login(data_admin)
    response = client.get(reverse("assistance:dashboard_figures", args=[OTHER_COUNTY_VILLAGE[:6]]))
    assert response.status_code == 200 and response.context["figures"].total.new_dibao == 4


def test_the_dashboard_page_loads_the_fragment_for_its_region(workday, client, county_supervisor):
    client.force_login(county_supervisor)
    page = client.get(reverse("alerts:dashboard")).content.decode()
    assert f'hx-get="{reverse("assistance:dashboard_figures")}"' in page
    page = client.get(reverse("alerts:dashboard_region", args=[TOWN_A])).content.decode()
    assert f'hx-get="{reverse("assistance:dashboard_figures", args=[TOWN_A])}"' in page


# --- people alerted (alerts dashboard, nightly summaries) ---------------------------------------


def test_people_alerted_counts_a_person_with_two_alerts_once(
    regions, client, county_supervisor, city_supervisor
):
    as_of = date(2025, 6, 15)
    twice = monitored_head(family(VILLAGE_A))
    AlertFactory(person=twice, rule="high_medical_self_pay", raised_on=date(2025, 6, 1))
    AlertFactory(person=twice, rule="serious_disease", raised_on=date(2024, 7, 1))
    AlertFactory(person=twice, rule="serious_disease", raised_on=date(2025, 1, 3))
    once = monitored_head(family(VILLAGE_B))
    AlertFactory(person=once, rule="serious_disease", raised_on=as_of)
    before = monitored_head(family(VILLAGE_B))
    AlertFactory(person=before, raised_on=date(2024, 6, 30))  # before the window
    AlertFactory(person=before, raised_on=date(2025, 6, 16))  # after the as-of day
    elsewhere = monitored_head(family(OTHER_COUNTY_VILLAGE))
    AlertFactory(person=elsewhere, raised_on=as_of)
    refresh_dashboard_summaries(as_of=as_of)

    county = summary(user=county_supervisor, node=dashboard_node(user=county_supervisor))
    assert county.people[""] == 2
    assert county.people["serious_disease"] == 2 and county.people["high_medical_self_pay"] == 1
    town = summary(user=county_supervisor, node=dashboard_node(user=county_supervisor, code=TOWN_A))
    assert town.people[""] == 1
    assert summary(user=city_supervisor, node=dashboard_node(user=city_supervisor)).people[""] == 3

    client.force_login(county_supervisor)
    response = client.get(reverse("alerts:dashboard"))
    assert response.context["people_alerted"] == 2
    assert response.context["raised_12_months"] == 4
    rows = {r.label: r for r in response.context["rule_rows"]}
    assert rows["重特大疾病"].people == 2 and rows["重特大疾病"].last_12_months == 3
    assert 'id="kpi-people-alerted">2<' in response.content.decode()
