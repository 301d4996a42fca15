"""Admin of the registry, and the admin conventions every app's admin follows.

- `ModelAdmin` (use it instead of Django's): a missing or out-of-scope object answers 404, as in
  the app's pages (Django's admin would redirect to the index with "perhaps it was deleted").
- `ScopedAdminMixin`: lists, searches and object pages reach only rows inside the user's region.
- Accounts are the system administrators' (role permissions); they manage accounts inside their
  own scope, never superusers, and only a superuser makes a superuser.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from households import id_search, moves
from households.models import CalendarDay, Household, HouseholdMove, Person, PersonMove, Region, User
from households.readlog import services as readlog
from households.readlog.models import ReadAction
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


class ReadLoggedAdminMixin:
    """An object's change (or view) page shows a person's or household's data: it is logged
    (households.readlog), with the people and households `read_subjects` names."""

    read_action = ReadAction.PERSON_VIEW

    def read_subjects(self, obj) -> tuple[list[int], list[int]]:
        """(household ids, person ids) the page of `obj` shows."""
        return [], []

    def listed_subjects(self, objs) -> tuple[list[int], list[int]]:
        """(household ids, person ids) of a list page's rows, without a query per row."""
        return [], []

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            household_ids, person_ids = self.read_subjects(obj)
            readlog.note(request, self.read_action, household_ids=household_ids, person_ids=person_ids)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        """An ID search's row (the middleware writes it) names the rows the list showed."""
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None and readlog.searched_by_id(request):
            household_ids, person_ids = self.listed_subjects(changelist.result_list)
            readlog.note(request, household_ids=household_ids, person_ids=person_ids)
        return response


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


class MoveReasonForm(forms.ModelForm):
    """Admin form of a model whose `move_field` change is a move: asks why, and checks the move
    with the service's own rules so the form shows what is wrong (the service checks again)."""

    actor = None
    move_field = ""
    move_reason = forms.CharField(
        label=_("迁移原因"),
        max_length=200,
        required=False,
        help_text=_("更改所在区域或所属家庭时必填：所有相关记录和未办结预警将随之迁移。"),
    )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or self.move_field not in cleaned:
            return cleaned
        try:
            if self.move_field in self.changed_data:
                cleaned["move_reason"] = self.check_move(cleaned)
            elif "relation" in self.changed_data and cleaned.get("household") and "relation" in cleaned:
                moves.check_head_rule(
                    person=self.instance, household=cleaned["household"], relation=cleaned["relation"]
                )
        except ValidationError as exc:
            field = {"reason": "move_reason", "relation": "relation"}.get(exc.code, self.move_field)
            self.add_error(field, exc)
        return cleaned

    def check_move(self, cleaned) -> str:
        original = type(self.instance).objects.get(pk=self.instance.pk)
        if self.move_field == "region":
            return moves.check_household_move(
                actor=self.actor,
                household=original,
                region=cleaned["region"],
                reason=cleaned.get("move_reason"),
            )
        return moves.check_person_move(
            actor=self.actor,
            person=original,
            household=cleaned["household"],
            relation=cleaned.get("relation", original.relation),
            reason=cleaned.get("move_reason"),
        )


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


