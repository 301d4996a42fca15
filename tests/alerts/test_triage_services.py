"""Triage services: transitions, roles, closing rules, optimistic concurrency, history rows."""

from datetime import timedelta

import pytest
from django.http import Http404

from alerts.models import AlertEvent, AlertStatus, HomeVisit, Outcome
from alerts.services import triage as svc
from households import clock
from households.models import Role
from tests.alerts.triage_factories import alert_in, closed_alert_in, visit_for
from tests.conftest import TOWN_A, VILLAGE_A, VILLAGE_B
from tests.factories import UserFactory, region

pytestmark = pytest.mark.django_db


def events(alert):
    return list(
        AlertEvent.objects.filter(alert=alert)
        .order_by("id")
        .values_list("action", "from_status", "to_status")
    )


def test_full_path_claim_verify_visit_close_is_recorded_with_who_and_when(caseworker_a):
    alert = alert_in(VILLAGE_A)
    alert = svc.alert_claim(actor=caseworker_a, alert_id=alert.pk, lock_version=alert.lock_version)
    assert (alert.status, alert.assignee) == (AlertStatus.ASSIGNED, caseworker_a)
    alert = svc.alert_start_verification(
        actor=caseworker_a, alert_id=alert.pk, lock_version=alert.lock_version
    )
    assert alert.verified_at is not None
    visit = svc.alert_record_visit(
        actor=caseworker_a,
        alert_id=alert.pk,
        lock_version=alert.lock_version,
        visited_on=clock.today(),
        visitors="李四",
        findings="住院花费大",
        household_situation="三口之家",
    )
    assert visit.household_id == alert.household_id
    alert.refresh_from_db()
    alert = svc.alert_close(
        actor=caseworker_a,
        alert_id=alert.pk,
        lock_version=alert.lock_version,
        outcome=Outcome.ENROL_DIBAO,
        note="符合低保条件",
    )
    alert.refresh_from_db()
    assert (alert.status, alert.outcome, alert.close_note) == (
        AlertStatus.CLOSED,
        "enrol_dibao",
        "符合低保条件",
    )
    assert alert.closed_at is not None
    assert events(alert) == [
        ("claim", "new", "assigned"),
        ("start_verification", "assigned", "verifying"),
        ("record_visit", "verifying", "verifying"),
        ("close", "verifying", "closed"),
    ]
    assert set(AlertEvent.objects.filter(alert=alert).values_list("actor", flat=True)) == {caseworker_a.pk}
    assert AlertEvent.objects.filter(alert=alert, at__isnull=True).count() == 0
    assert AlertEvent.objects.get(alert=alert, action="close").note == "符合低保条件"


def test_invalid_transition_has_a_clear_chinese_message(caseworker_a):
    alert = alert_in(VILLAGE_A)  # new: cannot be closed nor verified
    with pytest.raises(svc.TriageError) as exc:
        svc.alert_start_verification(actor=caseworker_a, alert_id=alert.pk, lock_version=0)
    assert "只有该预警的经办人或督导" in exc.value.message
    alert = alert_in(VILLAGE_A, status=AlertStatus.ASSIGNED, assignee=caseworker_a)
    with pytest.raises(svc.TriageError) as exc:
        svc.alert_close(
            actor=caseworker_a, alert_id=alert.pk, lock_version=0, outcome=Outcome.NOT_ELIGIBLE, note="x"
        )
    assert exc.value.message == "当前状态为“已分派”，不能办结（只有“核查中”的预警可以）。"
    with pytest.raises(svc.TriageError, match="不能认领"):
        svc.alert_claim(actor=caseworker_a, alert_id=alert.pk, lock_version=0)
    alert.refresh_from_db()
    assert (alert.status, alert.lock_version) == (AlertStatus.ASSIGNED, 0)
    assert not AlertEvent.objects.filter(alert=alert).exists()


