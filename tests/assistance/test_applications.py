"""Applications coming in (services): the four channels, one open application per household and
programme, alerts closed with an enrolling outcome, urban/rural programmes, 近亲属 declarations."""

import pytest

from alerts.models import AlertStatus, Outcome
from alerts.services.triage import TriageError
from assistance import services
from assistance.models import AlertApplication, Application, ApplicationStatus, Channel
from households.models import Relation
from tests.alerts.triage_factories import alert_in
from tests.assistance.case_factories import apply, close_alert, family, fresh, reject, withdraw
from tests.conftest import OTHER_COUNTY_VILLAGE, VILLAGE_A, beijing

pytestmark = pytest.mark.django_db


@pytest.fixture
def workday(pinned_clock):
    pinned_clock.move_to(beijing("2026-06-08 09:00"))  # a Monday chinese-calendar knows
    return pinned_clock


# --- one open application per household and programme ---------------------------------------


def test_a_second_open_application_is_refused_naming_the_open_one(workday, caseworker_a):
    household = family()
    first = apply(caseworker_a, household, "rural_dibao")
    with pytest.raises(services.AssistanceError) as refused:
        apply(caseworker_a, household, "rural_dibao")
    message = refused.value.message
    assert "已有办理中的“农村低保”申请" in message
    assert f"#{first.pk}" in message and "申请受理" in message
    assert Application.objects.filter(household=household).count() == 1


def test_another_programme_for_the_same_household_is_accepted(workday, caseworker_a):
    household = family()
    apply(caseworker_a, household, "rural_dibao")
    other = apply(caseworker_a, household, "temp_expenditure")
    assert other.status == ApplicationStatus.IN_PROGRESS


@pytest.mark.parametrize("close", ["rejected", "withdrawn"])
def test_a_new_application_is_allowed_once_the_first_is_closed(workday, caseworker_a, close):
    household = family()
    first = apply(caseworker_a, household, "rural_dibao")
    if close == "rejected":
        reject(caseworker_a, first)
    else:
        withdraw(caseworker_a, first)
    assert fresh(first).status == close
    second = apply(caseworker_a, household, "rural_dibao")
    assert second.pk != first.pk and second.current_step_code == "accept"


def test_a_new_application_is_allowed_after_an_approved_one(workday, caseworker_a):
    household = family()
    first = apply(caseworker_a, household, "rural_dibao")
    Application.objects.filter(pk=first.pk).update(
        status=ApplicationStatus.APPROVED,
        current_step=None,
        current_step_code="",
        decided_at=first.created_at,
    )
    second = apply(caseworker_a, household, "rural_dibao")
    assert second.status == ApplicationStatus.IN_PROGRESS


# --- channels --------------------------------------------------------------------------------


def test_the_single_window_accepts_and_opens_the_first_step_with_its_history(workday, caseworker_a):
    application = apply(caseworker_a, family(), "rural_dibao", request="家中主要劳动力患病，申请低保")
    assert application.channel == Channel.SINGLE_WINDOW
    assert application.accepted_on.isoformat() == "2026-06-08"
    assert application.current_step_code == "accept" and application.handling_level == "town"
    assert [s.name for s in application.steps.order_by("order")] == [
        "申请受理",
        "入户调查",
        "信息核对",
        "初审意见",
        "公示",
        "审核确认",
    ]
    event = application.events.get()
    assert event.actor == caseworker_a and event.data["channel"] == "single_window"


def test_a_grid_report_needs_the_reporter(workday, caseworker_a):
    household = family()
    with pytest.raises(services.AssistanceError, match="网格员报告须填写报告人"):
        apply(caseworker_a, household, "rural_dibao", channel=Channel.GRID_REPORT, reported_by="  ")
    application = apply(
        caseworker_a, household, "rural_dibao", channel=Channel.GRID_REPORT, reported_by="网格员张三"
    )
    assert application.reported_by == "网格员张三"


def test_a_hotline_call_needs_the_ticket_and_what_was_said(workday, caseworker_a):
    household = family()
    with pytest.raises(services.AssistanceError, match="12349热线来件须填写工单号和来电内容"):
        apply(caseworker_a, household, "rural_dibao", channel=Channel.HOTLINE)
    application = apply(
        caseworker_a,
        household,
        "rural_dibao",
        channel=Channel.HOTLINE,
        channel_note="工单 20260608-17：来电求助",
    )
    assert application.channel_note == "工单 20260608-17：来电求助"


def test_an_unknown_channel_is_refused(workday, caseworker_a):
    with pytest.raises(services.AssistanceError, match="请选择受理渠道"):
        apply(caseworker_a, family(), "rural_dibao", channel="email")


def test_an_urban_household_cannot_apply_for_rural_dibao_and_vice_versa(workday, caseworker_a):
    with pytest.raises(services.AssistanceError, match="该家庭为城市家庭，不能申请“农村低保”"):
        apply(caseworker_a, family(area_type="urban"), "rural_dibao")
    with pytest.raises(services.AssistanceError, match="不能申请“城市低保”"):
        apply(caseworker_a, family(), "urban_dibao")
    assert apply(caseworker_a, family(area_type="urban"), "urban_dibao").program.code == "urban_dibao"


def test_the_applicant_must_be_a_member(workday, caseworker_a):
    from assistance.models import Program

    household, other = family(), family()
    with pytest.raises(services.AssistanceError, match="申请人须为该家庭成员"):
        services.application_create(
            actor=caseworker_a,
            household=household,
            applicant=other.members.get(relation=Relation.HEAD),
            program=Program.objects.get(code="rural_dibao"),
            channel=Channel.SINGLE_WINDOW,
        )


