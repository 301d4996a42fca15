"""Triage pages: region scope on every page, action and filter; forms, messages, htmx fragments."""

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest
from django.urls import reverse

from alerts.models import AlertEvent, AlertStatus, HomeVisit, Outcome
from households import clock
from households.models import Role
from monitoring.models import MonitoringRecordHistory
from tests.alerts.triage_factories import alert_in, closed_alert_in, overdue_alert_in, visit_for
from tests.conftest import OTHER_COUNTY_VILLAGE, TOWN_A, VILLAGE_A, VILLAGE_B
from tests.factories import UserFactory, region

pytestmark = pytest.mark.django_db

INBOX = reverse("alerts:inbox")


def ids_in(response) -> set[int]:
    return {a.pk for a in response.context["page"].alerts}


@pytest.fixture
def two_towns(caseworker_a, caseworker_b):
    return {
        "a": alert_in(VILLAGE_A, name="甲村民"),
        "b": alert_in(VILLAGE_B, name="乙村民"),
        "far": alert_in(OTHER_COUNTY_VILLAGE, name="远方人"),
    }


def test_inbox_shows_only_own_town_for_every_filter(client_for, caseworker_a, caseworker_b, two_towns):
    a, b = two_towns["a"], two_towns["b"]
    queries = [
        {},
        {"status": "all"},
        {"status": "new"},
        {"rule": "high_medical_self_pay"},
        {"region": VILLAGE_B},  # another town's village: refused, not widened
        {"region": "130921"},  # the county above: refused
        {"assignee": "none"},
        {"assignee": str(caseworker_b.pk)},
        {"q": "乙村民"},
        {"q": b.person.id_number},
        {"q": b.person.id_number[:10]},
        {"raised_from": "2000-01-01", "raised_to": "2100-01-01"},
    ]
    for params in queries:
        response = client_for(caseworker_a).get(INBOX, params)
        assert response.status_code == 200
        assert b.pk not in ids_in(response) and two_towns["far"].pk not in ids_in(response), params
        assert b.person.masked_id not in response.content.decode()  # nothing of town B's row shows
    response = client_for(caseworker_b).get(INBOX, {"q": "乙村民"})
    assert ids_in(response) == {b.pk}
    response = client_for(caseworker_b).get(INBOX, {"region": VILLAGE_A})
    assert a.pk not in ids_in(response)
    assert "不在您的管辖范围内" in response.content.decode()


def test_county_supervisor_sees_both_towns_but_not_other_county(client_for, county_supervisor, two_towns):
    response = client_for(county_supervisor).get(INBOX)
    assert ids_in(response) == {two_towns["a"].pk, two_towns["b"].pk}
    response = client_for(county_supervisor).get(INBOX, {"region": VILLAGE_B})
    assert ids_in(response) == {two_towns["b"].pk}


def test_every_alert_page_and_action_of_another_town_is_404(
    client_for, caseworker_a, caseworker_b, two_towns
):
    b = two_towns["b"]
    client = client_for(caseworker_a)
    assert client.get(reverse("alerts:alert_detail", args=[b.pk])).status_code == 404
    assert client.get(reverse("alerts:household_alerts", args=[b.household_id])).status_code == 404
    for name, data in [
        ("alert_claim", {}),
        ("alert_assign", {"assignee": caseworker_a.pk}),
        ("alert_start_verification", {}),
        (
            "alert_record_visit",
            {"visited_on": clock.today(), "visitors": "x", "findings": "x", "household_situation": "x"},
        ),
        ("alert_close", {"outcome": "data_error", "note": "x"}),
        ("alert_reopen", {"note": "x"}),
    ]:
        response = client.post(reverse(f"alerts:{name}", args=[b.pk]), {"lock_version": 0, **data})
        assert response.status_code == 404, name
    b.refresh_from_db()
    assert (b.status, b.lock_version) == (AlertStatus.NEW, 0)
    assert not AlertEvent.objects.filter(alert=b).exists()
    # bulk assign of another town's alert changes nothing
    client.post(reverse("alerts:bulk_assign"), {"alerts": [b.pk], "assignee": caseworker_a.pk})
    b.refresh_from_db()
    assert b.assignee is None
    # own alert works
    a = two_towns["a"]
    assert client.get(reverse("alerts:alert_detail", args=[a.pk])).status_code == 200
    assert client.get(reverse("alerts:household_alerts", args=[a.household_id])).status_code == 200


