"""A caseworker's day in the browser: filter the inbox, open an alert, visit, close."""

from datetime import timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from households import clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_caseworker_filters_opens_visits_and_closes_an_alert(
    page, login, screenshot, caseworker_a, caseworker_b
):
    from alerts.models import AlertEvent, AlertStatus, HomeVisit
    from tests.alerts.triage_factories import alert_in, overdue_alert_in
    from tests.conftest import VILLAGE_A, VILLAGE_B

    today = clock.today()
    target = alert_in(
        VILLAGE_A,
        name="王秀英",
        rule="serious_disease",
        raised_on=today - timedelta(days=2),
        deadline=today + timedelta(days=5),
        evidence={
            "summary": "近365天确诊重特大疾病：肺癌（C34.901）",
            "values": {"disease": "肺癌", "code": "C34.901"},
            "sources": [
                {"table": "diagnosis", "id": 7, "batch_id": 3, "label": "诊断记录 ZD0007 2026-11-20 肺癌"}
            ],
        },
    )
    overdue_alert_in(VILLAGE_A, name="李建国")
    for i in range(3):
        alert_in(VILLAGE_A, name=f"赵六{i}")
    other_town = alert_in(VILLAGE_B, name="外镇人")

    login(caseworker_a)
    page.click("text=预警处置")
    page.wait_for_selector(".inbox-table")
    assert page.locator("tr[data-alert]").count() == 5
    assert "外镇人" not in page.content()
    # the overdue alert stands out
    overdue_row = page.locator("tr.overdue-row")
    assert overdue_row.count() == 1 and "李建国" in overdue_row.inner_text()
    assert "逾期 15 天" in overdue_row.inner_text()
    screenshot("triage-inbox")

    # filter by category (htmx swaps the results and the URL follows)
    page.select_option("#id_rule", "serious_disease")
    expect(page.locator("tr[data-alert]")).to_have_count(1)
    assert "rule=serious_disease" in page.url
    assert "王秀英" in page.locator(".inbox-table").inner_text()
    # and by name
    page.select_option("#id_rule", "")
    expect(page.locator("tr[data-alert]")).to_have_count(5)
    page.fill("#id_q", "李建")
    expect(page.locator("tr[data-alert]")).to_have_count(1)
    expect(page.locator(".inbox-table")).to_contain_text("李建国")
    page.fill("#id_q", "王")
    expect(page.locator("tr[data-alert]")).to_have_count(1)
    expect(page.locator(".inbox-table")).to_contain_text("王秀英")
    screenshot("triage-inbox-filtered")

    page.click("text=王秀英")
    page.wait_for_selector("#evidence")
    assert "近365天确诊重特大疾病：肺癌（C34.901）" in page.inner_text("#evidence")
    assert target.person.masked_id in page.inner_text("#household")
    assert target.person.id_number not in page.content()

    page.click("#btn-claim")
    page.wait_for_selector("text=已认领该预警")
    page.click("#btn-verify")
    page.wait_for_selector("#visit-form")

    # closing as 纳入低保 before any visit is refused with the rule in words
    page.select_option("#close-form select[name=outcome]", "enrol_dibao")
    page.fill("#close-form textarea[name=note]", "家庭符合低保条件")
    page.click("#btn-close")
    page.wait_for_selector("text=需要先登记入户核查记录")

    assert page.input_value("#visit-form input[name=visited_on]") == today.isoformat()  # defaults to today
    page.fill("#visit-form input[name=visitors]", "李四、王五")
    page.fill("#visit-form textarea[name=findings]", "患者住院化疗，自付费用高")
    page.fill("#visit-form textarea[name=household_situation]", "三口之家，无其他收入来源")
    page.click("#btn-visit")
    page.wait_for_selector("text=已登记入户核查")
    assert "患者住院化疗" in page.inner_text("#visits")
    screenshot("triage-detail")

    page.select_option("#close-form select[name=outcome]", "enrol_dibao")
    page.fill("#close-form textarea[name=note]", "家庭符合低保条件，已纳入")
    page.click("#btn-close")
    page.wait_for_selector("text=预警已办结")
    assert page.inner_text("#alert-status") == "已办结"
    assert page.inner_text("#alert-outcome") == "纳入低保"
    history = page.inner_text("#history")
    for step in ("认领", "开始核查", "登记入户核查", "办结", "待分派 → 已分派", "核查中 → 已办结"):
        assert step in history
    screenshot("triage-detail-closed")

    target.refresh_from_db()
    assert (target.status, target.outcome, target.assignee) == (
        AlertStatus.CLOSED,
        "enrol_dibao",
        caseworker_a,
    )
    assert HomeVisit.objects.filter(alert=target, recorded_by=caseworker_a).count() == 1
    assert AlertEvent.objects.filter(alert=target, actor=caseworker_a).count() == 4

    # the household roll-up shows the closed alert and the visit
    page.click("#household-rollup-link")
    page.wait_for_selector("#household-alerts")
    assert "纳入低保" in page.inner_text("#household-alerts")
    assert "患者住院化疗" in page.inner_text("#household-visits")
    screenshot("triage-household")

    # back in the inbox, the closed alert has left the open list
    page.goto("/alerts/inbox/")
    assert "王秀英" not in page.locator(".inbox-table").inner_text()
    response = page.request.get(f"/alerts/inbox/{other_town.pk}/")  # another town's alert
    assert response.status == 404 and "外镇人" not in response.text()


