"""Admin of the registry, and the admin conventions every app's admin follows.

- `ModelAdmin` (use it instead of Django's): a missing or out-of-scope object answers 404, as in
  the app's pages (Django's admin would redirect to the index with "perhaps it was deleted").
- `ScopedAdminMixin`: lists, searches and object pages reach only rows inside the user's region.
- Accounts are the system administrators' (role permissions); they manage accounts inside their
  own scope, never superusers, and only a superuser makes a superuser.
"""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from households import id_search
from households.models import Household, Person, Region, User
from households.scoping import scope_queryset


class NotFoundAdminMixin:
    """A missing object is 404, exactly like an object outside the user's region."""

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(_("没有找到该记录"))


# Fields holding a resident ID or part of one (a birth date is the masked part). Django lets a list's
# query string filter on any of a model's own fields (?id_number__startswith=1309211980…), which
# would enumerate IDs digit by digit; the search box (households.id_search) is the only way in.
ID_FIELDS = frozenset(
    {"id_number", "head_id_number", "household_id_number", "certificate_no", "key", "birth_date"}
)


class ModelAdmin(NotFoundAdminMixin, admin.ModelAdmin):
    def lookup_allowed(self, lookup, value, request=None):
        if ID_FIELDS.intersection(lookup.split(LOOKUP_SEP)):
            return False  # the list answers 400, as for any lookup it does not offer
        return super().lookup_allowed(lookup, value, request)

    def response_action(self, request, queryset):
        """An action on a selection the user cannot see (outside their region, or gone) does
        nothing and says so, instead of a confirmation page about nothing."""
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if request.POST.get("select_across") != "1" and not queryset.filter(pk__in=selected).exists():
            self.message_user(
                request, _("所选记录不在您的管辖范围内或已不存在，未作任何改动。"), messages.WARNING
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)


class ScopedAdminMixin:
    """Admin lists, searches and change pages only reach rows inside the user's region."""

    region_path = "region__code"

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user, self.region_path)


class IdOrNameSearchMixin:
    """Search by the start of a name, a full resident ID (any accepted spelling) or a name with the
    ID's last four characters; an ID prefix or fragment is refused with a message, and ID searches
    count against the user's limit (`households.id_search`)."""

    id_field = "id_number"
    name_field = "name"

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        search = id_search.search_for(request.user, search_term)
        if search.kind == id_search.REFUSED:
            messages.warning(request, search.message)
            return queryset.none(), False
        if search.kind == id_search.FULL_ID:
            return queryset.filter(**{self.id_field: search.id_number}), True
        if search.kind == id_search.NAME_LAST4:
            return queryset.filter(
                **{self.name_field: search.name, f"{self.id_field}__endswith": search.last4}
            ), True
        return queryset.filter(**{f"{self.name_field}__startswith": search.name}), True


admin.site.unregister(Group)  # permissions follow roles (auth_backends); groups grant nothing


@admin.register(Region)
class RegionAdmin(ScopedAdminMixin, ModelAdmin):
    region_path = "code"
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]

    def has_delete_permission(self, request, obj=None):
        return False  # households, users and alerts point at regions (PROTECT)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = scope_queryset(Region.objects.all(), request.user, "code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(User)
class UserAdmin(NotFoundAdminMixin, BaseUserAdmin):
    """Accounts of the system administrator's own region; no superusers unless one is signed in."""

    list_display = ["username", "last_name", "first_name", "role", "scope", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    autocomplete_fields = ["scope"]
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        prefix = request.user.scope_prefix
        if prefix is None:
            return qs.none()
        return qs.filter(is_superuser=False, scope__code__startswith=prefix)

    def get_fieldsets(self, request, obj=None):
        account = (_("岗位与管辖区域"), {"fields": ("role", "scope", "is_active")})
        if obj is None:
            return (
                *BaseUserAdmin.add_fieldsets,
                (_("姓名"), {"fields": ("last_name", "first_name")}),
                account,
            )
        status = ("is_active", "is_superuser") if request.user.is_superuser else ("is_active",)
        return (
            (None, {"fields": ("username", "password")}),
            (_("个人信息"), {"fields": ("last_name", "first_name", "email")}),
            (_("岗位与管辖区域"), {"fields": ("role", "scope", *status)}),
            (_("重要日期"), {"fields": ("last_login", "date_joined")}),
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "scope":
            kwargs["queryset"] = scope_queryset(Region.objects.all(), request.user, "code")
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PersonInline(admin.TabularInline):
    model = Person
    fields = ["name", "masked_id", "relation", "sex", "age", "phone"]
    readonly_fields = ["masked_id", "sex", "age"]
    extra = 0
    can_delete = False
    show_change_link = True

    @admin.display(description=_("身份证号"))
    def masked_id(self, obj):
        return obj.masked_id

    @admin.display(description=_("年龄（岁）"))
    def age(self, obj):
        return obj.age  # never the birth date beside a masked ID: together they are the full ID

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(IdOrNameSearchMixin, ScopedAdminMixin, ModelAdmin):
    list_display = ["id", "masked_head_id", "region", "area_type", "annual_income", "updated_at"]
    list_filter = ["area_type"]
    list_select_related = ["region"]
    search_fields = ["members__name"]
    search_help_text = _("输入姓名开头、完整身份证号，或姓名+身份证号后四位（如：张三 6194）")
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
class PersonAdmin(IdOrNameSearchMixin, ScopedAdminMixin, ModelAdmin):
    region_path = "household__region__code"
    list_display = ["name", "masked_id", "sex", "age", "relation", "household"]
    list_select_related = ["household"]
    list_filter = ["sex", "relation"]
    search_fields = ["name"]
    search_help_text = _("输入姓名开头、完整身份证号，或姓名+身份证号后四位（如：张三 6194）")
    fields = ["name", "masked_id", "sex", "age", "household", "relation", "phone"]
    readonly_fields = ["masked_id", "sex", "age"]
    raw_id_fields = ["household"]
    show_full_result_count = False

    @admin.display(description=_("身份证号"))
    def masked_id(self, obj):
        return obj.masked_id

    @admin.display(description=_("年龄（岁）"))
    def age(self, obj):
        return obj.age  # never the birth date beside a masked ID: together they are the full ID

    def has_add_permission(self, request):
        return False  # people enter through the roster feed, which validates their ID
