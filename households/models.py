"""The registry: administrative divisions, users and their region scope, households and persons."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from households import ages, clock, idcard
from households.constraints import choice_check
from households.fields import ClockDateTimeField


class RegionLevel(models.TextChoices):
    CITY = "city", _("市")
    COUNTY = "county", _("县（市、区）")
    TOWN = "town", _("乡镇（街道）")
    VILLAGE = "village", _("村（社区）")


LEVEL_BY_LENGTH = {6: RegionLevel.COUNTY, 9: RegionLevel.TOWN, 12: RegionLevel.VILLAGE}


class Region(models.Model):
    """An administrative division. Codes nest: a child's code starts with its parent's prefix."""

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级"),
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^(\d{6}|\d{9}|\d{12})$"), name="region_code_6_9_or_12_digits"
            ),
            choice_check("region", "level", RegionLevel.values),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def prefix(self) -> str:
        """The code prefix every descendant's code starts with (a city 130900 → 1309)."""
        return scope_prefix_for(self.code, self.level)


def scope_prefix_for(code: str, level: str) -> str:
    return code[:4] if level == RegionLevel.CITY else code


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    DATA_ADMIN = "data_admin", _("数据管理员")
    SUPERVISOR = "supervisor", _("督导")
    CASEWORKER = "caseworker", _("经办人")


# Roles that work in the admin site; caseworkers work in the app's own pages only.
STAFF_ROLES = (Role.SYSTEM_ADMIN, Role.DATA_ADMIN, Role.SUPERVISOR)


class User(AbstractUser):
    """A staff member. `scope` limits every personal-data view to one region and its sub-regions.

    What a user may do follows `role` alone (`households.auth_backends`); `is_staff` (admin site
    access) is not set by hand but follows the role, and the database refuses any other value.
    """

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.CASEWORKER)
    scope = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("管辖区域"),
        help_text=_("只能查看该区域及其下级区域的数据"),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_staff=True, role__in=STAFF_ROLES)
                | Q(is_staff=True, is_superuser=True)
                | (Q(is_staff=False, is_superuser=False) & ~Q(role__in=STAFF_ROLES)),
                name="user_staff_follows_role",
            ),
        ]

    def save(self, *args, **kwargs):
        self.is_staff = self.is_superuser or self.role in STAFF_ROLES
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"role", "is_superuser"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "is_staff"}
        super().save(*args, **kwargs)

    @property
    def is_city_wide(self) -> bool:
        """Scope is the whole city (or a superuser without a scope): city-level decisions are theirs."""
        if self.scope_id is None:
            return self.is_superuser
        return self.scope.level == RegionLevel.CITY

    def __str__(self) -> str:
        """The person's name with their sign-in name (the admin lists assignees by this)."""
        name = self.get_full_name()
        return f"{name}（{self.username}）" if name else self.username

    @property
    def scope_prefix(self) -> str | None:
        """Region-code prefix this user may see; None means nothing (no scope set)."""
        if self.scope_id is None:
            return "" if self.is_superuser else None
        return self.scope.prefix

    @property
    def role_label(self) -> str:
        return self.get_role_display()


class AreaType(models.TextChoices):
    URBAN = "urban", _("城市")
    RURAL = "rural", _("农村")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


ID18_REGEX = r"^\d{17}[0-9X]$"


