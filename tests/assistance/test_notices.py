"""公示 services: publishing a village's notice (a snapshot of its lines), recording objections,
deciding them (dismissed: the application proceeds after the period; upheld: back to 入户调查 in a
new round, then on a new notice)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.http import Http404

from assistance import services
from assistance.models import (
    Application,
    ApplicationAction,
    ApplicationStep,
    NoticeEntry,
    ObjectionStatus,
    StepStatus,
)
from households import clock
from households.models import Relation
from tests.assistance.case_factories import application_at, family, fresh, pass_step, visit
from tests.conftest import TOWN_A, VILLAGE_A, VILLAGE_B, beijing
from tests.factories import HouseholdFactory, PersonFactory, make_id_number, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def workday(pinned_clock):
    # A Monday of a year chinese-calendar knows (the steps after an upheld objection get due dates).
    pinned_clock.move_to(beijing("2026-06-08 09:00"))
    return pinned_clock


def minor_headed_family(code: str = VILLAGE_A, name: str = "李小明"):
    """A household whose head (and applicant) is 14: the notice shows only the surname."""
    household = HouseholdFactory(
        region=region(code), area_type="rural", head_id_number=make_id_number(born=date(2012, 3, 1))
    )
    PersonFactory(household=household, name=name, relation=Relation.HEAD)
    PersonFactory(household=household, name="李奶奶", relation=Relation.OTHER)
    return household


def publish(actor, code=VILLAGE_A, **kwargs):
    return services.notice_publish(actor=actor, village_code=code, **kwargs)


def record(actor, entry, content="家中有小轿车一辆", **kwargs):
    kwargs.setdefault("received_on", clock.today())
    return services.objection_record(actor=actor, entry_id=entry.pk, content=content, **kwargs)


def test_publish_snapshots_every_waiting_application_of_the_village(workday, caseworker_a, caseworker_b):
    adult = application_at("notice", family(head="王建国"), caseworker_a)
    minor = application_at("notice", minor_headed_family(), caseworker_a)
    not_yet = application_at("first_review", family(), caseworker_a)
    elsewhere = application_at("notice", family(VILLAGE_B), caseworker_b)

    notice = publish(caseworker_a)

    assert notice.starts_on == clock.today() and notice.ends_on == clock.today() + timedelta(days=6)
    lines = {e.application_id: e for e in notice.entries.all()}
    assert set(lines) == {adult.pk, minor.pk}
    assert not_yet.pk not in lines and elsewhere.pk not in lines
    assert lines[adult.pk].head_display == "王建国"
    assert lines[minor.pk].head_display == "李某"
    assert lines[adult.pk].people_covered == 3 and lines[minor.pk].people_covered == 2
    assert lines[adult.pk].proposed_amount == Decimal("500.00")
    assert lines[adult.pk].program_name == "农村低保"
    assert adult.events.filter(action=ApplicationAction.NOTICE, data__notice=notice.pk).exists()
    # a snapshot: later changes to the application never rewrite the posted list
    Application.objects.filter(pk=adult.pk).update(proposed_amount=Decimal("10.00"), members_covered=1)
    line = NoticeEntry.objects.get(pk=lines[adult.pk].pk)
    assert (line.proposed_amount, line.people_covered) == (Decimal("500.00"), 3)


def test_a_second_publish_with_nothing_waiting_says_so(workday, caseworker_a):
    application_at("notice", family(), caseworker_a)
    publish(caseworker_a)
    with pytest.raises(services.AssistanceError, match="没有待公示的申请"):
        publish(caseworker_a)


def test_publish_takes_a_future_start_and_refuses_a_past_one(workday, caseworker_a):
    application_at("notice", family(), caseworker_a)
    with pytest.raises(services.AssistanceError, match="不能早于今天"):
        publish(caseworker_a, starts_on=clock.today() - timedelta(days=1))
    notice = publish(caseworker_a, starts_on=clock.today() + timedelta(days=2))
    assert notice.ends_on == clock.today() + timedelta(days=8)


def test_publish_is_per_village_and_in_scope_only(workday, caseworker_a, caseworker_b, data_admin):
    application_at("notice", family(), caseworker_a)
    with pytest.raises(services.AssistanceError, match="按村"):
        publish(caseworker_a, TOWN_A)
    with pytest.raises(Http404):
        publish(caseworker_b)
    with pytest.raises(services.AssistanceError, match="只有本辖区"):
        publish(data_admin)
    assert not NoticeEntry.objects.exists()


def test_an_objection_is_recorded_on_its_line_and_in_the_history(workday, caseworker_a):
    application = application_at("notice", family(), caseworker_a)
    entry = publish(caseworker_a).entries.get()
    objection = record(caseworker_a, entry, raised_by="  ")
    assert objection.status == ObjectionStatus.PENDING
    assert objection.raised_by == ""  # anonymous
    assert application.events.filter(
        action=ApplicationAction.OBJECTION, data__objection=objection.pk
    ).exists()
    with pytest.raises(services.AssistanceError, match="异议内容"):
        record(caseworker_a, entry, content="  ")
    with pytest.raises(services.AssistanceError, match="收到日期"):
        record(caseworker_a, entry, received_on=clock.today() - timedelta(days=1))
    with pytest.raises(services.AssistanceError, match="收到日期"):
        record(caseworker_a, entry, received_on=clock.today() + timedelta(days=1))


def test_objections_outside_the_region_are_missing(workday, caseworker_a, caseworker_b):
    application_at("notice", family(), caseworker_a)
    entry = publish(caseworker_a).entries.get()
    objection = record(caseworker_a, entry)
    with pytest.raises(Http404):
        record(caseworker_b, entry)
    with pytest.raises(Http404):
        services.objection_decide(actor=caseworker_b, objection_id=objection.pk, upheld=True, finding="属实")
    assert fresh(entry.application).current_step_code == "notice"


def test_a_dismissed_objection_lets_the_application_proceed_after_the_period(
    workday, caseworker_a, county_supervisor
):
    application = application_at("notice", family(), caseworker_a)
    entry = publish(caseworker_a).entries.get()
    objection = record(caseworker_a, entry)
    workday.shift(timedelta(days=7))  # the period is over
    with pytest.raises(services.AssistanceError, match="异议尚未处理"):
        pass_step(caseworker_a, application)
    with pytest.raises(services.AssistanceError, match="核实情况"):
        services.objection_decide(actor=caseworker_a, objection_id=objection.pk, upheld=False, finding=" ")
    services.objection_decide(
        actor=caseworker_a, objection_id=objection.pk, upheld=False, finding="车辆系亲属所有，已核实"
    )
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED and objection.decided_by == caseworker_a
    assert application.events.filter(action=ApplicationAction.OBJECTION_DECIDED).exists()
    with pytest.raises(services.AssistanceError, match="已处理"):
        services.objection_decide(actor=caseworker_a, objection_id=objection.pk, upheld=True, finding="再议")
    pass_step(caseworker_a, application)
    assert fresh(application).current_step_code == "confirm"


def test_the_notice_step_waits_for_the_period_to_end(workday, caseworker_a):
    application = application_at("notice", family(), caseworker_a)
    with pytest.raises(services.AssistanceError, match="尚未列入公示"):
        pass_step(caseworker_a, application)
    publish(caseworker_a)
    workday.shift(timedelta(days=6))  # the last day of the period
    with pytest.raises(services.AssistanceError, match="公示期满后"):
        pass_step(caseworker_a, application)


def test_an_upheld_objection_sends_the_application_back_and_onto_a_new_notice(workday, caseworker_a):
    application = application_at("notice", family(), caseworker_a)
    first = publish(caseworker_a)
    objection = record(caseworker_a, first.entries.get())
    services.objection_decide(
        actor=caseworker_a, objection_id=objection.pk, upheld=True, finding="核实：家中确有营运车辆"
    )

    application = fresh(application)
    assert application.current_step_code == "home_visit"
    assert application.current_step.round == 2 and application.current_step.status == StepStatus.OPEN
    old = ApplicationStep.objects.get(application=application, code="notice", round=1)
    assert old.status == StepStatus.RETURNED
    assert list(application.steps.filter(round=2).order_by("order").values_list("code", flat=True)) == [
        "home_visit",
        "info_check",
        "first_review",
        "notice",
        "confirm",
    ]
    assert application.events.filter(action=ApplicationAction.RETURN, data__round=2).exists()

    # investigated again the same day, back at 公示: the old line (objection upheld) does not count
    visit(caseworker_a, application)
    pass_step(caseworker_a, application)
    pass_step(caseworker_a, application)
    pass_step(caseworker_a, application, "重新调查后仍符合条件")
    assert fresh(application).current_step_code == "notice"
    with pytest.raises(services.AssistanceError, match="尚未列入公示"):
        pass_step(caseworker_a, application)
    second = publish(caseworker_a)
    assert second.pk != first.pk
    assert list(second.entries.values_list("application_id", flat=True)) == [application.pk]
    workday.shift(timedelta(days=7))
    pass_step(caseworker_a, application)
    assert fresh(application).current_step_code == "confirm"
