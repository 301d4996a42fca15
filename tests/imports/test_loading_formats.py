"""Other formats and categories: .xlsx, the SQL ID check against the Python one, the v1 categories."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest

from households import idcard
from imports.loading import FileRejected
from imports.loading.sources import XlsxSource
from imports.models import Diagnosis, DisabilityCertificate, MedicalSettlement, UnemploymentRegistration
from tests.imports.helpers import assert_accounted, csv_bytes, id18, outcomes, xlsx_bytes

pytestmark = pytest.mark.django_db
P = id18(seq=21)


def test_xlsx_first_sheet_native_dates_numeric_ids_and_row_numbers(load):
    rows = [
        [None],  # row 1 empty: the header is the first non-empty row
        ["结算流水号", "身份证号", "姓名", "结算日期", "医疗费用总额", "统筹基金支付"],  # row 2
        ["X1", P, "张三", datetime(2024, 5, 6), 1234.5, 1000],  # row 3
        ["X2", 130921198005170210, "张三", date(2024, 5, 7), 10, 0],  # row 4: ID stored as a number
        [None, None, None, None, None, None],  # row 5: empty
        ["X3", P, "张三", "2024-13-01", 10, 0],  # row 6
        [12345, P, "张三", "2024-05-08", "1,000", 0],  # row 7: numeric settlement id
    ]
    batch = load("medical_settlement", xlsx_bytes(rows), "结算.xlsx")

    assert_accounted(batch)
    assert batch.encoding == "xlsx"
    assert outcomes(batch) == {4: "id_spreadsheet_damaged", 6: "date_invalid"}
    x1 = MedicalSettlement.objects.get(settlement_id="X1")
    assert x1.settle_date == date(2024, 5, 6) and x1.total_cost == Decimal("1234.50")
    assert x1.self_paid == Decimal("234.50")
    assert MedicalSettlement.objects.get(settlement_id="12345").total_cost == Decimal("1000.00")


def test_not_a_workbook_is_rejected():
    with pytest.raises(FileRejected) as exc:
        XlsxSource(io.BytesIO(b"not a zip"), "x.xlsx")
    assert exc.value.code == "not_xlsx"


ID_CASES = [
    id18(seq=1),
    id18(seq=2).lower(),
    id18(born=date(2001, 2, 28), seq=5),
    "130921800517011",  # 15 digits
    "１３０９２１１９８００５１７００１" + idcard.check_char("13092119800517001")[0],
    "1.30921E+17",
    "130921198005170000",
    "13092119800517001",  # 17 digits
    "13092119800532001" + idcard.check_char("13092119800532001"),  # day 32
    "13092118991231001" + idcard.check_char("13092118991231001"),  # before 1900
    "13092130000101001" + idcard.check_char("13092130000101001"),  # future
    "130921198005170011",
    "ABCDEF",
    " '130921198005170010 ",
    "13092119800517001X",
    "130921.1980",
]


def test_sql_id_check_agrees_with_households_idcard(load):
    """The loader's SQL and households.idcard.parse_id_number accept and reject the same IDs."""
    rows = [["结算流水号", "身份证号", "结算日期", "医疗费用总额"]]
    rows += [[f"I{i}", value, "2024-01-01", "1"] for i, value in enumerate(ID_CASES)]
    batch = load("medical_settlement", csv_bytes(rows))
    rejected = outcomes(batch)
    stored = dict(MedicalSettlement.objects.values_list("settlement_id", "id_number"))
    for i, value in enumerate(ID_CASES):
        try:
            expected = idcard.parse_id_number(value)
        except idcard.IdNumberError as exc:
            assert rejected.get(i + 2) == exc.code, value
        else:
            assert stored.get(f"I{i}") == expected, value


def test_diagnosis(load):
    rows = [
        ["病案号", "身份证号", "姓名", "出院日期", "医疗机构", "疾病编码", "诊断名称"],
        ["D1", P, "张三", "2024-02-01", "沧州市中心医院", "i10.x00", "高血压"],
        ["D2", P, "张三", "2024-02-01", "沧州市中心医院", "", "高血压"],
        ["D3", P, "张三", "2024-02-01", "沧州市中心医院", "高血压", ""],
    ]
    batch = load("diagnosis", csv_bytes(rows, encoding="gb18030"))
    assert_accounted(batch)
    assert outcomes(batch) == {3: "required", 4: "icd_format"}
    assert Diagnosis.objects.get(record_id="D1").diagnosis_code == "I10.X00"


def test_disability_certificate(load):
    rows = [
        ["残疾人证号", "身份证号", "残疾类别", "残疾等级", "发证日期", "证件状态"],
        [P + "41", P, "肢体", "一级", "2020-01-01", ""],
        [P + "42B1", P, "4", "2", "2021-01-01", "有效"],  # reissued, other grade: another key
        [id18(seq=22) + "41", P, "肢体", "一级", "2020-01-01", ""],
        [P + "51", P, "肢体", "一级", "2020-01-01", ""],
        [P + "43", P, "肢体", "一级", "2020-01-01", ""],
        [P + "81", P, "肢体", "一级", "2020-01-01", ""],
        [P + "44", P, "肢体", "五级", "2020-01-01", "作废"],
    ]
    batch = load("disability_certificate", csv_bytes(rows))
    assert_accounted(batch)
    assert outcomes(batch) == {
        4: "certificate_id_mismatch",
        5: "certificate_type_mismatch",
        6: "certificate_grade_mismatch",
        7: "certificate_format",
        8: "enum",
    }
    cert = DisabilityCertificate.objects.get(certificate_no=P + "41")
    assert (cert.disability_type, cert.grade, cert.status, cert.is_severe) == (4, 1, "valid", True)
    assert DisabilityCertificate.objects.get(certificate_no=P + "42B1").grade == 2


def test_unemployment_registration(load):
    rows = [
        ["失业登记证号", "身份证号", "登记日期", "登记状态", "就业日期"],
        ["U1", P, "2024-01-01", "失业", ""],
        ["U2", P, "2024-01-01", "已就业", "2024-03-01"],
        ["U3", P, "2024-01-01", "已就业", "2023-03-01"],
        ["U4", P, "2024-01-01", "退休", ""],
    ]
    batch = load("unemployment_registration", csv_bytes(rows))
    assert_accounted(batch)
    assert outcomes(batch) == {4: "end_before_start", 5: "enum"}
    u1 = UnemploymentRegistration.objects.get(registration_no="U1")
    assert (u1.status, u1.ended_on) == ("unemployed", None)
    assert UnemploymentRegistration.objects.get(registration_no="U2").ended_on == date(2024, 3, 1)
