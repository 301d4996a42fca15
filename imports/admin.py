"""Admin of the imports app: batches and their rejected rows, the feed tables, departments.

Everything a department sent is read-only here: feed records change only through a new batch
(the loader keeps counts and history right), so the admin can browse but not edit or delete them.
Resident IDs are masked wherever a record or a rejected row's cells are shown.
"""

from django.contrib import admin, messages
from django.db.models import Model
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from households import id_search, idcard
from households.admin import IdOrNameSearchMixin, ModelAdmin, NotFoundAdminMixin, ReadLoggedAdminMixin
from households.models import Person
from households.readlog import services as readlog
from households.readlog.models import ReadAction
from imports.loading.reasons import REASON_LABELS, reason_label
from imports.models import (
    Department,
    Diagnosis,
    DisabilityCertificate,
    FeedCategory,
    FeedRecordChange,
    ImportBatch,
    MedicalSettlement,
    NameMismatch,
    PaymentReturn,
    RejectedRow,
    RosterEntry,
    UnemploymentRegistration,
)
from imports.rejects import mask_ids, masked_raw
from imports.resources import DepartmentResource
from imports.selectors import fields_shown


class ReadOnlyAdminMixin:
    """View only: no add, change or delete, whatever the user's role allows elsewhere."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Department)
class DepartmentAdmin(NotFoundAdminMixin, ImportExportModelAdmin):
    resource_classes = [DepartmentResource]
    list_display = ["code", "name"]
    search_fields = ["code", "name"]

    def has_import_permission(self, request):
        # An import creates and renames departments.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # batches and feed records point at departments (PROTECT)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        readlog.note(request, ReadAction.ADMIN_EXPORT)
        return super().get_export_data(file_format, request, queryset, **kwargs)


def _cells_table(values: dict | None):
    """A row's cells (column → value) as a two-column table, resident IDs masked."""
    return _two_columns(masked_raw(values))


def _two_columns(pairs: list[tuple[str, str]]):
    rows = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", pairs)
    return format_html('<table class="rejected-raw">{}</table>', rows)


