"""The approval steps at the service level: who may decide which step, what each step needs, the
written refusal, maker–checker, 近亲属, 临时救助 above the town's limit, 急难型 help first, the
amount stored with its standard, stale versions and out-of-region actors."""

from datetime import date
from decimal import Decimal

import pytest
from django.http import Http404

from assistance import services
from assistance.models import (
    ApplicationAction,
    ApplicationStatus,
    ApplicationVisit,
    Grant,
    Program,
    Standard,
    StandardComponent,
    StepStatus,
)
from households import clock
from tests.assistance.case_factories import (
    application_at,
    apply,
    family,
    fresh,
    pass_step,
    reject,
    second_caseworker,
    set_case_amount,
    set_dibao_amount,
    visit,
    withdraw,
)
from tests.conftest import TOWN_A, TOWN_B, beijing
from tests.factories import UserFactory, region

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def workday(pinned_clock):
    pinned_clock.move_to(beijing("2026-06-08 09:00"))  # a Monday chinese-calendar knows
    return pinned_clock


# --- each step recorded ----------------------------------------------------------------------


def test_each_passed_step_records_who_when_and_the_opinion(workday, caseworker_a):
    application = apply(caseworker_a, family(), "rural_dibao")
    pass_step(caseworker_a, application, "材料齐全，予以受理")
    step = application.steps.get(code="accept")
    assert step.status == StepStatus.PASSED
    assert step.decided_by == caseworker_a
    assert step.decided_at == clock.now()
    assert step.opinion == "材料齐全，予以受理"
    application = fresh(application)
    assert application.current_step_code == "home_visit"
    assert application.events.filter(action=ApplicationAction.PASS_STEP, actor=caseworker_a).count() == 1


def test_first_review_and_confirmation_need_an_opinion(workday, caseworker_a, county_supervisor):
    application = application_at("first_review", family(), caseworker_a)
    with pytest.raises(services.AssistanceError, match="请填写“初审意见”意见"):
        pass_step(caseworker_a, application, "  ")
    application = application_at("confirm", family(), caseworker_a)
    with pytest.raises(services.AssistanceError, match="请填写“审核确认”意见"):
        pass_step(county_supervisor, application, "")


# --- rejection -------------------------------------------------------------------------------


def test_a_rejection_needs_a_written_reason(workday, caseworker_a):
    application = apply(caseworker_a, family(), "rural_dibao")
    with pytest.raises(services.AssistanceError, match="不予批准须填写书面理由"):
        reject(caseworker_a, application, reason=" ")
    assert fresh(application).status == ApplicationStatus.IN_PROGRESS


def test_a_rejection_at_any_step_closes_the_application_and_records_the_notice_due_date(
    pinned_clock, caseworker_a
):
    # Rejected on Friday 2026-02-13: the written notice is due 3 working days later, across the
    # Spring Festival (make-up Saturday 2-14, then 2-24 and 2-25).
    pinned_clock.move_to(beijing("2026-02-13 10:00"))
    application = application_at("first_review", family(), caseworker_a)
    reject(caseworker_a, application, reason="家庭人均收入高于当地低保标准")
    application = fresh(application)
    assert application.status == ApplicationStatus.REJECTED
    assert application.decision_reason == "家庭人均收入高于当地低保标准"
    assert application.current_step is None
    step = application.steps.get(code="first_review")
    assert step.status == StepStatus.REJECTED and step.decided_by == caseworker_a
    event = application.events.get(action=ApplicationAction.REJECT)
    assert event.data["notice_due_on"] == "2026-02-25"


def test_a_rejection_in_a_year_the_calendar_does_not_know_records_the_notice_due_date_as_pending(
    caseworker_a,
):
    # The default pinned instant is in 2027, which nobody entered: casework goes on.
    application = apply(caseworker_a, family(), "rural_dibao")
    reject(caseworker_a, application, reason="不符合条件")
    application = fresh(application)
    assert application.status == ApplicationStatus.REJECTED
    assert application.events.get(action=ApplicationAction.REJECT).data["notice_due_on"] is None


def test_a_town_caseworker_cannot_reject_at_a_county_step(workday, caseworker_a, county_supervisor):
    application = application_at("confirm", family(), caseworker_a)
    with pytest.raises(services.AssistanceError, match="“审核确认”须由县级（或市级）督导办理"):
        reject(caseworker_a, application)
    reject(county_supervisor, application)
    assert fresh(application).status == ApplicationStatus.REJECTED


