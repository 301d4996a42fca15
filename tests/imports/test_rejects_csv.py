"""The rejected-rows download: what a data admin opens in Excel to fix a department's file."""

import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from households import idcard
from imports.rejects import escape_formula, mask_ids
from tests.factories import make_id_number
from tests.imports.factories import BatchFactory, RejectedRowFactory

pytestmark = pytest.mark.django_db


def download(client, batch):
    response = client.get(reverse("imports:batch_rejects_csv", args=[batch.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    return response, body


def records(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8"))))


# --- the download -------------------------------------------------------------------------------


def test_download_is_a_streamed_utf8_bom_csv_named_after_the_batch(client_for, data_admin):
    batch = BatchFactory(rejected=1, loaded=0)
    RejectedRowFactory(batch=batch)
    response, body = download(client_for(data_admin), batch)
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert f"%E6%89%B9%E6%AC%A1{batch.pk}" in response["Content-Disposition"]  # 批次<id>…csv, RFC 5987
    assert body.startswith(b"\xef\xbb\xbf") and not body.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")


def test_columns_are_row_column_reason_code_and_name_message_then_the_files_own_columns_in_file_order(
    client_for, data_admin
):
    header = ["结算流水号", "身份证号", "姓名", "结算日期", "医疗费用总额", "备注"]
    batch = BatchFactory(rejected=2, loaded=5, columns=header)
    id_number = make_id_number()
    # jsonb keeps keys sorted by length, not file order; the batch's columns restore the order
    raw = {
        "备注": "",
        "姓名": "李四",
        "身份证号": id_number,
        "结算日期": "2026-13-01",
        "结算流水号": "JS9",
        "医疗费用总额": "12.5",
    }
    RejectedRowFactory(
        batch=batch, row_number=9, column="结算日期", reason_code="date_invalid", message="日期无效", raw=raw
    )
    RejectedRowFactory(
        batch=batch,
        row_number=4,
        column="医疗费用总额",
        reason_code="money_negative",
        message="金额为负",
        raw={**raw, "医疗费用总额": "-3"},
    )
    rows = records(download(client_for(data_admin), batch)[1])
    assert rows[0] == ["行号", "列", "原因代码", "原因", "说明", *header]
    masked = idcard.mask(id_number)
    assert rows[1] == [
        "4",
        "医疗费用总额",
        "money_negative",
        "金额为负数",
        "金额为负",
        "JS9",
        masked,
        "李四",
        "2026-13-01",
        "'-3",
        "",
    ]
    assert rows[2] == [
        "9",
        "结算日期",
        "date_invalid",
        "日期不存在",
        "日期无效",
        "JS9",
        masked,
        "李四",
        "2026-13-01",
        "12.5",
        "",
    ]


def test_without_the_batchs_column_list_the_stored_columns_still_all_appear(client_for, data_admin):
    batch = BatchFactory(rejected=1, columns=[])
    RejectedRowFactory(batch=batch, raw={"甲": "1", "乙乙": "2"})
    header = records(download(client_for(data_admin), batch)[1])[0]
    assert sorted(header[5:]) == sorted(["甲", "乙乙"])


def test_resident_ids_are_masked_in_every_cell_and_message(client_for, data_admin):
    batch = BatchFactory(rejected=1)
    id18 = make_id_number()
    id15 = "130921800517123"
    RejectedRowFactory(
        batch=batch,
        column="残疾人证号",
        message=f"证号 {id18}42 与身份证号 {id15} 不一致",
        raw={
            "残疾人证号": f"{id18}42",
            "身份证号": id15,
            "户主身份证号": f"'{id18.lower()}",
            "备注": f"见{id18}号",
        },
    )
    _, body = download(client_for(data_admin), batch)
    text = body.decode("utf-8-sig")
    for secret in (id18, id15, id18[6:14], id15[6:12]):
        assert secret not in text
    row = records(body)[1]
    assert row[4] == f"证号 {idcard.mask(id18)}42 与身份证号 {idcard.mask(id15)} 不一致"
    assert f"{idcard.mask(id18)}42" in row and idcard.mask(id15) in row
    assert f"见{idcard.mask(id18)}号" in row


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('=HYPERLINK("http://evil","点我")', '\'=HYPERLINK("http://evil","点我")'),
        ("+86 1380000", "'+86 1380000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("张=三", "张=三"),
        ("", ""),
    ],
)
def test_cells_a_spreadsheet_would_run_as_a_formula_are_escaped(client_for, data_admin, cell, shown):
    batch = BatchFactory(rejected=1)
    RejectedRowFactory(batch=batch, column="备注", message=cell or "空", raw={"备注": cell})
    row = records(download(client_for(data_admin), batch)[1])[1]
    assert row[5] == shown
    if cell:
        assert row[4] == shown  # the message too


def test_a_large_reject_list_arrives_in_many_chunks_in_file_order(client_for, data_admin):
    from imports.models import RejectedRow

    batch = BatchFactory(rejected=2600, loaded=0)
    RejectedRow.objects.bulk_create(
        RejectedRow(
            batch=batch,
            row_number=n,
            column="姓名",
            reason_code="name_missing",
            message="姓名为空",
            raw={"姓名": ""},
        )
        for n in range(2601, 1, -1)
    )
    response = client_for(data_admin).get(reverse("imports:batch_rejects_csv", args=[batch.pk]))
    chunks = list(response.streaming_content)
    assert len(chunks) > 5  # streamed, not built in one piece
    rows = records(b"".join(chunks))
    assert len(rows) == 2601
    assert [int(r[0]) for r in rows[1:]] == list(range(2, 2602))


def test_only_the_batchs_own_rows_are_in_its_download(client_for, data_admin):
    mine, other = BatchFactory(rejected=1), BatchFactory(rejected=1)
    RejectedRowFactory(batch=mine, message="我的")
    RejectedRowFactory(batch=other, message="别的")
    rows = records(download(client_for(data_admin), mine)[1])
    assert [r[4] for r in rows[1:]] == ["我的"]


def test_an_english_users_download_has_english_headers(client_for, data_admin):
    # The CSV is generated while the response streams, after the view returned.
    batch = BatchFactory(rejected=1, loaded=0, columns=["姓名"])
    RejectedRowFactory(batch=batch, raw={"姓名": "李四"})
    client = client_for(data_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    rows = records(download(client, batch)[1])
    assert rows[0] == ["Row", "Column", "Reason code", "Reason", "Explanation", "姓名"]
    assert rows[1][2:4] == ["id_check_digit", "ID number check digit mismatch"]  # the name in English too
    assert translation.get_language() == "zh-hans"  # the thread is Chinese again afterwards


# --- the helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13092119800517123X", "130921********123X"),
        ("13092119800517123x", "130921********123X"),
        ("１３０９２１１９８００５１７１２３Ｘ", "130921********123X"),  # full-width digits
        ("130921800517123", "130921*****7123"),
        ("13092119800517123X42", "130921********123X42"),  # disability certificate number
        ("JS202611010000012345678", "JS202611010000012345678"),  # a settlement number is not an ID
        ("20261101000001234567", "20261101000001234567"),
        ("1.30921E+17", "1.30921E+17"),  # damaged by a spreadsheet: not an ID any more
        ("2026-11-01", "2026-11-01"),
        (None, ""),
        (12.5, "12.5"),
        # only the ID changes: the cell's own full-width punctuation and other digits are kept
        ("住址（东关）：13092119800517123X，备注１２", "住址（东关）：130921********123X，备注１２"),
        (
            "住址（东关）：１３０９２１１９８００５１７１２３ｘ，备注１２",
            "住址（东关）：130921********123X，备注１２",
        ),
    ],
)
def test_mask_ids(value, expected):
    assert mask_ids(value) == expected


def test_escape_formula_leaves_ordinary_text_alone():
    assert escape_formula("张三") == "张三"
    assert escape_formula("=1+1") == "'=1+1"
