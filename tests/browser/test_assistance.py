"""Issue 15's two journeys in the browser: an alert closed as 纳入低保 taken through every 低保 step to
a monthly grant, and a walk-in 临时救助（急难型） paid first and then regularised."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.conftest import VILLAGE_A, beijing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workday(pinned_clock):
    # A Monday of a year chinese-calendar knows (working-day due dates need the year's holidays);
    # the live server's thread reads the same pinned clock.
    pinned_clock.move_to(beijing("2026-06-08 09:00"))
    return pinned_clock


def pass_current(page, opinion: str = "") -> None:
    """Passes the application's current step from its page and waits for the confirmation."""
    step = page.inner_text("#actions strong")
    if opinion:
        page.fill("#pass-form textarea[name=opinion]", opinion)
    page.click("#btn-pass")
    expect(page.locator(".messages")).to_contain_text(f"“{step}”已办理通过。")


def record_visit(page, second, findings: str, situation: str) -> None:
    from households import clock

    form = page.locator("#visit-form")
    expect(form).to_be_visible()  # open at the investigation step
    assert form.locator("input[name=visited_on]").input_value() == clock.today().isoformat()
    form.locator("select[name=staff_second]").select_option(str(second.pk))
    form.locator("textarea[name=findings]").fill(findings)
    form.locator("textarea[name=household_situation]").fill(situation)
    page.click("#btn-visit")
    expect(page.locator(".messages")).to_contain_text("已登记入户调查。")
    expect(page.locator("#visits")).to_contain_text(findings)


def current_step(page) -> str:
    return page.inner_text("#actions strong")


