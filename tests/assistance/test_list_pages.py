"""The application list, the referral list, and the household and alert pages' assistance parts."""

from datetime import timedelta

import pytest
from django.urls import reverse

from assistance import list_selectors, services
from assistance.models import AlertApplication, Application, Grant, Program
from households import clock
from households.models import Relation
from tests.alerts.triage_factories import closed_alert_in
from tests.assistance.case_factories import application_at, apply, family
from tests.conftest import VILLAGE_A, VILLAGE_B, beijing

pytestmark = pytest.mark.django_db

LIST = "/assistance/applications/"


@pytest.fixture
def workday(pinned_clock):
    pinned_clock.move_to(beijing("2026-06-08 09:00"))
    return pinned_clock


def ids_on(response) -> list[int]:
    return [a.pk for a in response.context["page"].rows]


def test_a_caseworker_sees_only_their_towns_applications(workday, client_for, caseworker_a, caseworker_b):
    mine = apply(caseworker_a, family(VILLAGE_A), "rural_dibao")
    theirs = apply(caseworker_b, family(VILLAGE_B, head="李四"), "rural_dibao")
    assert ids_on(client_for(caseworker_b).get(LIST)) == [theirs.pk]
    assert ids_on(client_for(caseworker_a).get(LIST)) == [mine.pk]


def test_the_county_supervisor_sees_both_towns_newest_first(
    workday, client_for, caseworker_a, caseworker_b, county_supervisor
):
    first = apply(caseworker_a, family(VILLAGE_A), "rural_dibao")
    second = apply(caseworker_b, family(VILLAGE_B, head="李四"), "rural_dibao")
    response = client_for(county_supervisor).get(LIST)
    assert ids_on(response) == [second.pk, first.pk]
    assert response.context["page"].count == "2"


def test_data_admins_may_not_open_the_list(client_for, data_admin):
    assert client_for(data_admin).get(LIST).status_code == 403


def test_filters_narrow_the_list(workday, client_for, caseworker_a):
    dibao = apply(caseworker_a, family(VILLAGE_A, head="张三"), "rural_dibao")
    hotline = apply(
        caseworker_a,
        family(VILLAGE_A, head="赵六"),
        "temp_expenditure",
        channel="hotline",
        channel_note="工单 1",
    )
    relative = apply(
        caseworker_a,
        family(VILLAGE_A, head="张小明"),
        "rural_dibao",
        staff_relative=True,
        staff_relative_note="村主任之弟",
    )
    client = client_for(caseworker_a)
    assert ids_on(client.get(LIST, {"program": dibao.program_id})) == [relative.pk, dibao.pk]
    assert ids_on(client.get(LIST, {"channel": "hotline"})) == [hotline.pk]
    assert ids_on(client.get(LIST, {"staff_relative": "on"})) == [relative.pk]
    assert ids_on(client.get(LIST, {"q": "张"})) == [relative.pk, dibao.pk]
    assert ids_on(client.get(LIST, {"q": "张三"})) == [dibao.pk]
    response = client.get(LIST, {"staff_relative": "on"})
    assert "近亲属" in response.content.decode()


def test_step_and_status_filters(workday, client_for, caseworker_a):
    at_accept = application_at("accept", family(VILLAGE_A), caseworker_a)
    at_confirm = application_at("confirm", family(VILLAGE_A, head="孙七"), caseworker_a)
    withdrawn = apply(caseworker_a, family(VILLAGE_A, head="周八"), "rural_dibao")
    services.application_withdraw(
        actor=caseworker_a,
        application_id=withdrawn.pk,
        lock_version=withdrawn.lock_version,
        reason="本人撤回",
    )
    client = client_for(caseworker_a)
    assert ids_on(client.get(LIST, {"step": "confirm"})) == [at_confirm.pk]
    assert ids_on(client.get(LIST)) == [at_confirm.pk, at_accept.pk]  # 办理中 by default
    assert ids_on(client.get(LIST, {"status": "withdrawn"})) == [withdrawn.pk]
    assert ids_on(client.get(LIST, {"status": "all"})) == [withdrawn.pk, at_confirm.pk, at_accept.pk]


def test_overdue_applications_are_marked_and_filtered(workday, client_for, caseworker_a):
    late = apply(caseworker_a, family(VILLAGE_A), "rural_dibao")
    in_time = apply(caseworker_a, family(VILLAGE_A, head="钱九"), "rural_dibao")
    pending = apply(caseworker_a, family(VILLAGE_A, head="吴十"), "rural_dibao")
    Application.objects.filter(pk=late.pk).update(current_due_on=clock.today() - timedelta(days=3))
    Application.objects.filter(pk=pending.pk).update(current_due_on=None)
    client = client_for(caseworker_a)
    assert ids_on(client.get(LIST, {"overdue": "on"})) == [late.pk]
    html = client.get(LIST).content.decode()
    assert "逾期3天" in html
    assert "期限待定" in html
    assert html.count("overdue-row") == 1
    assert in_time.current_due_on is not None
    # a programme without a time limit (临时救助) has no due date to wait for: 不限, not 期限待定
    apply(caseworker_a, family(VILLAGE_A, head="郑十一"), "temp_expenditure")
    html = client.get(LIST).content.decode()
    assert html.count("期限待定") == html.count("due-pending") == 1 and "不限" in html


