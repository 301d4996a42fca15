"""Admin for programmes, their approval templates and standards (city-wide supervisors change them).

Standards are append-only: the add form goes through `services.standard_add` (which closes the open
standard it follows); a saved standard is shown read-only and never deleted. Approval steps are
added, never edited or deleted (running applications copy them). A programme's code, kind and
category are fixed (seeded, referred to by code); its name, time limits and whether it is offered
may change.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from alerts.admin_triage import ReadOnlyInline
from assistance.models import ApprovalStep, Program, Standard
from assistance.services import standard_add, standard_problem
from households.admin import ModelAdmin


class ApprovalStepInline(ReadOnlyInline):
    model = ApprovalStep
    fields = ["order", "code", "name", "level", "time_limit", "time_unit", "after_payment"]
    readonly_fields = fields


@admin.register(Program)
class ProgramAdmin(ModelAdmin):
    list_display = ["name", "code", "kind", "category", "area_type", "time_limit_working_days", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code"]
    fields = [
        "code",
        "name",
        "kind",
        "category",
        "area_type",
        "help_first",
        "time_limit_working_days",
        "complex_time_limit_working_days",
        "refusal_notice_working_days",
        "sort_order",
        "active",
    ]
    readonly_fields = ["code", "kind", "category", "area_type", "help_first"]
    inlines = [ApprovalStepInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AddOnlyAdmin(ModelAdmin):
    """Rows are added, then only shown: the change page is read-only and nothing is deleted."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApprovalStep)
class ApprovalStepAdmin(AddOnlyAdmin):
    list_display = ["program", "order", "name", "code", "level", "time_limit", "time_unit", "after_payment"]
    list_filter = ["program"]
    search_fields = ["name", "code"]
    fields = ["program", "order", "code", "name", "level", "time_limit", "time_unit", "after_payment"]


class StandardForm(forms.ModelForm):
    class Meta:
        model = Standard
        fields = [
            "program",
            "component",
            "region_code",
            "area_type",
            "yearly_amount",
            "monthly_amount",
            "min_monthly_per_person",
            "effective_from",
            "effective_to",
            "document_number",
        ]

    def _get_validation_exclusions(self):
        # Overlap is judged by standard_problem (in clean), which lets a new standard follow the
        # open one it will close; the model's exclusion check would refuse that too.
        return super()._get_validation_exclusions() | {"effective_from"}

    def clean(self):
        data = super().clean()
        needed = ["program", "component", "region_code", "area_type", "effective_from"]
        if all(data.get(name) is not None for name in needed):
            problem = standard_problem(
                **{name: data[name] for name in needed}, effective_to=data.get("effective_to")
            )
            if problem:
                raise ValidationError(problem)
        return data


@admin.register(Standard)
class StandardAdmin(AddOnlyAdmin):
    form = StandardForm
    list_display = [
        "program",
        "component",
        "region_code",
        "area_type",
        "monthly_amount",
        "yearly_amount",
        "effective_from",
        "effective_to",
        "document_number",
    ]
    list_filter = ["program", "component", "area_type", "region_code"]
    search_fields = ["document_number", "region_code"]
    date_hierarchy = "effective_from"

    def get_fields(self, request, obj=None):
        fields = list(StandardForm.Meta.fields)
        return fields if obj is None else [*fields, "created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:  # unreachable: no one may change a standard
            raise ValidationError("standards are append-only")
        saved = standard_add(**form.cleaned_data, created_by=request.user)
        obj.pk = saved.pk
        obj.created_by = saved.created_by
        obj.created_at = saved.created_at
