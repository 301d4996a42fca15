"""A crash in the middle of a load leaves nothing of the file; loading again gives the clean result."""

import pytest

from imports import progress, services
from imports.loading import sources
from imports.models import BatchStatus, ImportBatch, MedicalSettlement, NameMismatch, RejectedRow
from tests.imports.helpers import csv_bytes, id18

pytestmark = pytest.mark.django_db(transaction=True)
P = id18(seq=31)
HEADER = ["结算流水号", "身份证号", "姓名", "结算日期", "医疗费用总额"]
ROWS = [HEADER] + [[f"C{i:03d}", P, "张三", "2024-01-01", "100" if i % 10 else "-1"] for i in range(200)]


class Crash(Exception):
    pass


def _fresh_counts():
    return MedicalSettlement.objects.count(), RejectedRow.objects.count(), NameMismatch.objects.count()


def test_crash_after_part_of_the_rows_leaves_no_partial_batch_and_retry_is_clean(
    load, monkeypatch, departments
):
    original_report = progress.report

    def crash_midway(batch_id, *, phase, rows_read=0, bytes_read=0):
        if phase == "reading" and rows_read >= 50:
            raise Crash("disk on fire")
        original_report(batch_id, phase=phase, rows_read=rows_read, bytes_read=bytes_read)

    monkeypatch.setattr(sources, "CHUNK_CHARS", 256)  # many COPY chunks
    monkeypatch.setattr(progress, "report", crash_midway)
    with pytest.raises(Crash):
        load("medical_settlement", csv_bytes(ROWS))

    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.FAILED
    assert "未写入" in batch.error_message
    assert (batch.data_rows, batch.loaded, batch.rejected) == (0, 0, 0)
    assert _fresh_counts() == (0, 0, 0)

    monkeypatch.setattr(progress, "report", original_report)
    retried = services.batch_load(batch_id=batch.pk)
    assert retried.status == BatchStatus.SUCCEEDED
    assert (retried.data_rows, retried.loaded, retried.corrected, retried.duplicate, retried.rejected) == (
        200, 180, 0, 0, 20,
    )  # fmt: skip
    assert _fresh_counts() == (180, 20, 0)


def test_crash_in_the_merge_rolls_back_rejections_too(load, monkeypatch, departments):
    from imports.loading import merge

    real_merge_sql = merge.merge_sql

    def failing_merge_sql(spec, *, batch_id):
        # The upsert runs, then the statement fails: nothing of it may remain.
        return real_merge_sql(spec, batch_id=batch_id).rstrip() + " UNION ALL SELECT 1 / 0, 0"

    monkeypatch.setattr(merge, "merge_sql", failing_merge_sql)
    with pytest.raises(Exception, match="division by zero"):
        load("medical_settlement", csv_bytes(ROWS))
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.FAILED
    assert _fresh_counts() == (0, 0, 0)

    monkeypatch.setattr(merge, "merge_sql", real_merge_sql)
    # The same bytes uploaded again after a failure make a new batch (failed batches are not live).
    again = load("medical_settlement", csv_bytes(ROWS))
    assert again.pk != batch.pk and again.status == BatchStatus.SUCCEEDED
    assert (again.loaded, again.rejected) == (180, 20)


def test_finished_batch_is_returned_as_is(load, departments):
    batch = load("medical_settlement", csv_bytes(ROWS[:3]))
    assert services.batch_load(batch_id=batch.pk).status == BatchStatus.SUCCEEDED
    assert MedicalSettlement.objects.count() == 1  # C000 has a negative amount
