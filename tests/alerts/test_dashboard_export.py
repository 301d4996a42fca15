"""The Excel export holds the dashboard's table figures for the user's region, and no personal data."""

import re
from collections import Counter
from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from alerts.models import AlertStatus, RuleCode
from alerts.services.dashboard import refresh_dashboard_summaries
from households import clock
from households.models import Person
from tests.alerts.dashboard_factories import generate
from tests.conftest import OTHER_COUNTY_VILLAGE, VILLAGE_A, VILLAGE_B

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(caseworker_a, caseworker_b):
    today = clock.today()
    data = generate(
        regions=[VILLAGE_A, VILLAGE_B, OTHER_COUNTY_VILLAGE],
        caseworkers=[caseworker_a, caseworker_b],
        today=today,
    )
    refresh_dashboard_summaries(as_of=today)
    return data


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    return load_workbook(BytesIO(response.content))


def cells(wb) -> list[str]:
    return [
        str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None
    ]


def rows(ws) -> dict:
    return {r[0]: list(r[1:]) for r in ws.iter_rows(min_row=2, values_only=True)}


def test_county_export_has_the_table_figures_and_no_personal_data(client_for, county_supervisor, made):
    today = clock.today()
    wb = workbook(client_for(county_supervisor).get(reverse("alerts:dashboard_export")))
    assert wb.sheetnames == [
        "概览",
        "按区域待办",
        "按类别",
        "按月预警",
        "处置结果",
        "监测人数",
        "经办人工作量",
        "数据报送",
    ]
    mine = [a for a in made.alerts if a.region_id.startswith("130921")]
    open_ = [a for a in mine if a.status != AlertStatus.CLOSED]
    overview = rows(wb["概览"])
    assert overview["区域"] == ["沧县（130921）"]
    assert overview["待办预警（实时）"] == [len(open_)]
    assert overview["其中逾期（实时）"] == [sum(a.deadline < today for a in open_)]
    by_town = {r[1]: list(r[2:]) for r in wb["按区域待办"].iter_rows(min_row=2, values_only=True)}
    for town in ("130921101", "130921102"):
        here = [a for a in open_ if a.region_id.startswith(town)]
        statuses = Counter(a.status for a in here)
        assert by_town[town] == [
            statuses["new"],
            statuses["assigned"],
            statuses["verifying"],
            len(here),
            sum(a.deadline < today for a in here),
        ]
    by_rule = rows(wb["按类别"])
    for rule, label in RuleCode.choices:
        assert by_rule[label][0] == sum(
            1 for a in mine if a.rule == rule and a.raised_on >= today.replace(day=1)
        )
        assert by_rule[label][1] == sum(
            1 for a in mine if a.rule == rule and a.raised_on >= today.replace(month=1, day=1)
        )
    text = cells(wb)
    assert not [c for c in text if re.search(r"\d{17}[\dX]|\d{6}\*+\d{3}[\dX]", c)], (
        "no ID numbers, not even masked"
    )
    names = set(Person.objects.values_list("name", flat=True))
    assert not names & set(text), "no resident names"
    assert not any("河间" in c for c in text)


def test_city_export_lists_every_county(client_for, city_supervisor, made):
    wb = workbook(client_for(city_supervisor).get(reverse("alerts:dashboard_export")))
    counties = [r[1] for r in wb["按区域待办"].iter_rows(min_row=2, values_only=True)]
    assert len(counties) == 16 and "130984" in counties
    monthly = list(wb["按月预警"].iter_rows(min_row=2, values_only=True))
    assert len(monthly) == 12
    first = date(int(monthly[0][0][:4]), int(monthly[0][0][5:]), 1)
    assert monthly[-1][0] == f"{clock.today():%Y-%m}"
    assert sum(r[-1] for r in monthly) == sum(1 for a in made.alerts if a.raised_on >= first)
    for month, *counts, total in monthly:
        assert total == sum(counts)
        assert counts == [
            sum(1 for a in made.alerts if a.rule == rule and f"{a.raised_on:%Y-%m}" == month)
            for rule in RuleCode.values
        ]
