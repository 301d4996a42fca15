"""medical_settlement: every row of messy files ends up loaded, corrected, duplicate or rejected."""

import logging
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from households import idcard
from households.models import Person
from imports.models import FeedRecordChange, MedicalSettlement, NameMismatch, RejectedRow
from tests.factories import HouseholdFactory
from tests.imports.helpers import assert_accounted, csv_bytes, id18, outcomes

pytestmark = pytest.mark.django_db

HEADER = [
    "结算流水号", "身份证号", "姓名", "结算日期", "定点医疗机构", "就诊类型", "主诊断编码",
    "医疗费用总额（元）", "统筹基金支付", "大病保险支付", "医疗救助支付", "个人负担", "备注",
]  # fmt: skip
P = id18(seq=11)
Q = id18(seq=13)


def damaged_by_excel(valid: str) -> str:
    """What Excel makes of an 18-digit ID typed as a number: 15 significant digits, then zeros."""
    value = valid[:15] + "000"
    assert not idcard.is_valid(value)
    return value


def wrong_check_digit(valid: str) -> str:
    return valid[:17] + ("1" if valid[17] != "1" else "2")


def birth_1900_02_29() -> str:
    first17 = "130921" + "19000229" + "123"
    return first17 + idcard.check_char(first17)


def row(sid, id_number=P, name="张三", day="2024-01-15", visit="住院", total="100", fund="0", serious="0",
        assist="0", self_paid="", note=""):  # fmt: skip
    return [
        sid,
        id_number,
        name,
        day,
        "沧州市人民医院",
        visit,
        "c34.901",
        total,
        fund,
        serious,
        assist,
        self_paid,
        note,
    ]


MESSY = [
    HEADER,
    row("S001", total="1,234.50", fund="800", assist="100", self_paid="334.50", note="x"),  # 2: later dup
    row("S002", id_number="1.30921E+17"),  # 3
    row("S003", id_number=damaged_by_excel(P)),  # 4
    row("S004", id_number=wrong_check_digit(P)),  # 5
    row("S005", id_number=Q[:6] + Q[8:17], name="王五", day="2024/1/5", total="１２０．５"),  # 6: 15 → 18
    row("S006", day="2024-02-30"),  # 7
    row("S007", day="2099-01-01"),  # 8
    row("S008", day="昨天"),  # 9
    row("S009", total="-5"),  # 10
    row("S010", total="12.345"),  # 11
    row("S011", visit="急诊"),  # 12
    row("S012", total="100", fund="80", serious="30"),  # 13
    row("S013", total="100", self_paid="200"),  # 14
    row(
        "S014", id_number=f"'{P[:6]} {P[6:]}", day="2024年3月1日 10:20", total="￥1,000.00元", fund="600"
    ),  # 15
    row("S001", total="1300", fund="800", self_paid="400"),  # 16: wins over row 2
    [""] * len(HEADER),  # 17: empty, not a data row
    row("S015", day=""),  # 18
    row("S016", id_number=birth_1900_02_29()),  # 19
    row("S017", id_number=Q, name="王五", total="88.8", fund="50", serious="10", assist="8.8"),  # 20
]

EXPECTED_REJECTED = {
    2: "duplicate_in_file",
    3: "id_spreadsheet_damaged",
    4: "id_spreadsheet_damaged",
    5: "id_check_digit",
    7: "date_invalid",
    8: "date_future",
    9: "date_format",
    10: "money_negative",
    11: "money_format",
    12: "enum",
    13: "paid_parts_exceed_total",
    14: "self_paid_exceeds_total",
    18: "required",
    19: "id_birth_date",
}


@pytest.fixture
def registry_person(db):
    return Person.objects.create(
        id_number=P, name="李四", birth_date=date(1980, 5, 17), sex="M", household=HouseholdFactory()
    )


