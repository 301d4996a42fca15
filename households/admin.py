from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from households import idcard
from households.models import Household, Person, Region, User
from households.scoping import scope_queryset
from households.selectors import looks_like_id


class ScopedAdminMixin:
    """Admin lists, searches and change pages only reach rows inside the user's region."""

    region_path = "region__code"

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user, self.region_path)


class IdOrNameSearchMixin:
    """Search by a full resident ID (any accepted spelling) or by the start of a name."""

    id_field = "id_number"
    name_field = "name"

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if looks_like_id(term):
            try:
                return queryset.filter(**{self.id_field: idcard.parse_id_number(term)}), True
            except idcard.IdNumberError:
                return queryset.none(), False
        return queryset.filter(**{f"{self.name_field}__startswith": term}), True


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "scope", "is_active", "is_staff"]
    list_filter = ["role", "is_active", "is_staff"]
    autocomplete_fields = ["scope"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("岗位与管辖区域"), {"fields": ("role", "scope")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("岗位与管辖区域"), {"fields": ("role", "scope")}),
    )


class PersonInline(admin.TabularInline):
    model = Person
    fields = ["name", "masked_id", "relation", "sex", "birth_date", "phone"]
    readonly_fields = ["masked_id", "sex", "birth_date"]
    extra = 0
    can_delete = False
    show_change_link = True

    @admin.display(description=_("身份证号"))
    def masked_id(self, obj):
        return obj.masked_id

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(IdOrNameSearchMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["id", "masked_head_id", "region", "area_type", "annual_income", "updated_at"]
    list_filter = ["area_type"]
    list_select_related = ["region"]
    search_fields = ["members__name"]
    search_help_text = _("输入完整身份证号，或姓名开头")
    id_field = "members__id_number"
    name_field = "members__name"
    fields = ["masked_head_id", "region", "address", "area_type", "annual_income"]
    readonly_fields = ["masked_head_id"]
    raw_id_fields = ["region"]
    inlines = [PersonInline]
    show_full_result_count = False

    @admin.display(description=_("户主身份证号"))
    def masked_head_id(self, obj):
        return obj.masked_head_id

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False


@admin.register(Person)
class PersonAdmin(IdOrNameSearchMixin, ScopedAdminMixin, admin.ModelAdmin):
    region_path = "household__region__code"
    list_display = ["name", "masked_id", "sex", "birth_date", "relation", "household"]
    list_select_related = ["household"]
    list_filter = ["sex", "relation"]
    search_fields = ["name"]
    search_help_text = _("输入完整身份证号，或姓名开头")
    fields = ["name", "masked_id", "sex", "birth_date", "household", "relation", "phone"]
    readonly_fields = ["masked_id", "sex", "birth_date"]
    raw_id_fields = ["household"]
    show_full_result_count = False

    @admin.display(description=_("身份证号"))
    def masked_id(self, obj):
        return obj.masked_id

    def has_add_permission(self, request):
        return False  # people enter through the roster feed, which validates their ID
