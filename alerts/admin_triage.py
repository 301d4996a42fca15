"""Admin for alerts and their triage.

The admin is a read-mostly view of the user's own region: alerts (masked IDs, evidence read-only,
history and visits inline) and the history and visits themselves. Nothing here edits an alert
directly; the one admin action, bulk assignment, calls the same service as the inbox, so every
change is in the alert's history. Handling an alert happens on its triage page (linked).
"""

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from alerts.forms_triage import AssigneeForm
from alerts.models import Alert, AlertEvent, AlertStatus, HomeVisit, Responsibility
from alerts.selectors.triage import evidence_for
from alerts.services import triage as services
from households import clock
from households.admin import IdOrNameSearchMixin, ModelAdmin, ReadLoggedAdminMixin, ScopedAdminMixin
from households.models import Region, Role, User
from households.scoping import scope_queryset

BULK_LIMIT = 500


class OverdueFilter(admin.SimpleListFilter):
    title = _("是否逾期")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("已逾期")), ("no", _("未逾期"))]

    def queryset(self, request, queryset):
        today = clock.today()
        if self.value() == "yes":
            return queryset.exclude(status=AlertStatus.CLOSED).filter(deadline__lt=today)
        if self.value() == "no":  # the exact complement, without a subquery over every alert
            return queryset.filter(Q(status=AlertStatus.CLOSED) | Q(deadline__gte=today))
        return queryset


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AlertEventInline(ReadOnlyInline):
    model = AlertEvent
    fields = ("at", "actor", "action", "from_status", "to_status", "note")
    readonly_fields = fields
    ordering = ("at", "id")
    verbose_name_plural = _("处理记录")


class HomeVisitInline(ReadOnlyInline):
    model = HomeVisit
    fields = ("visited_on", "visitors", "findings", "household_situation", "follow_up_on", "recorded_by")
    readonly_fields = fields


