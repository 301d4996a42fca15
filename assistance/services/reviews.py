"""Reviews (复核): generated every day for the town, decided by a caseworker or supervisor.

Decisions:
- a scheduled review is due `review_interval_months` after the last review (else after approval);
  it is generated REVIEW_LEAD_DAYS before that; grants in their 渐退期 get none (they end anyway);
- a 特困 minor's `turns_adult` review is due on their 18th birthday (`households.ages`: a 29
  February birthday is reached on 1 March), only for grants approved before it; pages that show
  the person's masked ID show such a review's due date as its month only (the day would give
  back the birth date the mask hides);
- the 渐退期 ends by itself: a grant whose `gradual_exit_until` month is over (before this month)
  ends with reason gradual_exit_ended, effective on the last day of that month (paid through it);
- a decision's new amount applies from the next roll: the month after the latest LOCKED roll of
  the grant's county (this month when none is locked), never before the grant's first month.
"""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from alerts.assignment import responsible_caseworkers_sql
from assistance.errors import AssistanceError
from assistance.models import (
    ExitReason,
    GrantAmount,
    GrantStatus,
    PaymentRoll,
    Review,
    ReviewOutcome,
    ReviewStatus,
    RollStatus,
)
from assistance.services.common import works_cases
from assistance.services.exits import DECIDED_REASONS, grant_exit, grants_exit, last_day_of_month
from assistance.services.grants import first_of_month, next_month
from households import clock
from households.scoping import get_in_scope_or_404

REVIEW_INTERVALS = (3, 6, 12)
ADJUST_REASON = "复核调整"

# The 18th birthday of `p.birth_date` the way households.ages counts it (29 Feb → 1 Mar).
_ADULT_ON = """(CASE WHEN extract(day FROM p.birth_date + interval '18 years') <> extract(day FROM p.birth_date)
                     THEN (p.birth_date + interval '18 years' + interval '1 day')::date
                     ELSE (p.birth_date + interval '18 years')::date END)"""


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


@transaction.atomic
def reviews_generate(*, today: date) -> dict:
    """The day's job, set-based: scheduled and turns-adult reviews due by today + the lead days
    (never twice: ON CONFLICT DO NOTHING over `review_once` and `review_one_open_scheduled`),
    assigned to the responsible caseworker of the household's village, else town (alerts'
    responsibilities); then the grants whose 渐退期 is over end. Returns the counts."""
    horizon = today + timedelta(days=settings.REVIEW_LEAD_DAYS)
    params = {"today": today, "horizon": horizon, "now": clock.now()}
    due_scheduled = """
        SELECT g.id AS grant_id, g.household_id, h.region_id,
               (coalesce(g.last_reviewed_on, g.approved_on)
                + make_interval(months => g.review_interval_months))::date AS due_on,
               jsonb_build_object('last_reviewed_on', g.last_reviewed_on, 'approved_on', g.approved_on,
                                  'interval_months', g.review_interval_months, 'amount', g.amount,
                                  'people_covered', g.people_covered) AS evidence
          FROM assistance_grant g JOIN households_household h ON h.id = g.household_id
         WHERE g.status = 'active' AND NOT g.one_off AND g.gradual_exit_until IS NULL
           AND (coalesce(g.last_reviewed_on, g.approved_on)
                + make_interval(months => g.review_interval_months))::date <= %(horizon)s
           AND NOT EXISTS (SELECT 1 FROM assistance_review r
                            WHERE r.grant_id = g.id AND r.status = 'open' AND r.reason = 'scheduled')
    """
    due_adult = f"""
        SELECT g.id AS grant_id, g.household_id, h.region_id, {_ADULT_ON} AS due_on,
               jsonb_build_object('person_id', p.id, 'amount', g.amount) AS evidence
          FROM assistance_grant g
          JOIN assistance_program pr ON pr.id = g.program_id AND pr.category = 'tekun'
          JOIN households_person p ON p.id = g.person_id
          JOIN households_household h ON h.id = g.household_id
         WHERE g.status = 'active' AND NOT g.one_off
           AND {_ADULT_ON} <= %(horizon)s AND {_ADULT_ON} > g.approved_on
    """
    counts = {}
    with connection.cursor() as cursor:
        for reason, source in (("scheduled", due_scheduled), ("turns_adult", due_adult)):
            cursor.execute(
                f"""
                WITH cand AS MATERIALIZED ({source}),
                keyed AS (SELECT grant_id AS id, region_id FROM cand),
                pick AS ({responsible_caseworkers_sql("keyed")})
                INSERT INTO assistance_review
                       (grant_id, household_id, region_id, reason, due_on, status, evidence, assigned_to_id,
                        created_at, outcome, note, lock_version)
                SELECT c.grant_id, c.household_id, c.region_id, '{reason}', c.due_on, 'open', c.evidence,
                       pick.caseworker_id, %(now)s, '', '', 0
                  FROM cand c LEFT JOIN pick ON pick.alert_id = c.grant_id
                ON CONFLICT DO NOTHING
                """,
                params,
            )
            counts[reason] = cursor.rowcount
        cursor.execute(
            """SELECT id, gradual_exit_until FROM assistance_grant
                WHERE status = 'active' AND gradual_exit_until < %(month)s ORDER BY id""",
            {"month": first_of_month(today)},
        )
        ending = cursor.fetchall()
    result = grants_exit(
        rows=[(pk, ExitReason.GRADUAL_EXIT_ENDED, last_day_of_month(until)) for pk, until in ending],
        actor=None,
        now=clock.now(),
    )
    counts["gradual_exit_ended"] = result["ended"]
    return counts