def test_the_list_pages_by_keyset(workday, client_for, caseworker_a, monkeypatch):
    monkeypatch.setattr(list_selectors, "PAGE_SIZE", 2)
    made = [apply(caseworker_a, family(VILLAGE_A, head=f"郑{k}"), "rural_dibao").pk for k in range(5)]
    client = client_for(caseworker_a)
    first = client.get(LIST)
    assert ids_on(first) == made[::-1][:2]
    second = client.get(LIST, {"before": first.context["page"].next_before})
    assert ids_on(second) == made[::-1][2:4]
    third = client.get(LIST, {"before": second.context["page"].next_before})
    assert ids_on(third) == made[:1]
    assert third.context["page"].next_before is None


def test_counts_are_capped(workday, caseworker_a, monkeypatch):
    monkeypatch.setattr(list_selectors, "COUNT_CAP", 1)
    for k in range(3):
        apply(caseworker_a, family(VILLAGE_A, head=f"冯{k}"), "rural_dibao")
    page = list_selectors.application_page(user=caseworker_a, filters=list_selectors.ApplicationFilters())
    assert page.count == "1+"


def test_the_list_shows_masked_ids_only(workday, client_for, caseworker_a):
    household = family(VILLAGE_A)
    apply(caseworker_a, household, "rural_dibao")
    html = client_for(caseworker_a).get(LIST).content.decode()
    assert household.masked_head_id in html
    assert household.head_id_number not in html


def test_the_list_is_an_htmx_fragment_for_filters(workday, client_for, caseworker_a):
    apply(caseworker_a, family(VILLAGE_A), "rural_dibao")
    response = client_for(caseworker_a).get(LIST, headers={"HX-Request": "true"})
    assert "<html" not in response.content.decode()
    assert "application-table" in response.content.decode()


# --- referrals -----------------------------------------------------------------------------------


def refer(actor, household, due_in_days=5):
    return services.referral_create(
        actor=actor,
        household=household,
        person=household.members.get(relation=Relation.HEAD),
        channel="single_window",
        request="子女上学困难",
        department="县教育局",
        due_on=clock.today() + timedelta(days=due_in_days),
    )


def test_referrals_are_scoped_and_overdue_answers_stand_out(
    workday, client_for, caseworker_a, caseworker_b, pinned_clock
):
    mine = refer(caseworker_a, family(VILLAGE_A))
    refer(caseworker_b, family(VILLAGE_B, head="李四"))
    pinned_clock.move_to(beijing("2026-06-20 09:00"))
    response = client_for(caseworker_a).get("/assistance/referrals/")
    assert [r.pk for r in response.context["page"].rows] == [mine.pk]
    assert "逾期7天未答复" in response.content.decode()


def test_answering_a_referral(workday, client_for, caseworker_a):
    referral = refer(caseworker_a, family(VILLAGE_A))
    client = client_for(caseworker_a)
    url = reverse("assistance:referral_answer", args=[referral.pk])
    response = client.post(url, {"answer": "已办理助学金", "answered_on": clock.today().isoformat()})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.answer == "已办理助学金"
    assert referral.answered_by == caseworker_a
    # a second answer is refused with the service's message
    response = client.post(url, {"answer": "再次", "answered_on": clock.today().isoformat()}, follow=True)
    assert "该转介已登记办理结果。" in response.content.decode()
    assert [
        r.pk for r in client.get("/assistance/referrals/", {"status": "answered"}).context["page"].rows
    ] == [referral.pk]
    assert client.get("/assistance/referrals/").context["page"].rows == []


def test_answering_another_towns_referral_is_404(workday, client_for, caseworker_a, caseworker_b):
    referral = refer(caseworker_a, family(VILLAGE_A))
    url = reverse("assistance:referral_answer", args=[referral.pk])
    client = client_for(caseworker_b)
    assert client.post(url, {"answer": "x", "answered_on": clock.today().isoformat()}).status_code == 404
    assert client.post(url, {}).status_code == 404
    referral.refresh_from_db()
    assert referral.answered_on is None


# --- household and alert pages ---------------------------------------------------------------------


def test_the_household_page_lists_applications_and_grants(workday, client_for, caseworker_a, data_admin):
    household = family(VILLAGE_A)
    application = apply(caseworker_a, household, "rural_dibao")
    Grant.objects.create(
        application=application,
        program=application.program,
        household=household,
        region_id=household.region_id,
        amount="864.00",
        people_covered=3,
        start_month=clock.today().replace(day=1),
        approved_by=caseworker_a,
        approved_on=clock.today(),
    )
    html = client_for(caseworker_a).get(reverse("households:detail", args=[household.pk])).content.decode()
    assert "救助申请与待遇" in html
    assert f"#{application.pk}" in html
    assert "864.00" in html
    assert "申请受理" in html
    # data admins see the registry, not the casework
    html = client_for(data_admin).get(reverse("households:detail", args=[household.pk])).content.decode()
    assert "救助申请与待遇" not in html


def test_the_alert_page_says_where_the_alert_went(workday, client_for, caseworker_a):
    alert = closed_alert_in(VILLAGE_A, assignee=caseworker_a)
    application = services.application_create(
        actor=caseworker_a,
        household=alert.household,
        applicant=alert.person,
        program=Program.objects.get(category="dibao", area_type=alert.household.area_type),
        channel="single_window",
    )
    AlertApplication.objects.create(alert=alert, application=application)
    html = client_for(caseworker_a).get(reverse("alerts:alert_detail", args=[alert.pk])).content.decode()
    assert f"已转入救助申请 #{application.pk}（{application.program.name}，申请受理）" in html


def test_the_alert_page_without_an_application_says_nothing_of_it(client_for, caseworker_a):
    alert = closed_alert_in(VILLAGE_A, assignee=caseworker_a)
    html = client_for(caseworker_a).get(reverse("alerts:alert_detail", args=[alert.pk])).content.decode()
    assert "已转入救助申请" not in html
