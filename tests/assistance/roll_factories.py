"""Payment rolls written directly for the tests of what comes back from the bank: a roll with one
line per grant (total = regular), locked by a supervisor, and the bank's return file for it."""

from datetime import date
from decimal import Decimal

from assistance.models import PaymentLine, PaymentRoll, RollStatus
from households import clock
from households.models import Relation
from tests.imports.helpers import csv_bytes, xlsx_bytes

RETURN_HEADER = ["明细编号", "身份证号", "姓名", "账号", "金额", "发放结果", "失败原因", "处理日期"]


def roll_with_lines(actor, grants, *, county: str = "130921", month: date = date(2026, 11, 1), lock=True):
    """A roll of `county` for `month` with a line for each grant; locked by `actor` unless lock=False."""
    roll = PaymentRoll.objects.create(
        county_id=county, month=month, computed_at=clock.now(), computed_by=actor
    )
    for n, grant in enumerate(grants):
        recipient = grant.person or grant.household.members.get(relation=Relation.HEAD)
        PaymentLine.objects.create(
            roll=roll,
            grant=grant,
            household=grant.household,
            recipient=recipient,
            region_id=grant.region_id,
            covers_from=month,
            covers_to=month,
            regular=grant.amount,
            total=grant.amount,
            account_kind="bank",
            bank_name="农商银行",
            account_no=f"62170000{n:08d}",
        )
    lines = list(roll.lines.order_by("pk"))
    PaymentRoll.objects.filter(pk=roll.pk).update(
        line_count=len(lines), total=sum((line.total for line in lines), Decimal(0))
    )
    if lock:
        PaymentRoll.objects.filter(pk=roll.pk).update(
            status=RollStatus.LOCKED, locked_at=clock.now(), locked_by=actor
        )
    roll.refresh_from_db()
    return roll


def return_row(line, result="成功", *, reason="", amount=None, id_number=None, day="2026-11-20") -> list[str]:
    """The bank's row for `line` (its own figures unless told otherwise)."""
    return [
        str(line.pk),
        id_number or line.recipient.id_number,
        line.recipient.name,
        line.account_no,
        str(line.total if amount is None else amount),
        result,
        reason,
        day,
    ]


def return_csv(rows, *, encoding="utf-8-sig") -> bytes:
    return csv_bytes([RETURN_HEADER, *rows], encoding=encoding)


def return_xlsx(rows) -> bytes:
    return xlsx_bytes([RETURN_HEADER, *rows])


def bank_return_world(household, caseworker, supervisor):
    """For the URL matrix: a locked roll of the household's county (July 2025, a month no other
    part's world uses) with the household's line, which the bank failed, the return file that said
    so, and its feed record. No new people (the ID-leak crawl counts the world's people)."""
    from assistance.models import LineStatus, PaymentReturnResult
    from imports.models import FeedCategory, PaymentReturn
    from tests.assistance.grant_factories import grant_for
    from tests.imports.factories import BatchFactory

    month = date(2025, 7, 1)
    grant = grant_for(caseworker, household, start_month=month, approved_on=month, enrol=False)
    roll = roll_with_lines(supervisor, [grant], county=household.region_id[:6], month=month)
    line = roll.lines.get()
    batch = BatchFactory(category=FeedCategory.PAYMENT_RETURN, loaded=1, uploaded_by=supervisor)
    PaymentLine.objects.filter(pk=line.pk).update(
        status=LineStatus.FAILED,
        result_note="账户已销户",
        result_on=date(2025, 7, 20),
        result_batch_id=batch.pk,
    )
    PaymentReturnResult.objects.create(
        batch=batch, roll=roll, uploaded_by=supervisor, failed_count=1, failed_amount=line.total
    )
    record = PaymentReturn.objects.create(
        id_number=line.recipient.id_number,
        name=line.recipient.name,
        batch=batch,
        line_no=str(line.pk),
        account_no=line.account_no,
        amount=line.total,
        result="failed",
        reason="账户已销户",
        processed_on=date(2025, 7, 20),
    )
    return roll, batch, record