class ScopedAdmin(ScopedAdminMixin, ModelAdmin):
    """Rows outside the user's region are not in the queryset, so they are 404 in every view;
    nothing is added or deleted here (alerts come from the nightly run, history is kept)."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(ReadLoggedAdminMixin, IdOrNameSearchMixin, ScopedAdmin):
    list_display = (
        "id",
        "rule",
        "person_name",
        "masked_id",
        "region_name",
        "status",
        "assignee",
        "deadline_display",
        "raised_on",
    )
    list_filter = ("status", "rule", OverdueFilter, "raised_on", "outcome")
    list_select_related = ("person", "region", "assignee")
    # A full ID in any accepted spelling (15 digits, lower-case x) matched exactly, else the start
    # of a name: never a substring or upper-cased scan over resident IDs (IdOrNameSearchMixin).
    id_field = "person__id_number"
    name_field = "person__name"
    search_fields = ("person__name",)  # shows the search box; the mixin does the searching
    search_help_text = _("输入姓名开头、完整身份证号，或姓名+身份证号后四位（如：张三 6194）")
    ordering = ("deadline", "id")
    show_full_result_count = False  # no unbounded count(*) over a million alerts
    actions = ("bulk_assign",)
    inlines = (AlertEventInline, HomeVisitInline)
    fields = (
        "triage_link",
        "rule",
        "rule_version",
        "person_name",
        "masked_id",
        "region",
        "raised_on",
        "deadline",
        "status",
        "assignee",
        "outcome",
        "close_note",
        "closed_at",
        "verified_at",
        "evidence_display",
        "lock_version",
    )
    readonly_fields = fields

    def read_subjects(self, obj):
        return [obj.household_id], [obj.person_id]

    def listed_subjects(self, objs):
        return [o.household_id for o in objs], [o.person_id for o in objs]

    def get_search_results(self, request, queryset, search_term):
        queryset, _may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # one person per alert: no duplicates, so no EXISTS wrapper around the changelist query
        return queryset, False

    def has_change_permission(self, request, obj=None):
        # the change form is read-only (view); the changelist keeps its actions
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("姓名"), ordering="person__name")
    def person_name(self, obj):
        return obj.person.name

    @admin.display(description=_("身份证号"))
    def masked_id(self, obj):
        return obj.person.masked_id

    @admin.display(description=_("所在区域"))
    def region_name(self, obj):
        return obj.region.name

    @admin.display(description=_("办理期限"), ordering="deadline")
    def deadline_display(self, obj):
        if obj.is_overdue:
            return format_html('<strong class="overdue">{} {}</strong>', obj.deadline, _("（逾期）"))
        return obj.deadline

    @admin.display(description=_("办理页面"))
    def triage_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("alerts:alert_detail", args=[obj.pk]), _("在预警处置页面办理")
        )

    @admin.display(description=_("预警依据"))
    def evidence_display(self, obj):
        evidence = evidence_for(obj, user=None)  # labels only: the admin page links nothing out
        items = format_html_join("", "<li>{}</li>", ((s.label,) for s in evidence.sources)) or format_html(
            "<li>{}</li>", _("（无来源记录）")
        )
        return format_html("<p>{}</p><ul>{}</ul>", evidence.summary or "—", items)

    @admin.action(description=_("批量分派所选预警"), permissions=["change"])
    def bulk_assign(self, request: HttpRequest, queryset: QuerySet[Alert]):
        if not services.can_bulk_assign(request.user):
            self.message_user(request, _("批量分派仅限督导和乡镇负责人。"), messages.ERROR)
            return None
        if queryset.count() > BULK_LIMIT:
            self.message_user(
                request,
                _("一次最多批量分派 %(n)d 条预警，请缩小筛选范围。") % {"n": BULK_LIMIT},
                messages.ERROR,
            )
            return None
        alert_ids = list(queryset.values_list("pk", flat=True))
        form = AssigneeForm(
            request.POST if "apply" in request.POST else None, user=request.user, alert_ids=alert_ids
        )
        if form.is_valid():
            try:
                result = services.alert_bulk_assign(
                    actor=request.user, alert_ids=alert_ids, assignee=form.cleaned_data["assignee"]
                )
            except services.TriageError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                level = messages.SUCCESS if result.changed_anything else messages.WARNING
                self.message_user(request, result.message(), level)
            return None
        return render(
            request,
            "admin/alerts/bulk_assign.html",
            {
                **self.admin_site.each_context(request),
                "title": _("批量分派预警"),
                "form": form,
                "alerts": queryset.select_related("person", "region"),
                "count": queryset.count(),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


@admin.register(AlertEvent)
class AlertEventAdmin(ScopedAdmin):
    region_path = "alert__region__code"
    list_display = ("alert", "at", "actor", "action", "from_status", "to_status")
    list_filter = ("action", "to_status")
    list_select_related = ("alert", "actor")
    show_full_result_count = False
    readonly_fields = ("alert", "actor", "at", "action", "from_status", "to_status", "note", "data")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HomeVisit)
class HomeVisitAdmin(ScopedAdmin):
    region_path = "alert__region__code"
    list_display = ("alert", "visited_on", "visitors", "recorded_by", "follow_up_on")
    list_select_related = ("alert", "recorded_by")
    readonly_fields = (
        "alert",
        "household",
        "visited_on",
        "visitors",
        "findings",
        "household_situation",
        "follow_up_on",
        "recorded_by",
        "created_at",
    )

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Responsibility)
class ResponsibilityAdmin(ScopedAdmin):
    """Who receives new alerts of a village or town; supervisors keep it up to date."""

    list_display = ("region", "caseworker")
    list_select_related = ("region", "caseworker")

    def has_add_permission(self, request):
        return request.user.has_perm("alerts.add_responsibility")

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("alerts.delete_responsibility")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = scope_queryset(Region.objects.all(), request.user, "code")
        if db_field.name == "caseworker":
            kwargs["queryset"] = scope_queryset(
                User.objects.filter(role=Role.CASEWORKER, is_active=True), request.user, "scope__code"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