def test_detail_shows_masked_id_household_evidence_and_history(client_for, caseworker_a):
    alert = alert_in(
        VILLAGE_A,
        name="王大明",
        evidence={
            "summary": "近365天个人自付 23,410.50 元，达到阈值 10,000.00 元",
            "values": {"disease": "肺癌", "code": "C34.901"},
            "sources": [
                {
                    "table": "medical_settlement",
                    "id": 1,
                    "batch_id": 9,
                    "label": "医保结算 JS2025000123 2026-03-02",
                },
                {"table": "unknown"},  # tolerated
            ],
        },
    )
    sibling = alert_in(VILLAGE_A)
    sibling.household = alert.household
    sibling.save(update_fields=["household"])
    client = client_for(caseworker_a)
    client.post(reverse("alerts:alert_claim", args=[alert.pk]), {"lock_version": 0})
    html = client.get(reverse("alerts:alert_detail", args=[alert.pk])).content.decode()
    assert "近365天个人自付 23,410.50 元" in html
    assert "医保结算 JS2025000123 2026-03-02" in html and "导入批次 #9" in html
    assert "肺癌" in html
    assert alert.person.masked_id in html and alert.person.id_number not in html
    assert reverse("alerts:alert_detail", args=[sibling.pk]) in html  # other alerts of the household
    assert reverse("alerts:household_alerts", args=[alert.household_id]) in html
    assert "认领" in html and caseworker_a.get_full_name() in html


def test_batch_of_the_evidence_is_a_link_only_for_who_may_open_the_batch_page(
    client_for, caseworker_a, county_supervisor, django_user_model
):
    alert = alert_in(
        VILLAGE_A,
        evidence={"summary": "x", "sources": [{"table": "medical_settlement", "id": 1, "batch_id": 9}]},
    )
    url = reverse("alerts:alert_detail", args=[alert.pk])
    batch_page = reverse("imports:batch_detail", args=[9])
    batch_admin = reverse("admin:imports_importbatch_change", args=[9])
    html = client_for(caseworker_a).get(url).content.decode()
    assert "导入批次 #9" in html  # the number, as plain text: the batch page would be 403
    assert f'href="{batch_page}"' not in html and f'href="{batch_admin}"' not in html
    root = django_user_model.objects.create_superuser("root", password="pw-12345678")
    html = client_for(root).get(url).content.decode()
    assert f'href="{batch_page}">导入批次 #9</a>' in html
    html = client_for(county_supervisor).get(url).content.decode()
    assert f'href="{batch_admin}">导入批次 #9</a>' in html and f'href="{batch_page}"' not in html


def test_detail_without_evidence_keys_does_not_crash(client_for, caseworker_a):
    alert = alert_in(VILLAGE_A, evidence={})
    assert client_for(caseworker_a).get(reverse("alerts:alert_detail", args=[alert.pk])).status_code == 200


def test_close_without_note_shows_chinese_error_and_changes_nothing(client_for, caseworker_a):
    alert = alert_in(VILLAGE_A, status=AlertStatus.VERIFYING, assignee=caseworker_a)
    response = client_for(caseworker_a).post(
        reverse("alerts:alert_close", args=[alert.pk]),
        {"lock_version": 0, "outcome": "data_error", "note": ""},
    )
    assert response.status_code == 400
    assert "办结必须填写办结说明" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.VERIFYING


def test_enrol_without_visit_is_refused_with_message(client_for, caseworker_a):
    alert = alert_in(VILLAGE_A, status=AlertStatus.VERIFYING, assignee=caseworker_a)
    response = client_for(caseworker_a).post(
        reverse("alerts:alert_close", args=[alert.pk]),
        {"lock_version": 0, "outcome": Outcome.ENROL_DIBAO, "note": "符合"},
        follow=True,
    )
    assert "需要先登记入户核查记录" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.VERIFYING


def test_invalid_transition_message_is_shown(client_for, caseworker_a):
    alert = alert_in(VILLAGE_A, status=AlertStatus.ASSIGNED, assignee=caseworker_a)
    response = client_for(caseworker_a).post(
        reverse("alerts:alert_claim", args=[alert.pk]), {"lock_version": 0}, follow=True
    )
    assert "当前状态为“已分派”，不能认领" in response.content.decode()


