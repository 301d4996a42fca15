"""What happens to a grant after approval: reviews (复核), exits (退出) and follow-ups (回访)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from households.constraints import choice_check
from households.fields import ClockDateTimeField
from households.models import Household, Person, Region

from .applications import Application
from .grants import Grant


class ReviewReason(models.TextChoices):
    SCHEDULED = "scheduled", _("定期复核")
    TURNS_ADULT = "turns_adult", _("特困未成年人年满18周岁")
    GRADUAL_EXIT_ENDS = "gradual_exit_ends", _("渐退期届满")
    DEPARTMENT_DATA = "department_data", _("部门数据提示")


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("待复核")
    DONE = "done", _("已复核")


class ReviewOutcome(models.TextChoices):
    KEEP = "keep", _("维持")
    ADJUST = "adjust", _("调整金额")
    GRADUAL_EXIT = "gradual_exit", _("进入渐退期")
    STOP = "stop", _("停发退出")


class Review(models.Model):
    """A review task for a grant, generated for the town (set-based, never twice for the same grant,
    reason and due date) and decided by a caseworker or supervisor of the region."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("待遇"))
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("家庭")
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区域"))
    reason = models.CharField(_("复核原因"), max_length=20, choices=ReviewReason.choices)
    due_on = models.DateField(_("复核期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    evidence = models.JSONField(_("依据"), default=dict, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("经办人"),
    )
    created_at = ClockDateTimeField(_("生成时间"), auto_now_add=True)
    outcome = models.CharField(_("复核结论"), max_length=20, choices=ReviewOutcome.choices, blank=True)
    new_amount = models.DecimalField(
        _("调整后金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    gradual_exit_months = models.PositiveSmallIntegerField(_("渐退期（月）"), null=True, blank=True)
    next_interval_months = models.PositiveSmallIntegerField(_("下次复核间隔（月）"), null=True, blank=True)
    note = models.TextField(_("复核情况"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("复核人"),
    )
    done_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(_("修改版本号"), default=0)

    class Meta:
        verbose_name = _("复核任务")
        verbose_name_plural = _("复核任务")
        constraints = [
            models.UniqueConstraint(fields=["grant", "reason", "due_on"], name="review_once"),
            models.UniqueConstraint(
                fields=["grant"],
                condition=Q(status="open", reason="scheduled"),
                name="review_one_open_scheduled",
            ),
            models.CheckConstraint(
                condition=Q(status="open", outcome="", done_at__isnull=True)
                | Q(status="done", done_at__isnull=False, done_by__isnull=False) & ~Q(outcome=""),
                name="review_done_has_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="adjust") | Q(new_amount__gte=0), name="review_adjust_has_amount"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="gradual_exit")
                | Q(gradual_exit_months__gte=1, gradual_exit_months__lte=12),
                name="review_gradual_exit_months",
            ),
            choice_check("review", "reason", ReviewReason.values),
            choice_check("review", "status", ReviewStatus.values),
            choice_check("review", "outcome", ReviewOutcome.values, blank=True),
        ]
        indexes = [
            models.Index(
                fields=["region", "due_on"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                condition=Q(status="open"),
                name="review_open_region_due",
            ),
            models.Index(
                fields=["assigned_to", "due_on"], condition=Q(status="open"), name="review_open_assignee"
            ),
        ]


class ExitReason(models.TextChoices):
    DEATH = "death", _("死亡")
    INCOME_ABOVE_LINE = "income", _("收入超过标准")
    ASSETS_ABOVE_LINE = "assets", _("财产超过规定")
    MOVED_AWAY = "moved_away", _("迁出本地")
    VOLUNTARY = "voluntary", _("本人申请退出")
    TURNED_ADULT = "turned_adult", _("特困未成年人年满18周岁")
    NOT_FOUND = "not_found", _("复核时无法联系")
    GRADUAL_EXIT_ENDED = "gradual_exit_ended", _("渐退期届满")


class GrantExit(models.Model):
    """How a grant ended: reason, effective date, who decided it and when. The grant is paid
    through the month of the effective date (`Grant.end_month`); what locked rolls paid for
    later months is the overpayment to recover (追缴)."""

    grant = models.OneToOneField(Grant, on_delete=models.PROTECT, related_name="exit", verbose_name=_("待遇"))
    reason = models.CharField(_("退出原因"), max_length=20, choices=ExitReason.choices)
    effective_on = models.DateField(_("生效日期"))
    note = models.TextField(_("说明"), blank=True)
    review = models.ForeignKey(
        Review, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("复核任务")
    )
    overpaid = models.DecimalField(_("多发金额（元）"), max_digits=12, decimal_places=2, default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("决定人"),
        help_text=_("空：系统按规则（如渐退期届满）"),
    )
    decided_at = ClockDateTimeField(_("决定时间"))

    class Meta:
        verbose_name = _("退出记录")
        verbose_name_plural = _("退出记录")
        constraints = [
            models.CheckConstraint(condition=Q(overpaid__gte=0), name="grantexit_overpaid_not_negative"),
            choice_check("grantexit", "reason", ExitReason.values),
        ]
        indexes = [models.Index(fields=["decided_at"], name="grantexit_decided_at")]


class FollowUpSource(models.TextChoices):
    PAYMENT = "payment", _("一次性救助发放后")
    VISIT = "visit", _("核查时约定回访")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("待回访")
    DONE = "done", _("已回访")


class FollowUpResult(models.TextChoices):
    RESOLVED = "resolved", _("困难已缓解")
    STILL_HARD = "still_hard", _("仍有困难，继续关注")
    NEW_APPLICATION = "new_application", _("需进一步救助，已发起申请")
    NOT_REACHED = "not_reached", _("未能联系")


class FollowUp(models.Model):
    """A follow-up (回访) task for the caseworker: after a one-off or special-fund payment, or on the
    follow-up date a visit set. One per payment line / visit (constraints); its result may start a
    new application."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("家庭")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("人员")
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区域"))
    source = models.CharField(_("来源"), max_length=10, choices=FollowUpSource.choices)
    payment_line = models.OneToOneField(
        "assistance.PaymentLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_up",
        verbose_name=_("发放明细"),
    )
    visit = models.OneToOneField(
        "alerts.HomeVisit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_up",
        verbose_name=_("核查记录"),
    )
    due_on = models.DateField(_("回访日期"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("经办人"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    result = models.CharField(_("回访结果"), max_length=20, choices=FollowUpResult.choices, blank=True)
    note = models.TextField(_("回访情况"), blank=True)
    new_application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("新申请"),
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("回访人"),
    )
    done_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    created_at = ClockDateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回访任务")
        verbose_name_plural = _("回访任务")
        constraints = [
            models.CheckConstraint(
                condition=Q(source="payment", payment_line__isnull=False, visit__isnull=True)
                | Q(source="visit", visit__isnull=False, payment_line__isnull=True),
                name="followup_source_matches",
            ),
            models.CheckConstraint(
                condition=Q(status="open", result="", done_at__isnull=True)
                | Q(status="done", done_at__isnull=False, done_by__isnull=False) & ~Q(result=""),
                name="followup_done_has_result",
            ),
            choice_check("followup", "source", FollowUpSource.values),
            choice_check("followup", "status", FollowUpStatus.values),
            choice_check("followup", "result", FollowUpResult.values, blank=True),
        ]
        indexes = [
            models.Index(
                fields=["region", "due_on"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                condition=Q(status="open"),
                name="followup_open_region_due",
            ),
            models.Index(
                fields=["assigned_to", "due_on"], condition=Q(status="open"), name="followup_open_assignee"
            ),
        ]