def test_close_needs_a_note_and_enrol_or_refer_needs_a_visit(caseworker_a):
    alert = alert_in(VILLAGE_A, status=AlertStatus.VERIFYING, assignee=caseworker_a)
    with pytest.raises(svc.TriageError, match="办结必须填写办结说明"):
        svc.alert_close(
            actor=caseworker_a, alert_id=alert.pk, lock_version=0, outcome=Outcome.DATA_ERROR, note="  "
        )
    with pytest.raises(svc.TriageError, match="需要先登记入户核查记录"):
        svc.alert_close(
            actor=caseworker_a, alert_id=alert.pk, lock_version=0, outcome=Outcome.ENROL_DIBAO, note="符合"
        )
    with pytest.raises(svc.TriageError, match="需要先登记入户核查记录"):
        svc.alert_close(
            actor=caseworker_a,
            alert_id=alert.pk,
            lock_version=0,
            outcome=Outcome.REFER_MEDICAL,
            note="转医保",
        )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.VERIFYING
    # an outcome that neither enrols nor refers closes without a visit
    svc.alert_close(
        actor=caseworker_a, alert_id=alert.pk, lock_version=0, outcome=Outcome.DATA_ERROR, note="身份证号错"
    )
    alert.refresh_from_db()
    assert (alert.status, alert.outcome) == (AlertStatus.CLOSED, Outcome.DATA_ERROR)


def test_close_with_visit_allows_enrol(caseworker_a):
    alert = alert_in(VILLAGE_A, status=AlertStatus.VERIFYING, assignee=caseworker_a)
    visit_for(alert, caseworker_a)
    svc.alert_close(
        actor=caseworker_a, alert_id=alert.pk, lock_version=0, outcome=Outcome.ENROL_TEKUN, note="特困"
    )
    alert.refresh_from_db()
    assert alert.outcome == Outcome.ENROL_TEKUN


def test_two_stale_forms_the_second_is_refused_and_nothing_is_overwritten(caseworker_a, county_supervisor):
    alert = alert_in(VILLAGE_A, status=AlertStatus.VERIFYING, assignee=caseworker_a)
    visit_for(alert, caseworker_a)
    form_version = alert.lock_version  # both people opened the page now
    svc.alert_close(
        actor=caseworker_a,
        alert_id=alert.pk,
        lock_version=form_version,
        outcome=Outcome.ENROL_DIBAO,
        note="第一人",
    )
    with pytest.raises(svc.StaleAlertError) as exc:
        svc.alert_close(
            actor=county_supervisor,
            alert_id=alert.pk,
            lock_version=form_version,
            outcome=Outcome.NOT_ELIGIBLE,
            note="第二人",
        )
    assert exc.value.message.startswith("该预警已被他人修改")
    assert "已办结" in exc.value.message
    alert.refresh_from_db()
    assert (alert.outcome, alert.close_note) == (Outcome.ENROL_DIBAO, "第一人")
    assert AlertEvent.objects.filter(alert=alert, action="close").count() == 1


def test_stale_form_refused_even_when_the_transition_would_be_valid(
    caseworker_a, caseworker_b, county_supervisor
):
    alert = alert_in(VILLAGE_A, status=AlertStatus.ASSIGNED, assignee=caseworker_a)
    other = UserFactory(username="cw_a2", role=Role.CASEWORKER, scope=region(TOWN_A))
    svc.alert_assign(actor=county_supervisor, alert_id=alert.pk, lock_version=0, assignee=other)
    with pytest.raises(svc.StaleAlertError):
        svc.alert_start_verification(actor=county_supervisor, alert_id=alert.pk, lock_version=0)
    alert.refresh_from_db()
    assert (alert.status, alert.assignee, alert.lock_version) == (AlertStatus.ASSIGNED, other, 1)


