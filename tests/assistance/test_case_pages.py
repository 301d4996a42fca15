"""An application's page: what it shows, to whom, the actions it offers per role, and every action
through the page (success and a refusal with its Chinese message)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alerts.models import HomeVisit
from assistance import services
from assistance.models import (
    AlertApplication,
    ApplicationEvent,
    ApplicationStatus,
    ApplicationVisit,
    Finding,
    FindingStatus,
    Notice,
    NoticeEntry,
    Objection,
)
from households import clock
from households.models import Role
from tests.alerts.triage_factories import alert_in
from tests.assistance.case_factories import (
    application_at,
    family,
    fresh,
    pass_step,
    second_caseworker,
)
from tests.conftest import VILLAGE_A, VILLAGE_B, beijing
from tests.factories import UserFactory, region

pytestmark = pytest.mark.django_db


def detail(application) -> str:
    return reverse("assistance:application_detail", args=[application.pk])


def action(name: str, application, *args) -> str:
    return reverse(f"assistance:{name}", args=[application.pk, *args])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def post(client, url: str, data: dict):
    """POST and follow the redirect back to the page (its messages)."""
    return client.post(url, data, follow=True)


@pytest.fixture
def workday(pinned_clock):
    # A Monday of a year chinese-calendar knows: due dates are computed (not "pending").
    pinned_clock.move_to(beijing("2026-06-08 09:00"))
    return pinned_clock


@pytest.fixture
def accepted(caseworker_a):
    """农村低保 at 申请受理, accepted by caseworker_a."""
    return application_at("accept", family(VILLAGE_A), caseworker_a)


def add_finding(application, **extra) -> Finding:
    person = application.household.members.first()
    return Finding.objects.create(
        application=application,
        person=person,
        source=extra.pop("source", "settlement"),
        source_record_id=extra.pop("source_record_id", Finding.objects.count() + 1),
        occurred_on=clock.today(),
        summary=extra.pop("summary", "住院自付 12000 元"),
        amount=Decimal("12000.00"),
        **extra,
    )


# --- what the page shows -------------------------------------------------------------------------


def test_the_page_shows_the_header_with_masked_ids_only(client_for, caseworker_a):
    household = family(VILLAGE_A)
    application = application_at(
        "accept",
        household,
        caseworker_a,
        channel="grid_report",
        reported_by="李网格",
        channel_note="网格巡查发现",
        staff_relative=True,
        staff_relative_note="户主为村委会委员王某的兄弟",
    )
    alert = alert_in(VILLAGE_A)
    AlertApplication.objects.create(alert=alert, application=application)
    response = client_for(caseworker_a).get(detail(application))
    assert response.status_code == 200
    html = response.content.decode()
    head = household.members.get(relation="head")
    assert head.name in html and head.masked_id in html
    for person in household.members.all():
        assert person.id_number not in html  # never a full resident ID
    assert household.head_id_number not in html
    for text in ("农村低保", "办理中", "网格员（村居联络员）报告", "李网格", "网格巡查发现", "申请受理"):
        assert text in html, text
    assert 'id="relative-badge"' in html and "户主为村委会委员王某的兄弟" in html and "报县级" in html
    assert reverse("alerts:alert_detail", args=[alert.pk]) in html
    # the default test instant is in a year without a holiday arrangement: due dates are pending
    assert "期限待定（尚无该年节假日安排）" in html


def test_an_overdue_step_stands_out_in_red_with_its_days(client_for, caseworker_a, workday):
    application = application_at("accept", family(VILLAGE_A), caseworker_a)
    assert application.current_due_on is not None
    workday.move_to(beijing("2026-09-01 09:00"))
    days = (clock.today() - application.current_due_on).days
    html = client_for(caseworker_a).get(detail(application)).content.decode()
    assert f"逾期{days}天" in html and "text-bg-danger overdue-badge" in html
    assert "期限待定" not in html


def test_another_towns_application_is_404_on_the_page_and_every_action(client_for, caseworker_b, accepted):
    finding = add_finding(accepted)
    client = client_for(caseworker_b)
    assert client.get(detail(accepted)).status_code == 404
    data = {"lock_version": accepted.lock_version, "opinion": "同意", "reason": "x", "status": "confirmed"}
    for name in (
        "application_pass",
        "application_reject",
        "application_withdraw",
        "application_visit",
        "application_amount",
    ):
        assert client.post(action(name, accepted), data).status_code == 404, name
    assert client.post(action("finding_confirm", accepted, finding.pk), data).status_code == 404
    assert fresh(accepted).lock_version == accepted.lock_version


def test_data_admins_may_not_open_an_application(client_for, data_admin, accepted):
    assert client_for(data_admin).get(detail(accepted)).status_code == 403


def test_the_amount_section_shows_the_formula_and_the_standard_row(client_for, caseworker_a, accepted):
    client = client_for(caseworker_a)
    response = post(
        client,
        action("application_amount", accepted),
        {"lock_version": accepted.lock_version, "monthly_income_per_capita": "300", "members_covered": "3"},
    )
    assert any("已核定金额：882.00 元" in m for m in messages_of(response)), messages_of(response)
    html = response.content.decode()
    assert "（月保障标准 594.00 − 月人均收入 300）× 3 人 = 882.00 元" in html
    assert "待核实" in html and "2025-07-01" in html  # the standard's document number and start
    assert "家庭月人均收入（元）" in html and "保障人数" in html
    assert fresh(accepted).proposed_amount == Decimal("882.00")


def test_steps_of_a_returned_round_are_greyed(client_for, caseworker_a, accepted):
    step = accepted.steps.get(code="accept")
    step.status = "returned"
    step.save(update_fields=["status"])
    html = client_for(caseworker_a).get(detail(accepted)).content.decode()
    assert "step-returned" in html


# --- who sees which action -------------------------------------------------------------------------


def test_town_steps_are_offered_to_caseworkers_and_supervisors(
    client_for, caseworker_a, county_supervisor, accepted
):
    for user in (caseworker_a, county_supervisor):
        html = client_for(user).get(detail(accepted)).content.decode()
        for form in ("pass-form", "reject-form", "visit-form", "amount-form", "withdraw-form"):
            assert f'id="{form}"' in html, (user, form)


def test_the_county_confirmation_is_hidden_from_the_town_caseworker(
    client_for, caseworker_a, county_supervisor
):
    application = application_at(
        "confirm",
        family(VILLAGE_A),
        UserFactory(username="town_maker", role=Role.CASEWORKER, scope=region(VILLAGE_A[:9])),
    )
    html = client_for(caseworker_a).get(detail(application)).content.decode()
    assert 'id="pass-form"' not in html and 'id="reject-form"' not in html
    assert "“审核确认”须由县级（或市级）督导办理" in html
    # the town's own actions stay (visits, amount)
    assert 'id="visit-form"' in html
    html = client_for(county_supervisor).get(detail(application)).content.decode()
    assert 'id="pass-form"' in html and "审核确认意见" in html


def test_maker_checker_the_first_reviewer_is_not_offered_the_confirmation(
    client_for, county_supervisor, city_supervisor
):
    application = application_at("confirm", family(VILLAGE_A), county_supervisor)  # 初审 by the county
    html = client_for(county_supervisor).get(detail(application)).content.decode()
    assert 'id="pass-form"' not in html
    assert "您提出了初审意见" in html and "审核与确认分离" in html
    assert 'id="pass-form"' in client_for(city_supervisor).get(detail(application)).content.decode()


def test_a_large_temporary_aid_moves_the_confirmation_to_the_county(
    client_for, caseworker_a, county_supervisor
):
    application = application_at("confirm", family(VILLAGE_A), caseworker_a, "temp_expenditure")
    assert 'id="pass-form"' in client_for(caseworker_a).get(detail(application)).content.decode()
    services.application_set_amount(
        actor=caseworker_a,
        application_id=application.pk,
        lock_version=fresh(application).lock_version,
        case_amount=Decimal("2000"),
    )
    html = client_for(caseworker_a).get(detail(application)).content.decode()
    assert 'id="pass-form"' not in html and "须由县级" in html
    assert 'id="pass-form"' in client_for(county_supervisor).get(detail(application)).content.decode()


def test_a_closed_application_offers_nothing(client_for, caseworker_a, accepted):
    services.application_withdraw(
        actor=caseworker_a, application_id=accepted.pk, lock_version=accepted.lock_version, reason="不再申请"
    )
    html = client_for(caseworker_a).get(detail(accepted)).content.decode()
    assert "不能再办理" in html
    for form in ("pass-form", "reject-form", "visit-form", "amount-form", "withdraw-form"):
        assert f'id="{form}"' not in html


# --- every action through the page ---------------------------------------------------------------


def test_pass_a_step_and_refuse_one_whose_work_is_missing(client_for, caseworker_a, accepted):
    client = client_for(caseworker_a)
    response = post(client, action("application_pass", accepted), {"lock_version": accepted.lock_version})
    assert "“申请受理”已办理通过。" in messages_of(response)
    application = fresh(accepted)
    assert application.current_step_code == "home_visit"
    response = post(client, action("application_pass", accepted), {"lock_version": application.lock_version})
    assert any("请先登记入户调查" in m for m in messages_of(response))
    assert fresh(accepted).current_step_code == "home_visit"


def test_a_decision_step_needs_an_opinion(client_for, caseworker_a):
    application = application_at("first_review", family(VILLAGE_A), caseworker_a)
    response = client_for(caseworker_a).post(
        action("application_pass", application), {"lock_version": application.lock_version, "opinion": " "}
    )
    assert response.status_code == 400
    assert "请填写“初审意见”意见。" in response.content.decode()
    assert fresh(application).current_step_code == "first_review"


def test_a_county_step_posted_by_a_caseworker_is_refused_with_why(client_for, caseworker_a):
    application = application_at(
        "confirm",
        family(VILLAGE_A),
        UserFactory(username="town_maker", role=Role.CASEWORKER, scope=region(VILLAGE_A[:9])),
    )
    response = post(
        client_for(caseworker_a),
        action("application_pass", application),
        {"lock_version": application.lock_version, "opinion": "同意"},
    )
    assert "“审核确认”须由县级（或市级）督导办理。" in messages_of(response)
    assert fresh(application).status == ApplicationStatus.IN_PROGRESS


def test_maker_checker_refused_through_the_page_too(client_for, county_supervisor):
    application = application_at("confirm", family(VILLAGE_A), county_supervisor)
    response = post(
        client_for(county_supervisor),
        action("application_pass", application),
        {"lock_version": application.lock_version, "opinion": "同意"},
    )
    assert any("提出初审意见的人员不能再作审核确认" in m for m in messages_of(response))


def test_reject_with_a_written_reason(client_for, caseworker_a, workday):
    accepted = application_at("accept", family(VILLAGE_A), caseworker_a)
    client = client_for(caseworker_a)
    response = client.post(action("application_reject", accepted), {"lock_version": accepted.lock_version})
    assert response.status_code == 400 and "不予批准须填写书面理由。" in response.content.decode()
    response = post(
        client,
        action("application_reject", accepted),
        {"lock_version": accepted.lock_version, "reason": "收入超标"},
    )
    assert any("已作出不予批准决定" in m for m in messages_of(response))
    application = fresh(accepted)
    assert application.status == ApplicationStatus.REJECTED and application.decision_reason == "收入超标"
    # a second decision on the closed application is refused with why
    response = post(
        client,
        action("application_reject", accepted),
        {"lock_version": application.lock_version, "reason": "再次"},
    )
    assert any("该申请已办结（不予批准），不能再办理。" in m for m in messages_of(response))


def test_withdraw(client_for, caseworker_a, accepted):
    client = client_for(caseworker_a)
    response = post(
        client,
        action("application_withdraw", accepted),
        {"lock_version": accepted.lock_version, "reason": "外出务工"},
    )
    assert "申请已撤回。" in messages_of(response)
    assert fresh(accepted).status == ApplicationStatus.WITHDRAWN
    response = post(
        client,
        action("application_withdraw", accepted),
        {"lock_version": fresh(accepted).lock_version, "reason": "x"},
    )
    assert any("不能再办理" in m for m in messages_of(response))


def test_record_a_visit_with_a_second_staff_member(client_for, caseworker_a, accepted):
    second = second_caseworker()
    client = client_for(caseworker_a)
    page = client.get(detail(accepted))
    choices = list(page.context["visit_form"].fields["staff_second"].queryset)
    assert second in choices and caseworker_a not in choices
    data = {
        "lock_version": accepted.lock_version,
        "visited_on": clock.today().isoformat(),
        "staff_second": second.pk,
        "findings": "家中两人患病",
        "household_situation": "三口之家",
    }
    response = post(client, action("application_visit", accepted), data)
    assert "已登记入户调查。" in messages_of(response)
    html = response.content.decode()
    assert "家中两人患病" in html and (second.get_full_name() or second.username) in html
    # refused by the service: a visit dated after today
    data = {
        **data,
        "lock_version": fresh(accepted).lock_version,
        "visited_on": (clock.today() + timedelta(days=2)).isoformat(),
    }
    response = post(client, action("application_visit", accepted), data)
    assert any("调查日期须在受理日期" in m for m in messages_of(response))
    # the form refuses the actor as their own second investigator, and someone of another town
    other = UserFactory(username="other_town", role=Role.CASEWORKER, scope=region(VILLAGE_B[:9]))
    for staff in (caseworker_a, other):
        response = client.post(action("application_visit", accepted), {**data, "staff_second": staff.pk})
        assert response.status_code == 400
        assert "第二名调查人员须为负责该家庭所在区域的在职工作人员" in response.content.decode()


def test_set_an_amount_refused_when_no_standard_is_in_force(client_for, caseworker_a):
    # no 特困 care allowance is seeded: the service says what a city supervisor must enter
    application = application_at("first_review", family(VILLAGE_A), caseworker_a, "tekun_dispersed")
    client = client_for(caseworker_a)
    page = client.get(detail(application)).content.decode()
    assert 'name="self_care_level"' in page and 'name="monthly_income_per_capita"' not in page
    response = post(
        client,
        action("application_amount", application),
        {"lock_version": application.lock_version, "self_care_level": "self_care"},
    )
    assert any("请市级督导先录入标准" in m for m in messages_of(response)), messages_of(response)
    response = client.post(
        action("application_amount", application),
        {"lock_version": application.lock_version, "self_care_level": ""},
    )
    assert response.status_code == 400 and "请选择生活自理能力。" in response.content.decode()


def test_a_one_off_amount_is_asked_as_a_case_amount(client_for, caseworker_a):
    application = application_at("accept", family(VILLAGE_A), caseworker_a, "temp_expenditure")
    page = client_for(caseworker_a).get(detail(application)).content.decode()
    assert 'name="case_amount"' in page and 'name="members_covered"' not in page


def test_confirm_or_explain_a_finding(client_for, caseworker_a):
    accepted = application_at("info_check", family(VILLAGE_A), caseworker_a)
    first, second = add_finding(accepted), add_finding(accepted, summary="名下有车辆一辆", source="diagnosis")
    client = client_for(caseworker_a)
    html = client.get(detail(accepted)).content.decode()
    assert f'id="finding-form-{first.pk}"' in html and f'id="finding-form-{second.pk}"' in html
    response = post(client, action("finding_confirm", accepted, first.pk), {"status": "confirmed"})
    assert any("核对结果已确认" in m for m in messages_of(response))
    response = client.post(
        action("finding_confirm", accepted, second.pk), {"status": "explained", "explanation": ""}
    )
    assert response.status_code == 400 and "选择“已说明”时须填写说明。" in response.content.decode()
    post(
        client,
        action("finding_confirm", accepted, second.pk),
        {"status": "explained", "explanation": "车辆已报废"},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == FindingStatus.CONFIRMED and first.confirmed_by == caseworker_a
    assert second.status == FindingStatus.EXPLAINED and second.explanation == "车辆已报废"
    html = client.get(detail(accepted)).content.decode()
    assert "finding-form-" not in html and "车辆已报废" in html


def test_a_finding_of_a_closed_application_is_refused(client_for, caseworker_a, accepted):
    finding = add_finding(accepted)
    services.application_withdraw(
        actor=caseworker_a, application_id=accepted.pk, lock_version=accepted.lock_version, reason="不再申请"
    )
    response = post(
        client_for(caseworker_a), action("finding_confirm", accepted, finding.pk), {"status": "confirmed"}
    )
    assert any("该申请已办结（已撤回），不能再办理。" in m for m in messages_of(response))
    finding.refresh_from_db()
    assert finding.status == FindingStatus.PENDING


def test_a_finding_of_another_application_is_404(client_for, caseworker_a, accepted):
    other = application_at("accept", family(VILLAGE_A), caseworker_a, "temp_expenditure")
    finding = add_finding(other)
    response = client_for(caseworker_a).post(
        action("finding_confirm", accepted, finding.pk), {"status": "confirmed"}
    )
    assert response.status_code == 404


def test_a_stale_form_is_refused_and_asks_to_reload(client_for, caseworker_a, county_supervisor, accepted):
    stale = accepted.lock_version
    pass_step(county_supervisor, accepted)  # someone else acted since the page was rendered
    response = post(
        client_for(caseworker_a),
        action("application_reject", accepted),
        {"lock_version": stale, "reason": "x"},
    )
    assert any("该申请已被他人办理" in m and "请刷新页面" in m for m in messages_of(response))
    assert fresh(accepted).status == ApplicationStatus.IN_PROGRESS


# --- a bounded number of queries -----------------------------------------------------------------


def grow(application, caseworker, n: int) -> None:
    """Adds n of every kind of row the page lists (visits, findings, notices with objections)."""
    for k in range(n):
        home = HomeVisit.objects.create(
            household_id=application.household_id,
            visited_on=clock.today(),
            visitors="甲、乙",
            findings=f"第{k}次调查",
            household_situation="困难",
            recorded_by=caseworker,
        )
        ApplicationVisit.objects.create(
            application=application, visit=home, staff_first=caseworker, staff_second=second_caseworker()
        )
        ApplicationEvent.objects.create(application=application, actor=caseworker, action="record_visit")
        add_finding(
            application,
            source_record_id=Finding.objects.count() + 1000,
            confirmed_by=caseworker,
            confirmed_at=clock.now(),
            status="confirmed",
        )
        notice = Notice.objects.create(
            village=region(VILLAGE_A),
            starts_on=clock.today() + timedelta(days=10 * k),
            ends_on=clock.today() + timedelta(days=10 * k + 6),
            published_by=caseworker,
        )
        entry = NoticeEntry.objects.create(
            notice=notice,
            application=application,
            head_display="王某",
            people_covered=3,
            proposed_amount=Decimal("500.00"),
            program_name="农村低保",
        )
        Objection.objects.create(
            entry=entry, received_on=clock.today(), content="有车", recorded_by=caseworker
        )


def page_queries(client, application) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(detail(application)).status_code == 200
    return len(queries)


def test_the_page_runs_a_fixed_number_of_queries(
    client_for, caseworker_a, city_supervisor, django_assert_max_num_queries
):
    application = application_at("confirm", family(VILLAGE_A), caseworker_a)
    grow(application, caseworker_a, 1)
    client = client_for(caseworker_a)
    page_queries(client, application)  # warm the per-process caches (content types)
    with django_assert_max_num_queries(20):  # open: with the forms and the investigator choices
        client.get(detail(application))
    pass_step(city_supervisor, application, "同意纳入")  # approved: a grant with its amount row
    few = page_queries(client, application)
    grow(application, caseworker_a, 5)
    AlertApplication.objects.create(alert=alert_in(VILLAGE_A), application=application)
    assert page_queries(client, application) == few  # more rows, not more queries
    with django_assert_max_num_queries(20):
        response = client.get(detail(application))
    assert "救助待遇" in response.content.decode()


def test_a_feed_that_arrived_after_the_check_opened_is_listed_by_the_refresh_button(
    workday, client_for, caseworker_a
):
    from tests.alerts.feed_factories import MedicalSettlementFactory

    application = application_at("info_check", family(VILLAGE_A), caseworker_a)
    client = client_for(caseworker_a)
    assert 'id="btn-findings-refresh"' in client.get(detail(application)).content.decode()
    head = application.household.members.get(relation="head")
    MedicalSettlementFactory(id_number=head.id_number, name=head.name, settle_date=clock.today())
    response = post(client, action("findings_refresh", application), {})
    assert any("新增 1 条核对结果" in m for m in messages_of(response))
    assert application.findings.get().person == head
    # at another step there is no button, and the service says why
    later = application_at("first_review", family(VILLAGE_A, head="钱九"), caseworker_a)
    assert "btn-findings-refresh" not in client.get(detail(later)).content.decode()
    response = post(client, action("findings_refresh", later), {})
    assert any("只有在“信息核对”步骤办理中才能重新提取部门数据" in m for m in messages_of(response))
