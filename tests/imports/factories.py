"""Batches and rejected rows made directly in the database, as the loader would leave them."""

import hashlib
from datetime import timedelta

import factory
from factory.django import DjangoModelFactory

from households import clock
from imports.departments import CATEGORY_DEPARTMENT, DEPARTMENTS
from imports.models import BatchStatus, Department, FeedCategory, ImportBatch, RejectedRow


def department_for(category: str) -> Department:
    code = CATEGORY_DEPARTMENT[FeedCategory(category)]
    # Transactional tests empty the seeded departments, so create them again when missing.
    return Department.objects.get_or_create(code=code, defaults={"name": dict(DEPARTMENTS)[code]})[0]


class BatchFactory(DjangoModelFactory):
    """A finished batch whose counts add up: `BatchFactory(loaded=90, rejected=10)`."""

    class Meta:
        model = ImportBatch
        skip_postgeneration_save = True

    category = FeedCategory.MEDICAL_SETTLEMENT
    department = factory.LazyAttribute(lambda o: department_for(o.category))
    file_name = factory.Sequence(lambda n: f"医保结算_{n:04d}.csv")
    sha256 = factory.Sequence(lambda n: hashlib.sha256(f"batch-{n}".encode()).hexdigest())
    size_bytes = 123_456
    status = BatchStatus.SUCCEEDED
    loaded = 0
    corrected = 0
    duplicate = 0
    rejected = 0
    name_mismatch = 0
    data_rows = factory.LazyAttribute(lambda o: o.loaded + o.corrected + o.duplicate + o.rejected)
    rows_read = factory.LazyAttribute(lambda o: o.data_rows)
    started_at = factory.LazyFunction(lambda: clock.now() - timedelta(seconds=20))
    finished_at = factory.LazyAttribute(
        lambda o: o.started_at + timedelta(seconds=4) if o.started_at else None
    )


class RejectedRowFactory(DjangoModelFactory):
    class Meta:
        model = RejectedRow

    batch = factory.SubFactory(BatchFactory)
    row_number = factory.Sequence(lambda n: n + 2)
    column = "身份证号"
    reason_code = "id_check_digit"
    message = "身份证号校验位不正确"
    raw = factory.LazyAttribute(
        lambda o: {"结算流水号": f"JS{o.row_number:08d}", "身份证号": "", "姓名": "张三"}
    )