def test_conditional_update_refuses_a_version_changed_after_loading(caseworker_a, monkeypatch):
    """The race the version check alone would miss: someone commits between read and write."""
    alert = alert_in(VILLAGE_A)
    real_check = svc._check_fresh

    def check_then_someone_else_writes(obj, version):
        real_check(obj, version)
        type(obj).objects.filter(pk=obj.pk).update(lock_version=version + 1)

    monkeypatch.setattr(svc, "_check_fresh", check_then_someone_else_writes)
    with pytest.raises(svc.StaleAlertError):
        svc.alert_claim(actor=caseworker_a, alert_id=alert.pk, lock_version=0)
    alert.refresh_from_db()
    assert (alert.status, alert.assignee) == (AlertStatus.NEW, None)


def test_scope_out_of_region_actions_look_missing(caseworker_b):
    alert = alert_in(VILLAGE_A)
    for call in (
        lambda: svc.alert_claim(actor=caseworker_b, alert_id=alert.pk, lock_version=0),
        lambda: svc.alert_assign(
            actor=caseworker_b, alert_id=alert.pk, lock_version=0, assignee=caseworker_b
        ),
        lambda: svc.alert_start_verification(actor=caseworker_b, alert_id=alert.pk, lock_version=0),
        lambda: svc.alert_reopen(actor=caseworker_b, alert_id=alert.pk, lock_version=0, note="x"),
    ):
        with pytest.raises(Http404):
            call()


def test_only_assignee_or_supervisor_handles_and_only_supervisor_reopens(caseworker_a, county_supervisor):
    colleague = UserFactory(username="cw_village", role=Role.CASEWORKER, scope=region(VILLAGE_A))
    alert = alert_in(VILLAGE_A, status=AlertStatus.VERIFYING, assignee=colleague)
    with pytest.raises(svc.TriageError, match="只有该预警的经办人或督导可以办结"):
        svc.alert_close(
            actor=caseworker_a, alert_id=alert.pk, lock_version=0, outcome=Outcome.DATA_ERROR, note="x"
        )
    svc.alert_close(
        actor=county_supervisor, alert_id=alert.pk, lock_version=0, outcome=Outcome.DATA_ERROR, note="x"
    )
    with pytest.raises(svc.TriageError, match="只有督导可以重新打开"):
        svc.alert_reopen(actor=colleague, alert_id=alert.pk, lock_version=1, note="再看")
    with pytest.raises(svc.TriageError, match="重新打开必须填写原因"):
        svc.alert_reopen(actor=county_supervisor, alert_id=alert.pk, lock_version=1, note="")
    alert = svc.alert_reopen(actor=county_supervisor, alert_id=alert.pk, lock_version=1, note="家属申诉")
    alert.refresh_from_db()
    assert (alert.status, alert.outcome, alert.closed_at, alert.assignee) == (
        AlertStatus.VERIFYING,
        "",
        None,
        colleague,
    )
    reopen = AlertEvent.objects.get(alert=alert, action="reopen")
    assert (reopen.actor, reopen.from_status, reopen.to_status, reopen.note) == (
        county_supervisor,
        "closed",
        "verifying",
        "家属申诉",
    )
    assert reopen.data["previous_outcome"] == Outcome.DATA_ERROR


def test_supervisor_cannot_claim_and_assignee_must_cover_the_region(
    caseworker_a, caseworker_b, county_supervisor
):
    alert = alert_in(VILLAGE_A)
    with pytest.raises(svc.TriageError, match="只有经办人可以认领"):
        svc.alert_claim(actor=county_supervisor, alert_id=alert.pk, lock_version=0)
    with pytest.raises(svc.TriageError, match="不是负责该区域的经办人"):
        svc.alert_assign(actor=county_supervisor, alert_id=alert.pk, lock_version=0, assignee=caseworker_b)
    svc.alert_assign(
        actor=county_supervisor, alert_id=alert.pk, lock_version=0, assignee=caseworker_a, note="请尽快"
    )
    event = AlertEvent.objects.get(alert=alert)
    assert (event.action, event.actor, event.note, event.data["assignee_id"]) == (
        "assign",
        county_supervisor,
        "请尽快",
        caseworker_a.pk,
    )