def test_messy_utf8_bom_file_every_row_accounted(load, registry_person):
    batch = load("medical_settlement", csv_bytes(MESSY), "结算.csv")

    assert_accounted(batch)
    assert batch.data_rows == 18
    assert (batch.loaded, batch.corrected, batch.duplicate, batch.rejected) == (4, 0, 0, 14)
    assert outcomes(batch) == EXPECTED_REJECTED
    assert batch.extra_columns == ["备注"]
    assert batch.columns[0] == "结算流水号" and batch.columns[7] == "医疗费用总额（元）"
    assert batch.encoding == "utf-8-sig"

    rows = {m.settlement_id: m for m in MedicalSettlement.objects.all()}
    assert set(rows) == {"S001", "S005", "S014", "S017"}
    assert rows["S001"].total_cost == Decimal("1300.00")  # the later row of the duplicate key won
    assert rows["S005"].id_number == Q  # 15-digit ID upgraded
    assert rows["S005"].settle_date == date(2024, 1, 5)
    assert rows["S005"].total_cost == Decimal("120.50")  # full-width digits
    assert rows["S005"].visit_type == "inpatient"
    assert rows["S005"].diagnosis_code == "C34.901"
    assert rows["S014"].id_number == P  # quote and space stripped
    assert rows["S014"].settle_date == date(2024, 3, 1)
    assert rows["S014"].total_cost == Decimal("1000.00")
    assert rows["S014"].self_paid == Decimal("400.00")  # empty cell: derived from the other amounts
    assert rows["S017"].self_paid == Decimal("20.00")
    assert all(m.batch_id == batch.pk for m in rows.values())

    # Name check: P is 李四 in the registry, the file says 张三 on the two accepted rows for P.
    mismatches = list(NameMismatch.objects.filter(batch=batch).order_by("row_number"))
    assert [(m.row_number, m.name_in_file, m.name_in_registry) for m in mismatches] == [
        (15, "张三", "李四"),
        (16, "张三", "李四"),
    ]
    assert batch.name_mismatch == 2


def test_rejected_rows_say_what_was_wrong_and_what_is_allowed(load):
    batch = load("medical_settlement", csv_bytes(MESSY))
    by_row = {r.row_number: r for r in RejectedRow.objects.filter(batch=batch)}

    assert by_row[12].column == "就诊类型"
    assert "急诊" in by_row[12].message and "住院、门诊、门诊慢特病、药店购药" in by_row[12].message
    assert by_row[7].column == "结算日期" and "2024-02-30" in by_row[7].message
    assert "2024/1/31" in by_row[9].message  # the allowed formats are listed
    assert "表格软件" in by_row[3].message
    assert by_row[10].column == "医疗费用总额（元）" and "不能为负" in by_row[10].message
    assert "第16行" in by_row[2].message
    assert "必填" in by_row[18].message
    # IDs are masked in messages; raw keeps the file's cells under the file's headers.
    assert P not in by_row[5].message and wrong_check_digit(P)[:6] + "********" in by_row[5].message
    assert by_row[5].raw["身份证号"] == wrong_check_digit(P)
    assert by_row[5].raw["备注"] == ""
    assert list(by_row[5].raw) and set(by_row[5].raw) == set(batch.columns)


def test_gbk_tab_separated_txt_with_english_headers_and_no_self_paid_column(load):
    rows = [
        ["settlement_id", "id_number", "name", "settle_date", "total_cost", "fund_paid", "assistance_paid"],
        ["G1", P, "张三", "20240105", "500", "300", "50"],
        ["G2", P, "张三", "2024.1.6", "100", "80", "30"],
    ]
    batch = load("medical_settlement", csv_bytes(rows, encoding="gbk", sep="\t"), "gbk.txt")

    assert_accounted(batch)
    assert batch.encoding == "gb18030"
    assert outcomes(batch) == {3: "paid_parts_exceed_total"}
    g1 = MedicalSettlement.objects.get(settlement_id="G1")
    assert g1.self_paid == Decimal("150.00") and g1.settle_date == date(2024, 1, 5)


