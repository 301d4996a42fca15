"""The monthly list to medical insurance (FEEDS.md "Outbound"): each production is a recorded exchange."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from households.constraints import choice_check
from households.fields import ClockDateTimeField
from households.models import Region


class ExchangeStatus(models.TextChoices):
    PRODUCED = "produced", _("已生成")
    SENT = "sent", _("已报送")
    ACKNOWLEDGED = "acknowledged", _("对方已确认")
    SUPERSEDED = "superseded", _("已被新版本取代")


class MedicalInsuranceList(models.Model):
    """One version of the list of people newly approved and exited in `period` (a month) for
    `region` (the city, or a county where lists are per county). The CSV is stored as produced and
    its SHA-256 kept: producing the month again gives the same bytes unless the records changed, and
    then it is a new version (the earlier one is superseded)."""

    period = models.DateField(_("所属月份"), help_text=_("当月1日"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("区域"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    status = models.CharField(
        _("状态"), max_length=15, choices=ExchangeStatus.choices, default=ExchangeStatus.PRODUCED
    )
    rows_new = models.PositiveIntegerField(_("新增人数"), default=0)
    rows_exit = models.PositiveIntegerField(_("退出人数"), default=0)
    csv_content = models.BinaryField(_("文件内容（CSV）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    produced_at = ClockDateTimeField(_("生成时间"))
    produced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("生成人"),
        help_text=_("空：每月1日定时任务生成"),
    )
    sent_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报送人"),
    )
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledgement = models.CharField(_("对方确认说明"), max_length=200, blank=True)
    # The day the bureau acknowledged (its reply's date); acknowledged_at is when it was recorded here.
    acknowledged_on = models.DateField(_("对方确认日期"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认登记人"),
    )

    class Meta:
        verbose_name = _("医保资助参保名单")
        verbose_name_plural = _("医保资助参保名单")
        ordering = ["-period", "region", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["period", "region", "version"], name="medicallist_version_once"),
            models.CheckConstraint(condition=Q(period__day=1), name="medicallist_period_first_of_month"),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True, sent_by__isnull=True)
                | Q(sent_at__isnull=False, sent_by__isnull=False),
                name="medicallist_sent_has_who",
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(sent_at__isnull=False),
                name="medicallist_ack_after_sent",
            ),
            choice_check("medicallist", "status", ExchangeStatus.values),
        ]
