"""Rows to correct (待修正行): the rejected rows as the file had them, to fix and upload again."""

import csv
import io
from datetime import datetime, time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from households import clock
from households.readlog.models import ReadLogEntry
from imports.corrections import REASON_HEADER
from imports.loading.headers import map_headers
from imports.models import ImportBatch
from imports.specs import SPECS
from tests.factories import make_id_number, make_id_with_wrong_check_char
from tests.imports.factories import BatchFactory, RejectedRowFactory
from tests.imports.helpers import MESSY_HEADER, assert_accounted, csv_bytes, fixed, idcheck, messy_rows

pytestmark = pytest.mark.django_db

HEADER = MESSY_HEADER


def download(client, batch, status: int = 200):
    response = client.get(reverse("imports:batch_rows_to_correct", args=[batch.pk]))
    assert response.status_code == status
    return response, (b"".join(response.streaming_content) if status == 200 else b"")


def upload_through_the_page(client, capture_on_commit, name: str, content: bytes) -> ImportBatch:
    """Upload a medical-settlement file as a data admin does and run its load (queued on commit);
    the new batch, its counts checked to add up."""
    upload = SimpleUploadedFile(name, content)
    with capture_on_commit(execute=True):
        response = client.post(
            reverse("imports:batch_upload"), {"category": "medical_settlement", "file": upload}
        )
    assert response.status_code == 302
    batch = ImportBatch.objects.latest("pk")
    assert batch.file_name == name
    assert_accounted(batch)
    return batch


def csv_records(body: bytes, encoding: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode(encoding)), delimiter=delimiter))


# --- CSV: the file's separator and encoding ----------------------------------------------------


def test_a_gbk_csv_comes_back_gbk_with_the_files_columns_full_values_and_a_reason_column(
    client_for, data_admin, load, django_capture_on_commit_callbacks
):
    rows = messy_rows()
    batch = load(
        "medical_settlement", csv_bytes([HEADER] + [r for r, _ in rows], encoding="gbk"), "医保十月.csv"
    )
    assert (batch.rejected, batch.loaded, batch.encoding, batch.delimiter) == (3, 2, "gb18030", ",")
    response, body = download(client_for(data_admin), batch)

    assert response["Content-Type"] == "text/csv; charset=gb18030"
    assert not body.startswith(b"\xef\xbb\xbf")
    lines = csv_records(body, "gbk")  # plain GBK reads it: every character here is in GBK
    assert lines[0] == [*HEADER, "错误原因"]
    bad = [(r, fix) for r, fix in rows if fix]
    assert [line[:-1] for line in lines[1:]] == [r for r, _ in bad]  # full IDs, "-35.00", "=1+1"
    reasons = [line[-1] for line in lines[1:]]
    assert "校验位不符" in reasons[0] and "不是真实存在的日期" in reasons[1] and "为负数" in reasons[2]

    # the data admin fixes the three cells and uploads the file as it is
    again = csv_bytes(fixed(lines, bad), encoding="gbk")
    second = upload_through_the_page(
        client_for(data_admin), django_capture_on_commit_callbacks, "医保十月-待修正行.csv", again
    )
    assert (second.data_rows, second.loaded, second.rejected) == (3, 3, 0)
    assert second.extra_columns == ["备注", "错误原因"]


def test_a_utf8_file_with_or_without_bom_comes_back_utf8_with_bom_and_a_tab_file_with_tabs(
    client_for, data_admin, load
):
    wrong = make_id_with_wrong_check_char()
    day = clock.today().isoformat()
    rows = [["记录编号", "身份证号", "诊断日期", "诊断编码"], ["BA1", wrong, day, "C34.901"]]
    for encoding in ("utf-8", "utf-8-sig"):
        content = csv_bytes(rows, encoding=encoding, sep="\t")
        batch = load("diagnosis", content, f"诊断-{encoding}.txt")
        assert batch.rejected == 1
        response, body = download(client_for(data_admin), batch)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert body.startswith(b"\xef\xbb\xbf") and body.count(b"\xef\xbb\xbf") == 1
        lines = csv_records(body[3:], "utf-8", delimiter="\t")
        assert lines[0] == [*rows[0], "错误原因"]
        assert lines[1][:4] == rows[1]
        assert response["Content-Disposition"].startswith(
            f'attachment; filename="batch-{batch.pk}-rows-to-correct.csv"'
        )


def test_a_row_with_several_problems_lists_them_all_in_its_reason(client_for, data_admin, load):
    wrong = make_id_with_wrong_check_char()
    day = clock.today().isoformat()
    batch = load(
        "medical_settlement",
        csv_bytes([HEADER[:5], ["JS1", wrong, "甲", day, "-5"]]),
    )
    _, body = download(client_for(data_admin), batch)
    reason = csv_records(body[3:], "utf-8")[1][-1]
    assert "校验位不符" in reason and "为负数" in reason and "；" in reason


