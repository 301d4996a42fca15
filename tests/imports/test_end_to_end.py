"""Through the pages with the real loader: upload a messy file, read its report, download rejects."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from households import idcard
from imports.models import BatchStatus, ImportBatch, MedicalSettlement
from tests.factories import make_id_number
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def upload(client, category: str, name: str, content: bytes, callbacks):
    with callbacks(execute=True):
        return client.post(
            reverse("imports:batch_upload"), {"category": category, "file": SimpleUploadedFile(name, content)}
        )


def test_a_messy_gbk_file_is_loaded_and_its_report_accounts_for_every_row(
    client_for, data_admin, django_capture_on_commit_callbacks
):
    good, other = make_id_number(), make_id_number()
    bad_check = good[:17] + ("0" if good[-1] != "0" else "1")
    lines = [
        "结算流水号,身份证号,姓名,结算日期,医疗费用总额,个人负担,经办机构",
        f"JS001,{good},张三,2026-10-01,1200.50,300,沧县医保中心",
        f'JS002,{other},李四,2026/10/2,"1,000",100,',
        f"JS003,{bad_check},王五,2026-10-03,80,10,",
        f"JS004,{other},李四,2099-01-01,80,10,",
        f"JS005,{good},张三,2026-10-05,-5,0,=1+1",
        "JS006,1.30921E+17,赵六,2026-10-06,50,5,",
    ]
    content = ("\r\n".join(lines) + "\r\n").encode("gbk")
    client = client_for(data_admin)
    response = upload(
        client, "medical_settlement", "医保结算.csv", content, django_capture_on_commit_callbacks
    )

    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("imports:batch_detail", args=[batch.pk])
    assert batch.status == BatchStatus.SUCCEEDED
    assert MedicalSettlement.objects.filter(batch=batch).count() == 2

    detail = client.get(response["Location"])
    html, text = detail.content.decode(), page_text(detail)
    assert "已完成" in text and "新增 2" in text and "拒绝 4" in text and "数据行合计 6" in text
    assert "新增 + 更正 + 重复 + 拒绝 = 6，与数据行数一致" in text
    assert "经办机构" in html  # the ignored column is reported
    assert "文件编码 GBK / GB18030" in text
    for id_number in (good, other, bad_check):
        assert id_number not in html
    # reasons by name (imports.loading.reasons), not by code
    assert "身份证号校验位不符" in text and "日期晚于导入当天" in text and "金额为负数" in text
    assert "身份证号被表格软件改动" in text and "id_check_digit" not in text
    assert "hx-trigger" not in html

    body = b"".join(client.get(reverse("imports:batch_rejects_csv", args=[batch.pk])).streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert body.startswith(b"\xef\xbb\xbf")
    assert rows[0] == ["行号", "列", "原因代码", "原因", "说明", *lines[0].split(",")]
    assert [r[0] for r in rows[1:]] == ["4", "5", "6", "7"]  # as Excel numbers them, header = row 1
    assert rows[1][2:4] == ["id_check_digit", "身份证号校验位不符"]
    assert rows[1][6] == idcard.mask(bad_check)
    assert rows[3][9] == "'-5" and rows[3][11] == "'=1+1"
    for id_number in (good, other, bad_check):
        assert id_number not in body.decode("utf-8-sig")


def test_the_same_file_again_is_recognised_after_it_loaded(
    client_for, data_admin, django_capture_on_commit_callbacks
):
    content = f"登记编号,身份证号,失业登记日期\r\nSY001,{make_id_number()},2026-10-01\r\n".encode()
    client = client_for(data_admin)
    upload(client, "unemployment_registration", "失业.csv", content, django_capture_on_commit_callbacks)
    first = ImportBatch.objects.get()
    assert first.status == BatchStatus.SUCCEEDED and first.loaded == 1
    again = upload(
        client, "unemployment_registration", "失业-副本.csv", content, django_capture_on_commit_callbacks
    )
    assert ImportBatch.objects.count() == 1
    assert f"导入（批次 #{first.pk}），未做任何更改。" in page_text(client.get(again["Location"]))


def test_a_file_missing_a_required_column_is_refused_with_the_column_named(
    client_for, data_admin, django_capture_on_commit_callbacks
):
    content = f"残疾人证号,身份证号,残疾等级\r\nX,{make_id_number()},一级\r\n".encode("utf-8-sig")
    client = client_for(data_admin)
    response = upload(
        client, "disability_certificate", "残联.csv", content, django_capture_on_commit_callbacks
    )
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.REJECTED
    text = page_text(client.get(response["Location"]))
    assert "整个文件被拒绝，没有导入任何一行" in text
    assert "残疾类别" in text and "发证日期" in text
    assert "没有导入任何行" in page_text(client.get(reverse("imports:batch_list")))


def test_a_resent_corrected_record_and_a_name_mismatch_are_shown_on_the_report(
    client_for, data_admin, django_capture_on_commit_callbacks
):
    from tests.conftest import VILLAGE_A
    from tests.factories import household_with_head

    person = household_with_head(VILLAGE_A, name="孙丽").members.get()
    header = "结算流水号,身份证号,姓名,结算日期,就诊类型,医疗费用总额,个人负担"
    first = f"{header}\r\nJS100,{person.id_number},孙丽,2026-10-01,门诊,500,100\r\n"
    second = (
        f"{header}\r\nJS100,{person.id_number},孙莉,2026-10-01,住院,650,100\r\n"  # corrected, other name
        f"JS101,{person.id_number},孙丽,2026-10-02,门诊,80,8\r\n"
    )
    client = client_for(data_admin)
    upload(client, "medical_settlement", "十月.csv", first.encode(), django_capture_on_commit_callbacks)
    response = upload(
        client, "medical_settlement", "十月-更正.csv", second.encode(), django_capture_on_commit_callbacks
    )
    batch = ImportBatch.objects.order_by("-id").first()
    assert (batch.loaded, batch.corrected, batch.duplicate, batch.rejected, batch.name_mismatch) == (
        1,
        1,
        0,
        0,
        1,
    )

    detail = client.get(response["Location"])
    html, text = detail.content.decode(), page_text(detail)
    assert person.id_number not in html
    masked = idcard.mask(person.id_number)
    assert f"2 {masked} 孙莉 孙丽" in text  # row 2: name in the file, name in the registry
    assert "JS100 姓名： 孙丽 → 孙莉 就诊类型： 门诊 → 住院 医疗费用总额： 500.00 → 650.00" in text
    assert "没有被拒绝的行" in text
