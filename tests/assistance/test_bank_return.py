"""The bank's return file: loaded through the feed machinery, applied to the locked roll's lines,
with an accounting that adds up; the pages that show it and the failures it leaves."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assistance.errors import AssistanceError
from assistance.models import LineStatus, PaymentLine, PaymentReturnResult
from assistance.services.bank_returns import roll_return_submit
from imports import services as import_services
from imports.models import BatchStatus, ImportBatch, PaymentReturn
from tests.assistance.case_factories import family
from tests.assistance.grant_factories import grant_for
from tests.assistance.roll_factories import return_csv, return_row, return_xlsx, roll_with_lines
from tests.conftest import OTHER_COUNTY_VILLAGE, VILLAGE_A, VILLAGE_B
from tests.helpers import page_text

pytestmark = pytest.mark.django_db
NOVEMBER = date(2026, 11, 1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def grants(actor, n, village=VILLAGE_A, amounts=None):
    return [
        grant_for(actor, family(village), amount=(amounts or {}).get(k, "600.00"), start_month=NOVEMBER)
        for k in range(n)
    ]


def submit(actor, roll, data: bytes, name: str, callbacks):
    with callbacks(execute=True):
        submission = roll_return_submit(actor=actor, roll=roll, fileobj=io.BytesIO(data), file_name=name)
    batch = ImportBatch.objects.get(pk=submission.batch.pk)
    return submission, batch


def accounted(batch) -> PaymentReturnResult:
    """The file's accounting, checked to add up."""
    result = batch.payment_return
    assert batch.status == BatchStatus.SUCCEEDED, batch.error_message
    assert batch.data_rows == (
        batch.rejected
        + batch.duplicate
        + result.paid_count
        + result.failed_count
        + result.returned_count
        + result.unmatched_count
    )
    assert result.unmatched.count() == result.unmatched_count
    return result


@pytest.mark.parametrize("fmt", ["gbk_csv", "xlsx"])
def test_a_messy_return_file_is_applied_and_every_row_accounted_for(
    fmt, county_supervisor, django_capture_on_commit_callbacks
):
    roll = roll_with_lines(county_supervisor, grants(county_supervisor, 6), month=NOVEMBER)
    lines = list(roll.lines.order_by("pk"))
    other_person = family(VILLAGE_A).members.first()
    rows = [
        return_row(lines[0]),
        return_row(lines[1]),
        return_row(lines[2], "发放失败", reason="账户已销户"),
        return_row(lines[3], "失败", reason="户名不符"),
        return_row(lines[4], "退票", reason="账户冻结"),
        ["999999", lines[0].recipient.id_number, "某某", "6217", "600.00", "成功", "", "2026-11-20"],
        return_row(lines[5], amount="650.00"),  # the bank paid another amount than the roll's
        ["888888", lines[0].recipient.id_number, "某某", "", "600", "无此结果", "", "2026-11-20"],  # bad row
    ]
    data = return_xlsx(rows) if fmt == "xlsx" else return_csv(rows, encoding="gbk")
    _, batch = submit(
        county_supervisor,
        roll,
        data,
        f"回盘.{'xlsx' if fmt == 'xlsx' else 'csv'}",
        django_capture_on_commit_callbacks,
    )

    result = accounted(batch)
    assert (batch.data_rows, batch.rejected, batch.duplicate) == (8, 1, 0)
    assert batch.rejected_rows.get().row_number == 9  # as Excel numbers it, the header is row 1
    assert (result.paid_count, result.failed_count, result.returned_count) == (2, 2, 1)
    assert result.failed_amount == Decimal("1200.00") and result.returned_amount == Decimal("600.00")
    assert result.unmatched_count == 2 and result.roll == roll
    unmatched = [(u.row_number, u.line_no, u.get_reason_display()) for u in result.unmatched.all()]
    assert unmatched == [(7, "999999", "明细编号不存在"), (8, str(lines[5].pk), "金额与明细的应发合计不符")]

    by_pk = {line.pk: line for line in PaymentLine.objects.filter(roll=roll)}
    assert by_pk[lines[0].pk].status == LineStatus.PAID
    assert by_pk[lines[2].pk].status == LineStatus.FAILED and by_pk[lines[2].pk].result_note == "账户已销户"
    assert by_pk[lines[4].pk].status == LineStatus.RETURNED
    assert by_pk[lines[4].pk].result_on == date(2026, 11, 20)
    assert by_pk[lines[4].pk].result_batch_id == batch.pk
    assert by_pk[lines[5].pk].status == LineStatus.PENDING