def test_a_caseworker_of_another_town_cannot_register(workday, caseworker_b, data_admin):
    with pytest.raises(services.AssistanceError, match="只有本辖区的经办人或督导可以登记救助申请"):
        apply(caseworker_b, family(VILLAGE_A), "rural_dibao")
    with pytest.raises(services.AssistanceError, match="只有本辖区的经办人或督导"):
        apply(data_admin, family(VILLAGE_A), "rural_dibao")


def test_a_county_supervisor_cannot_register_for_another_county(workday, county_supervisor):
    with pytest.raises(services.AssistanceError, match="只有本辖区"):
        apply(county_supervisor, family(OTHER_COUNTY_VILLAGE), "rural_dibao")


# --- 近亲属 ----------------------------------------------------------------------------------


def test_a_staff_relative_must_be_declared_with_a_note(workday, caseworker_a):
    household = family()
    with pytest.raises(services.AssistanceError, match="近亲属申请须写明"):
        apply(caseworker_a, household, "rural_dibao", staff_relative=True, staff_relative_note=" ")
    application = apply(
        caseworker_a, household, "rural_dibao", staff_relative=True, staff_relative_note="村委会主任李某之兄"
    )
    assert application.staff_relative and application.staff_relative_note == "村委会主任李某之兄"


# --- alerts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "program"),
    [
        (Outcome.ENROL_DIBAO, "rural_dibao"),
        (Outcome.ENROL_TEKUN, "tekun_dispersed"),
        (Outcome.TEMPORARY_ASSISTANCE, "temp_expenditure"),
        (Outcome.ENROL_EDGE_MONITORING, "dibao_edge"),
    ],
)
def test_an_alert_closed_with_an_enrolling_outcome_creates_an_application_linked_both_ways(
    workday, caseworker_a, outcome, program
):
    alert = alert_in(VILLAGE_A, assignee=caseworker_a, status=AlertStatus.ASSIGNED)
    close_alert(alert, caseworker_a, outcome, note="因病致贫，建议纳入")
    application = Application.objects.get(household=alert.household)
    assert application.program.code == program
    assert application.channel == Channel.ALERT
    assert application.applicant == alert.person
    assert application.request == "因病致贫，建议纳入"
    alert.refresh_from_db()
    assert alert.application_link.application == application
    assert list(application.alert_links.values_list("alert", flat=True)) == [alert.pk]


def test_an_urban_household_s_alert_goes_to_urban_dibao(workday, caseworker_a):
    alert = alert_in(VILLAGE_A, assignee=caseworker_a, status=AlertStatus.ASSIGNED)
    alert.household.area_type = "urban"
    alert.household.save(update_fields=["area_type"])
    close_alert(alert, caseworker_a, Outcome.ENROL_DIBAO)
    assert Application.objects.get(household=alert.household).program.code == "urban_dibao"


@pytest.mark.parametrize(
    "outcome", [Outcome.REFER_MEDICAL, Outcome.ALREADY_COVERED, Outcome.NOT_ELIGIBLE, Outcome.DATA_ERROR]
)
def test_other_outcomes_create_nothing(workday, caseworker_a, outcome):
    alert = alert_in(VILLAGE_A, assignee=caseworker_a, status=AlertStatus.ASSIGNED)
    close_alert(alert, caseworker_a, outcome)
    assert not Application.objects.filter(household=alert.household).exists()
    assert not AlertApplication.objects.exists()


def test_a_second_alert_of_the_household_joins_the_open_application(workday, caseworker_a):
    first = alert_in(VILLAGE_A, assignee=caseworker_a, status=AlertStatus.ASSIGNED)
    close_alert(first, caseworker_a, Outcome.ENROL_DIBAO)
    application = Application.objects.get(household=first.household)
    from tests.factories import AlertFactory

    second = AlertFactory(person=first.person, status=AlertStatus.ASSIGNED, assignee=caseworker_a)
    close_alert(second, caseworker_a, Outcome.ENROL_DIBAO, note="再次预警")
    assert Application.objects.filter(household=first.household).count() == 1
    assert set(application.alert_links.values_list("alert", flat=True)) == {first.pk, second.pk}
    assert application.events.filter(data__alert=second.pk, data__joined=True).exists()


def test_an_alert_closing_is_refused_with_the_reason_when_the_application_is(workday, caseworker_a):
    alert = alert_in(VILLAGE_A, assignee=caseworker_a, status=AlertStatus.ASSIGNED)
    alert.household.area_type = "urban"
    alert.household.save(update_fields=["area_type"])
    from assistance.models import Program

    Program.objects.filter(code="urban_dibao").update(active=False)
    with pytest.raises(TriageError, match="已停用"):
        close_alert(alert, caseworker_a, Outcome.ENROL_DIBAO)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.VERIFYING
    assert not Application.objects.filter(household=alert.household).exists()


def test_a_referral_comes_from_an_intake_channel_and_says_what_it_needs(workday, caseworker_a):
    from datetime import timedelta

    from assistance.models import Referral
    from households import clock

    household = family()
    person = household.members.get(relation=Relation.HEAD)
    base = {"actor": caseworker_a, "household": household, "person": person, "request": "子女上学困难"}
    due = clock.today() + timedelta(days=5)
    with pytest.raises(services.AssistanceError, match="一门受理、网格员报告或12349热线"):
        services.referral_create(**base, channel=Channel.ALERT, department="县教育局", due_on=due)
    with pytest.raises(services.AssistanceError, match="接收部门"):
        services.referral_create(**base, channel=Channel.SINGLE_WINDOW, department=" ", due_on=due)
    with pytest.raises(services.AssistanceError, match="不能早于今天"):
        services.referral_create(
            **base,
            channel=Channel.SINGLE_WINDOW,
            department="县教育局",
            due_on=clock.today() - timedelta(days=1),
        )
    assert not Referral.objects.exists()