class MoveHistoryInline(admin.TabularInline):
    """The moves of a household or person, as recorded by `households.moves`: read only."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        # Whoever sees the household (or person) sees how it moved; no role has the move models.
        return request.user.has_perm(f"households.view_{self.parent_model._meta.model_name}")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class HouseholdMoveInline(MoveHistoryInline):
    model = HouseholdMove
    fields = ["moved_at", "from_region", "to_region", "reason", "moved_by"]
    readonly_fields = fields


class PersonMoveInline(MoveHistoryInline):
    model = PersonMove
    fk_name = "person"
    fields = ["moved_at", "from_household", "to_household", "to_relation", "reason", "moved_by"]
    readonly_fields = fields


@admin.register(Household)
class HouseholdAdmin(ReadLoggedAdminMixin, IdOrNameSearchMixin, ScopedAdminMixin, ModelAdmin):
    list_display = ["id", "masked_head_id", "region", "area_type", "annual_income", "updated_at"]
    list_filter = ["area_type"]
    list_select_related = ["region"]
    search_fields = ["members__name"]
    search_help_text = _("输入姓名开头、完整身份证号，或姓名+身份证号后四位（如：张三 6194）")
    id_field = "members__id_number"
    name_field = "members__name"
    fields = ["masked_head_id", "region", "move_reason", "address", "area_type", "annual_income"]
    readonly_fields = ["masked_head_id"]
    raw_id_fields = ["region"]
    inlines = [PersonInline, HouseholdMoveInline]
    show_full_result_count = False

    @admin.display(description=_("户主身份证号"))
    def masked_head_id(self, obj):
        return obj.masked_head_id

    read_action = ReadAction.HOUSEHOLD_VIEW

    def read_subjects(self, obj):
        return [obj.pk], list(obj.members.values_list("pk", flat=True))

    def listed_subjects(self, objs):
        return [o.pk for o in objs], []

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    form = MoveReasonForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor, form.move_field = request.user, "region"  # a fresh class per request
        return form

    def save_model(self, request, obj, form, change):
        """A changed region is a move: it goes through `moves.household_move`, which brings every
        copy of the household's region in step; the other fields are saved as usual."""
        if not (change and "region" in form.changed_data):
            return super().save_model(request, obj, form, change)
        target = obj.region_id
        obj.region_id = form.initial["region"]
        super().save_model(request, obj, form, change)
        moves.household_move(
            actor=request.user,
            household_id=obj.pk,
            region_code=target,
            reason=form.cleaned_data["move_reason"],
        )
        obj.refresh_from_db()


@admin.register(Person)
class PersonAdmin(ReadLoggedAdminMixin, IdOrNameSearchMixin, ScopedAdminMixin, ModelAdmin):
    region_path = "household__region__code"
    list_display = ["name", "masked_id", "sex", "age", "relation", "household"]
    list_select_related = ["household"]
    list_filter = ["sex", "relation"]
    search_fields = ["name"]
    search_help_text = _("输入姓名开头、完整身份证号，或姓名+身份证号后四位（如：张三 6194）")
    fields = ["name", "masked_id", "sex", "age", "household", "relation", "move_reason", "phone"]
    readonly_fields = ["masked_id", "sex", "age"]
    raw_id_fields = ["household"]
    inlines = [PersonMoveInline]
    show_full_result_count = False

    def read_subjects(self, obj):
        return [obj.household_id], [obj.pk]

    def listed_subjects(self, objs):
        return [o.household_id for o in objs], [o.pk for o in objs]

    @admin.display(description=_("身份证号"))
    def masked_id(self, obj):
        return obj.masked_id

    @admin.display(description=_("年龄（岁）"))
    def age(self, obj):
        return obj.age  # never the birth date beside a masked ID: together they are the full ID

    def has_add_permission(self, request):
        return False  # people enter through the roster feed, which validates their ID

    form = MoveReasonForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor, form.move_field = request.user, "household"  # a fresh class per request
        return form

    def save_model(self, request, obj, form, change):
        """A changed household is a move: it goes through `moves.person_move` (with the relation
        chosen), which brings every copy of where the person lives in step."""
        if not (change and "household" in form.changed_data):
            return super().save_model(request, obj, form, change)
        target, relation = obj.household_id, obj.relation
        obj.household_id, obj.relation = form.initial["household"], form.initial["relation"]
        super().save_model(request, obj, form, change)
        moves.person_move(
            actor=request.user,
            person_id=obj.pk,
            household_id=target,
            relation=relation,
            reason=form.cleaned_data["move_reason"],
        )
        obj.refresh_from_db()


@admin.register(CalendarDay)
class CalendarDayAdmin(ModelAdmin):
    """The holiday arrangement on top of `chinese-calendar` (households.workdays): entries for years
    the package does not know, and corrections; city-wide, so only city supervisors change it."""

    list_display = ["date", "kind", "name", "note", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "note"]
    date_hierarchy = "date"
    fields = ["date", "kind", "name", "note"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
