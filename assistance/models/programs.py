"""Assistance programmes, their approval templates and the standards amounts are computed from."""

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from households import clock
from households.constraints import choice_check
from households.fields import ClockDateTimeField
from households.models import AreaType
from monitoring.models import DateRange, MonitoringCategory


class ProgramKind(models.TextChoices):
    PER_HOUSEHOLD = "household", _("按户")
    PER_PERSON = "person", _("按人")
    ONE_OFF = "one_off", _("一次性")


class StepLevel(models.TextChoices):
    TOWN = "town", _("乡镇（街道）")
    COUNTY = "county", _("县级")
    COMMITTEE = "committee", _("评审委员会")


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("工作日")
    CALENDAR_DAYS = "calendar_days", _("自然日")


class StepCode:
    """The step codes the services give a meaning to (a template's steps are named with them,
    assistance/seeds.py); other codes a supervisor adds are plain steps."""

    ACCEPT = "accept"
    HELP_FIRST = "help_first"
    HOME_VISIT = "home_visit"
    INFO_CHECK = "info_check"
    FIRST_REVIEW = "first_review"
    DEPARTMENT_CHECK = "department_check"
    COMMITTEE_REVIEW = "committee_review"
    NOTICE = "notice"
    CONFIRM = "confirm"
    LEADING_GROUP_REVIEW = "leading_group_review"
    PAYMENT = "payment"
    FOLLOW_UP = "follow_up"


