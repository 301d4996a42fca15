"""Reads of the imports app for its pages: who may see batches, lists, a batch's report.

Batches are the data admin's business (city-wide, no personal data in the counts); rejected rows
carry residents' cells, so every text shown from them goes through `rejects.mask_ids`.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from households.idcard import mask_ids_in_row
from households.models import Role
from imports.loading.reasons import reason_label
from imports.models import BatchStatus, FeedCategory, FeedRecordChange, ImportBatch, NameMismatch, RejectedRow
from imports.rejects import mask_ids
from imports.specs import SPECS, FieldType

PREVIEW_ROWS = 100


def can_manage_imports(user) -> bool:
    """Data admins (their role uploads batches) and superusers."""
    return user.has_perm("imports.add_importbatch")


def require_import_access(user) -> None:
    if not can_manage_imports(user):
        raise PermissionDenied("数据导入仅向数据管理员开放")


def batch_list(*, user, category: str = "", status: str = "") -> QuerySet[ImportBatch]:
    """Batches newest first, optionally of one category and status."""
    require_import_access(user)
    qs = ImportBatch.objects.select_related("department", "uploaded_by").order_by("-id")
    if category in FeedCategory.values:
        qs = qs.filter(category=category)
    if status in BatchStatus.values:
        qs = qs.filter(status=status)
    return qs


def batch_get(*, user, pk: int) -> ImportBatch:
    require_import_access(user)
    return get_object_or_404(ImportBatch.objects.select_related("department", "uploaded_by"), pk=pk)


def can_download_rows_to_correct(user) -> bool:
    """Rows to correct carry full resident IDs: data admins only (the role, not the superuser flag)."""
    return can_manage_imports(user) and user.role == Role.DATA_ADMIN


def batch_for_correction(*, user, pk: int) -> ImportBatch:
    """A batch whose rows to correct the user may download: whoever may not see the batch is
    refused as on its page; who sees it without being a data admin gets 403."""
    batch = batch_get(user=user, pk=pk)
    if not can_download_rows_to_correct(user):
        raise PermissionDenied(
            _("待修正行含完整的身份证号，只有数据管理员可以下载；其他人请下载被拒绝行报告（身份证号已遮盖）")
        )
    return batch


@dataclass(frozen=True)
class RejectPreview:
    row_number: int
    column: str
    reason_code: str
    reason: str  # the reason's name, as people read it
    message: str
    value: str  # the offending cell when the row kept it under that column, masked


@dataclass(frozen=True)
class ReasonCount:
    reason_code: str
    reason: str
    count: int
    example: str


def rejected_preview(*, batch: ImportBatch, limit: int = PREVIEW_ROWS) -> list[RejectPreview]:
    """The first rejected rows in file order, with resident IDs masked in every text."""
    rows = RejectedRow.objects.filter(batch=batch).order_by("row_number", "id")[:limit]
    previews = []
    for r in rows:
        raw = r.raw or {}
        # masked with the row's other cells, so a birth date beside an ID is masked too
        column, message, value, *_cells = mask_ids_in_row(
            [r.column, r.message, raw.get(r.column, "") if r.column else "", *raw.values()]
        )
        previews.append(
            RejectPreview(
                row_number=r.row_number,
                column=column,
                reason_code=r.reason_code,
                reason=reason_label(r.reason_code),
                message=message,
                value=value,
            )
        )
    return previews


def rejection_reasons(*, batch: ImportBatch) -> list[ReasonCount]:
    """How many rows were rejected for each reason, most frequent first, with one example message."""
    rows = (
        RejectedRow.objects.filter(batch=batch)
        .values("reason_code")
        .annotate(n=Count("id"), example=Min("message"))
        .order_by("-n", "reason_code")
    )
    return [
        ReasonCount(r["reason_code"], reason_label(r["reason_code"]), r["n"], mask_ids(r["example"]))
        for r in rows
    ]


@dataclass(frozen=True)
class BatchFigures:
    """What the detail page says about a batch's timing.

    Its counts need no check here: a succeeded batch's loaded + corrected + duplicate + rejected
    equal its data rows (constraint importbatch_counts_add_up).
    """

    duration: timedelta | None
    rows_per_second: float | None


def batch_figures(batch: ImportBatch) -> BatchFigures:
    duration = batch.finished_at - batch.started_at if batch.started_at and batch.finished_at else None
    seconds = duration.total_seconds() if duration else 0
    return BatchFigures(
        duration=duration,
        rows_per_second=batch.data_rows / seconds if seconds > 0 and batch.data_rows else None,
    )


def name_mismatches(*, batch: ImportBatch, limit: int = PREVIEW_ROWS) -> list[NameMismatch]:
    """Loaded rows whose name differs from the registry's (a warning), in file order."""
    return list(NameMismatch.objects.filter(batch=batch).order_by("row_number", "id")[:limit])


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class CorrectionPreview:
    key: str
    changes: list[FieldChange]


def _shown_value(field, value) -> str:
    if value is None or value == "":
        return "—"
    if field is not None and field.choices:
        for choice in field.choices:
            if str(choice.code) == str(value):
                return choice.labels[0]
    if field is not None and field.type == FieldType.MONEY:
        try:
            return f"{Decimal(str(value)):.2f}"
        except InvalidOperation:
            pass
    return mask_ids(value)


def corrections(*, batch: ImportBatch, limit: int = PREVIEW_ROWS) -> list[CorrectionPreview]:
    """Records this batch corrected: the changed fields, before → after, with Chinese labels."""
    spec = SPECS.get(batch.category)
    fields = {f.name: f for f in spec.fields} if spec else {}
    order = {name: i for i, name in enumerate(fields)}  # jsonb keys come sorted by length
    previews = []
    for change in FeedRecordChange.objects.filter(batch=batch).order_by("id")[:limit]:
        before, after = change.before or {}, change.after or {}
        names = sorted({*before, *after}, key=lambda n: (order.get(n, len(order)), n))
        previews.append(
            CorrectionPreview(
                key=mask_ids(change.key),
                changes=[
                    FieldChange(
                        label=fields[n].label if n in fields else n,
                        before=_shown_value(fields.get(n), before.get(n)),
                        after=_shown_value(fields.get(n), after.get(n)),
                    )
                    for n in names
                ],
            )
        )
    return previews


def fields_shown(category: str, values: dict | None) -> list[tuple[str, str]]:
    """A feed record's stored fields as people read them: (Chinese label, shown value) in the
    spec's field order, choices by their labels, resident IDs masked."""
    spec = SPECS.get(category)
    fields = {f.name: f for f in spec.fields} if spec else {}
    order = {name: i for i, name in enumerate(fields)}
    names = sorted(values or {}, key=lambda n: (order.get(n, len(order)), n))
    return [
        (str(fields[n].label) if n in fields else n, _shown_value(fields.get(n), values[n])) for n in names
    ]


def example_county_code() -> str:
    """The first county of the configured city (the templates' example rows live there)."""
    from django.conf import settings

    from households.models import Region, RegionLevel

    city = settings.CITY_REGION_CODE
    code = (
        Region.objects.filter(level=RegionLevel.COUNTY, code__startswith=city[:4])
        .exclude(code=city)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    return code or city
