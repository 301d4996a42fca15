"""The dashboard's figures equal counts computed independently, in plain Python, over generated data."""

import statistics
from collections import Counter
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.models import AlertStatus, DashboardRefresh, DashboardSummary, Outcome, RuleCode
from alerts.services.dashboard import refresh_dashboard_summaries
from households import clock
from households.models import User
from monitoring.models import MonitoringCategory
from tests.alerts.dashboard_factories import generate
from tests.conftest import OTHER_COUNTY_VILLAGE, VILLAGE_A, VILLAGE_B
from tests.factories import UserFactory, region

pytestmark = pytest.mark.django_db

COUNTY_LEVEL = "130921"  # a household registered at county level only
OTHER_TOWN_VILLAGE = "130921103201"
OTHER_COUNTY_TOWN = "130922101"
REGIONS = [VILLAGE_A, VILLAGE_B, OTHER_TOWN_VILLAGE, COUNTY_LEVEL, OTHER_COUNTY_VILLAGE, OTHER_COUNTY_TOWN]


def generate_and_refresh(caseworkers: list):
    other = UserFactory(username="caseworker_hejian", role="caseworker", scope=region("130984101"))
    # The caseload lists people by name: random names may coincide.
    for user, name in zip([*caseworkers, other], ["甲经办人", "乙经办人", "丙经办人"], strict=True):
        user.first_name = name
        user.save(update_fields=["first_name"])
    today = clock.today()
    made = generate(regions=REGIONS, caseworkers=[*caseworkers, other], today=today)
    refresh_dashboard_summaries(as_of=today)
    return made


@pytest.fixture
def data(caseworker_a, caseworker_b):
    return generate_and_refresh([caseworker_a, caseworker_b])


@pytest.fixture
def data_at_each_hostile_instant(hostile_instant, caseworker_a, caseworker_b):
    """The data, and the clock, at each of the instants where month and year figures turn over."""
    return generate_and_refresh([caseworker_a, caseworker_b])


def window_start(today: date) -> date:
    year, month = today.year, today.month - 11
    if month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


def local_day(moment) -> date:
    return timezone.localtime(moment).date()


class Expected:
    """Every figure of one region prefix, computed from the generated objects."""

    def __init__(self, made, prefix: str, today: date):
        start = window_start(today)
        records = [r for r in made.records if r.region_code.startswith(prefix)]
        alerts = [a for a in made.alerts if a.region_id.startswith(prefix)]
        self.alerts = alerts
        self.monitored = Counter(
            r.category for r in records if r.since <= today and (r.exit_date is None or r.exit_date > today)
        )
        self.this_month = Counter(a.rule for a in alerts if a.raised_on >= today.replace(day=1))
        self.this_year = Counter(a.rule for a in alerts if a.raised_on >= today.replace(month=1, day=1))
        self.monthly = Counter((a.rule, a.raised_on.replace(day=1)) for a in alerts if a.raised_on >= start)
        open_ = [a for a in alerts if a.status != AlertStatus.CLOSED]
        self.open = len(open_)
        self.overdue = sum(1 for a in open_ if a.deadline < today)
        self.open_alerts = open_
        closed = [a for a in alerts if a.status == AlertStatus.CLOSED and local_day(a.closed_at) >= start]
        self.outcomes = Counter((a.rule, a.outcome) for a in closed)
        verify_days, close_days = [], []
        for a in alerts:
            moment = a.verified_at or made.verify_events.get(a.id)
            if moment and local_day(moment) >= start:
                verify_days.append((a.rule, (local_day(moment) - a.raised_on).days))
        for a in closed:
            close_days.append((a.rule, (local_day(a.closed_at) - a.raised_on).days))
        self.verify_days, self.close_days = verify_days, close_days
        month_start = today.replace(day=1)
        self.caseload = {}
        # Caseworkers whose scope lies in the node are listed even when idle.
        self.local_caseworkers = {
            u.get_full_name() or u.username
            for u in User.objects.filter(role="caseworker", is_active=True, scope__code__startswith=prefix)
        }
        # Caseworkers holding open alerts of the node or having closed some this month; an
        # earlier month's closing alone does not list a caseworker of another region.
        for a in alerts:
            open_ = a.status != AlertStatus.CLOSED
            if a.assignee is None or not (open_ or local_day(a.closed_at) >= month_start):
                continue
            row = self.caseload.setdefault(a.assignee.get_full_name() or a.assignee.username, [0, 0, 0])
            if open_:
                row[0] += 1
                row[1] += a.deadline < today
            else:
                row[2] += 1

    @staticmethod
    def median(pairs, rule=None):
        days = [d for r, d in pairs if rule is None or r == rule]
        return statistics.median(days) if days else None