def test_an_alert_closed_as_dibao_is_taken_through_every_step_to_a_monthly_grant(
    workday, page, login, screenshot, caseworker_a, county_supervisor
):
    from assistance.models import Application, ApplicationStatus, Finding, FindingStatus, Grant
    from households import clock
    from households.models import Relation
    from monitoring.models import MonitoringRecord
    from tests.alerts.feed_factories import MedicalSettlementFactory
    from tests.alerts.triage_factories import alert_in
    from tests.assistance.case_factories import second_caseworker
    from tests.factories import PersonFactory

    today = clock.today()
    alert = alert_in(VILLAGE_A, name="王秀英", raised_on=today - timedelta(days=2))
    MonitoringRecord.objects.filter(person=alert.person).update(category="relapse_watch")
    household = alert.household
    child = PersonFactory(household=household, name="王小明", relation=Relation.CHILD)
    PersonFactory(household=household, name="王小红", relation=Relation.CHILD)
    MedicalSettlementFactory(
        id_number=child.id_number,
        name=child.name,
        settle_date=today - timedelta(days=20),
        institution="沧县医院",
        self_paid=Decimal("4560.00"),
    )
    second = second_caseworker()
    second.first_name = "李调查"
    second.save()

    # the alert page: claim, verify, visit, close as 纳入低保
    login(caseworker_a)
    page.goto(reverse("alerts:alert_detail", args=[alert.pk]))
    page.click("#btn-claim")
    page.wait_for_selector("text=已认领该预警")
    page.click("#btn-verify")
    page.fill("#visit-form input[name=visitors]", "李四、王五")
    page.fill("#visit-form textarea[name=findings]", "户主患病，无固定收入")
    page.fill("#visit-form textarea[name=household_situation]", "三口之家，两个孩子在读")
    page.click("#btn-visit")
    page.wait_for_selector("text=已登记入户核查")
    page.select_option("#close-form select[name=outcome]", "enrol_dibao")
    page.fill("#close-form textarea[name=note]", "家庭符合低保条件，转入低保申请")
    page.click("#btn-close")
    page.wait_for_selector("text=预警已办结")
    application = Application.objects.get(alert_links__alert=alert)
    link = page.locator("#alert-application a")
    expect(link).to_contain_text(f"已转入救助申请 #{application.pk}")
    screenshot("assistance-alert-closed")

    # 申请受理
    link.click()
    page.wait_for_selector("#actions")
    expect(page.locator("#application-status")).to_have_text("办理中")
    expect(page.locator("#channel")).to_contain_text("预警转办")
    expect(page.locator("#source-alerts")).to_contain_text(f"#{alert.pk}")
    assert current_step(page) == "申请受理"
    screenshot("assistance-dibao-accept")
    pass_current(page)

    # 入户调查: the second investigator chosen in the form
    assert current_step(page) == "入户调查"
    record_visit(page, second, "户主患病住院，家中无劳动力", "三口之家，土坯房")
    expect(page.locator("#visits")).to_contain_text("李调查")
    screenshot("assistance-dibao-visit")
    pass_current(page)

    # 信息核对: the member's settlement is listed; it cannot pass until it is explained
    assert current_step(page) == "信息核对"
    finding = Finding.objects.get(application=application)
    row = page.locator(f"#finding-{finding.pk}")
    expect(row).to_contain_text("王小明")
    expect(row).to_contain_text("沧县医院")
    expect(row).to_contain_text("待确认")
    screenshot("assistance-dibao-findings")
    page.click("#btn-pass")
    expect(page.locator(".messages")).to_contain_text("还有 1 条核对结果待确认")
    form = page.locator(f"#finding-form-{finding.pk}")
    form.locator("input[value=explained]").check()
    form.locator("textarea[name=explanation]").fill("住院费用已由大病保险二次报销，不计入收入")
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("核对结果已确认")
    expect(page.locator(f"#finding-{finding.pk}")).to_contain_text("住院费用已由大病保险二次报销")
    pass_current(page)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.EXPLAINED

    # 初审意见: the amount from income and people covered, then the opinion
    assert current_step(page) == "初审意见"
    amount = page.locator("#amount-form")
    expect(amount).to_be_visible()
    amount.locator("input[name=monthly_income_per_capita]").fill("300")
    amount.locator("input[name=members_covered]").fill("3")
    page.click("#btn-amount")
    expect(page.locator(".messages")).to_contain_text("已核定金额：882.00 元")
    expect(page.locator("#proposed-amount")).to_contain_text("882.00")
    expect(page.locator("#formula")).to_contain_text("594.00")
    labels = page.locator("#amount dt").all_inner_texts()
    assert labels == ["月保障标准（元/人）", "家庭月人均收入（元）", "保障人数"]
    assert page.inner_text("label[for=id_pass_opinion]").startswith("初审意见 ")  # not "初审意见意见"
    assert (
        page.locator("[id=id_reject_reason]").count() == page.locator("[id=id_withdraw_reason]").count() == 1
    )
    screenshot("assistance-dibao-first-review")
    pass_current(page, "经入户调查和信息核对，家庭月人均收入低于保障标准，同意纳入")

    # 公示: published from the 公示 page, printed, and passed once the 7 days are over
    assert current_step(page) == "公示"
    page.click("nav a.nav-link:text-is('公示')")
    village_row = page.locator(f"tr[data-village='{VILLAGE_A}']")
    expect(village_row).to_contain_text("1")
    screenshot("assistance-notice-list")
    village_row.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("已发布公示")
    expect(page.locator("body")).to_contain_text("王秀英")
    screenshot("assistance-notice-detail")
    with page.context.expect_page() as printed_info:
        page.click("#print-link")
    printed = printed_info.value
    printed.wait_for_load_state()
    text = printed.inner_text("body")
    assert "王秀英" in text and "882.00" in text
    content = printed.content()
    for person in household.members.all():
        assert person.id_number not in content and person.id_number[-4:] not in content
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    printed.screenshot(path=str(ARTIFACTS / "assistance-notice-print.png"), full_page=True)
    printed.close()

    page.goto(reverse("assistance:application_detail", args=[application.pk]))
    page.click("#btn-pass")  # still within the 7 days
    expect(page.locator(".messages")).to_contain_text("公示期满后才能办理下一步")
    workday.shift(timedelta(days=8))  # 2026-06-16, a Tuesday: a new working day, a new login
    page.context.clear_cookies()
    login(caseworker_a)
    page.goto(reverse("assistance:application_detail", args=[application.pk]))
    pass_current(page)

    # 审核确认: a county supervisor, not the one who gave 初审意见
    assert current_step(page) == "审核确认"
    expect(page.locator("#level-note")).to_contain_text("须由县级")
    page.context.clear_cookies()
    login(county_supervisor)
    page.goto(reverse("assistance:application_detail", args=[application.pk]))
    screenshot("assistance-dibao-confirm")
    pass_current(page, "同意纳入农村低保")

    expect(page.locator("#application-status")).to_have_text("已批准")
    grant_box = page.locator("#grant")
    expect(grant_box).to_contain_text("882.00")
    expect(grant_box).to_contain_text("元/月")
    expect(grant_box).to_contain_text("2026-07")
    screenshot("assistance-dibao-approved")
    grant = Grant.objects.get(application=application)
    assert (grant.amount, grant.people_covered, grant.start_month) == (Decimal("882.00"), 3, date(2026, 7, 1))
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.APPROVED

    page.click("#household-link")
    expect(page.locator("#household-grants")).to_contain_text("农村低保")
    expect(page.locator("#household-grants")).to_contain_text("882.00")
    screenshot("assistance-household-grant")
    assert MonitoringRecord.objects.get(person=alert.person).category == "dibao"
    assert alert.person.id_number not in page.content()