def test_rows_come_in_file_order_and_rows_replaced_later_in_the_same_file_are_left_out(
    client_for, data_admin, load
):
    day = clock.today().isoformat()
    a, b = make_id_number(), make_id_number()
    rows = [
        HEADER[:5],
        ["JS9", a, "甲", day, "-1"],  # row 2: bad
        ["JS7", a, "甲", day, "10"],  # row 3: replaced by row 5 (same settlement)
        ["JS8", b, "乙", "2025-13-01", "10"],  # row 4: bad
        ["JS7", a, "甲", day, "12"],  # row 5
    ]
    batch = load("medical_settlement", csv_bytes(rows))
    assert batch.rejected == 3
    client = client_for(data_admin)
    _, body = download(client, batch)
    assert [line[0] for line in csv_records(body[3:], "utf-8")[1:]] == ["JS9", "JS8"]
    entry = ReadLogEntry.objects.get()
    assert entry.row_count == 2
    page = client.get(reverse("imports:batch_detail", args=[batch.pk])).content.decode()
    assert "下载待修正行（2 行，CSV）" in page
    assert "另有 1 行与同一文件中后面的行重复" in page


def test_a_batch_loaded_before_its_separator_was_kept_comes_back_comma_separated_utf8(client_for, data_admin):
    batch = BatchFactory(rejected=1, columns=["结算流水号", "身份证号", "姓名"], encoding="", delimiter="")
    id_number = make_id_number()
    RejectedRowFactory(batch=batch, raw={"姓名": "张三", "身份证号": id_number, "结算流水号": "JS1"})
    _, body = download(client_for(data_admin), batch)
    assert csv_records(body[3:], "utf-8") == [
        ["结算流水号", "身份证号", "姓名", "错误原因"],
        ["JS1", id_number, "张三", "身份证号校验位不正确"],
    ]


def test_a_large_batch_streams_in_chunks(client_for, data_admin):
    batch = BatchFactory(rejected=1200, columns=["结算流水号", "身份证号", "姓名"])
    RejectedRowFactory.create_batch(1200, batch=batch)
    response = client_for(data_admin).get(reverse("imports:batch_rows_to_correct", args=[batch.pk]))
    assert response.streaming
    chunks = list(response.streaming_content)
    assert len(chunks) >= 3  # 500 lines a chunk: never the whole file at once
    assert len(csv_records(b"".join(chunks)[3:], "utf-8")) == 1201


# --- .xlsx and other workbooks -----------------------------------------------------------------


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_cells(body: bytes):
    return [list(row) for row in load_workbook(io.BytesIO(body)).worksheets[0].iter_rows()]


def test_an_xlsx_comes_back_as_xlsx_of_text_cells_showing_what_the_file_showed_and_uploads_again(
    client_for, data_admin, load, django_capture_on_commit_callbacks
):
    day = clock.today() - timedelta(days=3)
    wrong, good = make_id_with_wrong_check_char(), make_id_number()
    rows = [
        HEADER,
        ["JS1", good, "甲", datetime.combine(day, time(0)), 1500, 600.5, "好"],
        ["JS2", wrong, "乙", datetime.combine(day, time(9, 30)), 80, 8, "+1 待查"],
        ["JS3", good, "丙", day.isoformat(), -12.5, 0, None],
    ]
    batch = load("medical_settlement", xlsx(rows), "医保.xlsx")
    assert (batch.loaded, batch.rejected) == (1, 2)
    response, body = download(client_for(data_admin), batch)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="batch-{batch.pk}-rows-to-correct.xlsx"' in response["Content-Disposition"]
    cells = sheet_cells(body)
    values = [[c.value for c in row] for row in cells]
    assert values == [
        [*HEADER, "错误原因"],
        ["JS2", wrong, "乙", f"{day.isoformat()} 09:30:00", "80", "8", "+1 待查", values[1][-1]],
        ["JS3", good, "丙", day.isoformat(), "-12.5", "0", None, values[2][-1]],
    ]
    assert all(c.data_type == "s" and c.number_format == "@" for row in cells for c in row if c.value)

    # fixed in Excel: the ID and the amount; uploaded through the upload page
    book = load_workbook(io.BytesIO(body))
    sheet = book.worksheets[0]
    sheet["B2"] = wrong[:17] + idcheck(wrong)
    sheet["E3"] = "12.5"
    again = io.BytesIO()
    book.save(again)
    second = upload_through_the_page(
        client_for(data_admin), django_capture_on_commit_callbacks, "医保-待修正行.xlsx", again.getvalue()
    )
    assert (second.data_rows, second.loaded, second.rejected) == (2, 2, 0)
    assert second.extra_columns == ["备注", "错误原因"]


@pytest.mark.parametrize("file_name", ["名册.xls", "名册.ods", "名册.XLSX", "名册.numbers"])
def test_every_other_kind_of_file_comes_back_as_xlsx(client_for, data_admin, file_name):
    batch = BatchFactory(rejected=1, file_name=file_name, columns=["结算流水号", "身份证号", "姓名"])
    id_number = make_id_number()
    RejectedRowFactory(batch=batch, raw={"结算流水号": "JS1", "身份证号": id_number, "姓名": "=1+1"})
    response, body = download(client_for(data_admin), batch)
    assert response["Content-Disposition"].endswith(".xlsx")
    row = sheet_cells(body)[1]
    assert [c.value for c in row] == ["JS1", id_number, "=1+1", "身份证号校验位不正确"]
    assert row[2].data_type == "s"  # shown as typed, never calculated


