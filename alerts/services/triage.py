"""Triage actions on alerts: claim, assign, verify, record a home visit, close, reopen.

Every action is one service that
- checks the actor may see the alert (region scope; out of scope looks like missing: 404),
- checks the actor's role and the alert's current state (else `TriageError`, a Chinese message),
- writes with a conditional UPDATE on `lock_version` (optimistic concurrency: a form rendered
  before someone else's change is refused with `StaleAlertError`, nothing is overwritten),
- appends one `AlertEvent` (who, when, from, to, note) in the same transaction.

Who may do what (documented in the inbox page too):
- claim: a caseworker, on an unassigned (`new`) alert in their scope;
- assign / reassign (single): supervisors, town leads (caseworkers whose scope is a town or wider),
  and the current assignee handing their own alert over;
- bulk assign: supervisors and town leads only;
- start verification, record a visit, close: the assignee, or a supervisor;
- reopen: supervisors only.
"""

from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import F
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from alerts.models import (
    OPEN_STATUSES,
    OUTCOMES_NEEDING_VISIT,
    Alert,
    AlertEvent,
    AlertStatus,
    HomeVisit,
    Outcome,
)
from alerts.signals import alert_closed
from households import clock
from households.models import RegionLevel, Role, User
from households.scoping import get_in_scope_or_404, scope_queryset, user_prefix

LEAD_LEVELS = (RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWN)