# --- levels and maker–checker ----------------------------------------------------------------


def test_the_county_confirmation_needs_a_county_or_city_supervisor(
    workday, caseworker_a, county_supervisor, city_supervisor
):
    application = application_at("confirm", family(), caseworker_a)
    with pytest.raises(services.AssistanceError, match="须由县级（或市级）督导办理"):
        pass_step(caseworker_a, application, "同意")
    town_supervisor = UserFactory(username="town_sup", role="supervisor", scope=region(TOWN_A))
    with pytest.raises(services.AssistanceError, match="须由县级"):
        pass_step(town_supervisor, application, "同意")
    pass_step(county_supervisor, application, "同意纳入")
    assert fresh(application).status == ApplicationStatus.APPROVED


def test_whoever_gave_the_first_review_cannot_confirm(workday, county_supervisor, city_supervisor):
    application = application_at("confirm", family(), county_supervisor)
    with pytest.raises(services.AssistanceError, match="提出初审意见的人员不能再作审核确认"):
        pass_step(county_supervisor, application, "同意")
    pass_step(city_supervisor, application, "同意")
    assert fresh(application).status == ApplicationStatus.APPROVED


def test_the_hardship_fund_leading_group_is_not_the_first_reviewer(
    workday, county_supervisor, city_supervisor
):
    application = application_at("leading_group_review", family(), county_supervisor, "hardship_fund")
    with pytest.raises(services.AssistanceError, match="不能再作审核确认"):
        pass_step(county_supervisor, application, "同意")
    pass_step(city_supervisor, application, "领导小组同意")
    assert fresh(application).current_step_code == "payment"


def test_the_hardship_fund_committee_is_a_county_decision(workday, caseworker_a, county_supervisor):
    application = application_at("committee_review", family(), caseworker_a, "hardship_fund")
    with pytest.raises(services.AssistanceError, match="“评委会评审”须由县级"):
        pass_step(caseworker_a, application, "同意")
    pass_step(county_supervisor, application, "评委会同意")
    assert fresh(application).current_step_code == "notice"


# --- 入户调查 ---------------------------------------------------------------------------------


def test_the_home_visit_step_needs_a_visit_of_two_staff(workday, caseworker_a):
    application = application_at("home_visit", family(), caseworker_a)
    with pytest.raises(services.AssistanceError, match="请先登记入户调查"):
        pass_step(caseworker_a, application)
    link = visit(caseworker_a, application)
    assert link.staff_first == caseworker_a and link.staff_second.username == f"second_{TOWN_A}"
    assert caseworker_a.get_full_name() in link.visit.visitors
    pass_step(caseworker_a, application)
    assert fresh(application).current_step_code == "info_check"


def test_the_same_person_cannot_be_both_investigators(workday, caseworker_a):
    application = application_at("home_visit", family(), caseworker_a)
    with pytest.raises(services.AssistanceError, match="第二名调查人员不能是您本人"):
        visit(caseworker_a, application, second=caseworker_a)
    assert not ApplicationVisit.objects.exists()


def test_a_staff_member_of_another_town_cannot_be_the_second_investigator(
    workday, caseworker_a, caseworker_b, data_admin
):
    application = application_at("home_visit", family(), caseworker_a)
    with pytest.raises(services.AssistanceError, match="第二名调查人员须为负责该家庭所在区域的在职工作人员"):
        visit(caseworker_a, application, second=caseworker_b)
    inactive = second_caseworker()
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    with pytest.raises(services.AssistanceError, match="在职工作人员"):
        visit(caseworker_a, application, second=inactive)
    with pytest.raises(services.AssistanceError, match="在职工作人员"):
        visit(caseworker_a, application, second=data_admin)  # data admins do not investigate


def test_a_visit_date_before_acceptance_or_in_the_future_is_refused(workday, caseworker_a):
    application = application_at("home_visit", family(), caseworker_a)
    with pytest.raises(
        services.AssistanceError, match="调查日期须在受理日期（2026-06-08）和今天（2026-06-08）之间"
    ):
        visit(caseworker_a, application, visited_on=date(2026, 6, 9))


# --- 近亲属 ----------------------------------------------------------------------------------