class Program(models.Model):
    """An assistance programme: what it grants (per household, per person, one-off), the monitoring
    category enrolment writes (none for one-off help), and its time limits. Rows are seeded; the code
    is stable and never changes (other rows and settings refer to it)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    kind = models.CharField(_("发放方式"), max_length=10, choices=ProgramKind.choices)
    category = models.CharField(
        _("纳入监测类别"), max_length=20, choices=MonitoringCategory.choices, blank=True
    )
    area_type = models.CharField(
        _("城乡类别"),
        max_length=10,
        choices=AreaType.choices,
        blank=True,
        help_text=_("只适用于城市或农村的项目（如城市低保）；两者皆可则留空"),
    )
    help_first = models.BooleanField(
        _("先行救助"), default=False, help_text=_("先发放救助，手续事后补齐（如临时救助急难型）")
    )
    time_limit_working_days = models.PositiveSmallIntegerField(
        _("办结时限（工作日）"), null=True, blank=True, help_text=_("自受理之日起；留空表示不限")
    )
    complex_time_limit_working_days = models.PositiveSmallIntegerField(
        _("复杂情形办结时限（工作日）"), null=True, blank=True
    )
    refusal_notice_working_days = models.PositiveSmallIntegerField(
        _("不予批准书面告知时限（工作日）"), null=True, blank=True
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("救助项目")
        verbose_name_plural = _("救助项目")
        ordering = ["sort_order", "code"]
        constraints = [
            choice_check("program", "kind", ProgramKind.values),
            choice_check("program", "category", MonitoringCategory.values, blank=True),
            choice_check("program", "area_type", AreaType.values, blank=True),
            models.CheckConstraint(
                condition=Q(complex_time_limit_working_days__isnull=True)
                | Q(
                    time_limit_working_days__isnull=False,
                    complex_time_limit_working_days__gte=F("time_limit_working_days"),
                ),
                name="program_complex_limit_not_shorter",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ApprovalStep(models.Model):
    """One step of a programme's approval template, in order. An application's steps are copied
    from these when it is accepted, so a template change never rewrites a running application."""

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="steps", verbose_name=_("救助项目")
    )
    order = models.PositiveSmallIntegerField(_("顺序"))
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=40)
    level = models.CharField(_("办理层级"), max_length=10, choices=StepLevel.choices)
    time_limit = models.PositiveSmallIntegerField(_("时限"), null=True, blank=True)
    time_unit = models.CharField(
        _("时限单位"), max_length=20, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    after_payment = models.BooleanField(
        _("可在发放后补办"), default=False, help_text=_("先行救助时，此步骤可在发放之后完成")
    )

    class Meta:
        verbose_name = _("审批步骤")
        verbose_name_plural = _("审批步骤")
        ordering = ["program", "order"]
        constraints = [
            models.UniqueConstraint(fields=["program", "order"], name="approvalstep_program_order"),
            models.UniqueConstraint(fields=["program", "code"], name="approvalstep_program_code"),
            choice_check("approvalstep", "level", StepLevel.values),
            choice_check("approvalstep", "time_unit", TimeUnit.values),
            models.CheckConstraint(
                condition=Q(time_limit__isnull=True) | Q(time_limit__gt=0),
                name="approvalstep_time_limit_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.order}. {self.name}"


class SelfCareLevel(models.TextChoices):
    SELF_CARE = "self_care", _("全自理")
    SEMI_DISABLED = "semi_disabled", _("半失能")
    DISABLED = "disabled", _("全失能")


class StandardComponent(models.TextChoices):
    """What a standard row measures: the programme's (basic living) standard, or the 特困 care
    allowance of one self-care level (kept as standard rows so they change the same way)."""

    BASIC = "basic", _("保障标准（基本生活标准）")
    CARE_SELF_CARE = "care_self_care", _("照料护理补贴·全自理")
    CARE_SEMI_DISABLED = "care_semi_disabled", _("照料护理补贴·半失能")
    CARE_DISABLED = "care_disabled", _("照料护理补贴·全失能")


CARE_COMPONENT = {
    SelfCareLevel.SELF_CARE: StandardComponent.CARE_SELF_CARE,
    SelfCareLevel.SEMI_DISABLED: StandardComponent.CARE_SEMI_DISABLED,
    SelfCareLevel.DISABLED: StandardComponent.CARE_DISABLED,
}


class Standard(models.Model):
    """An amount in force for a programme, region and area type over a period (days inclusive).

    Append-only, enforced by the database: a row is never deleted and never edited, except that an
    open period (`effective_to` NULL) may be closed once, by `services.standard_add` when the next
    standard starts (trigger `standard_append_only`, migration 0002). Periods of the same programme,
    component, region and area type never overlap (exclusion constraint). `region_code` is the city
    (the default) or a county, whose row wins over the city's (`selectors.standard_in_force`).
    """

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="standards", verbose_name=_("救助项目")
    )
    component = models.CharField(
        _("标准类别"), max_length=20, choices=StandardComponent.choices, default=StandardComponent.BASIC
    )
    region_code = models.CharField(
        _("适用区划代码"), max_length=6, help_text=_("6位代码：市（全市默认）或县（市、区），县级标准优先")
    )
    area_type = models.CharField(_("城乡类别"), max_length=10, choices=AreaType.choices)
    yearly_amount = models.DecimalField(_("年标准（元/人）"), max_digits=10, decimal_places=2)
    monthly_amount = models.DecimalField(_("月标准（元/人）"), max_digits=10, decimal_places=2)
    min_monthly_per_person = models.DecimalField(
        _("每人每月最低救助金额（元）"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("部分县规定低保每人每月最低发放额；留空表示不设"),
    )
    effective_from = models.DateField(_("执行起始日"))
    effective_to = models.DateField(
        _("执行截止日"), null=True, blank=True, help_text=_("含当日；留空表示现行")
    )
    document_number = models.CharField(_("政策文号"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    # Not auto_now_add: the seeded rows say when their standard took effect (assistance/seeds.py).
    created_at = ClockDateTimeField(_("录入时间"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("救助标准")
        verbose_name_plural = _("救助标准")
        ordering = ["program", "component", "region_code", "area_type", "-effective_from"]
        constraints = [
            choice_check("standard", "component", StandardComponent.values),
            choice_check("standard", "area_type", AreaType.values),
            models.CheckConstraint(
                condition=Q(region_code__regex=r"^[0-9]{6}$"), name="standard_region_code_valid"
            ),
            models.CheckConstraint(
                condition=Q(yearly_amount__gt=0, monthly_amount__gt=0), name="standard_amounts_positive"
            ),
            models.CheckConstraint(
                condition=Q(min_monthly_per_person__isnull=True) | Q(min_monthly_per_person__gt=0),
                name="standard_minimum_positive",
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="standard_period_valid",
            ),
            ExclusionConstraint(
                name="standard_no_overlap",
                expressions=[
                    ("program", RangeOperators.EQUAL),
                    ("component", RangeOperators.EQUAL),
                    ("region_code", RangeOperators.EQUAL),
                    ("area_type", RangeOperators.EQUAL),
                    (
                        DateRange("effective_from", "effective_to", models.Value("[]")),
                        RangeOperators.OVERLAPS,
                    ),
                ],
            ),
        ]

    def __str__(self) -> str:
        end = self.effective_to or "…"
        return f"{self.program} {self.get_area_type_display()} {self.region_code} {self.effective_from}–{end}"
