"""Grants: what an approved application pays, to whom, from when, and every change of amount."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from households.constraints import choice_check
from households.fields import ClockDateTimeField
from households.models import Household, Person, Region
from monitoring.models import MonitoringCategory

from .applications import Application
from .programs import Program


class GrantStatus(models.TextChoices):
    ACTIVE = "active", _("享受中")
    ENDED = "ended", _("已停发")


class Grant(models.Model):
    """The benefit an approved application grants: per household (低保), per person (特困) or one
    payment (临时救助, special fund: `one_off`, start month = end month). `monthly_amount` is the
    amount in force; `GrantAmount` keeps every amount it ever had."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="grant", verbose_name=_("申请")
    )
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="grants", verbose_name=_("救助项目")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="grants", verbose_name=_("家庭")
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name=_("救助对象"),
        help_text=_("按人发放的项目（如特困）"),
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区域"))
    one_off = models.BooleanField(_("一次性"), default=False)
    amount = models.DecimalField(_("金额（元，按月或一次性）"), max_digits=10, decimal_places=2)
    people_covered = models.PositiveSmallIntegerField(_("保障人数"))
    start_month = models.DateField(_("起始月份"), help_text=_("当月1日"))
    end_month = models.DateField(_("截止月份"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=GrantStatus.choices, default=GrantStatus.ACTIVE
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("批准人")
    )
    approved_on = models.DateField(_("批准日期"))
    created_at = ClockDateTimeField(_("创建时间"), auto_now_add=True)
    # Reviews (复核): yearly, or every 6 months for households with members able to work or
    # irregular income (REVIEW_MONTHS_*); the last review decides the next interval.
    review_interval_months = models.PositiveSmallIntegerField(_("复核间隔（月）"), default=12)
    last_reviewed_on = models.DateField(_("上次复核日期"), null=True, blank=True)
    # 渐退期: income rose through work; the grant is paid through this month, then ends.
    gradual_exit_until = models.DateField(_("渐退期截止月份"), null=True, blank=True)

    class Meta:
        verbose_name = _("救助待遇")
        verbose_name_plural = _("救助待遇")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="grant_amount_not_negative"),
            models.CheckConstraint(condition=Q(start_month__day=1), name="grant_start_first_of_month"),
            models.CheckConstraint(
                condition=Q(end_month__isnull=True) | Q(end_month__gte=F("start_month")),
                name="grant_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(one_off=True) | Q(end_month=F("start_month")), name="grant_one_off_one_month"
            ),
            choice_check("grant", "status", GrantStatus.values),
            models.CheckConstraint(
                condition=Q(review_interval_months__in=[3, 6, 12]), name="grant_review_interval"
            ),
            models.CheckConstraint(
                condition=Q(gradual_exit_until__isnull=True) | Q(gradual_exit_until__day=1),
                name="grant_gradual_exit_first_of_month",
            ),
        ]
        indexes = [
            models.Index(
                fields=["region", "id"], opclasses=["varchar_pattern_ops", "int8_ops"], name="grant_region_id"
            ),
            models.Index(fields=["approved_on", "program"], name="grant_approved_on"),
        ]

    def __str__(self) -> str:
        return _("%(program)s 待遇 #%(pk)s") % {"program": self.program, "pk": self.pk}


class GrantAmount(models.Model):
    """One amount a grant had from a month on, with the computation behind it (append-only)."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="amounts", verbose_name=_("待遇"))
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2)
    from_month = models.DateField(_("起始月份"))
    computation = models.JSONField(_("金额计算"), default=dict)
    reason = models.CharField(_("变更原因"), max_length=200)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("变更人")
    )
    changed_at = ClockDateTimeField(_("变更时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("待遇金额变更")
        verbose_name_plural = _("待遇金额变更")
        ordering = ["grant", "from_month", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="grantamount_not_negative"),
            models.CheckConstraint(condition=Q(from_month__day=1), name="grantamount_first_of_month"),
        ]


class GrantMember(models.Model):
    """A person a grant covers, with the monitoring category they had before enrolment (conversions
    from 防止返贫监测 are counted from it)."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="members", verbose_name=_("待遇"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("人员"))
    previous_category = models.CharField(
        _("原监测类别"), max_length=20, choices=MonitoringCategory.choices, blank=True
    )

    class Meta:
        verbose_name = _("待遇覆盖人员")
        verbose_name_plural = _("待遇覆盖人员")
        constraints = [
            models.UniqueConstraint(fields=["grant", "person"], name="grantmember_once"),
            choice_check("grantmember", "previous_category", MonitoringCategory.values, blank=True),
        ]
