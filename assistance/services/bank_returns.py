"""The bank's return file: submitted from a locked roll's page, loaded by the feed machinery
(category payment_return), and applied to the roll lines by the merge hook below.

The hook runs inside the load's transaction, after the feed table `imports_paymentreturn` was
merged. It applies only the rows this file brought in or changed (a row identical to one loaded
before is a duplicate and changes nothing), set-based:
- a row sets its line's status / result_note / result_on / result_batch_id when the line exists,
  belongs to the roll the file was uploaded for (if any), the roll is locked, the recipient's ID
  number and the line's total match the row, and the line was not reissued in a later roll;
- every other row is kept in `PaymentReturnUnmatched` with the first reason that applies.
A later file with another result for the same line (the bank's correction) is a corrected feed
record and overwrites the line's result. So, per file:
data rows = rejected + duplicate + paid + failed + returned + unmatched.
"""

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _

from assistance.errors import AssistanceError
from assistance.models import PaymentReturnResult, PaymentRoll, RollStatus
from households.scoping import region_in_scope
from imports.loading.merge import mask_sql
from imports.models import FeedCategory
from imports.services import Submission, batch_submit

HOOK_NAME = "payment_return"


def roll_return_submit(
    *, actor, roll: PaymentRoll, fileobj, file_name: str, start: bool = True
) -> Submission:
    """Store the bank's return file for `roll` and (with `start`) queue its load after commit; the
    demo passes start=False and loads it itself (imports.services.batch_load).

    Only supervisors who may change rolls, whose scope covers the roll's county, and only for a
    locked roll. The same bytes again name the earlier batch and change nothing."""
    if isinstance(actor, AnonymousUser) or not actor.has_perm("assistance.change_paymentroll"):
        raise AssistanceError(_("只有县级或市级主管可以导入银行回盘文件"))
    if not region_in_scope(actor, roll.county_id):
        raise AssistanceError(_("该花名册不在您的管辖范围内"))
    if roll.status != RollStatus.LOCKED:
        raise AssistanceError(
            _("花名册尚未锁定：请先审核并锁定花名册，把锁定后导出的文件交银行发放，再导入银行的回盘文件")
        )
    with transaction.atomic():
        submission = batch_submit(
            category=FeedCategory.PAYMENT_RETURN,
            fileobj=fileobj,
            file_name=file_name,
            user=actor,
            start=start,
        )
        if not submission.resubmitted:
            # Read by the hook: rows of other rolls are not applied from this roll's page.
            PaymentReturnResult.objects.create(batch=submission.batch, roll=roll, uploaded_by=actor)
    return submission


_APPLY = """
WITH res AS (SELECT id, roll_id FROM assistance_paymentreturnresult WHERE batch_id = %(batch)s),
changed AS (
    SELECT a.* FROM {rows} a
      JOIN imports_paymentreturn t ON t.line_no = a.line_no AND t.batch_id = %(batch)s
),
classified AS MATERIALIZED (
    SELECT c.row_no, c.line_no, c.id_number, c.amount, c.result, c.reason, c.processed_on, l.id AS line_id,
           CASE
               WHEN l.id IS NULL THEN 'unknown_line'
               WHEN (SELECT roll_id FROM res) IS NOT NULL AND l.roll_id <> (SELECT roll_id FROM res)
                   THEN 'other_roll'
               WHEN r.status <> 'locked' THEN 'roll_not_locked'
               WHEN p.id_number IS DISTINCT FROM c.id_number THEN 'id_differs'
               WHEN l.total <> c.amount THEN 'amount_differs'
               WHEN l.reissued_in_id IS NOT NULL THEN 'already_reissued'
           END AS unmatched
      FROM changed c
      LEFT JOIN assistance_paymentline l ON l.id = c.line_no::bigint
      LEFT JOIN assistance_paymentroll r ON r.id = l.roll_id
      LEFT JOIN households_person p ON p.id = l.recipient_id
),
applied AS (
    UPDATE assistance_paymentline l
       SET status = c.result, result_note = left(c.reason, 200), result_on = c.processed_on,
           result_batch_id = %(batch)s
      FROM classified c
     WHERE c.unmatched IS NULL AND l.id = c.line_id
    RETURNING l.id
),
kept AS (
    INSERT INTO assistance_paymentreturnunmatched (result_id, row_number, line_no, masked_id, amount, reason)
    SELECT (SELECT id FROM res), c.row_no, c.line_no, {masked}, c.amount, c.unmatched
      FROM classified c WHERE c.unmatched IS NOT NULL
    RETURNING 1
)
UPDATE assistance_paymentreturnresult x SET
    applied_at = %(now)s,
    paid_count = s.paid_count, paid_amount = s.paid_amount,
    failed_count = s.failed_count, failed_amount = s.failed_amount,
    returned_count = s.returned_count, returned_amount = s.returned_amount,
    unmatched_count = s.unmatched_count
  FROM (
    SELECT count(*) FILTER (WHERE unmatched IS NULL AND result = 'paid') AS paid_count,
           coalesce(sum(amount) FILTER (WHERE unmatched IS NULL AND result = 'paid'), 0) AS paid_amount,
           count(*) FILTER (WHERE unmatched IS NULL AND result = 'failed') AS failed_count,
           coalesce(sum(amount) FILTER (WHERE unmatched IS NULL AND result = 'failed'), 0) AS failed_amount,
           count(*) FILTER (WHERE unmatched IS NULL AND result = 'returned') AS returned_count,
           coalesce(sum(amount) FILTER (WHERE unmatched IS NULL AND result = 'returned'), 0) AS returned_amount,
           count(*) FILTER (WHERE unmatched IS NOT NULL) AS unmatched_count,
           (SELECT count(*) FROM applied) AS n_applied, (SELECT count(*) FROM kept) AS n_kept
      FROM classified
  ) s
 WHERE x.id = (SELECT id FROM res)
"""


def merge_payment_return(*, cursor, batch, rows_sql: str, now) -> None:
    """The "payment_return" merge hook (see the module docstring)."""
    cursor.execute(
        "INSERT INTO assistance_paymentreturnresult (batch_id, uploaded_by_id, created_at, paid_count, "
        "paid_amount, failed_count, failed_amount, returned_count, returned_amount, unmatched_count) "
        "VALUES (%(batch)s, %(user)s, %(now)s, 0, 0, 0, 0, 0, 0, 0) ON CONFLICT (batch_id) DO NOTHING",
        {"batch": batch.pk, "user": batch.uploaded_by_id, "now": now},
    )
    # A load taken over after an interruption starts from nothing (its earlier writes rolled back).
    cursor.execute(
        "DELETE FROM assistance_paymentreturnunmatched WHERE result_id = "
        "(SELECT id FROM assistance_paymentreturnresult WHERE batch_id = %(batch)s)",
        {"batch": batch.pk},
    )
    cursor.execute(
        _APPLY.format(rows=rows_sql, masked=mask_sql("c.id_number")), {"batch": batch.pk, "now": now}
    )