def test_mismatches_are_kept_with_their_reason_and_a_correction_overwrites(
    county_supervisor, django_capture_on_commit_callbacks
):
    roll = roll_with_lines(county_supervisor, grants(county_supervisor, 4), month=NOVEMBER)
    a, b, c, d = roll.lines.order_by("pk")
    stranger = family(VILLAGE_B).members.first()
    first = [
        return_row(a, "发放失败", reason="账户已销户"),
        return_row(b, "发放失败", reason="户名不符"),
        return_row(c, amount="599.00"),
        return_row(d, id_number=stranger.id_number),
    ]
    _, batch = submit(
        county_supervisor, roll, return_csv(first), "回盘.csv", django_capture_on_commit_callbacks
    )
    result = accounted(batch)
    assert (result.failed_count, result.unmatched_count) == (2, 2)
    reasons = {u.line_no: u.get_reason_display() for u in result.unmatched.all()}
    assert reasons == {str(c.pk): "金额与明细的应发合计不符", str(d.pk): "身份证号与明细的领取人不符"}
    assert stranger.id_number not in str(list(result.unmatched.values_list("masked_id", flat=True)))

    # the same bytes again: the earlier batch is named, nothing changes
    again, same = submit(
        county_supervisor, roll, return_csv(first), "回盘(1).csv", django_capture_on_commit_callbacks
    )
    assert again.resubmitted and same.pk == batch.pk
    assert ImportBatch.objects.filter(category="payment_return").count() == 1

    # the bank's correction: line a was paid after all, b unchanged (a duplicate), c with the right amount
    correction = [return_row(a, "成功", day="2026-11-25"), first[1], return_row(c)]
    _, fixed = submit(
        county_supervisor, roll, return_csv(correction), "更正.csv", django_capture_on_commit_callbacks
    )
    result = accounted(fixed)
    assert (fixed.data_rows, fixed.duplicate, fixed.corrected, fixed.loaded) == (3, 1, 2, 0)
    assert (result.paid_count, result.failed_count, result.unmatched_count) == (2, 0, 0)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.result_note, a.result_on) == (LineStatus.PAID, "", date(2026, 11, 25))
    assert b.status == LineStatus.FAILED and b.result_batch_id == batch.pk
    assert PaymentReturn.objects.get(line_no=str(a.pk)).result == "paid"


def test_lines_of_another_roll_or_an_unlocked_roll_are_not_touched(
    county_supervisor, city_supervisor, django_capture_on_commit_callbacks
):
    roll = roll_with_lines(county_supervisor, grants(county_supervisor, 1), month=NOVEMBER)
    other = roll_with_lines(
        city_supervisor, grants(city_supervisor, 1, OTHER_COUNTY_VILLAGE), county="130984"
    )
    draft = roll_with_lines(
        county_supervisor, grants(county_supervisor, 1), month=date(2026, 12, 1), lock=False
    )
    rows = [
        return_row(roll.lines.get(), "失败"),
        return_row(other.lines.get(), "失败"),
        return_row(draft.lines.get()),
    ]
    _, batch = submit(
        county_supervisor, roll, return_csv(rows), "回盘.csv", django_capture_on_commit_callbacks
    )
    result = accounted(batch)
    assert result.failed_count == 1
    assert sorted(result.unmatched.values_list("reason", flat=True)) == ["other_roll", "other_roll"]
    assert other.lines.get().status == draft.lines.get().status == LineStatus.PENDING

    # through the data admin's own upload page there is no roll: an unlocked roll's line is refused
    data = return_csv(
        [return_row(draft.lines.get(), day="2026-11-22"), return_row(other.lines.get(), "成功")]
    )
    sub = import_services.batch_submit(
        category="payment_return", fileobj=io.BytesIO(data), file_name="回盘2.csv", start=False
    )
    loaded = import_services.batch_load(batch_id=sub.batch.pk)
    result = accounted(loaded)
    assert result.roll is None and result.paid_count == 1
    assert list(result.unmatched.values_list("reason", flat=True)) == ["roll_not_locked"]
    assert other.lines.get().status == LineStatus.PAID


def test_only_a_locked_roll_of_ones_county_takes_a_return_file(
    county_supervisor, caseworker_a, city_supervisor
):
    draft = roll_with_lines(county_supervisor, grants(county_supervisor, 1), lock=False)
    with pytest.raises(AssistanceError, match="花名册尚未锁定"):
        roll_return_submit(actor=county_supervisor, roll=draft, fileobj=io.BytesIO(b"x"), file_name="a.csv")
    with pytest.raises(AssistanceError, match="主管"):
        roll_return_submit(actor=caseworker_a, roll=draft, fileobj=io.BytesIO(b"x"), file_name="a.csv")
    other = roll_with_lines(
        city_supervisor, grants(city_supervisor, 1, OTHER_COUNTY_VILLAGE), county="130984"
    )
    with pytest.raises(AssistanceError, match="管辖范围"):
        roll_return_submit(actor=county_supervisor, roll=other, fileobj=io.BytesIO(b"x"), file_name="a.csv")
    assert not ImportBatch.objects.exists()