def test_resent_file_counts_duplicates_and_corrections_with_history(load):
    first = load(
        "medical_settlement",
        csv_bytes([HEADER, row("A1", total="100"), row("A2", total="200"), row("A3", total="300")]),
    )
    assert (first.loaded, first.corrected, first.duplicate) == (3, 0, 0)

    second = load(
        "medical_settlement",
        csv_bytes([HEADER, row("A1", total="100"), row("A2", total="250", fund="50"), row("A4")]),
        "resent.csv",
    )
    assert_accounted(second)
    assert (second.loaded, second.corrected, second.duplicate, second.rejected) == (1, 1, 1, 0)
    a2 = MedicalSettlement.objects.get(settlement_id="A2")
    assert a2.total_cost == Decimal("250.00") and a2.batch_id == second.pk
    assert MedicalSettlement.objects.get(settlement_id="A1").batch_id == first.pk  # not rewritten
    change = FeedRecordChange.objects.get(batch=second)
    assert change.key == "A2" and change.category == "medical_settlement"
    assert change.before == {"total_cost": 200.0, "fund_paid": 0.0}  # self_paid stayed 200
    assert change.after == {"total_cost": 250.0, "fund_paid": 50.0}


def test_same_file_twice_changes_nothing(load, departments):
    from imports import services

    data = csv_bytes([HEADER, row("B1")])
    batch = load("medical_settlement", data)
    import io

    again = services.batch_submit(
        category="medical_settlement", fileobj=io.BytesIO(data), file_name="again.csv"
    )
    assert again.resubmitted and again.batch.pk == batch.pk
    assert MedicalSettlement.objects.count() == 1


def test_bad_encoding_rejects_the_file_and_changes_nothing(load):
    good = csv_bytes([HEADER, row("E1")])
    data = good[:200] + b"\xff\xfe\xfa" + good[200:]
    batch = load("medical_settlement", data)

    assert batch.status == "rejected" and batch.error_code == "encoding"
    assert "字节" in batch.error_message and "UTF-8" in batch.error_message
    assert batch.data_rows == 0 and not batch.rejected_rows.exists()
    assert not MedicalSettlement.objects.exists()


def test_missing_required_column_rejects_the_file_naming_it(load):
    rows = [
        [h for h in HEADER if h != "结算日期"],
        ["M1", P, "张三", "医院", "住院", "", "100", "0", "0", "0", "", ""],
    ]
    batch = load("medical_settlement", csv_bytes(rows))

    assert batch.status == "rejected" and batch.error_code == "missing_columns"
    assert "结算日期" in batch.error_message and "settle_date" in batch.error_message
    assert not MedicalSettlement.objects.exists() and not batch.rejected_rows.exists()


def test_rows_wider_than_the_header_and_blank_lines_take_the_row_path(load):
    data = csv_bytes([HEADER, row("W1"), [*row("W2"), "多出来的"], row("W3")]).replace(
        b"\r\nW3", b"\r\n\r\nW3"
    )
    batch = load("medical_settlement", data)

    assert_accounted(batch)
    assert outcomes(batch) == {3: "column_count"}
    assert batch.data_rows == 3
    assert set(MedicalSettlement.objects.values_list("settlement_id", flat=True)) == {"W1", "W3"}


# --- the loader's timing log --------------------------------------------------------------------


@pytest.mark.parametrize(("host", "with_cpu"), [("127.0.0.1", True), ("db", False)])
def test_database_cpu_is_logged_only_when_the_database_runs_on_this_machine(
    load, caplog, monkeypatch, host, with_cpu
):
    # On another host the backend's pid names some process of this machine, or none.
    monkeypatch.setitem(connection.settings_dict, "HOST", host)
    with caplog.at_level(logging.INFO, logger="imports.loading.engine"):
        load("medical_settlement", csv_bytes([HEADER, row("A1")]))
    steps = [r.getMessage() for r in caplog.records if " staging " in r.getMessage()]
    assert len(steps) == 1
    assert ("database CPU" in steps[0]) is with_cpu