def next_roll_month(grant) -> date:
    """The first month no locked roll of the grant's county covers (the next roll)."""
    latest = (
        PaymentRoll.objects.filter(county_id=grant.region_id[:6], status=RollStatus.LOCKED)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    month = next_month(latest) if latest else first_of_month(clock.today())
    return max(month, grant.start_month)


def _amount(value) -> Decimal | None:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return amount if amount >= 0 else None


@transaction.atomic
def review_decide(
    *,
    actor,
    review_id: int,
    lock_version: int,
    outcome: str,
    note: str,
    new_amount=None,
    gradual_exit_months: int | None = None,
    next_interval_months: int | None = None,
    exit_reason: str | None = None,
    effective_on: date | None = None,
) -> Review:
    """Records the review's outcome and applies it to the grant (module docstring)."""
    if not works_cases(actor) or not actor.has_perm("assistance.change_review"):
        raise AssistanceError(_("只有本辖区的经办人和督导可以办理复核。"))
    qs = Review.objects.select_for_update(of=("self",)).select_related("grant")
    review = get_in_scope_or_404(qs, actor, region_path="region__code", pk=review_id)
    if review.lock_version != lock_version:
        raise AssistanceError(
            _("该复核任务已被他人办理或修改，您的操作未保存。请刷新页面查看最新情况后重试。")
        )
    if review.status != ReviewStatus.OPEN:
        raise AssistanceError(_("该复核任务已办结，不能再次办理。"))
    grant = review.grant
    if grant.status != GrantStatus.ACTIVE:
        raise AssistanceError(_("该待遇已停发，复核任务无需再办理。"))
    note = (note or "").strip()
    if not note:
        raise AssistanceError(_("请填写复核情况（入户核实了什么、依据是什么）。"))
    if outcome not in ReviewOutcome.values:
        raise AssistanceError(_("请选择复核结论：维持、调整金额、进入渐退期或停发退出。"))
    if next_interval_months is not None and next_interval_months not in REVIEW_INTERVALS:
        raise AssistanceError(_("下次复核间隔只能是3、6或12个月。"))
    today = clock.today()
    fields = {"outcome": outcome, "note": note, "next_interval_months": next_interval_months}
    grant_fields = {"last_reviewed_on": today}
    if next_interval_months:
        grant_fields["review_interval_months"] = next_interval_months
    if outcome == ReviewOutcome.ADJUST:
        amount = _amount(new_amount) if new_amount not in (None, "") else None
        if amount is None:
            raise AssistanceError(_("调整金额时请填写调整后的月金额（不小于0的数字，单位元）。"))
        from_month = next_roll_month(grant)
        GrantAmount.objects.create(
            grant=grant,
            amount=amount,
            from_month=from_month,
            computation={"review_id": review.pk, "previous": str(grant.amount)},
            reason=ADJUST_REASON,
            changed_by=actor,
        )
        grant_fields["amount"] = amount
        fields["new_amount"] = amount
    elif outcome == ReviewOutcome.GRADUAL_EXIT:
        top = settings.GRADUAL_EXIT_MAX_MONTHS
        if not isinstance(gradual_exit_months, int) or not 1 <= gradual_exit_months <= top:
            raise AssistanceError(_("渐退期须为1至%(max)s个月。") % {"max": top})
        if grant.gradual_exit_until:
            raise AssistanceError(
                _("该待遇已在渐退期内（至%(until)s）。") % {"until": f"{grant.gradual_exit_until:%Y-%m}"}
            )
        grant_fields["gradual_exit_until"] = add_months(next_roll_month(grant), gradual_exit_months - 1)
        fields["gradual_exit_months"] = gradual_exit_months
    elif outcome == ReviewOutcome.STOP:
        if exit_reason not in DECIDED_REASONS:
            allowed = "、".join(str(ExitReason(r).label) for r in DECIDED_REASONS)
            raise AssistanceError(_("停发退出须选择退出原因（可选：%(allowed)s）。") % {"allowed": allowed})
        grant_exit(
            actor=actor,
            grant_id=grant.pk,
            reason=exit_reason,
            effective_on=effective_on or today,
            note=note,
            review=review,
        )
        grant_fields = {}
    if grant_fields:
        type(grant).objects.filter(pk=grant.pk).update(**grant_fields)
    now = clock.now()
    updated = Review.objects.filter(pk=review.pk, lock_version=lock_version, status=ReviewStatus.OPEN).update(
        **fields, status=ReviewStatus.DONE, done_by=actor, done_at=now, lock_version=F("lock_version") + 1
    )
    if updated != 1:
        raise AssistanceError(
            _("该复核任务已被他人办理或修改，您的操作未保存。请刷新页面查看最新情况后重试。")
        )
    review.refresh_from_db()
    return review
