"""The bank's return file: loaded through the feed machinery, applied to the locked roll's lines,
with an accounting that adds up; the pages that show it and the failures it leaves."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assistance.errors import AssistanceError
from assistance.models import LineStatus, PaymentAccount, PaymentLine, PaymentReturnResult
from assistance.services.bank_returns import roll_return_submit
from assistance.services.rolls import account_set, roll_compute, roll_lock
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


# --- pages -------------------------------------------------------------------------------------


def test_the_roll_page_upload_shows_the_accounting_and_the_unmatched_rows(
    client_for, county_supervisor, django_capture_on_commit_callbacks
):
    roll = roll_with_lines(county_supervisor, grants(county_supervisor, 3), month=NOVEMBER)
    a, b, c = roll.lines.order_by("pk")
    rows = [return_row(a), return_row(b, "发放失败", reason="账户已销户"), return_row(c, amount="1.00")]
    client = client_for(county_supervisor)
    url = reverse("assistance:roll_return_upload", args=[roll.pk])
    assert "导入回盘" in page_text(client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"file": SimpleUploadedFile("回盘.csv", return_csv(rows, encoding="gbk"))}
        )
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("assistance:roll_return_detail", args=[batch.pk])
    page = client.get(response["Location"])
    text = page_text(page)
    assert "已发放 1 + 发放失败 1 + 资金退回 0 + 未能对应 1 + 重复 0 + 拒绝 0 = 3 行" in text
    assert "金额与明细的应发合计不符" in text and "600.00 元" in text
    assert c.recipient.id_number not in page.content.decode()
    assert c.recipient.masked_id in text

    # the same bytes again: a message naming the earlier batch, and its page
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(
            url, {"file": SimpleUploadedFile("回盘副本.csv", return_csv(rows, encoding="gbk"))}
        )
    assert again["Location"] == response["Location"]
    assert "未做任何更改" in page_text(client.get(again["Location"]))


def test_an_unlocked_roll_says_so_and_takes_no_file(client_for, county_supervisor):
    draft = roll_with_lines(county_supervisor, grants(county_supervisor, 1), lock=False)
    client = client_for(county_supervisor)
    url = reverse("assistance:roll_return_upload", args=[draft.pk])
    assert "花名册尚未锁定" in page_text(client.get(url))
    client.post(url, {"file": SimpleUploadedFile("回盘.csv", return_csv([return_row(draft.lines.get())]))})
    assert not ImportBatch.objects.exists()


def failed_roll(actor, callbacks, village=VILLAGE_A, county="130921"):
    roll = roll_with_lines(actor, grants(actor, 3, village), county=county, month=NOVEMBER)
    a, b, c = roll.lines.order_by("pk")
    rows = [
        return_row(a, "失败", reason="账户已销户"),
        return_row(b, "退回", reason="户名不符"),
        return_row(c),
    ]
    submit(actor, roll, return_csv(rows), f"回盘{county}.csv", callbacks)
    return a, b, c


def test_failures_list_the_lines_to_pay_again_in_the_users_region(
    client_for,
    county_supervisor,
    city_supervisor,
    caseworker_a,
    caseworker_b,
    django_capture_on_commit_callbacks,
):
    a, b, _c = failed_roll(county_supervisor, django_capture_on_commit_callbacks)
    x, y, _z = failed_roll(
        city_supervisor, django_capture_on_commit_callbacks, OTHER_COUNTY_VILLAGE, "130984"
    )
    url = reverse("assistance:payment_failures")

    def rows(client, **query):
        return {int(pk) for pk in re.findall(r'data-line="(\d+)"', client.get(url, query).content.decode())}

    assert rows(client_for(city_supervisor)) == {a.pk, b.pk, x.pk, y.pk}
    assert rows(client_for(city_supervisor), county="130984") == {x.pk, y.pk}
    assert rows(client_for(county_supervisor)) == {a.pk, b.pk}
    assert rows(client_for(caseworker_a)) == {a.pk, b.pk}  # 旧州镇
    assert rows(client_for(caseworker_b)) == set()  # 兴济镇
    text = page_text(client_for(county_supervisor).get(url))
    assert "账户已销户" in text and "资金退回" in text and "2026-11" in text
    assert a.recipient.id_number not in client_for(county_supervisor).get(url).content.decode()


def test_a_failure_stays_open_until_a_locked_roll_pays_it_again(
    client_for, county_supervisor, django_capture_on_commit_callbacks
):
    a, b, c = failed_roll(county_supervisor, django_capture_on_commit_callbacks)
    for line in (a, b, c):
        account_set(
            actor=county_supervisor,
            person=line.recipient,
            kind="bank",
            bank_name="沧州银行",
            account_no="6217000099990000",
        )
    url = reverse("assistance:payment_failures")
    december = roll_compute(actor=county_supervisor, county_code="130921", month=date(2026, 12, 1))
    html = client_for(county_supervisor).get(url).content.decode()
    # in December's draft, still to pay again until that roll is locked
    assert set(map(int, re.findall(r'data-line="(\d+)"', html))) == {a.pk, b.pk}
    assert "已计入 2026-12 待审核花名册" in page_text(client_for(county_supervisor).get(url))
    roll_lock(actor=county_supervisor, roll_id=december.pk, lock_version=december.lock_version)
    html = client_for(county_supervisor).get(url).content.decode()
    assert not re.findall(r'data-line="(\d+)"', html)


def _row(html: str, line) -> tuple[str, str]:
    """(class, visible text) of a line's row."""
    m = re.search(rf'<tr class="([^"]*)" data-line="{line.pk}">(.*?)</tr>', html, re.S)
    return m.group(1), re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m.group(2)))