class TriageError(Exception):
    """An action that is not allowed now; `message` says why, in Chinese, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class StaleAlertError(TriageError):
    """The form was filled in on an older version of the alert."""


# --- who may do what (facts about a user, used by the services and to show the right buttons) ---


def is_supervisor(user) -> bool:
    return user.is_superuser or user.role == Role.SUPERVISOR


def is_town_lead(user) -> bool:
    """Town leads: caseworkers whose scope is a whole town or wider (not a single village)."""
    return user.role == Role.CASEWORKER and user.scope_id is not None and user.scope.level in LEAD_LEVELS


def can_bulk_assign(user) -> bool:
    return is_supervisor(user) or is_town_lead(user)


def can_claim(user, alert: Alert) -> bool:
    """A caseworker may take an unassigned (`new`) alert of their scope."""
    return alert.status == AlertStatus.NEW and user.role == Role.CASEWORKER


def can_handle(user, alert: Alert) -> bool:
    """The assignee, or a supervisor, may verify, record visits and close."""
    return is_supervisor(user) or (alert.assignee_id is not None and alert.assignee_id == user.pk)


def can_assign(user, alert: Alert) -> bool:
    return can_bulk_assign(user) or (alert.assignee_id is not None and alert.assignee_id == user.pk)


def _assignee_covers(assignee: User, region_code: str) -> bool:
    return (
        assignee.is_active
        and assignee.role == Role.CASEWORKER
        and assignee.scope_prefix
        and region_code.startswith(assignee.scope_prefix)
    )


# --- the shared write path ---


STATUS_LABELS = dict(AlertStatus.choices)


def _load(actor, alert_id: int) -> Alert:
    return get_in_scope_or_404(Alert.objects.select_related("assignee"), actor, pk=alert_id)


def _check_fresh(alert: Alert, lock_version: int) -> None:
    if alert.lock_version != lock_version:
        raise _stale(alert)


def _stale(alert: Alert) -> StaleAlertError:
    alert.refresh_from_db(fields=["status", "assignee", "lock_version"])
    who = alert.assignee.get_full_name() or alert.assignee.username if alert.assignee_id else _("无")
    return StaleAlertError(
        _(
            "该预警已被他人修改（当前状态：%(status)s，经办人：%(who)s），您的操作未保存。请刷新页面查看最新情况后重试。"
        )
        % {"status": STATUS_LABELS.get(alert.status, alert.status), "who": who}
    )


def _require_status(alert: Alert, allowed: tuple[str, ...], action: str) -> None:
    if alert.status not in allowed:
        raise TriageError(
            _("当前状态为“%(status)s”，不能%(action)s（只有%(allowed)s的预警可以）。")
            % {
                "status": STATUS_LABELS[alert.status],
                "action": action,
                "allowed": "、".join(f"“{STATUS_LABELS[s]}”" for s in allowed),
            }
        )


def _write(
    alert: Alert, *, actor, lock_version: int, action: str, note: str = "", data=None, **fields
) -> Alert:
    """Conditional UPDATE on lock_version, then one history row. Refuses a stale version."""
    now = clock.now()
    updated = Alert.objects.filter(pk=alert.pk, lock_version=lock_version).update(
        **fields, lock_version=F("lock_version") + 1, updated_at=now
    )
    if updated != 1:
        raise _stale(alert)
    from_status = alert.status
    for name, value in fields.items():
        setattr(alert, name, value)
    alert.lock_version = lock_version + 1
    alert.updated_at = now
    AlertEvent.objects.create(
        alert=alert,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=alert.status,
        note=note,
        data=data or {},
    )
    return alert


# --- the actions ---


@transaction.atomic
def alert_claim(*, actor, alert_id: int, lock_version: int) -> Alert:
    """A caseworker takes an unassigned alert of their region: new → assigned, assignee = actor."""
    alert = _load(actor, alert_id)
    _check_fresh(alert, lock_version)
    if actor.role != Role.CASEWORKER:
        raise TriageError(_("只有经办人可以认领预警；督导请使用“分派”。"))
    _require_status(alert, (AlertStatus.NEW,), _("认领"))
    return _write(
        alert,
        actor=actor,
        lock_version=lock_version,
        action="claim",
        status=AlertStatus.ASSIGNED,
        assignee=actor,
    )


@transaction.atomic
def alert_assign(*, actor, alert_id: int, lock_version: int, assignee: User, note: str = "") -> Alert:
    """Assign or reassign an open alert to a caseworker whose scope covers its region.

    new → assigned; an assigned or verifying alert keeps its status and changes hands.
    """
    alert = _load(actor, alert_id)
    _check_fresh(alert, lock_version)
    if not can_assign(actor, alert):
        raise TriageError(_("只有督导、乡镇负责人或当前经办人可以分派此预警。"))
    _require_status(alert, OPEN_STATUSES, _("分派"))
    if not _assignee_covers(assignee, alert.region_id):
        raise TriageError(
            _("“%(name)s”不是负责该区域的经办人，不能分派给他/她；请选择管辖区域包含该预警所在地的经办人。")
            % {"name": assignee.get_full_name() or assignee.username}
        )
    if assignee.pk == alert.assignee_id:
        raise TriageError(_("该预警已由此经办人办理，无需重新分派。"))
    status = AlertStatus.ASSIGNED if alert.status == AlertStatus.NEW else alert.status
    previous = alert.assignee_id
    return _write(
        alert,
        actor=actor,
        lock_version=lock_version,
        action="assign" if previous is None else "reassign",
        note=note,
        data={"assignee_id": assignee.pk, "previous_assignee_id": previous},
        status=status,
        assignee=assignee,
    )


@dataclass(frozen=True)
class BulkAssignResult:
    """What one bulk assignment did with each ticked alert, and the sentence that says so."""

    assignee_name: str
    assigned: int
    already_theirs: int = 0  # open and already with this caseworker
    closed: int = 0
    not_found: int = 0  # no such alert, or outside the actor's region (the same thing to them)

    @property
    def changed_anything(self) -> bool:
        return self.assigned > 0

    def message(self) -> str:
        """In words for the person who asked: what changed, and what did not and why."""
        reasons = []
        if self.already_theirs:
            reasons.append(
                _("%(n)d 条原已由%(name)s办理") % {"n": self.already_theirs, "name": self.assignee_name}
            )
        if self.closed:
            reasons.append(_("%(n)d 条已办结") % {"n": self.closed})
        if self.not_found:
            reasons.append(_("%(n)d 条不存在或不在您的管辖范围内") % {"n": self.not_found})
        why = pgettext("list separator", "，").join(reasons)
        if not self.assigned:
            return _("没有改动任何预警：%(why)s。") % {"why": why}
        text = _("已将 %(n)d 条预警分派给%(name)s。") % {"n": self.assigned, "name": self.assignee_name}
        if why:
            text += _("另有 %(n)d 条未改动：%(why)s。") % {
                "n": self.already_theirs + self.closed + self.not_found,
                "why": why,
            }
        return text


def _display_name(user: User) -> str:
    return user.get_full_name() or user.username


@transaction.atomic
def alert_bulk_assign(*, actor, alert_ids: list[int], assignee: User) -> BulkAssignResult:
    """Assign many open alerts to one caseworker in one statement (set-based), with history rows.

    Only supervisors and town leads, and only to an active caseworker inside the actor's own
    region who can see every alert that would change (their scope covers its region): otherwise
    nothing changes and `TriageError` says why, whatever a form offered. Alerts that are closed,
    already with this caseworker, or not in the actor's region are left alone and counted in the
    result. Bulk assignment works on the current rows (locked while updated), so it needs no form
    version; each changed alert's `lock_version` is bumped so open forms on it become stale.
    """
    if not can_bulk_assign(actor):
        raise TriageError(_("批量分派仅限督导和乡镇负责人（管辖区域为乡镇或以上的经办人）。"))
    prefix = user_prefix(actor)
    if prefix is None:
        raise Http404
    name = _display_name(assignee)
    if not assignee.is_active or assignee.role != Role.CASEWORKER or not assignee.scope_prefix:
        raise TriageError(_("只能分派给有管辖区域的在岗经办人；未作任何改动。"))
    if not assignee.scope_prefix.startswith(prefix):
        raise TriageError(_("%(name)s不在您的管辖范围内，不能分派给他/她；未作任何改动。") % {"name": name})
    ids = sorted({int(i) for i in alert_ids})
    if not ids:
        raise TriageError(_("请至少勾选一条预警。"))
    rows = list(
        scope_queryset(Alert.objects.filter(pk__in=ids), actor)
        .select_for_update()
        .order_by("id")
        .values_list("id", "status", "assignee_id", "region_id")
    )
    closed = [pk for pk, status, _who, _region in rows if status == AlertStatus.CLOSED]
    theirs = [pk for pk, status, who, _region in rows if status != AlertStatus.CLOSED and who == assignee.pk]
    targets = [row for row in rows if row[0] not in closed and row[0] not in theirs]
    unseen = [pk for pk, _status, _who, region in targets if not region.startswith(assignee.scope_prefix)]
    if unseen:
        raise TriageError(
            _(
                "%(name)s的管辖区域（%(scope)s）不包含所选的 %(n)d 条预警，他/她看不到这些预警，不能分派；"
                "未作任何改动。请选择管辖区域包含全部所选预警的经办人。"
            )
            % {"name": name, "scope": assignee.scope.name, "n": len(unseen)}
        )
    if targets:
        _bulk_write(actor=actor, alert_ids=[row[0] for row in targets], assignee=assignee)
    return BulkAssignResult(
        assignee_name=name,
        assigned=len(targets),
        already_theirs=len(theirs),
        closed=len(closed),
        not_found=len(ids) - len(rows),
    )


def _bulk_write(*, actor, alert_ids: list[int], assignee: User) -> None:
    """One UPDATE of the (already locked and checked) alerts and one history row each."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH target AS (
                SELECT id, status, assignee_id FROM alerts_alert WHERE id = ANY(%(ids)s)
            ), done AS (
                UPDATE alerts_alert a
                SET assignee_id = %(assignee)s,
                    status = CASE WHEN a.status = 'new' THEN 'assigned' ELSE a.status END,
                    lock_version = a.lock_version + 1, updated_at = %(now)s
                FROM target WHERE a.id = target.id
                RETURNING a.id, target.status AS from_status, a.status AS to_status,
                          target.assignee_id AS previous
            )
            INSERT INTO alerts_alertevent (alert_id, actor_id, at, action, from_status, to_status, note, data)
            SELECT done.id, %(actor)s, %(now)s, 'bulk_assign', done.from_status, done.to_status, '',
                   jsonb_build_object('assignee_id', %(assignee)s, 'previous_assignee_id', done.previous)
            FROM done
            """,
            {"ids": alert_ids, "assignee": assignee.pk, "actor": actor.pk, "now": clock.now()},
        )


@transaction.atomic
def alert_start_verification(*, actor, alert_id: int, lock_version: int, note: str = "") -> Alert:
    """assigned → verifying; `verified_at` records when verification started."""
    alert = _load(actor, alert_id)
    _check_fresh(alert, lock_version)
    if not can_handle(actor, alert):
        raise TriageError(_("只有该预警的经办人或督导可以开始核查。"))
    _require_status(alert, (AlertStatus.ASSIGNED,), _("开始核查"))
    return _write(
        alert,
        actor=actor,
        lock_version=lock_version,
        action="start_verification",
        note=note,
        status=AlertStatus.VERIFYING,
        verified_at=clock.now(),
    )


@transaction.atomic
def alert_record_visit(
    *,
    actor,
    alert_id: int,
    lock_version: int,
    visited_on: date,
    visitors: str,
    findings: str,
    household_situation: str,
    follow_up_on: date | None = None,
) -> HomeVisit:
    """Record a home visit made while verifying; the alert stays `verifying`."""
    alert = _load(actor, alert_id)
    _check_fresh(alert, lock_version)
    if not can_handle(actor, alert):
        raise TriageError(_("只有该预警的经办人或督导可以登记入户核查。"))
    _require_status(alert, (AlertStatus.VERIFYING,), _("登记入户核查"))
    today = clock.today()
    if visited_on > today:
        raise TriageError(_("核查日期不能晚于今天（%(today)s）。") % {"today": today.isoformat()})
    if visited_on < alert.raised_on:
        raise TriageError(
            _("核查日期不能早于预警日期（%(raised)s）。") % {"raised": alert.raised_on.isoformat()}
        )
    if follow_up_on is not None and follow_up_on < visited_on:
        raise TriageError(_("回访日期不能早于核查日期。"))
    _write(
        alert,
        actor=actor,
        lock_version=lock_version,
        action="record_visit",
        note=findings[:200],
        data={"visited_on": visited_on.isoformat()},
    )
    return HomeVisit.objects.create(
        alert=alert,
        household_id=alert.household_id,
        visited_on=visited_on,
        visitors=visitors.strip(),
        findings=findings.strip(),
        household_situation=household_situation.strip(),
        follow_up_on=follow_up_on,
        recorded_by=actor,
    )


@transaction.atomic
def alert_close(*, actor, alert_id: int, lock_version: int, outcome: str, note: str) -> Alert:
    """verifying → closed with an outcome and a note; enrol/refer outcomes need a home visit first."""
    alert = _load(actor, alert_id)
    _check_fresh(alert, lock_version)
    if not can_handle(actor, alert):
        raise TriageError(_("只有该预警的经办人或督导可以办结。"))
    _require_status(alert, (AlertStatus.VERIFYING,), _("办结"))
    if outcome not in Outcome.values:
        raise TriageError(_("请选择处置结果。"))
    if not note.strip():
        raise TriageError(_("办结必须填写办结说明。"))
    if outcome in OUTCOMES_NEEDING_VISIT and not alert.visits.exists():
        raise TriageError(
            _("处置结果“%(outcome)s”需要先登记入户核查记录（核查日期、核查人员、核查情况、家庭状况）。")
            % {"outcome": Outcome(outcome).label}
        )
    alert = _write(
        alert,
        actor=actor,
        lock_version=lock_version,
        action="close",
        note=note.strip(),
        data={"outcome": outcome},
        status=AlertStatus.CLOSED,
        outcome=outcome,
        close_note=note.strip(),
        closed_at=clock.now(),
    )
    # An enrolling outcome becomes an assistance application (the assistance app's receiver).
    alert_closed.send(sender=Alert, alert=alert, actor=actor)
    return alert


@transaction.atomic
def alert_reopen(*, actor, alert_id: int, lock_version: int, note: str) -> Alert:
    """A supervisor reopens a closed alert: back to verifying with its assignee (new if none).

    The outcome and closing note are cleared on the alert; the history keeps them.
    """
    alert = _load(actor, alert_id)
    _check_fresh(alert, lock_version)
    if not is_supervisor(actor):
        raise TriageError(_("只有督导可以重新打开已办结的预警。"))
    _require_status(alert, (AlertStatus.CLOSED,), _("重新打开"))
    if not note.strip():
        raise TriageError(_("重新打开必须填写原因。"))
    status = AlertStatus.VERIFYING if alert.assignee_id else AlertStatus.NEW
    return _write(
        alert,
        actor=actor,
        lock_version=lock_version,
        action="reopen",
        note=note.strip(),
        data={"previous_outcome": alert.outcome, "previous_close_note": alert.close_note},
        status=status,
        outcome="",
        close_note="",
        closed_at=None,
    )