def test_bulk_assignment_offers_who_can_see_the_ticked_alerts_and_says_what_happened(
    page, login, screenshot, county_supervisor, caseworker_a, caseworker_b
):
    from alerts.models import AlertStatus
    from households.models import Role
    from tests.alerts.triage_factories import alert_in
    from tests.conftest import VILLAGE_A, VILLAGE_B
    from tests.factories import UserFactory, region

    county_cw = UserFactory(
        username="cw_county", first_name="县级经办", role=Role.CASEWORKER, scope=region("130921")
    )
    a = alert_in(VILLAGE_A, name="甲村民")
    b = alert_in(VILLAGE_B, name="乙村民")

    def options() -> list[str]:
        return page.locator("#bulk-assignee option").all_inner_texts()

    login(county_supervisor)
    page.goto("/alerts/inbox/")
    assert options() == ["请先勾选预警"]
    page.check(f"input[name=alerts][value='{a.pk}']")
    expect(page.locator("#bulk-assignee option")).to_have_count(3)
    names = " ".join(options())
    assert caseworker_a.first_name in names and "县级经办" in names and caseworker_b.first_name not in names
    page.check(f"input[name=alerts][value='{b.pk}']")  # two towns: only the county's caseworker sees both
    expect(page.locator("#bulk-assignee option")).to_have_count(2)
    assert options()[0] == "请选择经办人（1 人可办理所选预警）" and "县级经办" in options()[1]
    page.select_option("#bulk-assignee", str(county_cw.pk))
    screenshot("triage-bulk-assign")
    page.click("#bulk-form button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert "已将 2 条预警分派给县级经办" in page.inner_text(".messages")
    # the same again changes nothing: said so, and not in green (ticked in quick succession: the
    # list is the one for both ticks, whatever order the answers would have come in)
    page.check(f"input[name=alerts][value='{a.pk}']")
    page.check(f"input[name=alerts][value='{b.pk}']")
    expect(page.locator("#bulk-assignee option").first).to_contain_text("1 人可办理")
    expect(page.locator("#bulk-assignee option")).to_have_count(2)
    page.select_option("#bulk-assignee", str(county_cw.pk))
    page.click("#bulk-form button[type=submit]")
    page.wait_for_selector(".alert-warning")
    assert "没有改动任何预警：2 条原已由县级经办办理" in page.inner_text(".messages")
    assert page.locator(".alert-success").count() == 0
    screenshot("triage-bulk-assign-nothing-changed")
    for alert in (a, b):
        alert.refresh_from_db()
        assert (alert.assignee, alert.status) == (county_cw, AlertStatus.ASSIGNED)


def test_a_self_pay_alert_lists_every_settlement_of_its_total(page, login, screenshot, caseworker_a):
    from decimal import Decimal

    from alerts.models import Alert
    from alerts.services.rules import ensure_default_rule_versions
    from alerts.services.run import monitoring_run
    from imports.models import FeedCategory
    from tests.alerts.feed_factories import ImportBatchFactory, MedicalSettlementFactory, monitored_person

    ensure_default_rule_versions()  # a transactional test starts without the seeded versions
    today = clock.today()
    person = monitored_person()
    batch = ImportBatchFactory(category=FeedCategory.MEDICAL_SETTLEMENT, file_name="医保结算明细_本月.csv")
    for i in range(9):
        MedicalSettlementFactory(
            id_number=person.id_number,
            settle_date=today - timedelta(days=20 * i + 1),
            self_paid=Decimal("1250.50"),
            institution="沧州市中心医院",
            batch=batch,
        )
    monitoring_run(as_of=today)
    alert = Alert.objects.get(rule="high_medical_self_pay", person=person)

    login(caseworker_a)
    page.goto(reverse("alerts:alert_detail", args=[alert.pk]))
    table = page.locator("#self-pay-settlements")
    expect(table.locator("tbody tr")).to_have_count(9)
    expect(page.locator("#self-pay-total")).to_have_text("11,254.50")
    expect(table).to_contain_text("医保结算明细_本月.csv")
    assert person.id_number not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot("self-pay-settlements")
