"""Exits (退出): a grant ends, its overpayment is counted, and its people leave monitoring.

Decisions (DOMAIN.md "Reviews and exits" gives the reasons, not the arithmetic):
- the grant is paid through the month of the effective date: `end_month` = that month, but never
  before `start_month` (the table's check): a grant ended before its first month keeps
  end_month = start_month, and the roll pays nothing after end_month;
- `overpaid` = what lines of LOCKED rolls paid the grant for months after `end_month` (each month
  at the GrantAmount in force that month; a month counted once however many lines cover it; lines
  the bank failed or returned paid nothing);
- the effective date may lie in the past (a death found late), or later this month, never in a
  later month (an exit is decided, not scheduled; the 渐退期 is the scheduled way out);
- one-off grants (临时救助, the fund) are one payment: they have nothing to end and are refused;
- every person the grant covered leaves monitoring on the effective date (`monitoring.exits`),
  unless another active monthly grant still covers them.
"""

from collections import defaultdict
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils.translation import gettext as _

from assistance.errors import AssistanceError
from assistance.models import ExitReason, Grant, GrantExit, GrantStatus, Review
from assistance.services.common import works_cases
from assistance.services.grants import next_month
from households import clock
from households.scoping import get_in_scope_or_404
from monitoring.exits import exit_people

# Reasons a person may give; gradual_exit_ended is the daily job's.
DECIDED_REASONS = [r for r in ExitReason.values if r != ExitReason.GRADUAL_EXIT_ENDED]


def last_day_of_month(day: date) -> date:
    return next_month(day) - timedelta(days=1)


@transaction.atomic
def grant_exit(
    *, actor, grant_id: int, reason: str, effective_on: date, note: str = "", review: Review | None = None
) -> GrantExit:
    """One grant ends, decided by `actor` (a caseworker or supervisor of its region): see the module."""
    if not works_cases(actor) or not actor.has_perm("assistance.add_grantexit"):
        raise AssistanceError(_("只有本辖区的经办人和督导可以办理退出。"))
    qs = Grant.objects.select_for_update(of=("self",)).select_related("program")
    grant = get_in_scope_or_404(qs, actor, region_path="region__code", pk=grant_id)
    if grant.status != GrantStatus.ACTIVE:
        raise AssistanceError(_("该待遇已停发，不能再次办理退出。"))
    if grant.one_off:
        raise AssistanceError(_("一次性救助只发放一次，无需办理退出。"))
    if reason not in DECIDED_REASONS:
        allowed = "、".join(str(ExitReason(r).label) for r in DECIDED_REASONS)
        raise AssistanceError(_("请选择退出原因（可选：%(allowed)s）。") % {"allowed": allowed})
    if effective_on is None or effective_on > last_day_of_month(clock.today()):
        raise AssistanceError(
            _("退出生效日期须不晚于本月最后一天（%(last)s）：退出不能预约到以后的月份。")
            % {"last": last_day_of_month(clock.today()).isoformat()}
        )
    grants_exit(
        rows=[(grant.pk, reason, effective_on, note.strip(), review.pk if review else None)],
        actor=actor,
        now=clock.now(),
    )
    return GrantExit.objects.get(grant=grant)


@transaction.atomic
def grants_exit(*, rows: list[tuple], actor=None, now) -> dict:
    """Set-based exit of many grants: `rows` of (grant_id, reason, effective_on) — optionally with
    a note and a review id as 4th and 5th items. Active monthly grants only (others are skipped:
    see `skipped`). `actor` None: the system decided (渐退期 ended, death records). One UPDATE of
    the grants, one INSERT of the exit rows with their overpayment, then the people's monitoring.
    Returns {"ended": n, "skipped": m, "people_exited": k}."""
    if not rows:
        return {"ended": 0, "skipped": 0, "people_exited": 0}
    full = [(r[0], r[1], r[2], r[3] if len(r) > 3 else "", r[4] if len(r) > 4 else None) for r in rows]
    params = {
        "ids": [r[0] for r in full],
        "reasons": [r[1] for r in full],
        "dates": [r[2] for r in full],
        "notes": [r[3] for r in full],
        "reviews": [r[4] for r in full],
        "actor": getattr(actor, "pk", None),
        "now": now,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH src AS (
                SELECT DISTINCT ON (grant_id) *
                  FROM unnest(%(ids)s::bigint[], %(reasons)s::text[], %(dates)s::date[],
                              %(notes)s::text[], %(reviews)s::bigint[])
                       AS s(grant_id, reason, effective_on, note, review_id)
                 ORDER BY grant_id
            ),
            ended AS (
                UPDATE assistance_grant g
                   SET status = 'ended',
                       end_month = greatest(g.start_month, date_trunc('month', s.effective_on)::date)
                  FROM src s
                 WHERE g.id = s.grant_id AND g.status = 'active' AND NOT g.one_off
                RETURNING g.id, g.end_month
            ),
            paid AS (
                SELECT DISTINCT l.grant_id, m::date AS month
                  FROM assistance_paymentline l
                  JOIN assistance_paymentroll r ON r.id = l.roll_id AND r.status = 'locked'
                  JOIN ended e ON e.id = l.grant_id
                 CROSS JOIN LATERAL generate_series(
                       greatest(l.covers_from, (e.end_month + interval '1 month')::date),
                       l.covers_to, interval '1 month') AS m
                 WHERE l.covers_from IS NOT NULL AND l.status NOT IN ('failed', 'returned')
            ),
            over AS (
                SELECT p.grant_id, sum((
                    SELECT a.amount FROM assistance_grantamount a
                     WHERE a.grant_id = p.grant_id AND a.from_month <= p.month
                     ORDER BY a.from_month DESC, a.id DESC LIMIT 1)) AS amount
                  FROM paid p GROUP BY p.grant_id
            )
            INSERT INTO assistance_grantexit
                   (grant_id, reason, effective_on, note, review_id, overpaid, decided_by_id, decided_at)
            SELECT e.id, s.reason, s.effective_on, s.note, s.review_id, coalesce(o.amount, 0), %(actor)s, %(now)s
              FROM ended e JOIN src s ON s.grant_id = e.id LEFT JOIN over o ON o.grant_id = e.id
            RETURNING grant_id, effective_on
            """,
            params,
        )
        done = dict(cursor.fetchall())
        if not done:
            return {"ended": 0, "skipped": len(full), "people_exited": 0}
        # Who leaves monitoring: members of the ended grants no active monthly grant still covers
        # (the earliest effective date when several of their grants end at once).
        cursor.execute(
            """
            SELECT gm.person_id, min(x.effective_on)
              FROM assistance_grantmember gm
              JOIN assistance_grantexit x ON x.grant_id = gm.grant_id
             WHERE gm.grant_id = ANY(%(ended)s)
               AND NOT EXISTS (
                   SELECT 1 FROM assistance_grantmember om JOIN assistance_grant og ON og.id = om.grant_id
                    WHERE om.person_id = gm.person_id AND og.status = 'active' AND NOT og.one_off)
             GROUP BY gm.person_id
            """,
            {"ended": list(done)},
        )
        by_date = defaultdict(list)
        for person_id, day in cursor.fetchall():
            by_date[day].append(person_id)
    exited = 0
    for day, people in sorted(by_date.items()):
        exited += len(exit_people(person_ids=people, exit_date=day, actor=actor, now=now))
    return {"ended": len(done), "skipped": len(full) - len(done), "people_exited": exited}
