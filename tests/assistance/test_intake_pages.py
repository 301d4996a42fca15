"""Intake: finding the household, accepting into a programme or referring, each channel's rules."""

from datetime import timedelta

import pytest

from assistance.models import Application, Program, Referral
from households import clock
from households.models import Relation
from tests.assistance.case_factories import apply, family
from tests.conftest import VILLAGE_A, VILLAGE_B, beijing

pytestmark = pytest.mark.django_db

NEW = "/assistance/applications/new/"


@pytest.fixture
def workday(pinned_clock):
    pinned_clock.move_to(beijing("2026-06-08 09:00"))
    return pinned_clock


def form_data(household, **changes) -> dict:
    data = {
        "household": household.pk,
        "applicant": household.members.get(relation=Relation.HEAD).pk,
        "channel": "single_window",
        "request": "家中两人患病，申请低保",
        "action": "accept",
        "program": Program.objects.get(code="rural_dibao").pk,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_household_search_shows_masked_ids_of_the_region_only(client_for, caseworker_a):
    mine = family(VILLAGE_A, head="王建国")
    theirs = family(VILLAGE_B, head="王建业")
    response = client_for(caseworker_a).get(NEW, {"q": "王建"})
    html = response.content.decode()
    assert [h.pk for h in response.context["households"]] == [mine.pk]
    assert mine.masked_head_id in html
    assert mine.head_id_number not in html
    assert theirs.masked_head_id not in html


def test_the_form_lists_the_households_members_with_masked_ids(client_for, caseworker_a):
    household = family(VILLAGE_A)
    html = client_for(caseworker_a).get(NEW, {"household": household.pk}).content.decode()
    for member in household.members.all():
        assert member.masked_id in html
        assert member.id_number not in html


def test_another_towns_household_is_404(client_for, caseworker_b):
    household = family(VILLAGE_A)
    client = client_for(caseworker_b)
    assert client.get(NEW, {"household": household.pk}).status_code == 404
    assert client.post(NEW, form_data(household)).status_code == 404
    assert not Application.objects.exists()


def test_accepting_goes_to_the_applications_page(workday, client_for, caseworker_a):
    household = family(VILLAGE_A)
    response = client_for(caseworker_a).post(NEW, form_data(household, complex_case="on"))
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/assistance/applications/{application.pk}/"
    assert application.channel == "single_window"
    assert application.complex_case
    assert application.current_step_code == "accept"
    assert application.created_by == caseworker_a


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"channel": "grid_report"}, "网格员报告须填写报告人。"),
        ({"channel": "hotline"}, "12349热线来件须填写工单号和来电内容。"),
        ({"staff_relative": "on"}, "近亲属申请须写明与哪位工作人员或村（居）委会成员、何种关系。"),
    ],
)
def test_each_channels_rule_is_shown_on_the_form(workday, client_for, caseworker_a, changes, message):
    household = family(VILLAGE_A)
    response = client_for(caseworker_a).post(NEW, form_data(household, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Application.objects.exists()


def test_each_channel_accepted_when_complete(workday, client_for, caseworker_a):
    client = client_for(caseworker_a)
    grid = client.post(NEW, form_data(family(VILLAGE_A), channel="grid_report", reported_by="网格员刘芳"))
    hotline = client.post(
        NEW, form_data(family(VILLAGE_A, head="李雷"), channel="hotline", channel_note="工单 12349-0608-01")
    )
    relative = client.post(
        NEW, form_data(family(VILLAGE_A, head="韩梅"), staff_relative="on", staff_relative_note="村会计之妹")
    )
    assert {grid.status_code, hotline.status_code, relative.status_code} == {302}
    assert sorted(Application.objects.values_list("channel", flat=True)) == [
        "grid_report",
        "hotline",
        "single_window",
    ]
    assert Application.objects.get(staff_relative=True).staff_relative_note == "村会计之妹"


def test_a_second_open_application_is_refused_with_its_message(workday, client_for, caseworker_a):
    household = family(VILLAGE_A)
    existing = apply(caseworker_a, household, "rural_dibao")
    response = client_for(caseworker_a).post(NEW, form_data(household))
    assert response.status_code == 400
    html = response.content.decode()
    assert f"该家庭已有办理中的“农村低保”申请（#{existing.pk}，当前步骤：申请受理）" in html
    assert Application.objects.count() == 1


def test_accepting_needs_a_programme(workday, client_for, caseworker_a):
    response = client_for(caseworker_a).post(NEW, form_data(family(VILLAGE_A), program=None))
    assert response.status_code == 400
    assert "受理时请选择救助项目。" in response.content.decode()


def test_referring_records_the_department_and_due_date(workday, client_for, caseworker_a):
    household = family(VILLAGE_A)
    due = clock.today() + timedelta(days=10)
    data = form_data(household, action="refer", program=None, department="县住建局", due_on=due.isoformat())
    response = client_for(caseworker_a).post(NEW, data)
    assert response.status_code == 302
    assert response["Location"] == "/assistance/referrals/"
    referral = Referral.objects.get()
    assert (referral.department, referral.due_on, referral.household) == ("县住建局", due, household)
    assert not Application.objects.exists()


def test_referring_needs_a_department_and_a_due_date_not_in_the_past(workday, client_for, caseworker_a):
    household = family(VILLAGE_A)
    client = client_for(caseworker_a)
    html = client.post(NEW, form_data(household, action="refer", program=None)).content.decode()
    assert "转介时请填写接收部门。" in html
    assert "转介时请填写答复期限。" in html
    past = (clock.today() - timedelta(days=1)).isoformat()
    response = client.post(NEW, form_data(household, action="refer", department="县住建局", due_on=past))
    assert response.status_code == 400
    assert "答复期限不能早于今天" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_new_button_shows_for_those_who_may_add(client_for, caseworker_a, data_admin):
    assert (
        'id="new-application"' in client_for(caseworker_a).get("/assistance/applications/").content.decode()
    )
    assert client_for(data_admin).get(NEW).status_code == 403


def test_only_programmes_fitting_the_household_are_offered(client_for, caseworker_a):
    response = client_for(caseworker_a).get(NEW, {"household": family(VILLAGE_A).pk})
    offered = set(response.context["form"].fields["program"].queryset.values_list("code", flat=True))
    assert "rural_dibao" in offered
    assert "urban_dibao" not in offered
