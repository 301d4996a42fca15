"""Who is under low-income monitoring, in which category, since when, and every change to that."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.constraints import choice_check
from households.fields import ClockDateTimeField
from households.models import Household, Person
from imports.models import ImportBatch


class MonitoringCategory(models.TextChoices):
    DIBAO = "dibao", _("低保")
    TEKUN = "tekun", _("特困")
    DIBAO_EDGE = "dibao_edge", _("低保边缘")
    RIGID_EXPENSE = "rigid_expense", _("刚性支出困难")
    RELAPSE_WATCH = "relapse_watch", _("防止返贫监测")
    OTHER_LOW_INCOME = "other_low_income", _("其他低收入")


class MonitoringStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    EXITED = "exited", _("退出")


class MonitoringRecordQuerySet(models.QuerySet):
    def active_on(self, day):
        """Records in force on `day`: since ≤ day and not exited on or before day."""
        return self.filter(since__lte=day).filter(Q(exit_date__isnull=True) | Q(exit_date__gt=day))


class MonitoringRecord(models.Model):
    """A person's current monitoring record (one per person); changes go to MonitoringRecordHistory."""

    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, related_name="monitoring", verbose_name=_("人员")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="monitoring_records", verbose_name=_("家庭")
    )
    # Copied from the household so scoped counts need no join; the roster keeps it in step.
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    category = models.CharField(_("监测类别"), max_length=20, choices=MonitoringCategory.choices)
    since = models.DateField(_("纳入日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=MonitoringStatus.choices, default=MonitoringStatus.ACTIVE
    )
    exit_date = models.DateField(_("退出日期"), null=True, blank=True)
    source_batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("来源批次"),
    )
    created_at = ClockDateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = ClockDateTimeField(_("更新时间"), auto_now=True)

    objects = MonitoringRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("监测记录")
        verbose_name_plural = _("监测记录")
        indexes = [models.Index(fields=["category", "status"], name="monitoring_category_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="active", exit_date__isnull=True)
                | Q(status="exited", exit_date__isnull=False),
                name="monitoringrecord_exit_date_iff_exited",
            ),
            models.CheckConstraint(
                condition=Q(exit_date__isnull=True) | Q(exit_date__gte=models.F("since")),
                name="monitoringrecord_exit_after_since",
            ),
            choice_check("monitoringrecord", "category", MonitoringCategory.values),
            choice_check("monitoringrecord", "status", MonitoringStatus.values),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} {self.get_category_display()}"


class MonitoringRecordHistory(models.Model):
    """One change to a monitoring record: what it was before, what it became, who or which batch."""

    record = models.ForeignKey(
        MonitoringRecord, on_delete=models.CASCADE, related_name="history", verbose_name=_("监测记录")
    )
    changed_at = ClockDateTimeField(_("变更时间"), auto_now_add=True)
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("导入批次"),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("变更人"),
    )
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"))

    class Meta:
        verbose_name = _("监测记录变更")
        verbose_name_plural = _("监测记录变更")
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        when = timezone.localtime(self.changed_at).strftime("%Y-%m-%d %H:%M") if self.changed_at else ""
        return _("监测记录 #%(record)s 的变更（%(when)s）") % {"record": self.record_id, "when": when}