def test_a_walk_in_emergency_is_paid_first_and_regularised(workday, page, login, screenshot, caseworker_a):
    from assistance.models import Application, ApplicationStatus, Grant
    from tests.assistance.case_factories import family, second_caseworker

    household = family(VILLAGE_A, head="李桂兰")
    head = household.members.get(name="李桂兰")
    second = second_caseworker()

    login(caseworker_a)
    page.click("nav a.nav-link:text-is('救助申请')")
    page.click("#new-application")
    page.fill("#household-search input[name=q]", "李桂兰")
    page.click("#household-search button[type=submit]")
    matches = page.locator("#household-matches tbody tr")
    expect(matches).to_have_count(1)
    assert head.id_number not in page.content()
    screenshot("assistance-intake-search")
    matches.locator("text=为该家庭登记").click()
    page.select_option("#id_applicant", str(head.pk))
    page.select_option("#id_channel", "single_window")
    page.fill("#id_request", "家中失火，生活陷入困境，申请临时救助")
    page.select_option("#id_program", label="临时救助（急难型）")
    screenshot("assistance-intake-form")
    page.click("#btn-intake")
    expect(page.locator(".messages")).to_contain_text("已受理申请")
    application = Application.objects.get(household=household)

    # 先行救助: the case amount, then paid at once
    assert current_step(page) == "先行救助"
    amount = page.locator("#amount-form")
    expect(amount).to_be_visible()  # open at the step that needs it
    amount.locator("input[name=case_amount]").fill("800")
    page.click("#btn-amount")
    expect(page.locator("#proposed-amount")).to_contain_text("800.00")
    assert page.locator("#notices").count() == 0  # no 公示 in 临时救助
    screenshot("assistance-emergency-help-first")
    pass_current(page, "情况紧急，先行救助")
    expect(page.locator("#paid-first-badge")).to_have_text("已先行救助")
    expect(page.locator("#grant")).to_contain_text("800.00")
    expect(page.locator("#grant")).to_contain_text("元（一次性）")
    screenshot("assistance-emergency-paid-first")

    assert current_step(page) == "补办申请"
    pass_current(page)
    assert current_step(page) == "入户核实"
    record_visit(page, second, "房屋失火，衣物家具损毁", "一家三口，暂住亲戚家")
    pass_current(page)
    assert current_step(page) == "审批确认"
    pass_current(page, "情况属实，同意临时救助")

    expect(page.locator("#application-status")).to_have_text("已批准")
    expect(page.locator("#paid-first-badge")).to_be_visible()
    screenshot("assistance-emergency-approved")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED and application.paid_first
    grant = Grant.objects.get(application=application)  # exactly one
    assert grant.amount == Decimal("800.00") and grant.one_off
    assert Grant.objects.filter(household=household).count() == 1