def _changelist(model: type[Model], **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse(f"admin:imports_{model._meta.model_name}_changelist") + (f"?{query}" if query else "")


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = [
        "id",
        "category",
        "department",
        "file_name",
        "status",
        "data_rows",
        "loaded",
        "corrected",
        "duplicate",
        "rejected",
        "name_mismatch",
        "uploaded_by",
        "created_at",
    ]
    list_filter = ["status", "category", "department"]
    list_select_related = ["department", "uploaded_by"]
    search_fields = ["file_name", "=sha256"]
    search_help_text = _("文件名，或完整的 SHA-256")
    date_hierarchy = "created_at"
    fieldsets = [
        (None, {"fields": ["category", "department", "status", "report_links"]}),
        (
            _("文件"),
            {"fields": ["file_name", "size_bytes", "sha256", "uploaded_by", "created_at", "file_deleted_at"]},
        ),
        (
            _("行数"),
            {"fields": ["data_rows", "loaded", "corrected", "duplicate", "rejected", "name_mismatch"]},
        ),
        (
            _("处理"),
            {"fields": ["started_at", "finished_at", "error_code", "error_message", "extra_columns"]},
        ),
    ]
    readonly_fields = ["report_links"]

    @admin.display(description=_("报告"))
    def report_links(self, obj: ImportBatch):
        links = [(reverse("imports:batch_detail", args=[obj.pk]), _("批次报告页"))]
        if obj.rejected:
            links += [
                (_changelist(RejectedRow, batch__id__exact=obj.pk), _("被拒绝的行（%d）") % obj.rejected),
                (reverse("imports:batch_rejects_csv", args=[obj.pk]), _("下载被拒绝的行（CSV）")),
            ]
        if obj.name_mismatch:
            links.append(
                (_changelist(NameMismatch, batch__id__exact=obj.pk), _("姓名不符（%d）") % obj.name_mismatch)
            )
        if obj.corrected:
            links.append(
                (_changelist(FeedRecordChange, batch__id__exact=obj.pk), _("更正（%d）") % obj.corrected)
            )
        return format_html_join(" · ", '<a href="{}">{}</a>', links)


class ReasonCodeFilter(admin.SimpleListFilter):
    """Filter by reason code, offering the loader's known reasons.

    A field filter would read every distinct reason code of the whole table on each list open;
    the parameter name is the field filter's, so existing links keep working.
    """

    title = _("原因")
    parameter_name = "reason_code"

    def lookups(self, request, model_admin):
        return list(REASON_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(reason_code=self.value()) if self.value() else queryset


@admin.register(RejectedRow)
class RejectedRowAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ["batch", "row_number", "column", "reason", "masked_message"]
    list_filter = [ReasonCodeFilter]
    list_select_related = ["batch"]
    fields = ["batch", "row_number", "column", "reason", "reason_code", "masked_message", "masked_cells"]
    readonly_fields = ["reason", "masked_message", "masked_cells"]
    show_full_result_count = False

    @admin.display(description=_("原因"), ordering="reason_code")
    def reason(self, obj: RejectedRow) -> str:
        return reason_label(obj.reason_code)

    @admin.display(description=_("说明"))
    def masked_message(self, obj: RejectedRow) -> str:
        return mask_ids(obj.message)

    @admin.display(description=_("原始内容"))
    def masked_cells(self, obj: RejectedRow):
        return _cells_table(obj.raw)


class BatchOfCategoryFilter(admin.SimpleListFilter):
    """Filter by one of the latest batches of the table's category (a few, not every batch)."""

    title = _("导入批次")
    parameter_name = "batch"
    limit = 20

    def lookups(self, request, model_admin):
        batches = ImportBatch.objects.filter(category=model_admin.feed_category).order_by("-id")[: self.limit]
        return [(str(b.pk), f"#{b.pk} {b.file_name}") for b in batches]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(batch_id=int(value)) if value and value.isdigit() else queryset


def people_subjects(id_numbers: list[str]) -> tuple[list[int], list[int]]:
    """The registry's people with these IDs and their households, for the read log (one query)."""
    found = list(Person.objects.filter(id_number__in=id_numbers).values_list("household_id", "pk"))
    return [h for h, _p in found], [p for _h, p in found]


class FeedRecordAdmin(ReadOnlyAdminMixin, ReadLoggedAdminMixin, IdOrNameSearchMixin, ModelAdmin):
    """A department record table: browse, search by full ID or name, never edit. A record's page
    is a read of that person's data (logged)."""

    feed_category: str = ""
    key_field = ""
    date_field = ""
    masked_fields: tuple[str, ...] = ("id_number",)
    # The list shows the key, the masked ID, the name and the date, then these columns.
    record_columns: tuple[str, ...] = ("batch", "updated_at")
    search_fields = ["name"]
    search_help_text = _("输入姓名开头、完整身份证号，或姓名+身份证号后四位（如：张三 6194）")
    list_select_related = ["batch"]
    show_full_result_count = False

    def get_list_display(self, request):
        return [self.key_field, "masked_id", "name", self.date_field, *self.record_columns]

    def get_list_filter(self, request):
        # A date filter rather than date_hierarchy: the hierarchy reads min/max and the distinct
        # years of the whole table on each list open; this filter's choices need no query.
        return [BatchOfCategoryFilter, (self.date_field, admin.DateFieldListFilter)]

    def get_fields(self, request, obj=None):
        hidden = {"id", *self.masked_fields}
        return ["masked_id"] + [f.name for f in self.model._meta.concrete_fields if f.name not in hidden]

    def get_readonly_fields(self, request, obj=None):
        return ["masked_id"]

    def read_subjects(self, obj):
        return people_subjects([obj.id_number])

    def listed_subjects(self, objs):
        return people_subjects([o.id_number for o in objs])

    @admin.display(description=_("身份证号"))
    def masked_id(self, obj):
        return obj.masked_id


@admin.register(MedicalSettlement)
class MedicalSettlementAdmin(FeedRecordAdmin):
    feed_category = FeedCategory.MEDICAL_SETTLEMENT
    key_field = "settlement_id"
    date_field = "settle_date"
    record_columns = ("visit_type", "total_cost", "self_paid", "batch")


@admin.register(Diagnosis)
class DiagnosisAdmin(FeedRecordAdmin):
    feed_category = FeedCategory.DIAGNOSIS
    key_field = "record_id"
    date_field = "diagnosed_on"


@admin.register(DisabilityCertificate)
class DisabilityCertificateAdmin(FeedRecordAdmin):
    feed_category = FeedCategory.DISABILITY_CERTIFICATE
    key_field = "masked_certificate_no"  # the certificate number starts with the full resident ID
    date_field = "issued_on"
    masked_fields = ("id_number", "certificate_no")
    record_columns = ("disability_type", "grade", "status", "batch")

    def get_fields(self, request, obj=None):
        return ["masked_certificate_no", *super().get_fields(request, obj)]

    def get_readonly_fields(self, request, obj=None):
        return ["masked_id", "masked_certificate_no"]

    @admin.display(description=_("残疾人证号"), ordering="certificate_no")
    def masked_certificate_no(self, obj):
        return mask_ids(obj.certificate_no)


@admin.register(UnemploymentRegistration)
class UnemploymentRegistrationAdmin(FeedRecordAdmin):
    feed_category = FeedCategory.UNEMPLOYMENT_REGISTRATION
    key_field = "registration_no"
    date_field = "registered_on"
    record_columns = ("status", "ended_on", "batch")


@admin.register(PaymentReturn)
class PaymentReturnAdmin(FeedRecordAdmin):
    feed_category = FeedCategory.PAYMENT_RETURN
    key_field = "line_no"
    date_field = "processed_on"
    masked_fields = ("id_number", "account_no")  # the account number is never shown whole here
    record_columns = ("amount", "result", "batch")


@admin.register(RosterEntry)
class RosterEntryAdmin(FeedRecordAdmin):
    feed_category = FeedCategory.ROSTER
    key_field = "masked_id"  # the roster's natural key is the resident ID itself
    date_field = "since"
    masked_fields = ("id_number", "household_id_number")

    def get_list_display(self, request):
        return [
            "masked_id",
            "name",
            "masked_household_id",
            "relation",
            "region_code",
            "category",
            "since",
            "status",
            "batch",
        ]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return [fields[0], "masked_household_id", *fields[1:]]

    def get_readonly_fields(self, request, obj=None):
        return ["masked_id", "masked_household_id"]

    @admin.display(description=_("户主身份证号"))
    def masked_household_id(self, obj):
        return mask_ids(obj.household_id_number)


@admin.register(NameMismatch)
class NameMismatchAdmin(ReadOnlyAdminMixin, ReadLoggedAdminMixin, IdOrNameSearchMixin, ModelAdmin):
    list_display = ["batch", "row_number", "masked_id", "name_in_file", "name_in_registry"]
    list_select_related = ["batch"]
    fields = ["batch", "row_number", "masked_id", "name_in_file", "name_in_registry"]
    readonly_fields = ["masked_id"]
    search_fields = ["name_in_file"]
    search_help_text = _("输入文件中姓名的开头、完整身份证号，或姓名+身份证号后四位")
    name_field = "name_in_file"
    show_full_result_count = False

    def read_subjects(self, obj):
        return people_subjects([obj.id_number])

    def listed_subjects(self, objs):
        return people_subjects([o.id_number for o in objs])

    @admin.display(description=_("身份证号"))
    def masked_id(self, obj):
        return obj.masked_id


@admin.register(FeedRecordChange)
class FeedRecordChangeAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ["batch", "category", "masked_key", "changed_fields", "changed_at"]
    list_filter = ["category"]
    list_select_related = ["batch"]
    fields = ["batch", "category", "masked_key", "masked_before", "masked_after", "changed_at"]
    readonly_fields = ["masked_key", "masked_before", "masked_after"]
    search_fields = ["=key"]
    search_help_text = _("输入完整的记录键（结算流水号、证号或身份证号）")
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        # A key holding a resident ID (roster, certificate) is an ID search: exact, and counted.
        if idcard.find_ids(search_term):
            refusal = id_search.count_id_search(request.user)
            if refusal:
                messages.warning(request, refusal)
                return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("记录键"), ordering="key")
    def masked_key(self, obj):
        return mask_ids(obj.key)

    @admin.display(description=_("变化的字段"))
    def changed_fields(self, obj):
        changed = dict.fromkeys({*(obj.before or {}), *(obj.after or {})}, "")
        return "、".join(label for label, _value in fields_shown(obj.category, changed))

    @admin.display(description=_("变更前"))
    def masked_before(self, obj):
        return _two_columns(fields_shown(obj.category, obj.before))

    @admin.display(description=_("变更后"))
    def masked_after(self, obj):
        return _two_columns(fields_shown(obj.category, obj.after))
