"""Follow-ups (回访): generated after every paid one-off or special-fund payment and on the
follow-up date a home visit set; recorded by a caseworker or supervisor of the region."""

from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.assignment import responsible_caseworkers_sql
from assistance.errors import AssistanceError
from assistance.models import FollowUp, FollowUpResult, FollowUpStatus
from assistance.services.common import works_cases
from households import clock
from households.scoping import get_in_scope_or_404, region_in_scope, scope_queryset

# One follow-up per paid line of a one-off grant (临时救助, the special fund), due some days after
# the bank paid it; the household's current region, routed like its alerts.
_FROM_PAYMENTS = """
    WITH src AS MATERIALIZED (
        SELECT l.id, h.region_id, l.household_id, l.recipient_id AS person_id,
               l.result_on + %(days)s::int AS due_on
          FROM assistance_paymentline l
          JOIN assistance_grant g ON g.id = l.grant_id AND g.one_off
          JOIN households_household h ON h.id = l.household_id
         WHERE l.status = 'paid' AND l.result_on IS NOT NULL AND l.result_on <= %(today)s
           AND NOT EXISTS (SELECT 1 FROM assistance_followup f WHERE f.payment_line_id = l.id)
    ), pick AS ({pick})
    INSERT INTO assistance_followup
        (household_id, person_id, region_id, source, payment_line_id, visit_id, due_on, assigned_to_id,
         status, result, note, new_application_id, done_by_id, done_at, created_at)
    SELECT src.household_id, src.person_id, src.region_id, 'payment', src.id, NULL, src.due_on,
           pick.caseworker_id, 'open', '', '', NULL, NULL, NULL, %(now)s
      FROM src LEFT JOIN pick ON pick.alert_id = src.id
    ON CONFLICT (payment_line_id) DO NOTHING
"""

# One follow-up per home visit that set a follow-up date; the person is the alert's (an
# application's investigation visit has no alert: the follow-up is the household's).
_FROM_VISITS = """
    WITH src AS MATERIALIZED (
        SELECT v.id, h.region_id, v.household_id, a.person_id, v.follow_up_on AS due_on
          FROM alerts_homevisit v
          JOIN households_household h ON h.id = v.household_id
          LEFT JOIN alerts_alert a ON a.id = v.alert_id
         WHERE v.follow_up_on IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM assistance_followup f WHERE f.visit_id = v.id)
    ), pick AS ({pick})
    INSERT INTO assistance_followup
        (household_id, person_id, region_id, source, payment_line_id, visit_id, due_on, assigned_to_id,
         status, result, note, new_application_id, done_by_id, done_at, created_at)
    SELECT src.household_id, src.person_id, src.region_id, 'visit', NULL, src.id, src.due_on,
           pick.caseworker_id, 'open', '', '', NULL, NULL, NULL, %(now)s
      FROM src LEFT JOIN pick ON pick.alert_id = src.id
    ON CONFLICT (visit_id) DO NOTHING
"""


@transaction.atomic
def followups_generate(*, today: date) -> dict[str, int]:
    """Creates the follow-ups that are missing: for each line of a one-off grant the bank paid by
    `today` (due FOLLOW_UP_AFTER_PAYMENT_DAYS after it was paid) and for each home visit with a
    follow-up date (due that day). Never twice for the same line or visit (one-to-one columns,
    ON CONFLICT DO NOTHING), so running it again creates nothing. Each goes to the caseworker
    responsible for the household's village, else its town (`alerts.assignment`); none when
    nobody is. Set-based: two INSERTs whatever the numbers. Returns how many of each were made."""
    params = {"days": settings.FOLLOW_UP_AFTER_PAYMENT_DAYS, "today": today, "now": clock.now()}
    pick = responsible_caseworkers_sql("src")
    counts = {}
    with connection.cursor() as cursor:
        for source, sql in (("payment", _FROM_PAYMENTS), ("visit", _FROM_VISITS)):
            cursor.execute(sql.format(pick=pick), params)
            counts[source] = cursor.rowcount
    return counts


def can_record(user, followup: FollowUp) -> bool:
    """Caseworkers and supervisors of the follow-up's region record it (the page shows the form by
    the same rule)."""
    return (
        works_cases(user)
        and user.has_perm("assistance.change_followup")
        and region_in_scope(user, followup.region_id)
    )


@transaction.atomic
def followup_record(*, actor, followup_id: int, result: str, note: str) -> FollowUp:
    """Records how the follow-up went: its result, what was found (required), who and when. Only an
    open follow-up of the actor's region (out of region looks like missing: 404); a result of
    需进一步救助 is where the page offers the intake of a new application for the household."""
    followup = get_in_scope_or_404(
        FollowUp.objects.select_for_update(of=("self",)), actor, "region__code", pk=followup_id
    )
    if not can_record(actor, followup):
        raise AssistanceError(_("只有本辖区的经办人或督导可以登记回访。"))
    if followup.status != FollowUpStatus.OPEN:
        raise AssistanceError(
            _("该回访已于%(day)s登记（%(result)s），不能重复登记。")
            % {
                "day": f"{timezone.localdate(followup.done_at):%Y-%m-%d}",
                "result": followup.get_result_display(),
            }
        )
    if result not in FollowUpResult.values:
        raise AssistanceError(
            _("回访结果“%(value)s”无效，请选择：%(allowed)s。")
            % {"value": result, "allowed": "、".join(str(label) for label in FollowUpResult.labels)}
        )
    note = (note or "").strip()
    if not note:
        raise AssistanceError(_("请填写回访情况：见到了谁、家庭现在的困难和需要。"))
    followup.status = FollowUpStatus.DONE
    followup.result = result
    followup.note = note
    followup.done_by = actor
    followup.done_at = clock.now()
    followup.save(update_fields=["status", "result", "note", "done_by", "done_at"])
    return followup


def followup_link_application(*, actor, followup_id: int, application) -> bool:
    """Points a follow-up recorded as 需进一步救助 at the application the intake then made for its
    household (once: a follow-up already linked, of another household or out of the actor's
    region is left alone). One conditional UPDATE; returns whether it linked."""
    qs = scope_queryset(FollowUp.objects.all(), actor, "region__code")
    return bool(
        qs.filter(
            pk=followup_id,
            household_id=application.household_id,
            result=FollowUpResult.NEW_APPLICATION,
            new_application__isnull=True,
        ).update(new_application=application)
    )
