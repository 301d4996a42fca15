"""`manage.py import_feed`: the batch summary in Chinese; non-zero exit when the file is rejected."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from imports.models import ImportBatch, MedicalSettlement
from tests.imports.helpers import csv_bytes, id18

pytestmark = pytest.mark.django_db
P = id18(seq=61)
HEADER = ["结算流水号", "身份证号", "姓名", "结算日期", "医疗费用总额", "备注"]


def run(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("import_feed", *args, stdout=out, stderr=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_prints_counts_reasons_and_speed(departments, data_admin, tmp_path):
    path = tmp_path / "结算.csv"
    path.write_bytes(
        csv_bytes(
            [
                HEADER,
                ["K1", P, "张三", "2024-01-01", "100", ""],
                ["K2", P, "张三", "2024-02-30", "100", ""],
                ["K3", "1.30921E+17", "张三", "2024-01-01", "100", ""],
                ["K1", P, "张三", "2024-01-01", "100", ""],
            ]
        )
    )
    code, out = run("medical_settlement", str(path), "--user", "data_admin")

    assert code == 0
    assert "状态：已完成" in out
    assert "数据行 4：新增 1，更正 0，重复 0，拒绝 3；姓名不符 0" in out
    assert "未使用的列：备注" in out
    assert (
        "日期不存在（date_invalid）" in out and "id_spreadsheet_damaged" in out and "duplicate_in_file" in out
    )
    assert "行/秒" in out
    assert ImportBatch.objects.get().uploaded_by == data_admin

    code, out = run("medical_settlement", str(path))
    # When the earlier upload was, in Beijing time as on the batch page (not UTC).
    uploaded = timezone.localtime(ImportBatch.objects.get().created_at)
    assert code == 0 and f"已于 {uploaded:%Y-%m-%d %H:%M} 作为批次" in out and "未做任何改动" in out
    assert ImportBatch.objects.count() == 1 and MedicalSettlement.objects.count() == 1


def test_missing_column_exits_non_zero_and_changes_nothing(departments, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([["结算流水号", "姓名"], ["K1", "张三"]]))
    code, out = run("medical_settlement", str(path))

    assert code == 1
    assert "文件被拒绝" in out and "身份证号（id_number）" in out and "结算日期（settle_date）" in out
    assert not MedicalSettlement.objects.exists()
    assert ImportBatch.objects.get().status == "rejected"


def test_bad_encoding_exits_non_zero(departments, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes("结算流水号,身份证号,结算日期,医疗费用总额\n".encode() + b"K1,\xff\xff\xff\n")
    code, out = run("medical_settlement", str(path))
    assert code == 1 and "编码" in out
    assert not MedicalSettlement.objects.exists()
