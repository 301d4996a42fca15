"""A data admin's import pages in a real browser: list, upload form, batch report, live progress."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from households import clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_report_batch(data_admin):
    """A finished medical-settlement batch with a few rejected rows, as the loader leaves one."""

    from tests.factories import make_id_number
    from tests.imports.factories import BatchFactory, RejectedRowFactory

    started = clock.now() - timedelta(minutes=3)
    batch = BatchFactory(
        file_name="沧州医保结算_2026年10月.csv",
        size_bytes=48_213_504,
        loaded=251_320,
        corrected=1_204,
        duplicate=310,
        rejected=6,
        name_mismatch=17,
        uploaded_by=data_admin,
        started_at=started,
        finished_at=started + timedelta(seconds=2, milliseconds=100),
        extra_columns=["经办机构", "备注"],
    )
    bad = make_id_number()[:17] + "0"
    rows = [
        (12, "身份证号", "id_check_digit", "身份证号“{id}”校验位不正确，请核对号码", {"身份证号": bad}),
        (
            40,
            "身份证号",
            "id_spreadsheet_damaged",
            "身份证号“1.30921E+17”已被表格软件改动（科学计数法或末尾变为0），无法还原；请把该列设为文本格式后重新导出",
            {"身份证号": "1.30921E+17"},
        ),
        (
            58,
            "结算日期",
            "date_future",
            "结算日期“2027-01-05”晚于导入当天，不能接受",
            {"结算日期": "2027-01-05"},
        ),
        (
            77,
            "医疗费用总额",
            "money_negative",
            "医疗费用总额“-35.00”为负数，金额不能为负",
            {"医疗费用总额": "-35.00"},
        ),
        (
            90,
            "就诊类型",
            "enum_invalid",
            "就诊类型“急诊”不在允许值内：住院、门诊、门诊慢特病、药店购药",
            {"就诊类型": "急诊"},
        ),
        (
            91,
            "个人负担",
            "self_paid_exceeds_total",
            "个人负担 900.00 超过医疗费用总额 800.00",
            {"个人负担": "900.00"},
        ),
    ]
    for row_number, column, code, message, cells in rows:
        RejectedRowFactory(
            batch=batch,
            row_number=row_number,
            column=column,
            reason_code=code,
            message=message.format(id=bad),
            raw={"结算流水号": f"JS{row_number:06d}", "身份证号": bad, "姓名": "王五", **cells},
        )
    return batch, bad


def test_data_admin_opens_the_batch_list_upload_form_and_a_batch_report(page, login, screenshot, data_admin):
    from imports.models import FeedCategory
    from tests.imports.factories import BatchFactory

    batch, bad_id = make_report_batch(data_admin)
    refused = BatchFactory(
        category=FeedCategory.ROSTER,
        file_name="低收入人口名册.xlsx",
        status="rejected",
        error_code="missing_columns",
        error_message="缺少必填列：身份证号（id_number）、监测类别（category）",
        uploaded_by=data_admin,
    )

    login(data_admin)
    page.get_by_role("link", name="数据导入").first.click()
    page.wait_for_url("**/imports/")
    table = page.locator("#batch-table").inner_text()
    assert "沧州医保结算_2026年10月.csv" in table and "已完成" in table
    assert "低收入人口名册.xlsx" in table and "文件被拒" in table
    screenshot("imports-batch-list")

    page.get_by_role("link", name="上传文件").click()
    page.wait_for_url("**/imports/upload/")
    options = page.locator("#id_category option").all_inner_texts()
    assert "医保结算明细（医疗保障局）" in options and "低收入人口名册（民政局）" in options
    assert page.locator("#id_file").get_attribute("accept") == ".csv,.txt,.xlsx,.xls,.ods"
    # Choosing a category opens its columns and rules (and closes the others)
    page.select_option("#id_category", "roster")
    expect(page.locator("#guide-roster")).to_have_attribute("open", "")
    page.select_option("#id_category", "medical_settlement")
    guide = page.locator("#guide-medical_settlement")
    expect(guide).to_have_attribute("open", "")
    expect(page.locator("#guide-roster")).not_to_have_attribute("open", "")
    assert "医疗费用总额" in guide.inner_text() and "门诊慢特病" in guide.inner_text()
    screenshot("imports-upload-guide")
    with page.expect_download() as info:
        guide.get_by_role("link", name="下载“医保结算明细”Excel 模板").click()
    assert info.value.suggested_filename == "医保结算明细-导入模板.xlsx"
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    header = next(book.worksheets[0].iter_rows(max_row=1, values_only=True))
    assert header[:2] == ("结算流水号", "身份证号")
    page.set_input_files(
        "#id_file", files=[{"name": "结算.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}]
    )
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_selector(".invalid-feedback")
    assert (
        page.locator(".invalid-feedback").inner_text()
        == "不支持“.pdf”文件，只接受 .csv、.txt、.xlsx、.xls 或 .ods"
    )
    assert page.locator("#id_category").input_value() == "medical_settlement"  # the choice is kept
    screenshot("imports-upload-error")

    page.goto(f"/imports/{refused.pk}/")
    assert (
        "缺少必填列：身份证号（id_number）、监测类别（category）" in page.locator("#file-error").inner_text()
    )

    page.goto("/imports/")
    page.get_by_role("link", name=f"#{batch.pk}").click()
    page.wait_for_url(f"**/imports/{batch.pk}/")
    assert page.locator("h1").inner_text() == f"批次 #{batch.pk} · 医保结算明细"
    assert "与数据行数一致" in page.locator("#counts-check").inner_text()
    assert "2.1 秒" in page.locator("#batch-facts").inner_text()
    rows = page.locator("#rejected-rows tbody tr")
    assert rows.count() == 6
    body = page.locator("body").inner_text()
    assert bad_id not in body and f"{bad_id[:6]}********{bad_id[-4:]}" in body
    screenshot("imports-batch-detail")

    with page.expect_download() as info:
        page.locator("#download-rejects").click()
    content = Path(info.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("行号,列,原因代码,原因,说明,")
    assert bad_id not in text and "'-35.00" in text


def test_a_running_batch_shows_progress_and_the_report_appears_when_it_ends(
    page, login, screenshot, data_admin
):

    from imports import progress
    from imports.models import BatchStatus, ImportBatch
    from tests.imports.factories import BatchFactory

    batch = BatchFactory(
        status=BatchStatus.RUNNING, size_bytes=10_000_000, finished_at=None, uploaded_by=data_admin
    )
    progress.report(batch.pk, phase="reading", rows_read=150_000, bytes_read=3_000_000)

    login(data_admin)
    page.goto(f"/imports/{batch.pk}/")
    assert "导入中" in page.locator("#batch-status").inner_text()
    page.wait_for_selector("#batch-progress")
    assert "30%" in page.locator("#batch-progress").inner_text()

    progress.report(batch.pk, phase="reading", rows_read=400_000, bytes_read=8_000_000)
    expect(page.locator("#batch-progress")).to_contain_text("80%", timeout=5000)
    screenshot("imports-batch-progress")

    ImportBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.SUCCEEDED,
        data_rows=500_000,
        rows_read=500_000,
        loaded=500_000,
        finished_at=clock.now(),
    )
    expect(page.locator("#batch-status")).to_contain_text("已完成", timeout=5000)
    assert page.locator("#batch-progress").count() == 0
    assert "没有被拒绝的行" in page.locator("#no-rejects").inner_text()


def test_data_admin_uploads_a_file_and_reads_its_report(page, login, screenshot, data_admin):
    from imports.departments import seed_departments
    from imports.models import Department
    from tests.factories import make_id_number, make_id_with_wrong_check_char

    seed_departments(Department)  # seeded by a migration, emptied by earlier transactional tests

    good, bad = make_id_number(), make_id_with_wrong_check_char()
    content = (
        "结算流水号,身份证号,姓名,结算日期,医疗费用总额,个人负担\r\n"
        f"JS900,{good},周九,2026-10-01,1500,600\r\n"
        f"JS901,{bad},吴十,2026-10-02,80,8\r\n"
    ).encode("gbk")

    login(data_admin)
    page.goto("/imports/upload/")
    page.select_option("#id_category", "medical_settlement")
    page.set_input_files(
        "#id_file", files=[{"name": "医保十月.csv", "mimeType": "text/csv", "buffer": content}]
    )
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_url("**/imports/*/")
    # Without a broker the load ran within the upload request, so the report is already final.
    assert page.locator("#batch-status").inner_text() == "已完成"
    assert "文件已上传并处理完毕" in page.locator(".messages").inner_text()
    assert "与数据行数一致" in page.locator("#counts-check").inner_text()
    assert "GBK / GB18030" in page.locator("#batch-encoding").inner_text()
    assert page.locator("#rejected-rows tbody tr").count() == 1
    assert bad not in page.locator("body").inner_text()
    screenshot("imports-uploaded-report")