def test_stale_form_in_the_browser_gets_the_message_and_nothing_is_overwritten(
    client, caseworker_a, county_supervisor
):
    alert = alert_in(VILLAGE_A, status=AlertStatus.VERIFYING, assignee=caseworker_a)
    visit_for(alert, caseworker_a)
    client.force_login(caseworker_a)
    client.post(
        reverse("alerts:alert_close", args=[alert.pk]),
        {"lock_version": 0, "outcome": Outcome.ENROL_DIBAO, "note": "第一人办结"},
    )
    client.force_login(county_supervisor)
    response = client.post(
        reverse("alerts:alert_close", args=[alert.pk]),
        {"lock_version": 0, "outcome": Outcome.NOT_ELIGIBLE, "note": "第二人办结"},
        follow=True,
    )
    assert "该预警已被他人修改" in response.content.decode()
    alert.refresh_from_db()
    assert (alert.outcome, alert.close_note) == (Outcome.ENROL_DIBAO, "第一人办结")


def test_record_visit_through_the_page(client_for, caseworker_a):
    alert = alert_in(VILLAGE_A, status=AlertStatus.VERIFYING, assignee=caseworker_a, raised_on=clock.today())
    response = client_for(caseworker_a).post(
        reverse("alerts:alert_record_visit", args=[alert.pk]),
        {
            "lock_version": 0,
            "visited_on": clock.today().isoformat(),
            "visitors": "李四",
            "findings": "住院",
            "household_situation": "困难",
        },
        follow=True,
    )
    assert "已登记入户核查" in response.content.decode()
    visit = HomeVisit.objects.get(alert=alert)
    assert (visit.recorded_by, visit.visitors) == (caseworker_a, "李四")
    response = client_for(caseworker_a).post(
        reverse("alerts:alert_record_visit", args=[alert.pk]), {"lock_version": 1, "visited_on": "昨天"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "日期格式应为" in html and "请填写核查人员" in html


def test_filters_overdue_mine_and_search(client_for, caseworker_a):
    late = overdue_alert_in(VILLAGE_A, name="逾期人")
    mine = alert_in(VILLAGE_A, status=AlertStatus.ASSIGNED, assignee=caseworker_a, name="我的人")
    fresh = alert_in(VILLAGE_A, name="新来人")
    client = client_for(caseworker_a)
    assert ids_in(client.get(INBOX, {"overdue": "on"})) == {late.pk}
    assert ids_in(client.get(INBOX, {"assignee": "mine"})) == {mine.pk}
    assert ids_in(client.get(INBOX, {"q": "新来"})) == {fresh.pk}
    assert ids_in(client.get(INBOX, {"q": fresh.person.id_number})) == {fresh.pk}
    assert ids_in(client.get(INBOX, {"status": "assigned"})) == {mine.pk}
    html = client.get(INBOX, {"q": "1309"}).content.decode()
    assert "不支持按身份证号的开头或片段搜索" in html
    html = client.get(INBOX).content.decode()
    assert "逾期 15 天" in html and "overdue-row" in html
    counts = client.get(INBOX).context["page"].counts
    assert (counts["open"], counts["new"], counts["assigned"]) == ("3", "2", "1")
    order = [a.pk for a in client.get(INBOX).context["page"].alerts]
    assert order[0] == late.pk and set(order) == {late.pk, mine.pk, fresh.pk}  # earliest deadline first


def test_a_search_matching_too_many_people_says_so_and_shows_some(client_for, caseworker_a, monkeypatch):
    from alerts.selectors import inbox

    monkeypatch.setattr(inbox, "MAX_NAME_MATCHES", 2)
    alerts = [alert_in(VILLAGE_A, name=f"张{n}") for n in range(3)]
    client = client_for(caseworker_a)
    response = client.get(INBOX, {"q": "张"})
    assert len(ids_in(response)) == 2 and ids_in(response) < {a.pk for a in alerts}
    assert "姓名以“张”开头的人员超过2人" in response.content.decode()
    assert "超过" not in client.get(INBOX, {"q": "张1"}).content.decode()
    prefix = alerts[0].person.id_number[:6]  # an ID prefix finds nobody: it is refused
    response = client.get(INBOX, {"q": prefix})
    assert ids_in(response) == set()
    assert "不支持按身份证号的开头或片段搜索" in response.content.decode()


def test_keyset_pagination_and_capped_counts(client_for, caseworker_a, settings, monkeypatch):
    from alerts.selectors import inbox as inbox_selectors

    monkeypatch.setattr(inbox_selectors, "PAGE_SIZE", 2)
    monkeypatch.setattr(inbox_selectors, "COUNT_CAP", 3)
    today = clock.today()
    alerts = [
        alert_in(VILLAGE_A, raised_on=today, deadline=today + timedelta(days=d)) for d in (3, 1, 1, 2, 5)
    ]
    client = client_for(caseworker_a)
    response = client.get(INBOX)
    page = response.context["page"]
    assert page.counts["new"] == "3+" and page.counts["closed"] == "0" and page.counts["open"] == "3+"
    seen = []
    params = {}
    while True:
        page = client.get(INBOX, params).context["page"]
        seen += [(a.deadline, a.pk) for a in page.alerts]
        if not page.next_cursor:
            break
        params = {"after": page.next_cursor.encode()}
    assert seen == sorted((a.deadline, a.pk) for a in alerts)


def test_htmx_request_gets_only_the_results_fragment(client_for, caseworker_a):
    alert_in(VILLAGE_A)
    client = client_for(caseworker_a)
    full = client.get(INBOX).content.decode()
    fragment = client.get(INBOX, headers={"HX-Request": "true"}).content.decode()
    assert "<html" in full and 'id="inbox-filters"' in full
    assert "<html" not in fragment and "inbox-table" in fragment


def test_city_supervisor_reaches_villages_through_the_region_filter(client_for, city_supervisor):
    alert = alert_in(VILLAGE_A)
    client = client_for(city_supervisor)
    html = client.get(INBOX).content.decode()
    assert f'value="{VILLAGE_A}"' not in html  # counties and towns only: 1,776 villages would be too many
    fragment = client.get(INBOX, {"region": TOWN_A}, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-swap-oob="true"' in fragment and f'value="{VILLAGE_A}"' in fragment
    assert ids_in(client.get(INBOX, {"region": VILLAGE_A})) == {alert.pk}


def test_bulk_assign_page_for_town_lead_only(client_for, caseworker_a):
    village_cw = UserFactory(username="cw_village", role=Role.CASEWORKER, scope=region(VILLAGE_A))
    alerts = [alert_in(VILLAGE_A) for _ in range(3)]
    client = client_for(caseworker_a)
    assert 'name="alerts"' in client.get(INBOX).content.decode()
    response = client.post(
        reverse("alerts:bulk_assign"),
        {"alerts": [a.pk for a in alerts[:2]], "assignee": village_cw.pk, "next": INBOX + "?status=all"},
    )
    assert response.status_code == 302 and response["Location"] == INBOX + "?status=all"
    assert {a.pk for a in village_cw.assigned_alerts.all()} == {a.pk for a in alerts[:2]}
    client = client_for(village_cw)
    assert 'name="alerts"' not in client.get(INBOX).content.decode()
    response = client.post(
        reverse("alerts:bulk_assign"), {"alerts": [alerts[2].pk], "assignee": village_cw.pk}, follow=True
    )
    assert "批量分派仅限督导和乡镇负责人" in response.content.decode()
    alerts[2].refresh_from_db()
    assert alerts[2].assignee is None


def test_household_rollup_lists_alerts_visits_and_monitoring(client_for, caseworker_a):
    alert = alert_in(VILLAGE_A, status=AlertStatus.VERIFYING, assignee=caseworker_a)
    visit_for(alert, caseworker_a, findings="屋顶漏雨")
    MonitoringRecordHistory.objects.create(
        record=alert.person.monitoring,
        before={"category": "dibao_edge", "status": "active"},
        after={"category": "dibao", "status": "active", "id_number": alert.person.id_number},
    )
    url = reverse("alerts:household_alerts", args=[alert.household_id])
    html = client_for(caseworker_a).get(url).content.decode()
    assert "屋顶漏雨" in html and "低保" in html
    assert "低保边缘，在册" in html  # the monitoring change, in words
    assert alert.person.id_number not in html  # snapshots never show raw IDs
    assert reverse("alerts:alert_detail", args=[alert.pk]) in html
    detail = (
        client_for(caseworker_a).get(reverse("households:detail", args=[alert.household_id])).content.decode()
    )
    assert reverse("alerts:household_alerts", args=[alert.household_id]) in detail


def test_anonymous_is_sent_to_login(client, caseworker_a):
    alert = alert_in(VILLAGE_A)
    for url in (INBOX, reverse("alerts:alert_detail", args=[alert.pk])):
        assert client.get(url).status_code == 302


def test_an_expired_session_during_an_inbox_htmx_request_sends_the_whole_page_to_sign_in(client, regions):
    response = client.get(INBOX, {"status": "all"}, headers={"HX-Request": "true"})
    # not the sign-in form swapped into the results: htmx is told to load the sign-in page
    assert response.status_code == 200 and "HX-Redirect" in response
    login = urlsplit(response["HX-Redirect"])
    assert login.path == reverse("login") and parse_qs(login.query)["next"] == [f"{INBOX}?status=all"]
    response = client.get(INBOX, {"status": "all"})  # a plain request is redirected as before
    assert response.status_code == 302 and response["Location"] == urlunsplit(login)


def test_history_names_what_the_nightly_run_and_auto_assignment_did(client_for, caseworker_a):
    alert = alert_in(VILLAGE_A)
    AlertEvent.objects.create(alert=alert, action="raised", to_status="new", note="监测运行产生预警")
    AlertEvent.objects.create(
        alert=alert,
        action="auto_assign",
        from_status="new",
        to_status="assigned",
        note="按区域责任人自动分派",
    )
    body = client_for(caseworker_a).get(reverse("alerts:alert_detail", args=[alert.pk])).content.decode()
    assert "产生预警" in body and "自动分派" in body
    assert ">raised<" not in body


# --- bad input: the user sees what is wrong, in Chinese, and nothing changes ---


def assert_unchanged(alert, status=AlertStatus.NEW, assignee=None):
    alert.refresh_from_db()
    assert (alert.status, alert.assignee, alert.lock_version) == (status, assignee, 0)
    assert not AlertEvent.objects.filter(alert=alert).exists()


def test_assigning_to_a_caseworker_not_covering_the_region_is_refused(
    client_for, caseworker_b, county_supervisor
):
    alert = alert_in(VILLAGE_A)
    response = client_for(county_supervisor).post(
        reverse("alerts:alert_assign", args=[alert.pk]), {"lock_version": 0, "assignee": caseworker_b.pk}
    )
    assert response.status_code == 400
    assert "只能分派给负责该区域的经办人" in response.content.decode()
    assert_unchanged(alert)


@pytest.mark.parametrize(
    ("action", "status"),
    [("alert_claim", AlertStatus.NEW), ("alert_start_verification", AlertStatus.ASSIGNED)],
)
def test_an_action_posted_without_the_form_version_is_refused(client_for, caseworker_a, action, status):
    assignee = caseworker_a if status == AlertStatus.ASSIGNED else None
    alert = alert_in(VILLAGE_A, status=status, assignee=assignee)
    response = client_for(caseworker_a).post(reverse(f"alerts:{action}", args=[alert.pk]), {})
    assert response.status_code == 400
    assert "表单版本缺失，请刷新页面后重试" in response.content.decode()
    assert_unchanged(alert, status, assignee)


@pytest.mark.parametrize(
    ("outcome", "message"), [("", "请选择处置结果"), ("enrol_everyone", "请从列表中选择处置结果")]
)
def test_closing_without_a_listed_outcome_is_refused(client_for, caseworker_a, outcome, message):
    alert = alert_in(VILLAGE_A, status=AlertStatus.VERIFYING, assignee=caseworker_a)
    response = client_for(caseworker_a).post(
        reverse("alerts:alert_close", args=[alert.pk]),
        {"lock_version": 0, "outcome": outcome, "note": "核实"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert_unchanged(alert, AlertStatus.VERIFYING, caseworker_a)


def test_bulk_assign_with_nothing_ticked_says_so(client_for, caseworker_a):
    village_cw = UserFactory(username="cw_village", role=Role.CASEWORKER, scope=region(VILLAGE_A))
    alert = alert_in(VILLAGE_A)
    response = client_for(caseworker_a).post(
        reverse("alerts:bulk_assign"), {"assignee": village_cw.pk}, follow=True
    )
    assert "请至少勾选一条预警" in response.content.decode()
    assert_unchanged(alert)


def test_a_date_range_ending_before_it_starts_is_pointed_out_and_only_its_start_applied(
    client_for, caseworker_a
):
    today = clock.today()
    old = alert_in(VILLAGE_A, raised_on=today - timedelta(days=40))
    recent = alert_in(VILLAGE_A, raised_on=today - timedelta(days=5))
    response = client_for(caseworker_a).get(
        INBOX, {"raised_from": (today - timedelta(days=10)).isoformat(), "raised_to": "2000-01-01"}
    )
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert ids_in(response) == {recent.pk} and old.pk not in ids_in(response)


@pytest.mark.parametrize("after", ["garbage", "2026-13-01_5", "2026-01-01_x", "_", "2026-01-01"])
def test_a_malformed_page_cursor_shows_the_first_page(client_for, caseworker_a, after):
    alerts = {alert_in(VILLAGE_A).pk for _ in range(2)}
    response = client_for(caseworker_a).get(INBOX, {"after": after})
    assert response.status_code == 200
    assert ids_in(response) == alerts


# --- bulk assignment: the list offers who can see the ticked alerts; the banner tells the truth ---

BULK_ASSIGNEES = reverse("alerts:bulk_assignees")


def offered(response) -> set[str]:
    """Usernames the bulk form's caseworker list offers."""
    return {u.username for u in response.context["bulk_assignees"]}


def test_bulk_list_offers_only_caseworkers_who_can_see_every_ticked_alert(
    client_for, county_supervisor, caseworker_a, caseworker_b
):
    UserFactory(username="cw_county", role=Role.CASEWORKER, scope=region("130921"))
    UserFactory(username="cw_village_a", role=Role.CASEWORKER, scope=region(VILLAGE_A))
    UserFactory(username="cw_city", role=Role.CASEWORKER, scope=region("130900"))  # above the supervisor
    UserFactory(username="cw_far", role=Role.CASEWORKER, scope=region("130984"))
    UserFactory(username="cw_gone", role=Role.CASEWORKER, scope=region(TOWN_A), is_active=False)
    a, b = alert_in(VILLAGE_A), alert_in(VILLAGE_B)
    far = alert_in(OTHER_COUNTY_VILLAGE)
    client = client_for(county_supervisor)
    inbox = client.get(INBOX).content.decode()
    bulk_select = re.search(r'<select [^>]*id="bulk-assignee".*?</select>', inbox, re.S).group(0)
    assert "请先勾选预警" in bulk_select and bulk_select.count("<option") == 1
    assert offered(client.get(BULK_ASSIGNEES, {"alerts": [a.pk]})) == {
        "cw_county",
        "caseworker_a",
        "cw_village_a",
    }
    assert offered(client.get(BULK_ASSIGNEES, {"alerts": [a.pk, b.pk]})) == {"cw_county"}
    html = client.get(BULK_ASSIGNEES, {"alerts": [a.pk, b.pk], "assignee": ""}).content.decode()
    assert "请选择经办人（1 人可办理所选预警）" in html
    # an alert of another county is not the supervisor's: it narrows nothing and shows no one
    assert offered(client.get(BULK_ASSIGNEES, {"alerts": [far.pk]})) == set()
    assert "请先勾选预警" in client.get(BULK_ASSIGNEES).content.decode()
    # a village caseworker bulk-assigns nothing, so has no list either
    village_cw = UserFactory(username="cw_v", role=Role.CASEWORKER, scope=region(VILLAGE_A))
    assert client_for(village_cw).get(BULK_ASSIGNEES, {"alerts": [a.pk]}).status_code == 403


def test_bulk_assignment_that_changed_nothing_is_no_green_banner(client_for, caseworker_a):
    village_cw = UserFactory(username="cw_village", role=Role.CASEWORKER, scope=region(VILLAGE_A))
    theirs = alert_in(VILLAGE_A, status=AlertStatus.ASSIGNED, assignee=village_cw)
    response = client_for(caseworker_a).post(
        reverse("alerts:bulk_assign"), {"alerts": [theirs.pk], "assignee": village_cw.pk}, follow=True
    )
    html = response.content.decode()
    assert "alert-success" not in html and "alert-warning" in html
    assert f"没有改动任何预警：1 条原已由{village_cw.get_full_name()}办理。" in html
    fresh = alert_in(VILLAGE_A)
    response = client_for(caseworker_a).post(
        reverse("alerts:bulk_assign"),
        {"alerts": [theirs.pk, fresh.pk], "assignee": village_cw.pk},
        follow=True,
    )
    html = response.content.decode()
    assert "alert-success" in html
    assert f"已将 1 条预警分派给{village_cw.get_full_name()}。另有 1 条未改动：1 条原已由" in html


def test_a_forged_assignee_in_the_bulk_form_changes_nothing_and_says_why(client_for, county_supervisor):
    town_b_cw = UserFactory(username="cw_b", role=Role.CASEWORKER, scope=region(VILLAGE_B))
    alert = alert_in(VILLAGE_A)
    response = client_for(county_supervisor).post(
        reverse("alerts:bulk_assign"), {"alerts": [alert.pk], "assignee": town_b_cw.pk}, follow=True
    )
    html = response.content.decode()
    assert "alert-danger" in html and "alert-success" not in html
    assert "所选经办人不能办理全部勾选的预警" in html and "未作任何改动" in html
    assert_unchanged(alert)


def test_all_and_closed_tabs_list_the_newest_first_page_after_page(client_for, caseworker_a, monkeypatch):
    from datetime import UTC, datetime

    from alerts.selectors import inbox as inbox_selectors

    monkeypatch.setattr(inbox_selectors, "PAGE_SIZE", 2)
    day = date(2026, 3, 1)
    raised = [
        alert_in(VILLAGE_A, raised_on=day + timedelta(days=d), deadline=day + timedelta(days=30))
        for d in (0, 5, 5, 2)
    ]
    closing = [datetime(2026, 4, d, 9, m, tzinfo=UTC) for d, m in ((3, 0), (9, 30), (1, 0), (9, 30))]
    closed = [
        closed_alert_in(
            VILLAGE_A,
            assignee=caseworker_a,
            closed_at=at,
            raised_on=day - timedelta(days=40 + n),  # raised long ago, in another order than closed
            deadline=day,
        )
        for n, at in enumerate(closing)
    ]
    client = client_for(caseworker_a)

    def every_page(status):
        seen, params = [], {"status": status}
        while True:
            page = client.get(INBOX, params).context["page"]
            seen += page.alerts
            if not page.next_cursor:
                return seen
            params = {"status": status, "after": page.next_cursor.encode()}

    everything = every_page("all")
    assert [(a.raised_on, a.pk) for a in everything] == sorted(
        ((a.raised_on, a.pk) for a in raised + closed), reverse=True
    )
    assert everything[0].raised_on == day + timedelta(days=5)  # the newest alert on top
    done = every_page("closed")
    assert [(a.closed_at, a.pk) for a in done] == sorted(((a.closed_at, a.pk) for a in closed), reverse=True)
    html = client.get(INBOX, {"status": "closed"}).content.decode()
    assert "办结时间" in html and "2026-04-09 17:30" in html  # closing time shown, Beijing time
    # open work stays most urgent first
    assert [a.deadline for a in every_page("open")] == sorted(a.deadline for a in raised)
    # a cursor from another tab's order starts that tab from its first page, never errors
    cursor_of_all = client.get(INBOX, {"status": "all"}).context["page"].next_cursor.encode()
    response = client.get(INBOX, {"status": "closed", "after": cursor_of_all})
    assert response.context["page"].alerts == done[:2]


def test_a_certificate_number_in_the_evidence_is_shown_with_its_id_masked(
    client_for, caseworker_a, django_user_model
):
    from households import idcard

    alert = alert_in(VILLAGE_A, rule="new_severe_disability")
    number = f"{alert.person.id_number}42"
    alert.evidence = {
        "summary": f"2026-01-15 新办残疾人证，二级听力残疾（证号 {number}）",
        "values": {"certificate_no": number},
        "sources": [
            {
                "table": "disability_certificate",
                "id": 1,
                "key": number,
                "label": f"残疾人证 {number} 2026-01-15 二级",
            }
        ],
    }
    alert.save(update_fields=["evidence"])
    masked = idcard.mask(alert.person.id_number) + "42"
    root = django_user_model.objects.create_superuser("root_evidence", password="pw-12345678")
    for client, url in (
        (client_for(caseworker_a), reverse("alerts:alert_detail", args=[alert.pk])),
        (client_for(root), reverse("admin:alerts_alert_change", args=[alert.pk])),
    ):
        html = client.get(url).content.decode()
        assert alert.person.id_number not in html, url
        assert f"（证号 {masked}）" in html and f"残疾人证 {masked} 2026-01-15" in html, url
