"""The settlements behind a self-pay alert on its page: all of them, with their batches and total."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alerts.models import Alert
from alerts.selectors.triage import alert_get, self_pay_settlements
from alerts.services.run import monitoring_run
from households import clock
from imports.models import FeedCategory, MedicalSettlement
from tests.alerts.feed_factories import (  # noqa: F401
    ImportBatchFactory,
    MedicalSettlementFactory,
    monitored_person,
    rule_defaults,
)
from tests.alerts.triage_factories import alert_in
from tests.conftest import VILLAGE_A

RULE = "high_medical_self_pay"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rule_defaults")]


def settlements_of(person, amounts: list[str], *, batch=None, institution="沧州市人民医院"):
    """One settlement per amount (self-paid), a day apart, ending yesterday."""
    today = clock.today()
    return [
        MedicalSettlementFactory(
            id_number=person.id_number,
            settle_date=today - timedelta(days=i + 1),
            self_paid=Decimal(amount),
            institution=institution,
            batch=batch or ImportBatchFactory(category=FeedCategory.MEDICAL_SETTLEMENT),
        )
        for i, amount in enumerate(amounts)
    ]


def alert_of(person) -> Alert:
    monitoring_run(as_of=clock.today())
    return Alert.objects.get(rule=RULE, person=person)


def page(client, alert) -> str:
    response = client.get(reverse("alerts:alert_detail", args=[alert.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_evidence_kept_5_of_12_settlements_the_page_lists_all_12_with_their_batch_and_total(
    regions, client_for, caseworker_a, county_supervisor
):
    person = monitored_person()
    october = ImportBatchFactory(category=FeedCategory.MEDICAL_SETTLEMENT, file_name="医保结算_10月.csv")
    november = ImportBatchFactory(category=FeedCategory.MEDICAL_SETTLEMENT, file_name="医保结算_11月.csv")
    amounts = ["500.00", "1200.00", "900.50", "1000.00", "800.00", "1500.00"] * 2  # 11,801.00
    rows = settlements_of(person, amounts[:6], batch=october) + settlements_of(
        person, amounts[6:], batch=november, institution="沧县医院"
    )
    # A settlement of the same person outside the window and one of another person: not listed.
    old = MedicalSettlementFactory(
        id_number=person.id_number, settle_date=clock.today() - timedelta(days=400), self_paid=Decimal("99")
    )
    other = MedicalSettlementFactory(id_number=monitored_person().id_number, settle_date=clock.today())
    alert = alert_of(person)
    assert alert.evidence["values"]["settlement_count"] == 12 and len(alert.evidence["sources"]) == 5

    html = page(client_for(caseworker_a), alert)
    for s in rows:
        assert s.settlement_id in html
    assert old.settlement_id not in html and other.settlement_id not in html
    assert "共 12 笔" in html
    assert '<td class="text-end" id="self-pay-total">11,801.00</td>' in html
    assert "沧县医院" in html and "住院" in html and "1,500.00" in html  # institution, visit type, amount
    assert f"导入批次 #{october.pk}" in html and "医保结算_10月.csv" in html
    assert f"导入批次 #{november.pk}" in html and "医保结算_11月.csv" in html
    assert f"{timezone.localdate(november.finished_at):%Y-%m-%d} 导入" in html
    assert "全部结算" in html and "不一致" not in html
    assert person.id_number not in html  # no ID numbers on the list (the page shows the masked one)
    # Caseworkers may not open batches: the number is plain text; a supervisor gets the admin page.
    batch_admin = reverse("admin:imports_importbatch_change", args=[october.pk])
    assert batch_admin not in html
    assert f'href="{batch_admin}">导入批次 #{october.pk}</a>' in page(client_for(county_supervisor), alert)


def test_a_caseworker_of_another_town_gets_404(regions, client_for, caseworker_a, caseworker_b):
    person = monitored_person()
    settlements_of(person, ["2000"] * 6)
    alert = alert_of(person)
    response = client_for(caseworker_b).get(reverse("alerts:alert_detail", args=[alert.pk]))
    assert response.status_code == 404
    with pytest.raises(Http404):
        self_pay_settlements(user=caseworker_b, alert=alert)
    assert len(self_pay_settlements(user=caseworker_a, alert=alert).rows) == 6


def test_a_settlement_corrected_since_shows_both_totals_and_says_so(regions, client_for, caseworker_a):
    person = monitored_person()
    rows = settlements_of(person, ["2000"] * 6)
    alert = alert_of(person)
    MedicalSettlement.objects.filter(pk=rows[0].pk).update(
        self_paid=Decimal("500"), total_cost=Decimal("1500")
    )

    html = page(client_for(caseworker_a), alert)
    assert '<td class="text-end" id="self-pay-total">10,500.00</td>' in html
    assert "现在的个人自付合计为 10,500.00 元，与产生预警时的 12,000.00 元不一致" in html
    assert "预警产生后有结算被更正或补充导入" in html


def test_when_the_evidence_lists_every_settlement_the_page_shows_those_with_their_details(
    regions, client_for, caseworker_a
):
    person = monitored_person()
    rows = settlements_of(person, ["6000", "4500.25"])
    alert = alert_of(person)
    # Arrived after the alert was raised, dated inside the window: not part of this alert's total.
    late = settlements_of(person, ["7"])[0]

    html = page(client_for(caseworker_a), alert)
    assert rows[0].settlement_id in html and rows[1].settlement_id in html
    assert late.settlement_id not in html
    assert "共 2 笔" in html and '<td class="text-end" id="self-pay-total">10,500.25</td>' in html
    assert "沧州市人民医院" in html and "全部结算" not in html and "不一致" not in html


def test_hundreds_of_settlements_are_read_in_one_query(regions, client_for, caseworker_a):
    person = monitored_person()
    batch = ImportBatchFactory(category=FeedCategory.MEDICAL_SETTLEMENT)
    MedicalSettlement.objects.bulk_create(
        MedicalSettlementFactory.build(
            id_number=person.id_number,
            settle_date=clock.today() - timedelta(days=i % 360 + 1),
            self_paid=Decimal("40"),
            batch=batch,
        )
        for i in range(300)
    )
    alert = alert_get(user=caseworker_a, pk=alert_of(person).pk)  # as the page fetches it
    with CaptureQueriesContext(connection) as queries:
        found = self_pay_settlements(user=caseworker_a, alert=alert)
    assert len(queries) == 1, [q["sql"] for q in queries.captured_queries]
    assert len(found.rows) == 300 and found.self_paid_total == Decimal("12000")

    with CaptureQueriesContext(connection) as queries:
        html = page(client_for(caseworker_a), alert)
    assert html.count('<td class="text-end">40.00</td>') == 300
    assert sum("imports_medicalsettlement" in q["sql"] for q in queries.captured_queries) == 1


def test_an_older_alert_without_counts_in_its_evidence_lists_the_window_of_its_rule(
    regions, client_for, caseworker_a
):
    alert = alert_in(
        VILLAGE_A, evidence={"summary": "近365天个人自付 12,000.00 元", "values": {}, "sources": []}
    )
    rows = settlements_of(alert.person, ["6000", "6000"])
    html = page(client_for(caseworker_a), alert)
    assert rows[0].settlement_id in html and rows[1].settlement_id in html
    assert "近 365 天" in html and '<td class="text-end" id="self-pay-total">12,000.00</td>' in html