def _cell(html: str, marker: str) -> str:
    m = re.search(rf"{marker}[^>]*>(.*?)</(?:td|div)>", html, re.S)
    return re.sub(r"<[^>]+>", "", m.group(1)).strip()


def test_the_household_page_shows_accounts_and_failed_payments(
    client_for, caseworker_a, county_supervisor, django_capture_on_commit_callbacks
):
    a, _b, c = failed_roll(county_supervisor, django_capture_on_commit_callbacks)
    PaymentAccount.objects.create(
        person=a.recipient,
        kind="bank",
        bank_name="农商银行",
        account_no="6217000099998888",
        updated_by=caseworker_a,
    )
    client = client_for(caseworker_a)
    detail = client.get(reverse("households:detail", args=[a.household_id])).content.decode()
    assert 'id="household-payments"' in detail
    fragment = client.get(
        reverse("assistance:household_payments", args=[a.household_id]), HTTP_HX_REQUEST="true"
    )
    html = fragment.content.decode()
    css, text = _row(html, a)
    assert css == "table-danger" and "发放失败" in text and "账户已销户" in text
    assert "6217********8888" in html and "6217000099998888" not in html
    assert reverse("assistance:account_edit", args=[a.recipient_id]) in html  # 登记/修改账户
    paid = client.get(reverse("assistance:household_payments", args=[c.household_id])).content.decode()
    assert _row(paid, c)[0] == "" and "已发放" in _row(paid, c)[1]
    # out of the caseworker's region: as if it did not exist
    assert (
        client_for(caseworker_a).get(reverse("assistance:household_payments", args=[999999])).status_code
        == 404
    )


def test_the_dashboard_counts_failures_to_pay_again_by_county(
    client_for, city_supervisor, county_supervisor, django_capture_on_commit_callbacks
):
    failed_roll(county_supervisor, django_capture_on_commit_callbacks)
    failed_roll(city_supervisor, django_capture_on_commit_callbacks, OTHER_COUNTY_VILLAGE, "130984")
    response = client_for(city_supervisor).get(reverse("assistance:dashboard_figures"))
    html = response.content.decode()
    assert _cell(html, 'id="kpi-payment-failures"') == "4"
    assert "2,400.00 元" in page_text(response)
    assert _cell(html, 'data-failures="130921"') == "2" and _cell(html, 'data-failures="130984"') == "2"
    county = client_for(county_supervisor).get(reverse("assistance:dashboard_figures")).content.decode()
    assert _cell(county, 'id="kpi-payment-failures"') == "2"
    assert reverse("assistance:payment_failures") + "?county=130921" in county


def test_the_demo_imports_a_return_file_for_each_locked_roll_once(county_supervisor):
    from assistance.demo_returns import demo_returns

    roll = roll_with_lines(county_supervisor, grants(county_supervisor, 5), month=NOVEMBER)
    roll_with_lines(county_supervisor, grants(county_supervisor, 1), month=date(2026, 12, 1), lock=False)
    out = io.StringIO()
    demo_returns(stdout=out)
    result = accounted(PaymentReturnResult.objects.get().batch)
    assert result.roll == roll and result.paid_count + result.failed_count + result.returned_count == 5
    assert not roll.lines.filter(status=LineStatus.PENDING).exists()
    demo_returns(stdout=out)
    assert PaymentReturnResult.objects.count() == 1 and "回盘 5 行" in out.getvalue()


def test_a_file_without_a_required_column_is_refused_whole_and_says_why(
    client_for, county_supervisor, django_capture_on_commit_callbacks
):
    roll = roll_with_lines(county_supervisor, grants(county_supervisor, 1), month=NOVEMBER)
    line = roll.lines.get()
    data = (
        "明细编号,身份证号,金额,处理日期\r\n".encode()
        + f"{line.pk},{line.recipient.id_number},600,2026-11-20\r\n".encode()
    )
    client = client_for(county_supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assistance:roll_return_upload", args=[roll.pk]),
            {"file": SimpleUploadedFile("回盘.csv", data)},
        )
    text = page_text(client.get(response["Location"]))
    assert "文件未能导入，没有写入任何发放结果" in text and "发放结果" in text
    line.refresh_from_db()
    assert line.status == LineStatus.PENDING


def test_the_household_page_offers_the_account_of_whom_the_roll_pays(client_for, caseworker_a):
    """Before any roll: a household grant is paid to its applicant (here a child, not the head), so
    that is the person whose account the page asks for."""
    from assistance.models import Application
    from households.models import Relation

    household = family(VILLAGE_A)
    grant = grant_for(caseworker_a, household, start_month=NOVEMBER)
    child = household.members.exclude(relation=Relation.HEAD).first()
    Application.objects.filter(pk=grant.application_id).update(applicant=child)
    html = client_for(caseworker_a).get(reverse("assistance:household_payments", args=[household.pk])).content
    html = html.decode()
    assert reverse("assistance:account_edit", args=[child.pk]) in html
    head = household.members.get(relation=Relation.HEAD)
    assert reverse("assistance:account_edit", args=[head.pk]) not in html