def check_figures(response, expected: Expected, today: date):
    ctx = response.context
    assert ctx["summary"].as_of == today
    assert dict(ctx["monitored"]) == {label: expected.monitored[c] for c, label in MonitoringCategory.choices}
    assert ctx["monitored_total"] == sum(expected.monitored.values())
    for row, (rule, label) in zip(ctx["rule_rows"], RuleCode.choices, strict=True):
        assert row.label == label
        assert row.this_month == expected.this_month[rule]
        assert row.this_year == expected.this_year[rule]
        assert row.closed == sum(n for (r, _), n in expected.outcomes.items() if r == rule)
        assert row.days_to_verify[1] == expected.median(expected.verify_days, rule)
        assert row.days_to_close[1] == expected.median(expected.close_days, rule)
    assert ctx["raised_this_month"] == sum(expected.this_month.values())
    assert ctx["raised_this_year"] == sum(expected.this_year.values())
    assert ctx["days_to_verify"] == (len(expected.verify_days), expected.median(expected.verify_days))
    assert ctx["days_to_close"] == (len(expected.close_days), expected.median(expected.close_days))
    for month, counts in ctx["monthly_rows"]:
        assert counts == [expected.monthly[(rule, month)] for rule in RuleCode.values]
    assert sum(sum(c) for _, c in ctx["monthly_rows"]) == sum(expected.monthly.values())
    for (label, counts, total), outcome in zip(ctx["outcome_rows"], Outcome.values, strict=True):
        assert counts == [expected.outcomes[(rule, outcome)] for rule in RuleCode.values], label
        assert total == sum(counts)
    groups = dict(ctx["outcome_groups"])
    assert groups["纳入低保"] == sum(n for (_, o), n in expected.outcomes.items() if o == "enrol_dibao")
    assert groups["转介其他部门"] == sum(
        n for (_, o), n in expected.outcomes.items() if o.startswith("refer_")
    )
    assert ctx["open_total"] == expected.open
    assert ctx["overdue_total"] == expected.overdue
    caseload = {
        r.name: [r.open, r.overdue, r.closed_this_month] for r in ctx["caseload"] if r.name[0] != "（"
    }
    for name, figures in expected.caseload.items():
        assert caseload[name] == figures, name
    assert set(caseload) == set(expected.caseload) | expected.local_caseworkers
    assert all(v == [0, 0, 0] for k, v in caseload.items() if k not in expected.caseload)
    unassigned = [r.open for r in ctx["caseload"] if r.name.startswith("（待分派")]
    assert sum(unassigned) == sum(1 for a in expected.open_alerts if a.assignee is None)


def test_city_supervisor_sees_every_county(client_for, city_supervisor, data_at_each_hostile_instant):
    data = data_at_each_hostile_instant
    today = clock.today()
    response = client_for(city_supervisor).get(reverse("alerts:dashboard"))
    assert response.status_code == 200
    expected = Expected(data, "1309", today)
    assert len(expected.alerts) == len(data.alerts)  # every generated alert is in the city
    check_figures(response, expected, today)
    backlog = {r.code: (r.open, r.overdue) for r in response.context["backlog"]}
    # charts by county: all 16, and the open alerts of each
    assert len(backlog) == 16
    for county in ("130921", "130922", "130984"):
        mine = [a for a in expected.open_alerts if a.region_id.startswith(county)]
        assert backlog[county] == (len(mine), sum(a.deadline < today for a in mine))
    html = response.content.decode()
    assert "统计看板 · 沧州市" in html and "河间市" in html


def test_county_supervisor_sees_only_their_county_by_town(client_for, county_supervisor, data):
    today = clock.today()
    response = client_for(county_supervisor).get(reverse("alerts:dashboard"))
    assert response.status_code == 200
    expected = Expected(data, "130921", today)
    assert 0 < len(expected.alerts) < len(data.alerts)
    check_figures(response, expected, today)
    rows = {r.code: r for r in response.context["backlog"]}
    # charts by town, plus one row for alerts of households registered at county level only
    assert set(rows) == {"130921101", "130921102", "130921103", "130921"}
    assert rows["130921"].drillable is False
    for code, row in rows.items():
        mine = [a for a in expected.open_alerts if a.region_id[:9] == code or a.region_id == code]
        assert (row.open, row.overdue) == (len(mine), sum(a.deadline < today for a in mine))
    html = response.content.decode()
    assert "河间市" not in html and "青县" not in html
    # a caseworker of another county appears only while holding alerts of this county
    hejian = User.objects.get(username="caseworker_hejian").get_full_name()
    names = [r.name for r in response.context["caseload"]]
    assert (hejian in names) == (hejian in expected.caseload)


def test_drilling_into_a_county_shows_the_county_figures(
    client_for, city_supervisor, county_supervisor, data_at_each_hostile_instant
):
    data = data_at_each_hostile_instant
    today = clock.today()
    response = client_for(city_supervisor).get(reverse("alerts:dashboard_region", args=["130921"]))
    assert response.status_code == 200
    check_figures(response, Expected(data, "130921", today), today)
    assert [r.code for r, _ in response.context["trail"]] == ["130900", "130921"]
    town = client_for(county_supervisor).get(reverse("alerts:dashboard_region", args=["130921101"]))
    assert town.status_code == 200
    check_figures(town, Expected(data, "130921101", today), today)
    assert [r.code for r, _ in town.context["trail"]] == ["130921", "130921101"]
    assert [r.code for r in town.context["backlog"]] == [VILLAGE_A]


def test_refresh_replaces_the_summaries_and_is_repeatable(data):
    today = clock.today()
    before = sorted(DashboardSummary.objects.values_list("node", "measure", "rule", "month", "key", "count"))
    refresh = refresh_dashboard_summaries(as_of=today)
    after = sorted(DashboardSummary.objects.values_list("node", "measure", "rule", "month", "key", "count"))
    assert before == after
    assert refresh.row_count == len(after) and DashboardRefresh.objects.count() == 2


def test_page_before_the_first_refresh_shows_live_figures_and_says_why(
    client_for, county_supervisor, caseworker_a
):
    today = clock.today()
    made = generate(
        regions=[VILLAGE_A, OTHER_COUNTY_VILLAGE], caseworkers=[caseworker_a], today=today, alerts=20
    )
    response = client_for(county_supervisor).get(reverse("alerts:dashboard"))
    assert response.status_code == 200
    assert response.context["summary"] is None
    expected = Expected(made, "130921", today)
    assert response.context["open_total"] == expected.open
    assert "汇总数据尚未生成" in response.content.decode()
