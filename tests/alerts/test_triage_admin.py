"""Alerts admin: scoped to the user's region, masked IDs, read-only, actions through the services.

The admin is for supervisors (caseworkers work in the app): a county supervisor sees their county.
"""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from alerts.models import AlertEvent, AlertStatus
from households.models import Role
from tests.alerts.triage_factories import alert_in, overdue_alert_in, visit_for
from tests.conftest import OTHER_COUNTY_VILLAGE, VILLAGE_A, VILLAGE_B
from tests.factories import UserFactory, region

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:alerts_alert_changelist")


def test_changelist_is_scoped_and_masks_ids(client_for, county_supervisor, city_supervisor):
    mine = alert_in(VILLAGE_A, name="甲村民")
    theirs = alert_in(OTHER_COUNTY_VILLAGE, name="乙村民")
    html = client_for(county_supervisor).get(CHANGELIST).content.decode()
    assert "甲村民" in html and "乙村民" not in html
    assert mine.person.masked_id in html and mine.person.id_number not in html
    # searching for the other town's person by exact ID finds nothing
    html = client_for(county_supervisor).get(CHANGELIST, {"q": theirs.person.id_number}).content.decode()
    assert "乙村民" not in html
    # one's own alert is found by the full ID, also in its old 15-digit spelling, and by name start
    id18 = mine.person.id_number
    id15 = id18[:6] + id18[8:17]  # born 19xx: drop the century and the check character
    for term in (id18, f" {id18} ", id15, "甲村"):
        html = client_for(county_supervisor).get(CHANGELIST, {"q": term}).content.decode()
        assert "甲村民" in html, term
    html = client_for(city_supervisor).get(CHANGELIST).content.decode()
    assert "甲村民" in html and "乙村民" in html


def test_other_region_alert_and_its_history_are_404_in_admin(client_for, county_supervisor, caseworker_a):
    theirs = alert_in(OTHER_COUNTY_VILLAGE)
    client = client_for(county_supervisor)
    for name in ("admin:alerts_alert_change", "admin:alerts_alert_history"):
        response = client.get(reverse(name, args=[theirs.pk]))
        assert response.status_code == 404, name
        assert theirs.person.name not in response.content.decode()
    visit = visit_for(theirs, caseworker_a)
    response = client.get(reverse("admin:alerts_homevisit_change", args=[visit.pk]))
    assert response.status_code == 404 and "李四、王五" not in response.content.decode()


