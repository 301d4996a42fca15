"""A data admin's round trip in a real browser: upload a messy GBK file, download its rows to correct
from the batch page, fix them, upload that file, and see every fixed row loaded."""

import csv
import io
from pathlib import Path

import pytest

from households import clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def upload(page, name: str, content: bytes) -> int:
    """Upload a medical-settlement file through the upload page; the new batch's id."""
    page.goto("/imports/upload/")
    page.select_option("#id_category", "medical_settlement")
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_url("**/imports/*/")
    # Without a broker the load ran within the upload request, so the report is already final.
    assert page.locator("#batch-status").inner_text() == "已完成"
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def counts(page) -> dict[str, str]:
    rows = page.locator("#batch-counts tbody tr")
    return {
        rows.nth(i).locator("th").inner_text(): rows.nth(i).locator("td").first.inner_text()
        for i in range(rows.count())
    }


def test_rejected_rows_are_downloaded_fixed_and_uploaded_again(page, login, screenshot, data_admin):
    from households.readlog.models import ReadLogEntry
    from imports.departments import seed_departments
    from imports.models import Department
    from tests.imports.helpers import MESSY_HEADER, csv_bytes, fixed, messy_rows

    seed_departments(Department)  # seeded by a migration, emptied by earlier transactional tests
    rows = messy_rows()
    bad = [(cells, fix) for cells, fix in rows if fix]

    login(data_admin)
    first = upload(page, "医保十月.csv", csv_bytes([MESSY_HEADER] + [r for r, _ in rows], encoding="gbk"))
    assert counts(page)["新增"] == "2" and counts(page)["拒绝"] == "3"
    link = page.locator("#download-rows-to-correct")
    assert link.inner_text().strip() == "下载待修正行（3 行，CSV）"
    assert "含完整身份证号" in page.locator("#rows-to-correct").inner_text()
    screenshot("imports-rows-to-correct-link")

    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == f"批次{first}-待修正行.csv"
    content = Path(download.path()).read_bytes()
    lines = list(csv.reader(io.StringIO(content.decode("gbk"))))
    assert lines[0] == [*MESSY_HEADER, "错误原因"]
    assert [line[:-1] for line in lines[1:]] == [cells for cells, _ in bad]  # full IDs, as in the file
    entry = ReadLogEntry.objects.get(actions__contains=["rows_to_correct"])
    assert (entry.user, entry.batch_id, entry.row_count, entry.at) == (data_admin, first, 3, clock.now())

    # the test fixes the three bad cells and uploads the downloaded file, reason column and all
    second = upload(page, download.suggested_filename, csv_bytes(fixed(lines, bad), encoding="gbk"))
    assert second != first
    figures = counts(page)
    assert (figures["新增"], figures["更正"], figures["重复"], figures["拒绝"]) == ("3", "0", "0", "0")
    assert figures["数据行合计"] == "3"
    assert "与数据行数一致" in page.locator("#counts-check").inner_text()
    assert "错误原因" in page.locator("#extra-columns").inner_text()
    assert "没有被拒绝的行" in page.locator("#no-rejects").inner_text()
    screenshot("imports-rows-to-correct-uploaded-again")