def test_village_caseworker_is_not_a_lead_but_may_hand_over_their_own_alert(caseworker_a):
    village_cw = UserFactory(username="cw_village", role=Role.CASEWORKER, scope=region(VILLAGE_A))
    assert not svc.can_bulk_assign(village_cw) and svc.can_bulk_assign(caseworker_a)
    mine = alert_in(VILLAGE_A, status=AlertStatus.ASSIGNED, assignee=village_cw)
    not_mine = alert_in(VILLAGE_A)
    with pytest.raises(svc.TriageError, match="只有督导、乡镇负责人或当前经办人可以分派"):
        svc.alert_assign(actor=village_cw, alert_id=not_mine.pk, lock_version=0, assignee=village_cw)
    svc.alert_assign(actor=village_cw, alert_id=mine.pk, lock_version=0, assignee=caseworker_a)
    mine.refresh_from_db()
    assert (mine.assignee, mine.status) == (caseworker_a, AlertStatus.ASSIGNED)
    assert AlertEvent.objects.get(alert=mine).action == "reassign"


def test_visit_dates_are_checked(caseworker_a):
    alert = alert_in(VILLAGE_A, status=AlertStatus.VERIFYING, assignee=caseworker_a, raised_on=clock.today())
    common = {
        "actor": caseworker_a,
        "alert_id": alert.pk,
        "lock_version": 0,
        "visitors": "a",
        "findings": "b",
    }
    with pytest.raises(svc.TriageError, match="核查日期不能晚于今天"):
        svc.alert_record_visit(
            **common, household_situation="c", visited_on=clock.today() + timedelta(days=1)
        )
    with pytest.raises(svc.TriageError, match="核查日期不能早于预警日期"):
        svc.alert_record_visit(
            **common, household_situation="c", visited_on=clock.today() - timedelta(days=1)
        )
    with pytest.raises(svc.TriageError, match="回访日期不能早于核查日期"):
        svc.alert_record_visit(
            **common,
            household_situation="c",
            visited_on=clock.today(),
            follow_up_on=clock.today() - timedelta(days=1),
        )
    assert not HomeVisit.objects.exists()
    alert.refresh_from_db()
    assert alert.lock_version == 0 and not AlertEvent.objects.filter(alert=alert).exists()


def test_assigning_to_the_current_assignee_is_refused(caseworker_a, county_supervisor):
    alert = alert_in(VILLAGE_A, status=AlertStatus.ASSIGNED, assignee=caseworker_a)
    with pytest.raises(svc.TriageError, match="该预警已由此经办人办理，无需重新分派"):
        svc.alert_assign(actor=county_supervisor, alert_id=alert.pk, lock_version=0, assignee=caseworker_a)
    alert.refresh_from_db()
    assert (alert.assignee, alert.lock_version) == (caseworker_a, 0)
    assert not AlertEvent.objects.filter(alert=alert).exists()


