"""Legacy and open spreadsheet formats (.xls, .ods), and files whose name does not say what they
are: the reader is chosen by content; foreign and encrypted files are refused saying what they are."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest

from imports.loading import FileRejected
from imports.loading.sources import open_source
from imports.models import ImportBatch, MedicalSettlement, RosterEntry
from tests.imports.helpers import (
    assert_accounted,
    biff5_xls_bytes,
    csv_bytes,
    id18,
    ods_bytes,
    ole_bytes,
    outcomes,
    xls_bytes,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db
P = id18(seq=31)
HEAD = id18(area="130921", born=date(1975, 3, 9), seq=32)
SPOUSE = id18(area="130921", born=date(1977, 8, 1), seq=34)

SETTLEMENTS = [
    [None],  # row 1 empty: the header is the first non-empty row
    ["结算流水号", "身份证号", "姓名", "结算日期", "医疗费用总额（元）", "统筹基金支付"],  # row 2
    ["X1", P, "张三", datetime(2024, 5, 6), 1234.5, 1000],  # row 3: a native date cell
    ["X2", 130921198005170210, "张三", date(2024, 5, 7), 10, 0],  # row 4: the ID typed as a number
    [None, None, None, None, None, None],  # row 5: empty, not a data row
    ["X3", P, "张三", "2024-13-01", 10, 0],  # row 6: a date that does not exist
    [12345, P, "张三", "2024年5月8日", "1,000", 0],  # row 7: a numeric settlement id, a text date
]


def assert_settlements_loaded(batch) -> None:
    assert_accounted(batch)
    assert (batch.data_rows, batch.loaded, batch.rejected) == (4, 2, 2)
    assert outcomes(batch) == {4: "id_spreadsheet_damaged", 6: "date_invalid"}
    x1 = MedicalSettlement.objects.get(settlement_id="X1")
    assert (x1.settle_date, x1.total_cost, x1.self_paid) == (
        date(2024, 5, 6),
        Decimal("1234.50"),
        Decimal("234.50"),
    )
    other = MedicalSettlement.objects.get(settlement_id="12345")
    assert (other.settle_date, other.total_cost) == (date(2024, 5, 8), Decimal("1000.00"))


@pytest.mark.parametrize(
    ("make", "name", "kind"),
    [
        (xls_bytes, "结算.xls", "xls"),
        (ods_bytes, "结算.ods", "ods"),
        (xls_bytes, "结算.xlsx", "xls"),  # an .xls renamed .xlsx
        (xlsx_bytes, "结算.xls", "xlsx"),  # and the reverse
        (ods_bytes, "结算.xlsx", "ods"),
        (ods_bytes, "结算.xls", "ods"),
    ],
)
def test_workbooks_load_by_content_with_dates_row_numbers_and_counts(load, make, name, kind):
    batch = load("medical_settlement", make(SETTLEMENTS), name)
    assert batch.encoding == kind
    assert batch.columns == SETTLEMENTS[1]
    assert_settlements_loaded(batch)


def test_the_same_xls_again_changes_nothing(load, client_for, data_admin):
    data = xls_bytes(SETTLEMENTS)
    first = load("medical_settlement", data, "结算.xls")
    assert_settlements_loaded(first)
    again = load("medical_settlement", data, "结算（重发）.xls")
    assert again == first  # recognised by its SHA-256: the earlier batch, nothing new
    assert ImportBatch.objects.count() == 1 and MedicalSettlement.objects.count() == 2
    # The same rows in another file (another format) are duplicates: counted, not stored twice.
    other = load("medical_settlement", ods_bytes(SETTLEMENTS), "结算.ods")
    assert_accounted(other)
    assert (other.loaded, other.duplicate, other.rejected) == (0, 2, 2)
    assert MedicalSettlement.objects.count() == 2


ROSTER = [
    [
        "身份证号",
        "姓名",
        "户主身份证号",
        "与户主关系",
        "行政区划代码",
        "家庭住址",
        "城乡类别",
        "监测类别",
        "纳入日期",
        "家庭年收入",
    ],
    [
        HEAD,
        "王秀英",
        HEAD,
        "户主",
        "130921101",
        ("=", "旧州镇东关村"),
        "农村",
        "特困供养",
        date(2023, 1, 15),
        8600,
    ],
    [SPOUSE, "李建国", HEAD, "配偶", 130921101, "旧州镇东关村", "农村", "低保", datetime(2023, 2, 1), None],
    [id18(seq=35), "赵四", HEAD, "表亲", "130921101", "", "农村", "低保", date(2023, 1, 15), None],  # row 4
    [id18(seq=36), "孙六", HEAD, "子", "130921101", "", "农村", "低保", "2023年13月1日", None],  # row 5
    [
        130921198005170210.0,
        "钱五",
        HEAD,
        "子",
        "130921101",
        "",
        "农村",
        "低保",
        date(2023, 1, 15),
        None,
    ],  # row 6
]


@pytest.mark.parametrize(
    "make",
    [
        lambda rows: xls_bytes(rows, sheets=2),  # Excel 97–2003 (BIFF8), as WPS saves .xls: Unicode text
        # Excel 5.0/95 (BIFF5) kept text in the code page of the machine: 936 (GBK) in China.
        # python-calamine garbles that text; the loader reads such a workbook itself.
        biff5_xls_bytes,
    ],
    ids=["biff8", "biff5-gbk"],
)
def test_a_chinese_roster_in_xls_loads_its_text_numbers_and_dates(load, regions, make):
    data = make(ROSTER)

    batch = load("roster", data, "低收入人口名册.xls")

    assert_accounted(batch)
    assert batch.encoding == "xls"
    assert batch.columns == ROSTER[0]
    assert (batch.data_rows, batch.loaded) == (5, 2)
    assert outcomes(batch) == {4: "enum", 5: "date_invalid", 6: "id_spreadsheet_damaged"}
    head = RosterEntry.objects.get(id_number=HEAD)
    assert (head.name, head.address, head.category, head.since, head.household_annual_income) == (
        "王秀英",
        "旧州镇东关村",
        "tekun",
        date(2023, 1, 15),
        Decimal("8600.00"),
    )
    spouse = RosterEntry.objects.get(id_number=SPOUSE)
    assert (spouse.name, spouse.region_code, spouse.since) == ("李建国", "130921101", date(2023, 2, 1))
    # the same bytes again: recognised, nothing changes
    assert load("roster", data, "名册（重发）.xls") == batch
    assert RosterEntry.objects.count() == 2


def test_the_gbk_workbook_really_holds_gbk_text():
    data = biff5_xls_bytes(ROSTER)
    assert "王秀英".encode("gbk") in data and "王秀英".encode("utf-16-le") not in data


def test_an_excel_95_workbook_in_a_western_code_page_loads(load):
    rows = [["settlement_id", "id_number", "settle_date", "total_cost"], ["W1", P, date(2024, 5, 6), 12.5]]
    batch = load("medical_settlement", biff5_xls_bytes(rows, codepage=1252), "legacy.xls")
    assert_accounted(batch)
    w1 = MedicalSettlement.objects.get(settlement_id="W1")
    assert (w1.settle_date, w1.total_cost) == (date(2024, 5, 6), Decimal("12.50"))


@pytest.mark.parametrize("name", ["结算.xlsx", "结算.xls", "结算.ods"])
def test_a_csv_with_a_workbook_name_is_read_as_text(load, name):
    rows = [["结算流水号", "身份证号", "结算日期", "医疗费用总额"], ["C1", P, "2024-05-06", "12.5"]]
    batch = load("medical_settlement", csv_bytes(rows, encoding="gb18030"), name)
    assert_accounted(batch)
    assert (batch.encoding, batch.loaded) == ("gb18030", 1)


def test_a_tab_separated_text_named_xls_is_read(load):
    """Old business systems export tab-separated text and call it .xls."""
    rows = [["结算流水号", "身份证号", "结算日期", "医疗费用总额"], ["T1", P, "2024-05-06", "1,234.50"]]
    batch = load("medical_settlement", csv_bytes(rows, sep="\t"), "导出.xls")
    assert_accounted(batch)
    assert MedicalSettlement.objects.get(settlement_id="T1").total_cost == Decimal("1234.50")


ACCEPTED = "只接受 .csv、.txt（逗号或制表符分隔的文本）、.xlsx、.xls 或 .ods"


@pytest.mark.parametrize(
    ("data", "code", "found"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "file_type", "的内容是PDF 文件"),
        (ole_bytes("WordDocument"), "file_type", "的内容是Word 文档（.doc）"),
        (ole_bytes("EncryptedPackage"), "encrypted", "是设置了打开密码的（加密的）工作簿"),
        (b"<html><head><meta charset=gbk></head><body><table>", "file_type", "网页（HTML"),
    ],
)
def test_foreign_and_encrypted_files_are_refused_saying_what_they_are(load, data, code, found):
    batch = load("medical_settlement", data, "结算.xls")
    assert (batch.status, batch.error_code) == ("rejected", code)
    assert found in batch.error_message
    assert (ACCEPTED if code == "file_type" else ".xlsx、.xls 或 .ods") in batch.error_message
    assert not MedicalSettlement.objects.exists()


def test_a_word_docx_renamed_xlsx_is_refused():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(FileRejected) as exc:
        open_source(io.BytesIO(out.getvalue()), "结算.xlsx")
    assert exc.value.code == "file_type" and "Word 文档（.docx）" in exc.value.message


def test_a_sparse_xls_that_would_fill_memory_is_refused_before_it_is_opened(load):
    """Two cells, A1 and IV65536: 6 KB on disk, 16.7 million cells (over a gigabyte) in the reader."""
    rows = [["结算流水号"]] + [[]] * 65_534 + [[None] * 255 + ["x"]]
    data = xls_bytes(rows)
    assert len(data) < 20_000
    batch = load("medical_settlement", data, "结算.xls")
    assert (batch.status, batch.error_code) == ("rejected", "sheet_too_large")
    assert "最多 5,000,000 个单元格" in batch.error_message


def test_an_ods_repeating_a_filled_row_a_million_times_is_refused(load, settings):
    tail = (
        '<table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell table:number-columns-repeated="20" office:value-type="string"><text:p>x</text:p>'
        "</table:table-cell></table:table-row>"
    )
    batch = load("medical_settlement", ods_bytes(SETTLEMENTS, tail=tail), "结算.ods")
    assert (batch.status, batch.error_code) == ("rejected", "sheet_too_large")
    # LibreOffice pads every sheet with empty repeated cells to the last row: they cost nothing.
    MedicalSettlement.objects.all().delete()
    ImportBatch.objects.all().delete()
    padding = (
        '<table:table-row table:number-rows-repeated="1048570">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    assert_settlements_loaded(load("medical_settlement", ods_bytes(SETTLEMENTS, tail=padding), "结算.ods"))


def test_xls_and_ods_keep_the_row_limit(load, settings):
    settings.IMPORT_MAX_ROWS = 3
    header = ["结算流水号", "身份证号", "结算日期", "医疗费用总额"]
    rows = [header] + [[f"R{n}", P, date(2024, 5, 6), 1] for n in range(4)]
    for make, name in ((xls_bytes, "a.xls"), (ods_bytes, "a.ods")):
        batch = load("medical_settlement", make(rows), name)
        assert (batch.status, batch.error_code) == ("rejected", "too_many_rows")
        assert not MedicalSettlement.objects.exists()
        batch = load("medical_settlement", make(rows[:4]), name)
        assert_accounted(batch)
        assert batch.data_rows == 3
        MedicalSettlement.objects.all().delete()


def test_an_ods_that_is_a_zip_bomb_is_refused_like_an_xlsx(load, settings):
    settings.IMPORT_XLSX_MAX_UNCOMPRESSED_MB = 1
    rows = [SETTLEMENTS[1]] + [[f"B{n}", P, "张三", date(2024, 5, 6), 1, 0] for n in range(4000)]
    batch = load("medical_settlement", ods_bytes(rows), "结算.ods")
    assert (batch.status, batch.error_code) == ("rejected", "xlsx_too_large")
    assert batch.error_message.startswith("OpenDocument（.ods）表格解压后为 ")
    assert "超过上限（最大 1 MB）" in batch.error_message


def test_the_upload_page_loads_an_xls_and_refuses_an_encrypted_workbook_at_once(
    client_for, data_admin, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.helpers import page_text

    client = client_for(data_admin)
    url = reverse("imports:batch_upload")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "category": "medical_settlement",
                "file": SimpleUploadedFile("结算.xls", xls_bytes(SETTLEMENTS)),
            },
        )
    assert response.status_code == 302
    text = page_text(client.get(response["Location"]))
    assert "Excel 97–2003 工作簿（.xls）" in text  # how the file was read
    assert_settlements_loaded(ImportBatch.objects.get())

    locked = SimpleUploadedFile("加密.xlsx", ole_bytes("EncryptedPackage"))
    response = client.post(url, {"category": "medical_settlement", "file": locked})
    assert response.status_code == 200
    assert "“加密.xlsx”是设置了打开密码的（加密的）工作簿，无法读取" in page_text(response)
    assert ImportBatch.objects.count() == 1  # nothing stored for it


def test_an_xls_with_an_open_password_is_refused(load):
    """A password-protected Excel 97–2003 file keeps its records RC4-encrypted after a FILEPASS record."""
    import struct

    import xlwt
    from xlwt.CompoundDoc import XlsDoc

    book = xlwt.Workbook()
    book.add_sheet("Sheet1").write(0, 0, "结算流水号")
    stream = book.get_biff_data()
    bof_end = 4 + struct.unpack_from("<H", stream, 2)[0]
    filepass = struct.pack("<HHH", 0x002F, 2, 1)  # FILEPASS, RC4
    out = io.BytesIO()
    XlsDoc().save(out, stream[:bof_end] + filepass + stream[bof_end:])

    batch = load("medical_settlement", out.getvalue(), "结算.xls")
    assert (batch.status, batch.error_code) == ("rejected", "encrypted")
    assert "“结算.xls”是设置了打开密码的（加密的）工作簿" in batch.error_message