class Household(models.Model):
    """A household, keyed by its head's resident ID (the roster's household key)."""

    head_id_number = models.CharField(_("户主身份证号"), max_length=18, unique=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="households", verbose_name=_("所在区域")
    )
    address = models.CharField(_("家庭住址"), max_length=200, blank=True)
    area_type = models.CharField(_("城乡类别"), max_length=10, choices=AreaType.choices)
    annual_income = models.DecimalField(
        _("家庭年收入（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    created_at = ClockDateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = ClockDateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("家庭")
        verbose_name_plural = _("家庭")
        constraints = [
            models.CheckConstraint(
                condition=Q(head_id_number__regex=ID18_REGEX), name="household_head_id_format"
            ),
            models.CheckConstraint(
                condition=Q(annual_income__isnull=True) | Q(annual_income__gte=0),
                name="household_income_not_negative",
            ),
            choice_check("household", "area_type", AreaType.values),
        ]

    def __str__(self) -> str:
        return f"户主 {self.masked_head_id}"

    @property
    def masked_head_id(self) -> str:
        return idcard.mask(self.head_id_number)


class PersonQuerySet(models.QuerySet):
    def head_first(self):
        """The household's head first, then the others in the order they were registered."""
        return self.order_by(Case(When(relation=Relation.HEAD, then=Value(0)), default=Value(1)), "id")


class Person(models.Model):
    """A resident, keyed by resident ID; belongs to at most one household."""

    id_number = models.CharField(_("身份证号"), max_length=18, unique=True)
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    birth_date = models.DateField(_("出生日期"))
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("家庭"),
    )
    relation = models.CharField(
        _("与户主关系"), max_length=12, choices=Relation.choices, default=Relation.OTHER
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    created_at = ClockDateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = ClockDateTimeField(_("更新时间"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        constraints = [
            models.CheckConstraint(condition=Q(id_number__regex=ID18_REGEX), name="person_id_number_format"),
            models.CheckConstraint(condition=Q(name__length__gt=0), name="person_name_not_empty"),
            choice_check("person", "sex", Sex.values),
            choice_check("person", "relation", Relation.values),
            # The household is keyed by its head's ID: one head, whatever writes the rows.
            models.UniqueConstraint(
                fields=["household"], condition=Q(relation="head"), name="person_one_head_per_household"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_id}）"

    @property
    def masked_id(self) -> str:
        return idcard.mask(self.id_number)

    @property
    def age(self) -> int:
        """Whole years today. Shown instead of the birth date wherever the ID is masked: the mask
        hides exactly the birth date, so the two together would be the full ID."""
        return self.age_on(clock.today())

    def age_on(self, day) -> int:
        """Whole years (周岁) on `day` (`households.ages`: the definition the rules' SQL uses too)."""
        return ages.age_on(self.birth_date, day)


models.CharField.register_lookup(Length)


class HouseholdMove(models.Model):
    """A household moved to another village (`households.moves.household_move`): who, when, from,
    to and why. Append-only; the region copies of its members' records and open alerts were
    brought in step in the same transaction."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="moves", verbose_name=_("家庭")
    )
    from_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("迁出区域")
    )
    to_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("迁入区域")
    )
    reason = models.CharField(_("迁移原因"), max_length=200)
    moved_by = models.ForeignKey(
        "households.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    moved_at = ClockDateTimeField(_("迁移时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("家庭迁移记录")
        verbose_name_plural = _("家庭迁移记录")
        ordering = ["-moved_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_region=models.F("to_region")), name="householdmove_regions_differ"
            ),
            models.CheckConstraint(condition=Q(reason__length__gt=0), name="householdmove_reason_not_empty"),
        ]

    def __str__(self) -> str:
        return _("家庭 #%(household)s 从 %(from)s 迁至 %(to)s") % {
            "household": self.household_id,
            "from": self.from_region_id,
            "to": self.to_region_id,
        }


class PersonMove(models.Model):
    """A person moved to another household (`households.moves.person_move`): who, when, from, to
    (household and relation) and why. Append-only."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="moves", verbose_name=_("人员"))
    from_household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("原家庭")
    )
    to_household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("新家庭")
    )
    from_relation = models.CharField(_("原与户主关系"), max_length=12, choices=Relation.choices)
    to_relation = models.CharField(_("新与户主关系"), max_length=12, choices=Relation.choices)
    reason = models.CharField(_("迁移原因"), max_length=200)
    moved_by = models.ForeignKey(
        "households.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    moved_at = ClockDateTimeField(_("迁移时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("人员迁移记录")
        verbose_name_plural = _("人员迁移记录")
        ordering = ["-moved_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_household=models.F("to_household")), name="personmove_households_differ"
            ),
            models.CheckConstraint(condition=Q(reason__length__gt=0), name="personmove_reason_not_empty"),
        ]

    def __str__(self) -> str:
        return _("人员 #%(person)s 迁入家庭 #%(to)s") % {"person": self.person_id, "to": self.to_household_id}


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日")
    MAKEUP_WORKDAY = "makeup_workday", _("调休上班")


class CalendarDay(models.Model):
    """One day of the State Council's holiday arrangement, entered by a city supervisor.

    `households.workdays` reads `chinese-calendar` for the years it knows and these rows on top: a
    row wins over the package for its date (to correct it), and a year the package does not know
    counts as known once it has at least one 法定节假日 row (the year's arrangement entered).
    The database keeps one row per date and only the two kinds.
    """

    date = models.DateField(_("日期"))
    kind = models.CharField(_("类别"), max_length=20, choices=CalendarDayKind.choices)
    name = models.CharField(_("节日名称"), max_length=50, help_text=_("例如：春节、国庆节"))
    note = models.CharField(
        _("备注"), max_length=200, blank=True, help_text=_("例如：国务院办公厅通知的文号")
    )
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("录入人")
    )
    created_at = ClockDateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date"],
                name="calendarday_date_unique",
                violation_error_message=_(
                    "这一天已有一条记录：每个日期只能有一条，请修改原记录而不是再添一条。"
                ),
            ),
            choice_check("calendarday", "kind", CalendarDayKind.values),
            models.CheckConstraint(condition=Q(name__length__gt=0), name="calendarday_name_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}（{self.get_kind_display()}）"