def test_a_staff_relative_is_confirmed_only_after_a_county_visit(
    workday, caseworker_a, county_supervisor, city_supervisor
):
    application = application_at(
        "confirm", family(), caseworker_a, staff_relative=True, staff_relative_note="村支书之弟"
    )
    assert application.staff_relative  # flagged on the application
    visit(caseworker_a, application)  # a town visit does not count
    with pytest.raises(services.AssistanceError, match="近亲属申请须由县级工作人员入户核查后才能审核确认"):
        pass_step(county_supervisor, application, "同意")
    visit(city_supervisor, application, second=county_supervisor)
    pass_step(county_supervisor, application, "同意")
    assert fresh(application).status == ApplicationStatus.APPROVED


def test_a_county_staff_member_as_second_investigator_also_counts(workday, caseworker_a, county_supervisor):
    application = application_at(
        "confirm", family(), caseworker_a, staff_relative=True, staff_relative_note="村主任之女"
    )
    visit(caseworker_a, application, second=county_supervisor)
    pass_step(county_supervisor, application, "同意")
    assert fresh(application).status == ApplicationStatus.APPROVED


# --- 临时救助 above the town's limit ---------------------------------------------------------


def test_temporary_aid_above_the_town_limit_is_confirmed_by_the_county(
    workday, settings, caseworker_a, county_supervisor
):
    settings.TEMPORARY_AID_TOWN_LIMIT = "1000"
    application = application_at("confirm", family(), caseworker_a, "temp_expenditure")
    set_case_amount(caseworker_a, application, "1500")
    assert fresh(application).computation["approval_level"] == "county"
    with pytest.raises(services.AssistanceError, match="“审批确认”须由县级"):
        pass_step(caseworker_a, application, "同意")
    pass_step(county_supervisor, application, "同意救助1500元")
    assert fresh(application).current_step_code == "payment"


def test_temporary_aid_at_the_town_limit_is_confirmed_by_the_town(workday, settings, caseworker_a):
    settings.TEMPORARY_AID_TOWN_LIMIT = "1000"
    application = application_at("confirm", family(), caseworker_a, "temp_expenditure")
    set_case_amount(caseworker_a, application, "1000")
    pass_step(caseworker_a, application, "同意")
    application = fresh(application)
    assert application.current_step_code == "payment"
    pass_step(caseworker_a, application, "已发放")
    grant = Grant.objects.get(application=application)
    assert grant.amount == D("1000.00") and grant.one_off
    assert fresh(application).status == ApplicationStatus.APPROVED


# --- 临时救助 急难型: help first ---------------------------------------------------------------


def test_emergency_aid_pays_first_then_the_papers_follow(workday, caseworker_a):
    application = apply(caseworker_a, family(), "temp_emergency")
    assert application.current_step_code == "help_first"
    with pytest.raises(services.AssistanceError, match="请先核定救助金额"):
        pass_step(caseworker_a, application, "先行救助")
    set_case_amount(caseworker_a, application, "800")
    pass_step(caseworker_a, application, "已先行发放800元")
    application = fresh(application)
    grant = Grant.objects.get(application=application)
    assert application.paid_first and grant.amount == D("800.00")
    assert grant.start_month == grant.end_month == date(2026, 6, 1)
    assert application.status == ApplicationStatus.IN_PROGRESS
    assert application.current_step_code == "accept"  # 补办申请
    with pytest.raises(services.AssistanceError, match="已先行发放的申请不能撤回"):
        withdraw(caseworker_a, application)
    pass_step(caseworker_a, application, "补齐材料")
    visit(caseworker_a, application)
    pass_step(caseworker_a, application)
    assert fresh(application).current_step_code == "confirm"
    pass_step(caseworker_a, application, "同意")
    application = fresh(application)
    assert application.status == ApplicationStatus.APPROVED
    assert Grant.objects.filter(application=application).count() == 1


def test_emergency_aid_above_the_town_limit_is_confirmed_by_the_county(
    workday, settings, caseworker_a, county_supervisor
):
    settings.TEMPORARY_AID_TOWN_LIMIT = "1000"
    application = application_at("confirm", family(), caseworker_a, "temp_emergency")
    set_case_amount(caseworker_a, application, "2000")
    with pytest.raises(services.AssistanceError, match="须由县级"):
        pass_step(caseworker_a, application, "同意")
    pass_step(county_supervisor, application, "同意")
    assert fresh(application).status == ApplicationStatus.APPROVED


def test_withdrawing_before_payment_closes_the_application(workday, caseworker_a):
    application = apply(caseworker_a, family(), "temp_emergency")
    with pytest.raises(services.AssistanceError, match="撤回须填写原因"):
        withdraw(caseworker_a, application, reason="")
    withdraw(caseworker_a, application, reason="已获亲友资助")
    application = fresh(application)
    assert application.status == ApplicationStatus.WITHDRAWN
    assert application.decision_reason == "已获亲友资助"
    assert not Grant.objects.exists()