def test_caseworkers_work_in_the_app_not_the_admin(client_for, caseworker_a):
    mine = alert_in(VILLAGE_A, name="甲村民")
    client = client_for(caseworker_a)
    for url in (CHANGELIST, reverse("admin:alerts_alert_change", args=[mine.pk]), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url
    assert "管理后台" not in client.get("/").content.decode()


def test_change_form_is_read_only_with_history_inline_and_link_to_triage(
    client_for, caseworker_a, county_supervisor
):
    alert = alert_in(VILLAGE_A, status=AlertStatus.ASSIGNED, assignee=caseworker_a)
    AlertEvent.objects.create(
        alert=alert, actor=caseworker_a, action="claim", from_status="new", to_status="assigned"
    )
    client = client_for(county_supervisor)
    html = client.get(reverse("admin:alerts_alert_change", args=[alert.pk])).content.decode()
    assert "近365天个人自付" in html  # evidence shown (factory uses an older key)
    assert "认领" in html  # history inline
    assert reverse("alerts:alert_detail", args=[alert.pk]) in html
    assert 'name="_save"' not in html
    client.post(
        reverse("admin:alerts_alert_change", args=[alert.pk]), {"status": "closed", "outcome": "data_error"}
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ASSIGNED


def test_overdue_filter(client_for, caseworker_a, county_supervisor):
    late = overdue_alert_in(VILLAGE_A, name="逾期者")
    alert_in(VILLAGE_A, name="按期者")
    overdue_alert_in(
        VILLAGE_A,
        name="已办结者",
        status=AlertStatus.CLOSED,
        assignee=caseworker_a,
        outcome="data_error",
        closed_at="2026-01-01T00:00Z",
    )
    client = client_for(county_supervisor)
    html = client.get(CHANGELIST, {"overdue": "yes"}).content.decode()
    assert "逾期者" in html and "按期者" not in html and "已办结者" not in html
    assert f"{late.deadline.isoformat()} （逾期）" in html
    # not overdue: open alerts within their deadline, and closed ones whatever their deadline
    html = client.get(CHANGELIST, {"overdue": "no"}).content.decode()
    assert "按期者" in html and "已办结者" in html and "逾期者" not in html
    assert "（逾期）" not in html


def test_admin_bulk_assign_goes_through_the_service(client_for, county_supervisor):
    village_cw = UserFactory(username="cw_village", role=Role.CASEWORKER, scope=region(VILLAGE_A))
    alerts = [alert_in(VILLAGE_A) for _ in range(2)]
    theirs = alert_in(OTHER_COUNTY_VILLAGE)
    client = client_for(county_supervisor)
    ids = [a.pk for a in alerts] + [theirs.pk]
    # first step: the confirmation page (only in-scope alerts are in the admin queryset)
    response = client.post(CHANGELIST, {"action": "bulk_assign", ACTION_CHECKBOX_NAME: ids})
    assert response.status_code == 200 and "批量分派预警" in response.content.decode()
    response = client.post(
        CHANGELIST,
        {"action": "bulk_assign", ACTION_CHECKBOX_NAME: ids, "apply": "1", "assignee": village_cw.pk},
    )
    assert response.status_code == 302
    for a in alerts:
        a.refresh_from_db()
        assert (a.assignee, a.status) == (village_cw, AlertStatus.ASSIGNED)
    theirs.refresh_from_db()
    assert theirs.assignee is None
    assert AlertEvent.objects.filter(action="bulk_assign", actor=county_supervisor).count() == 2


def test_admin_bulk_assign_over_the_limit_is_refused_and_changes_nothing(
    client_for, county_supervisor, monkeypatch
):
    from alerts import admin_triage

    monkeypatch.setattr(admin_triage, "BULK_LIMIT", 2)
    village_cw = UserFactory(username="cw_village", role=Role.CASEWORKER, scope=region(VILLAGE_A))
    alerts = [alert_in(VILLAGE_A) for _ in range(3)]
    response = client_for(county_supervisor).post(
        CHANGELIST,
        {
            "action": "bulk_assign",
            ACTION_CHECKBOX_NAME: [a.pk for a in alerts],
            "apply": "1",
            "assignee": village_cw.pk,
        },
        follow=True,
    )
    assert "一次最多批量分派 2 条预警，请缩小筛选范围" in response.content.decode()
    assert not village_cw.assigned_alerts.exists()
    assert not AlertEvent.objects.exists()


def test_event_list_names_actions_and_statuses_in_chinese_and_filters_by_them(client_for, county_supervisor):
    alert = alert_in(VILLAGE_A, name="甲村民")
    AlertEvent.objects.create(alert=alert, action="raised", to_status="new")
    AlertEvent.objects.create(alert=alert, action="auto_assign", from_status="new", to_status="assigned")
    client = client_for(county_supervisor)
    url = reverse("admin:alerts_alertevent_changelist")
    html = client.get(url).content.decode()
    for label in ("产生预警", "自动分派", "待分派", "已分派"):
        assert label in html, label
    assert ">raised<" not in html and ">auto_assign<" not in html
    filtered = client.get(url, {"action__exact": "auto_assign"})
    assert [e.action for e in filtered.context["cl"].result_list] == ["auto_assign"]


def test_admin_bulk_assign_offers_who_can_see_the_alerts_and_tells_the_truth(client_for, county_supervisor):
    village_a_cw = UserFactory(username="cw_village_a", role=Role.CASEWORKER, scope=region(VILLAGE_A))
    village_b_cw = UserFactory(username="cw_village_b", role=Role.CASEWORKER, scope=region(VILLAGE_B))
    theirs = alert_in(VILLAGE_A, status=AlertStatus.ASSIGNED, assignee=village_a_cw)
    client = client_for(county_supervisor)

    def bulk_assign(**confirm):
        data = {"action": "bulk_assign", ACTION_CHECKBOX_NAME: [theirs.pk], **confirm}
        return client.post(CHANGELIST, data, follow=True)

    choices = {u.username for u in bulk_assign().context["form"].fields["assignee"].queryset}
    assert choices == {"cw_village_a"}
    # nothing to change: said as a warning, not a success
    response = bulk_assign(apply="1", assignee=village_a_cw.pk)
    sent = [(m.level_tag, m.message) for m in response.context["messages"]]
    assert sent == [("warning", f"没有改动任何预警：1 条原已由{village_a_cw.get_full_name()}办理。")]
    # a caseworker the page did not offer is refused on the page, and nothing changes
    response = bulk_assign(apply="1", assignee=village_b_cw.pk)
    assert response.status_code == 200 and "所选经办人不能办理全部勾选的预警" in response.content.decode()
    theirs.refresh_from_db()
    assert (theirs.assignee, theirs.lock_version) == (village_a_cw, 0)
    assert not AlertEvent.objects.exists()
