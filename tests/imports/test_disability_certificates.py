"""Disability certificate numbers as the federation's files write them: a certificate is its first
20 characters (ID, type digit, grade digit); a reissued card adds a suffix and is its own record."""

from datetime import date

import pytest

from imports.models import DisabilityCertificate
from tests.imports.helpers import assert_accounted, csv_bytes, id18, outcomes, xlsx_bytes

pytestmark = pytest.mark.django_db
P = id18(seq=31)
Q = id18(seq=33)
HEADER = ["残疾人证号", "身份证号", "姓名", "残疾类别", "残疾等级", "发证日期", "证件状态"]


def fullwidth(text: str) -> str:
    return text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"})


def test_a_reissued_card_loads_as_its_own_record_beside_the_first(load):
    first = load(
        "disability_certificate",
        csv_bytes([HEADER, [P + "42", P, "张三", "肢体", "二级", "2025-03-02", "有效"]]),
    )
    assert_accounted(first)
    # The reissue arrives months later in a GBK export: suffix in lower case, padded, full-width.
    reissue = load(
        "disability_certificate",
        csv_bytes(
            [
                HEADER,
                [f" {P}42b1 ", P, "张三", "4", "2级", "2026/1/5", "正常"],
                [fullwidth(Q + "11B2"), Q, "李四", "视力", "一级", "2026年1月6日", ""],
            ],
            encoding="gb18030",
        ),
        "残联补证.csv",
    )
    assert_accounted(reissue)
    assert (reissue.loaded, reissue.corrected, reissue.duplicate, reissue.rejected) == (2, 0, 0, 0)
    cards = dict(DisabilityCertificate.objects.filter(id_number=P).values_list("certificate_no", "issued_on"))
    assert cards == {
        P + "42": date(2025, 3, 2),
        P + "42B1": date(2026, 1, 5),
    }  # both kept, the first unchanged
    assert DisabilityCertificate.objects.get(id_number=Q).certificate_no == Q + "11B2"


def test_certificate_numbers_are_checked_against_the_row(load):
    rows = [
        HEADER,
        [P + "42B12", P, "", "肢体", "二级", "2026-01-01", ""],  # 23 characters
        [P + "4", P, "", "肢体", "二级", "2026-01-01", ""],  # 19: no grade digit
        [P + "02", P, "", "肢体", "二级", "2026-01-01", ""],  # type digit 0
        [P + "45", P, "", "肢体", "二级", "2026-01-01", ""],  # grade digit 5
        [P + "42-1", P, "", "肢体", "二级", "2026-01-01", ""],  # suffix with a dash
        [Q + "42", P, "", "肢体", "二级", "2026-01-01", ""],  # someone else's ID
        [P + "32", P, "", "肢体", "二级", "2026-01-01", ""],  # type 3 (言语) but 肢体 in the row
        [P + "41B1", P, "", "肢体", "二级", "2026-01-01", ""],  # grade 1 but 二级 in the row
        [P + "42B1", P, "", "肢体", "二级", "2026-01-01", ""],  # fine
    ]
    batch = load("disability_certificate", xlsx_bytes(rows), "残联.xlsx")
    assert_accounted(batch)
    assert outcomes(batch) == {
        2: "certificate_format",
        3: "certificate_format",
        4: "certificate_format",
        5: "certificate_format",
        6: "certificate_format",
        7: "certificate_id_mismatch",
        8: "certificate_type_mismatch",
        9: "certificate_grade_mismatch",
    }
    assert list(DisabilityCertificate.objects.values_list("certificate_no", flat=True)) == [P + "42B1"]