# --- the reason column ----------------------------------------------------------------------------


@pytest.mark.parametrize("category", sorted(SPECS))
def test_the_reason_column_is_no_fields_header_so_an_upload_reports_it_unused(category):
    spec = SPECS[category]
    header = [f.all_headers[0] for f in spec.fields] + [str(REASON_HEADER)]
    assert map_headers(spec, header).extra == [str(REASON_HEADER)]


def test_a_reason_column_of_an_earlier_round_is_replaced_not_repeated(client_for, data_admin):
    columns = ["结算流水号", "身份证号", "错误原因", "备注"]
    batch = BatchFactory(rejected=1, columns=columns)
    RejectedRowFactory(
        batch=batch,
        message="新的原因",
        raw={"结算流水号": "JS1", "身份证号": "1", "错误原因": "上一轮的原因", "备注": "x"},
    )
    _, body = download(client_for(data_admin), batch)
    assert csv_records(body[3:], "utf-8") == [
        ["结算流水号", "身份证号", "备注", "错误原因"],
        ["JS1", "1", "x", "新的原因"],
    ]


# --- who may download it, and the log --------------------------------------------------------------


def test_every_download_is_logged_with_who_when_which_batch_and_how_many_rows(client_for, data_admin):
    batch = BatchFactory(rejected=2)
    RejectedRowFactory.create_batch(2, batch=batch)
    response, _ = download(client_for(data_admin), batch)
    assert response["Cache-Control"] == "no-store"
    entry = ReadLogEntry.objects.get()
    assert entry.user == data_admin and entry.role == "data_admin"
    assert entry.at == clock.now()
    assert entry.actions == ["rows_to_correct"] and entry.batch_id == batch.pk and entry.row_count == 2
    assert entry.action_labels() == ["下载待修正行"]  # as the admin's read log lists it
    assert entry.file == f"批次{batch.pk}-待修正行.csv"
    download(client_for(data_admin), batch)
    assert ReadLogEntry.objects.count() == 2


def test_the_filename_names_the_batch_in_ascii_and_in_chinese(client_for, data_admin):
    batch = BatchFactory(rejected=1)
    RejectedRowFactory(batch=batch)
    response, _ = download(client_for(data_admin), batch)
    assert response["Content-Disposition"] == (
        f'attachment; filename="batch-{batch.pk}-rows-to-correct.csv"; '
        f"filename*=UTF-8''%E6%89%B9%E6%AC%A1{batch.pk}-%E5%BE%85%E4%BF%AE%E6%AD%A3%E8%A1%8C.csv"
    )


def test_only_data_admins_get_it_and_the_link(client_for, data_admin, superuser, city_supervisor):
    batch = BatchFactory(rejected=1)
    RejectedRowFactory(batch=batch)
    detail = reverse("imports:batch_detail", args=[batch.pk])

    page = client_for(data_admin).get(detail).content.decode()
    assert 'id="download-rows-to-correct"' in page and "含完整身份证号" in page
    # a superuser sees every import page, but rows to correct follow the role
    page = client_for(superuser).get(detail).content.decode()
    assert 'id="download-rejects"' in page and "download-rows-to-correct" not in page
    response, _ = download(client_for(superuser), batch, status=403)
    assert "只有数据管理员可以下载" in response.content.decode()
    download(client_for(city_supervisor), batch, status=403)
    assert not ReadLogEntry.objects.filter(actions__contains=["rows_to_correct"]).exists()


def test_a_missing_batch_is_404(client_for, data_admin):
    response = client_for(data_admin).get(reverse("imports:batch_rows_to_correct", args=[999999]))
    assert response.status_code == 404


def test_a_batch_without_rejected_rows_offers_no_link(client_for, data_admin):
    batch = BatchFactory(loaded=3)
    page = client_for(data_admin).get(reverse("imports:batch_detail", args=[batch.pk])).content.decode()
    assert "download-rows-to-correct" not in page


def test_the_database_keeps_only_separators_the_loader_reads(db):
    batch = BatchFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).update(delimiter=";")
    ImportBatch.objects.filter(pk=batch.pk).update(delimiter="\t")


@pytest.mark.parametrize(
    "file_name, read_as, comes_back",
    [("医保.csv", "xls", ".xlsx"), ("医保.xlsx", "gb18030", ".csv"), ("医保.txt", "ods", ".xlsx")],
)
def test_a_renamed_file_comes_back_in_the_kind_it_was_read_as_not_its_name(
    client_for, data_admin, file_name, read_as, comes_back
):
    # The loader reads by content (an .xls renamed .csv is a workbook): so do the rows to correct.
    batch = BatchFactory(rejected=1, file_name=file_name, encoding=read_as, columns=["结算流水号", "姓名"])
    RejectedRowFactory(batch=batch, raw={"结算流水号": "JS1", "姓名": "张三"})
    response, _body = download(client_for(data_admin), batch)
    assert response["Content-Disposition"].endswith(comes_back)
