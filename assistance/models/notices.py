"""公示: the notice a town publishes per village and period, its lines and the objections raised."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from households.constraints import choice_check
from households.fields import ClockDateTimeField
from households.models import Region

from .applications import Application


class Notice(models.Model):
    """A public notice of one village for one period (both ends included). Its lines are a snapshot
    taken when it is published, so the printed list never changes afterwards."""

    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）")
    )
    starts_on = models.DateField(_("公示开始日期"))
    ends_on = models.DateField(_("公示结束日期"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布人")
    )
    published_at = ClockDateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="notice_period_valid"),
        ]
        indexes = [
            models.Index(
                fields=["village", "starts_on"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                name="notice_village",
            )
        ]

    def __str__(self) -> str:
        return _("%(village)s 公示（%(start)s 至 %(end)s）") % {
            "village": self.village.name,
            "start": self.starts_on.isoformat(),
            "end": self.ends_on.isoformat(),
        }


class NoticeEntry(models.Model):
    """One line of a notice: what the village sees, never an ID number, illness or disability."""

    notice = models.ForeignKey(
        Notice, on_delete=models.PROTECT, related_name="entries", verbose_name=_("公示")
    )
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="notice_entries", verbose_name=_("申请")
    )
    head_display = models.CharField(_("户主（申请人）"), max_length=50)
    people_covered = models.PositiveSmallIntegerField(_("保障人数"))
    proposed_amount = models.DecimalField(
        _("拟救助金额（元/月）"), max_digits=10, decimal_places=2, null=True
    )
    program_name = models.CharField(_("救助项目"), max_length=60)

    class Meta:
        verbose_name = _("公示名单")
        verbose_name_plural = _("公示名单")
        ordering = ["notice", "id"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "application"], name="noticeentry_once_per_notice"),
        ]


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


class Objection(models.Model):
    """An objection to one notice line. An upheld objection sends the application back to the
    investigation step; it is then noticed again on a new notice."""

    entry = models.ForeignKey(
        NoticeEntry, on_delete=models.PROTECT, related_name="objections", verbose_name=_("公示名单")
    )
    received_on = models.DateField(_("收到日期"))
    content = models.TextField(_("异议内容"))
    raised_by = models.CharField(_("异议人"), max_length=60, blank=True, help_text=_("可匿名"))
    status = models.CharField(
        _("处理结果"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING
    )
    finding = models.TextField(_("核实情况"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = ClockDateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["entry", "received_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending")
                | (Q(decided_by__isnull=False, decided_at__isnull=False) & ~Q(finding="")),
                name="objection_decided_has_finding",
            ),
            choice_check("objection", "status", ObjectionStatus.values),
        ]