# --- the amount and its standard --------------------------------------------------------------


def county_standard(monthly: str, effective_from: date) -> Standard:
    return services.standard_add(
        program=Program.objects.get(code="rural_dibao"),
        component=StandardComponent.BASIC,
        region_code="130921",
        area_type="rural",
        yearly_amount=D(monthly) * 12,
        monthly_amount=D(monthly),
        min_monthly_per_person=None,
        effective_from=effective_from,
        document_number="沧县民〔2026〕5号",
        created_by=None,
    )


def test_the_amount_is_computed_from_the_city_standard_and_stored_with_it(workday, caseworker_a):
    application = application_at("first_review", family(), caseworker_a)
    set_dibao_amount(caseworker_a, application, income="294", members=3)
    application = fresh(application)
    city_row = Standard.objects.get(program__code="rural_dibao", region_code="130900", area_type="rural")
    assert application.proposed_amount == D("900.00")  # (594 − 294) × 3
    assert application.standard_id == city_row.pk
    assert application.computation["standard_ids"] == [city_row.pk]
    event = application.events.get(action=ApplicationAction.SET_AMOUNT)
    assert "594" in event.note and "900.00" in event.note


def test_the_county_standard_wins_over_the_city_and_next_month_s_is_not_used(workday, caseworker_a):
    county_row = county_standard("650", date(2026, 1, 1))
    county_standard("700", date(2026, 7, 1))  # starts next month
    application = application_at("first_review", family(), caseworker_a)
    set_dibao_amount(caseworker_a, application, income="300", members=2)
    application = fresh(application)
    assert application.proposed_amount == D("700.00")  # (650 − 300) × 2
    assert application.standard_id == county_row.pk


def test_more_people_covered_than_the_household_has_is_refused(workday, caseworker_a):
    application = application_at("first_review", family(members=3), caseworker_a)
    with pytest.raises(services.AssistanceError, match="保障人数（4人）不能多于家庭人口（3人）"):
        set_dibao_amount(caseworker_a, application, income="300", members=4)
    assert fresh(application).proposed_amount == D("500.00")  # unchanged


def test_a_missing_standard_gives_the_chinese_message(workday, caseworker_a):
    application = application_at("first_review", family(), caseworker_a, "tekun_dispersed")
    application = fresh(application)
    with pytest.raises(
        services.AssistanceError, match="没有适用于该家庭（农村）的“特困供养（分散供养）”标准"
    ):
        services.application_set_amount(
            actor=caseworker_a,
            application_id=application.pk,
            lock_version=application.lock_version,
            self_care_level="self_care",
        )
    assert fresh(application).proposed_amount == D("500.00")  # unchanged


# --- stale versions and scope ----------------------------------------------------------------


def test_a_stale_version_is_refused_and_nothing_changes(workday, caseworker_a):
    application = apply(caseworker_a, family(), "rural_dibao")
    stale = application.lock_version
    pass_step(caseworker_a, application)
    with pytest.raises(services.StaleApplicationError, match="该申请已被他人办理（当前步骤：入户调查）"):
        services.step_pass(actor=caseworker_a, application_id=application.pk, lock_version=stale, opinion="")
    with pytest.raises(services.StaleApplicationError):
        services.step_reject(
            actor=caseworker_a, application_id=application.pk, lock_version=stale, reason="x"
        )
    assert fresh(application).current_step_code == "home_visit"


def test_an_actor_of_another_town_gets_404(workday, caseworker_a, caseworker_b):
    application = apply(caseworker_a, family(), "rural_dibao")
    with pytest.raises(Http404):
        pass_step(caseworker_b, application)
    with pytest.raises(Http404):
        reject(caseworker_b, application)
    with pytest.raises(Http404):
        visit(caseworker_b, application, second=second_caseworker(TOWN_B))
    assert fresh(application).current_step_code == "accept"


def test_a_supervisor_of_another_county_gets_404_at_the_county_step(workday, caseworker_a):
    other_county = UserFactory(username="hejian_sup", role="supervisor", scope=region("130984"))
    application = application_at("confirm", family(), caseworker_a)
    with pytest.raises(Http404):
        pass_step(other_county, application, "同意")
    assert fresh(application).status == ApplicationStatus.IN_PROGRESS
