"""The data admin's import pages: who may open them, what a batch report says, the upload form."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from households import clock
from imports import progress
from imports.models import BatchStatus, FeedCategory, ImportBatch
from imports.services import batch_submit
from tests.factories import make_id_number
from tests.helpers import page_text
from tests.imports.factories import BatchFactory, RejectedRowFactory

pytestmark = pytest.mark.django_db


def urls_for(batch: ImportBatch) -> list[str]:
    return [
        reverse("imports:batch_list"),
        reverse("imports:batch_upload"),
        reverse("imports:batch_detail", args=[batch.pk]),
        reverse("imports:batch_progress", args=[batch.pk]),
        reverse("imports:batch_rejects_csv", args=[batch.pk]),
    ]


# --- access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["caseworker_a", "caseworker_b", "county_supervisor", "city_supervisor"])
def test_only_data_admins_open_import_pages(request, client_for, persona):
    batch = RejectedRowFactory().batch
    client = client_for(request.getfixturevalue(persona))
    for url in urls_for(batch):
        assert client.get(url).status_code == 403, url
    upload = SimpleUploadedFile("a.csv", b"id\n1\n")
    response = client.post(reverse("imports:batch_upload"), {"category": "diagnosis", "file": upload})
    assert response.status_code == 403
    assert not ImportBatch.objects.exclude(pk=batch.pk).exists()


@pytest.mark.parametrize("persona", ["data_admin", "superuser"])
def test_data_admins_and_superusers_open_every_import_page(request, client_for, persona):
    batch = RejectedRowFactory().batch
    client = client_for(request.getfixturevalue(persona))
    for url in urls_for(batch):
        assert client.get(url).status_code == 200, url


def test_anonymous_visitors_are_sent_to_sign_in(client, regions):
    batch = BatchFactory()
    for url in urls_for(batch):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_an_expired_session_while_polling_sends_the_whole_page_to_sign_in(client, regions):
    batch = BatchFactory(status=BatchStatus.RUNNING, finished_at=None)
    response = client.get(reverse("imports:batch_progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/login/?next=")
    assert reverse("imports:batch_detail", args=[batch.pk]) in response["HX-Redirect"].replace("%2F", "/")


def test_missing_batch_is_404_for_a_data_admin(client_for, data_admin):
    client = client_for(data_admin)
    for name in ("batch_detail", "batch_progress", "batch_rejects_csv"):
        assert client.get(reverse(f"imports:{name}", args=[987654])).status_code == 404


def test_the_imports_page_is_in_the_navigation_of_data_admins_only(client_for, data_admin, city_supervisor):
    url = reverse("imports:batch_list")
    assert f'href="{url}"' in client_for(data_admin).get("/").content.decode()
    assert f'href="{url}"' not in client_for(city_supervisor).get("/").content.decode()


# --- batch list ---------------------------------------------------------------------------------


def test_batch_list_shows_newest_first_with_status_counts_and_who(client_for, data_admin):
    older = BatchFactory(
        loaded=1200, corrected=30, duplicate=5, rejected=7, name_mismatch=2, uploaded_by=data_admin
    )
    newer = BatchFactory(
        category=FeedCategory.ROSTER,
        file_name="名册_十一月.xlsx",
        status=BatchStatus.REJECTED,
        error_message="缺少必填列：身份证号（id_number）",
    )
    text = page_text(client_for(data_admin).get(reverse("imports:batch_list")))
    assert text.index(f"#{newer.pk}") < text.index(f"#{older.pk}")
    assert "名册_十一月.xlsx" in text and "低收入人口名册 民政局" in text and "文件被拒" in text
    assert "没有导入任何行：缺少必填列：身份证号（id_number）" in text
    assert "医保结算明细 医疗保障局" in text and "已完成" in text
    assert f"1242 1200 30 5 7 2 {data_admin.get_full_name()}" in text
    assert "4.0 秒" in text


def test_batch_list_filters_by_category_and_status(client_for, data_admin):
    roster = BatchFactory(category=FeedCategory.ROSTER, loaded=3)
    medical = BatchFactory(category=FeedCategory.MEDICAL_SETTLEMENT, loaded=3)
    failed = BatchFactory(category=FeedCategory.ROSTER, status=BatchStatus.FAILED)
    client = client_for(data_admin)

    text = page_text(client.get(reverse("imports:batch_list"), {"category": "roster"}))
    assert f"#{roster.pk}" in text and f"#{failed.pk}" in text and f"#{medical.pk}" not in text

    text = page_text(client.get(reverse("imports:batch_list"), {"category": "roster", "status": "failed"}))
    assert f"#{failed.pk}" in text and f"#{roster.pk}" not in text

    text = page_text(client.get(reverse("imports:batch_list"), {"category": "diagnosis"}))
    assert "没有符合条件的批次" in text


def test_batch_list_ignores_filter_values_it_does_not_know(client_for, data_admin):
    roster = BatchFactory(category=FeedCategory.ROSTER, loaded=3)
    failed = BatchFactory(category=FeedCategory.MEDICAL_SETTLEMENT, status=BatchStatus.FAILED)
    response = client_for(data_admin).get(
        reverse("imports:batch_list"), {"category": "bogus", "status": "x", "before": "abc"}
    )
    assert response.status_code == 200
    text = page_text(response)
    assert f"#{roster.pk}" in text and f"#{failed.pk}" in text  # every batch, newest first
    assert text.index(f"#{failed.pk}") < text.index(f"#{roster.pk}")
    assert "没有符合条件的批次" not in text
    assert "回到最新" not in text  # it is the first page


def test_batch_list_pages_fifty_at_a_time(client_for, data_admin):
    batches = BatchFactory.create_batch(53, loaded=1)
    client = client_for(data_admin)
    first = client.get(reverse("imports:batch_list"))
    assert len(first.context["batches"]) == 50
    assert "下一页" in page_text(first)
    second = client.get(reverse("imports:batch_list"), {"before": first.context["next_before"]})
    shown = {b.pk for b, _ in second.context["batches"]}
    assert shown == {b.pk for b in batches[:3]}
    assert "下一页" not in page_text(second) and "回到最新" in page_text(second)


def test_an_empty_list_tells_the_data_admin_how_to_start(client_for, data_admin):
    assert "还没有导入过文件" in page_text(client_for(data_admin).get(reverse("imports:batch_list")))


# --- batch detail -------------------------------------------------------------------------------


def test_detail_reports_counts_that_add_up_file_facts_and_timing(client_for, data_admin):
    started = clock.now() - timedelta(minutes=5)
    batch = BatchFactory(
        file_name="医保结算_202611.csv",
        size_bytes=2_621_440,
        loaded=180_000,
        corrected=12_000,
        duplicate=7_900,
        rejected=100,
        name_mismatch=42,
        uploaded_by=data_admin,
        started_at=started,
        finished_at=started + timedelta(seconds=80),
        extra_columns=["备注", "经办机构"],
    )
    text = page_text(client_for(data_admin).get(reverse("imports:batch_detail", args=[batch.pk])))
    assert f"批次 #{batch.pk} · 医保结算明细" in text and "已完成" in text
    for label, figure in (("新增", "180000"), ("更正", "12000"), ("重复", "7900"), ("拒绝", "100")):
        assert f"{label} {figure}" in text
    assert "数据行合计 200000" in text
    assert "新增 + 更正 + 重复 + 拒绝 = 200000，与数据行数一致" in text
    assert "姓名不符 42" in text
    assert "医保结算_202611.csv" in text and "2.5 MB" in text and batch.sha256 in text
    assert data_admin.get_full_name() in text
    assert "1 分 20 秒" in text and "每秒 2500 行" in text
    assert "备注" in text and "经办机构" in text


def test_detail_of_a_failed_load_says_nothing_changed(client_for, data_admin):
    # (A succeeded batch whose counts disagree cannot exist: importbatch_counts_add_up.)
    batch = BatchFactory(
        status=BatchStatus.FAILED, error_code="crash", error_message="数据库连接中断，已回滚"
    )
    text = page_text(client_for(data_admin).get(reverse("imports:batch_detail", args=[batch.pk])))
    assert "导入失败，数据没有任何改动" in text and "数据库连接中断，已回滚" in text
    assert "与数据行数一致" not in text


def test_detail_of_a_rejected_file_shows_why(client_for, data_admin):
    batch = BatchFactory(
        category=FeedCategory.DISABILITY_CERTIFICATE,
        status=BatchStatus.REJECTED,
        error_code="missing_columns",
        error_message="缺少必填列：残疾类别（disability_type）、发证日期（issued_on）",
    )
    text = page_text(client_for(data_admin).get(reverse("imports:batch_detail", args=[batch.pk])))
    assert "整个文件被拒绝，没有导入任何一行" in text
    assert "缺少必填列：残疾类别（disability_type）、发证日期（issued_on）" in text
    assert "missing_columns" in text
    assert "下载全部" not in text


def test_an_id_in_a_file_level_error_is_masked_on_list_and_detail(client_for, data_admin):
    id_number = make_id_number()
    batch = BatchFactory(status=BatchStatus.FAILED, error_message=f"第 2 行 {id_number} 处理时出错")
    client = client_for(data_admin)
    for url in (reverse("imports:batch_list"), reverse("imports:batch_detail", args=[batch.pk])):
        html = client.get(url).content.decode()
        assert id_number not in html and f"{id_number[:6]}********{id_number[-4:]}" in html, url


def test_detail_lists_rejected_rows_with_masked_ids_and_a_reason_summary(client_for, data_admin):
    batch = BatchFactory(loaded=10, rejected=3)
    bad_id = make_id_number()[:17] + "0"
    good_id = make_id_number()
    RejectedRowFactory(
        batch=batch,
        row_number=7,
        column="身份证号",
        reason_code="id_check_digit",
        message=f"身份证号“{bad_id}”校验位不正确",
        raw={"结算流水号": "JS1", "身份证号": bad_id},
    )
    RejectedRowFactory(
        batch=batch,
        row_number=3,
        column="身份证号",
        reason_code="id_check_digit",
        message="身份证号校验位不正确",
        raw={"身份证号": bad_id},
    )
    RejectedRowFactory(
        batch=batch,
        row_number=5,
        column="结算日期",
        reason_code="date_future",
        message="结算日期 2099-01-01 晚于导入当天",
        raw={"身份证号": good_id, "结算日期": "2099-01-01"},
    )
    response = client_for(data_admin).get(reverse("imports:batch_detail", args=[batch.pk]))
    html = response.content.decode()
    assert bad_id not in html and good_id not in html
    text = page_text(response)
    assert f"{bad_id[:6]}********{bad_id[-4:]}" in text
    rows = re.findall(r"<tr><td class=\"text-end\">(\d+)</td>", html)
    assert rows == ["3", "5", "7"]  # file order
    # reasons by their names, as in the loader's labels; no bare codes
    assert "5 结算日期 2099-01-01 日期晚于导入当天 结算日期 2099-01-01 晚于导入当天" in text
    assert "身份证号校验位不符 2" in text and "日期晚于导入当天 1" in text
    assert text.index("身份证号校验位不符 2") < text.index("日期晚于导入当天 1")
    assert "date_future" not in text and "id_check_digit" not in text
    assert "下载全部 3 条被拒绝的行（CSV）" in text
    assert reverse("imports:batch_rejects_csv", args=[batch.pk]) in html


def test_detail_shows_the_first_hundred_rejected_rows_only(client_for, data_admin):
    batch = BatchFactory(loaded=0, rejected=130)
    RejectedRowFactory.create_batch(130, batch=batch)
    response = client_for(data_admin).get(reverse("imports:batch_detail", args=[batch.pk]))
    assert len(response.context["preview"]) == 100
    assert "被拒绝的行（前 100 行，全部请下载 CSV）" in page_text(response)
    assert "下载全部 130 条被拒绝的行（CSV）" in page_text(response)


def test_detail_of_a_clean_batch_says_nothing_was_rejected(client_for, data_admin):
    batch = BatchFactory(loaded=5)
    assert "没有被拒绝的行" in page_text(
        client_for(data_admin).get(reverse("imports:batch_detail", args=[batch.pk]))
    )


# --- progress -----------------------------------------------------------------------------------


def test_a_running_batch_polls_its_progress_every_second(client_for, data_admin):
    batch = BatchFactory(status=BatchStatus.RUNNING, size_bytes=1000, finished_at=None)
    progress.report(batch.pk, phase="reading", rows_read=12_345, bytes_read=400)
    client = client_for(data_admin)

    html = client.get(reverse("imports:batch_detail", args=[batch.pk])).content.decode()
    assert f'hx-get="{reverse("imports:batch_progress", args=[batch.pk])}"' in html
    assert 'hx-trigger="every 1s"' in html
    assert "读取并校验" in html and "已读取 12345 行" in html and "40%" in html
    assert "导入完成后核对" in html

    progress.report(batch.pk, phase="merging", rows_read=20_000, bytes_read=1000)
    fragment = client.get(reverse("imports:batch_progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    text = page_text(fragment)
    assert "写入数据库" in text and "已读取 20000 行" in text and "99%" in text
    assert "every 1s" in fragment.content.decode()


def test_a_pending_batch_shows_it_is_queued(client_for, data_admin):
    batch = BatchFactory(status=BatchStatus.PENDING, started_at=None)
    text = page_text(client_for(data_admin).get(reverse("imports:batch_detail", args=[batch.pk])))
    assert "排队中" in text and "排队等待" in text


def test_progress_reloads_the_page_once_the_load_ended(client_for, data_admin):
    batch = BatchFactory(loaded=3)
    client = client_for(data_admin)
    response = client.get(reverse("imports:batch_progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    html = client.get(reverse("imports:batch_detail", args=[batch.pk])).content.decode()
    assert "hx-trigger" not in html  # nothing left polling


# --- upload -------------------------------------------------------------------------------------


def test_upload_page_names_categories_with_their_departments_and_accepted_files(client_for, data_admin):
    response = client_for(data_admin).get(reverse("imports:batch_upload"))
    assert 'accept=".csv,.txt,.xlsx,.xls,.ods"' in response.content.decode()  # the file picker offers these
    text = page_text(response)
    for label in (
        "低收入人口名册（民政局）",
        "医保结算明细（医疗保障局）",
        "疾病诊断（卫生健康委员会）",
        "残疾人证（残疾人联合会）",
        "失业登记（人力资源和社会保障局）",
    ):
        assert label in text
    assert (
        "接受 .csv、.txt（逗号或制表符分隔，UTF-8 或 GBK 编码）和 Excel / WPS 表格 .xlsx、.xls、.ods"
        "（只读取第一个工作表）；文件类型按内容识别，扩展名不符也能读取"
    ) in text


def test_uploading_a_file_queues_a_batch_and_opens_its_report(
    client_for, data_admin, django_capture_on_commit_callbacks
):
    content = "结算流水号,身份证号,结算日期,医疗费用总额\nJS1,130921198005171234,2026-11-01,100\n".encode(
        "gbk"
    )
    upload = SimpleUploadedFile("医保结算.csv", content, content_type="text/csv")
    client = client_for(data_admin)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("imports:batch_upload"), {"category": "medical_settlement", "file": upload}
        )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:batch_detail", args=[batch.pk])
    assert len(callbacks) == 1  # the load is queued after commit (not run here: the loader is separate)
    assert batch.status == BatchStatus.PENDING and batch.category == "medical_settlement"
    assert batch.uploaded_by == data_admin and batch.file_name == "医保结算.csv"
    assert batch.size_bytes == len(content) and batch.department.name == "医疗保障局"
    text = page_text(client.get(response["Location"]))
    assert f"文件已上传（批次 #{batch.pk}），正在排队导入。" in text
    assert "排队中" in text


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"file": ("a.csv", b"x\n")}, "category", "请选择数据类别"),
        (
            {"category": "pension", "file": ("a.csv", b"x\n")},
            "category",
            "数据类别“pension”不存在，请从列表中选择",
        ),
        ({"category": "roster"}, "file", "请选择要上传的文件"),
        (
            {"category": "roster", "file": ("名册.pdf", b"%PDF")},
            "file",
            "不支持“.pdf”文件，只接受 .csv、.txt、.xlsx、.xls 或 .ods",
        ),
        (
            {"category": "roster", "file": ("名册", b"a,b\n")},
            "file",
            "不支持“无扩展名”文件，只接受 .csv、.txt、.xlsx、.xls 或 .ods",
        ),
        (
            {"category": "roster", "file": ("名册.xls", b"%PDF-1.7 ...")},
            "file",
            "文件“名册.xls”的内容是PDF 文件，不是可导入的表格。只接受 .csv、.txt（逗号或制表符分隔的文本）、"
            ".xlsx、.xls 或 .ods 格式的表格文件：请在 Excel 或 WPS 中打开后另存为其中一种再上传",
        ),
        ({"category": "roster", "file": ("名册.csv", b"")}, "file", "文件是空的（0 字节），请检查后重新导出"),
        (
            {"category": "roster", "file": ("名册.xlsx", b"<html><body><table><tr><td>1</td></tr></table>")},
            "file",
            "文件“名册.xlsx”的内容是网页（HTML，常见于业务系统导出的“.xls”），不是可导入的表格。只接受 .csv、"
            ".txt（逗号或制表符分隔的文本）、.xlsx、.xls 或 .ods 格式的表格文件：请在 Excel 或 WPS 中打开后另存为其中一种再上传",
        ),
    ],
)
def test_upload_form_errors_say_what_is_wrong_in_chinese(client_for, data_admin, data, field, error):
    if "file" in data:
        name, content = data["file"]
        data = {**data, "file": SimpleUploadedFile(name, content)}
    response = client_for(data_admin).post(reverse("imports:batch_upload"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [error]
    assert error in page_text(response)
    assert not ImportBatch.objects.exists()


def test_upload_accepts_upper_case_extensions_and_tab_separated_txt(
    client_for, data_admin, django_capture_on_commit_callbacks
):
    client = client_for(data_admin)
    with django_capture_on_commit_callbacks():
        for name in ("RESULT.CSV", "诊断.txt"):
            upload = SimpleUploadedFile(name, f"记录编号\t身份证号\n{name}\t1\n".encode())
            assert (
                client.post(
                    reverse("imports:batch_upload"), {"category": "diagnosis", "file": upload}
                ).status_code
                == 302
            )
    assert ImportBatch.objects.count() == 2


def test_the_same_file_again_names_the_earlier_batch_and_changes_nothing(
    client_for, data_admin, django_capture_on_commit_callbacks
):
    content = "登记编号,身份证号,失业登记日期\nSY1,130921198005171234,2026-10-01\n".encode()
    with django_capture_on_commit_callbacks():
        earlier = batch_submit(
            category="unemployment_registration",
            fileobj=SimpleUploadedFile("失业登记.csv", content),
            file_name="失业登记.csv",
            user=data_admin,
            start=False,
        ).batch
    ImportBatch.objects.filter(pk=earlier.pk).update(status=BatchStatus.SUCCEEDED, data_rows=1, loaded=1)
    earlier.refresh_from_db()
    client = client_for(data_admin)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("imports:batch_upload"),
            {"category": "unemployment_registration", "file": SimpleUploadedFile("失业登记(1).csv", content)},
        )
    assert callbacks == []
    assert ImportBatch.objects.count() == 1
    assert response["Location"] == reverse("imports:batch_detail", args=[earlier.pk])
    when = f"{timezone.localtime(earlier.created_at):%Y-%m-%d %H:%M}"
    assert f"该文件已于 {when} 导入（批次 #{earlier.pk}），未做任何更改。" in page_text(
        client.get(response["Location"])
    )


def test_the_same_file_while_the_first_is_still_loading_is_not_submitted_twice(
    client_for, data_admin, django_capture_on_commit_callbacks
):
    content = b"record_id,id_number,diagnosed_on,diagnosis_code\nR1,130921198005171234,2026-10-01,C34\n"
    client = client_for(data_admin)
    with django_capture_on_commit_callbacks():
        client.post(
            reverse("imports:batch_upload"),
            {"category": "diagnosis", "file": SimpleUploadedFile("d.csv", content)},
        )
        response = client.post(
            reverse("imports:batch_upload"),
            {"category": "diagnosis", "file": SimpleUploadedFile("d2.csv", content)},
        )
    earlier = ImportBatch.objects.get()
    assert response["Location"] == reverse("imports:batch_detail", args=[earlier.pk])
    assert f"（批次 #{earlier.pk}），正在导入，未重复提交。" in page_text(client.get(response["Location"]))