def test_bulk_assign_is_set_based_skips_what_it_may_not_touch_and_writes_history(
    caseworker_a, caseworker_b, county_supervisor, django_assert_max_num_queries
):
    village_cw = UserFactory(username="cw_village", role=Role.CASEWORKER, scope=region(VILLAGE_A))
    mine = [alert_in(VILLAGE_A) for _ in range(5)]
    verifying = alert_in(VILLAGE_A, status=AlertStatus.VERIFYING, assignee=caseworker_a)
    closed = closed_alert_in(VILLAGE_A, assignee=caseworker_a)
    other_town = alert_in(VILLAGE_B)
    ids = [a.pk for a in mine] + [verifying.pk, closed.pk, other_town.pk]
    # savepoint, the locking read, one statement, release: not one per alert
    with django_assert_max_num_queries(4):
        result = svc.alert_bulk_assign(actor=caseworker_a, alert_ids=ids, assignee=village_cw)
    assert (result.assigned, result.closed, result.not_found) == (6, 1, 1)
    for a in mine:
        a.refresh_from_db()
        assert (a.status, a.assignee, a.lock_version) == (AlertStatus.ASSIGNED, village_cw, 1)
    verifying.refresh_from_db()
    assert (verifying.status, verifying.assignee) == (AlertStatus.VERIFYING, village_cw)
    closed.refresh_from_db()
    other_town.refresh_from_db()
    assert closed.assignee == caseworker_a and other_town.assignee is None
    assert AlertEvent.objects.filter(action="bulk_assign", actor=caseworker_a).count() == 6
    assert events(verifying) == [("bulk_assign", "verifying", "verifying")]
    # a village caseworker is no lead; town B's lead only touches town B's alert
    with pytest.raises(svc.TriageError, match="批量分派仅限"):
        svc.alert_bulk_assign(actor=village_cw, alert_ids=ids, assignee=village_cw)
    assert svc.alert_bulk_assign(actor=caseworker_b, alert_ids=ids, assignee=caseworker_b).assigned == 1
    other_town.refresh_from_db()
    assert other_town.assignee == caseworker_b
    # a county supervisor may assign anywhere in the county, to a caseworker covering the alerts
    result = svc.alert_bulk_assign(actor=county_supervisor, alert_ids=[mine[0].pk], assignee=caseworker_a)
    assert result.assigned == 1
    mine[0].refresh_from_db()
    assert mine[0].assignee == caseworker_a


def test_bulk_assign_refuses_a_caseworker_who_cannot_see_every_alert_and_changes_nothing(
    caseworker_a, county_supervisor
):
    a, b = alert_in(VILLAGE_A), alert_in(VILLAGE_B)
    with pytest.raises(svc.TriageError) as refused:
        svc.alert_bulk_assign(actor=county_supervisor, alert_ids=[a.pk, b.pk], assignee=caseworker_a)
    assert "不包含所选的 1 条预警" in refused.value.message and "未作任何改动" in refused.value.message
    for alert in (a, b):
        alert.refresh_from_db()
        assert (alert.assignee, alert.status, alert.lock_version) == (None, AlertStatus.NEW, 0)
    assert not AlertEvent.objects.exists()


def test_bulk_assign_refuses_a_caseworker_outside_the_actors_own_region(caseworker_a):
    county_cw = UserFactory(username="cw_county", role=Role.CASEWORKER, scope=region("130921"))
    alert = alert_in(VILLAGE_A)  # the county caseworker could see it, but is above the town lead
    with pytest.raises(svc.TriageError, match="不在您的管辖范围内"):
        svc.alert_bulk_assign(actor=caseworker_a, alert_ids=[alert.pk], assignee=county_cw)
    alert.refresh_from_db()
    assert alert.assignee is None and not AlertEvent.objects.exists()


def test_bulk_assign_that_changes_nothing_says_so_and_why(caseworker_a):
    village_cw = UserFactory(username="cw_village", role=Role.CASEWORKER, scope=region(VILLAGE_A))
    theirs = [alert_in(VILLAGE_A, status=AlertStatus.ASSIGNED, assignee=village_cw) for _ in range(2)]
    closed = closed_alert_in(VILLAGE_A, assignee=caseworker_a)
    result = svc.alert_bulk_assign(
        actor=caseworker_a, alert_ids=[theirs[0].pk, theirs[1].pk, closed.pk], assignee=village_cw
    )
    name = village_cw.get_full_name()
    assert not result.changed_anything
    assert result.message() == f"没有改动任何预警：2 条原已由{name}办理，1 条已办结。"
    assert not AlertEvent.objects.exists()
    fresh = alert_in(VILLAGE_A)
    result = svc.alert_bulk_assign(actor=caseworker_a, alert_ids=[fresh.pk, closed.pk], assignee=village_cw)
    assert result.changed_anything
    assert result.message() == f"已将 1 条预警分派给{name}。另有 1 条未改动：1 条已办结。"
