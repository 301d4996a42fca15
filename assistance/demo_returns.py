"""Demo data: the bank's return file for every locked roll that has none yet, imported through the
feed machinery like a supervisor's upload. About 1% of the lines fail (账户已销户 / 户名不符) and a
few are returned; the rest are paid. seed_demo imports each roll's file right after the roll is
locked (`demo_return`), so the next month's roll pays the failures again."""

import io
import random
from datetime import timedelta

from django.db.models import Exists, OuterRef

from assistance.models import PaymentReturnResult, PaymentRoll, RollStatus
from assistance.services.bank_returns import roll_return_submit
from households import clock
from imports.services import batch_load

HEADER = ["明细编号", "身份证号", "姓名", "账号", "金额", "发放结果", "失败原因", "处理日期"]
FAIL_SHARE = 0.01
RETURN_SHARE = 0.003
FAIL_REASONS = ("账户已销户", "户名不符")
RETURN_REASONS = ("账户冻结，资金退回", "账户状态异常，退票")


def _rows(roll: PaymentRoll, rnd: random.Random) -> list[list[str]]:
    processed = min(roll.month + timedelta(days=19), clock.today())
    rows = []
    for line in roll.lines.select_related("recipient").order_by("pk"):
        draw = rnd.random()
        if draw < FAIL_SHARE:
            result, reason = "发放失败", rnd.choice(FAIL_REASONS)
        elif draw < FAIL_SHARE + RETURN_SHARE:
            result, reason = "资金退回", rnd.choice(RETURN_REASONS)
        else:
            result, reason = "发放成功", ""
        rows.append(
            [
                str(line.pk),
                line.recipient.id_number,
                line.recipient.name,
                line.account_no,
                f"{line.total:.2f}",
                result,
                reason,
                processed.isoformat(),
            ]
        )
    return rows


def _csv(rows: list[list[str]]) -> bytes:
    lines = [",".join(HEADER), *(",".join(row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")  # as the bank's Windows export sends it


def demo_returns(*, stdout, seed: int = 2026) -> None:
    """Import a generated return file for every locked roll without one."""
    rolls = (
        PaymentRoll.objects.filter(status=RollStatus.LOCKED)
        .exclude(Exists(PaymentReturnResult.objects.filter(roll=OuterRef("pk"))))
        .select_related("county", "locked_by")
        .order_by("month", "county_id")
    )
    for roll in rolls:
        demo_return(roll, stdout=stdout, seed=seed)


def demo_return(roll: PaymentRoll, *, stdout, seed: int = 2026) -> None:
    """The bank's return file of one locked roll, imported as its supervisor uploads it (a roll
    with nothing to pay sends the bank nothing, so no file comes back)."""
    if not roll.line_count:
        return
    rnd = random.Random(seed * 100_003 + roll.pk)
    data = _csv(_rows(roll, rnd))
    name = f"{roll.county.name}{roll.month:%Y年%m月}发放回盘.csv"
    submission = roll_return_submit(
        actor=roll.locked_by, roll=roll, fileobj=io.BytesIO(data), file_name=name, start=False
    )
    batch = batch_load(batch_id=submission.batch.pk)
    result = PaymentReturnResult.objects.get(batch=batch)
    stdout.write(
        f"  {roll}：回盘 {batch.data_rows} 行，已发放 {result.paid_count}，发放失败 {result.failed_count}，"
        f"资金退回 {result.returned_count}，未能对应 {result.unmatched_count}"
    )
