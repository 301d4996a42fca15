"""Who is under low-income monitoring, in which category, since when, and every change to that."""

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import models
from django.db.models import Exists, F, Func, OuterRef, Q
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
        """Records of the people under monitoring on `day` (any day, past ones included): those with
        a monitoring spell in force on that day. The record itself only tells the latest spell."""
        return self.filter(
            Exists(MonitoringSpell.objects.active_on(day).filter(person_id=OuterRef("person_id")))
        )


class MonitoringPeriod(models.Model):
    """What a monitoring record and a monitoring spell both say: category, since, exit date (none
    while monitored), the batch that wrote it last, and when."""

    category = models.CharField(_("监测类别"), max_length=20, choices=MonitoringCategory.choices)
    since = models.DateField(_("纳入日期"))
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

    class Meta:
        abstract = True


class MonitoringRecord(MonitoringPeriod):
    """A person's current monitoring record (one per person); changes go to MonitoringRecordHistory."""

    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, related_name="monitoring", verbose_name=_("人员")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="monitoring_records", verbose_name=_("家庭")
    )
    # Copied from the household so scoped counts need no join; the roster keeps it in step.
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=MonitoringStatus.choices, default=MonitoringStatus.ACTIVE
    )

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


class MonitoringSpellQuerySet(models.QuerySet):
    def active_on(self, day):
        """Spells in force on `day`: since ≤ day and not exited on or before day (at most one a person)."""
        return self.filter(since__lte=day).filter(Q(exit_date__isnull=True) | Q(exit_date__gt=day))


class DateRange(Func):
    """daterange(since, exit_date, '[)'): the days of a spell (open-ended while exit_date is null)."""

    function = "daterange"
    output_field = DateRangeField()


class MonitoringSpell(MonitoringPeriod):
    """One period a person was under monitoring: from `since` up to (not including) `exit_date`,
    open while exit_date is null. Every spell a person ever had, so a run for a past date asks who
    was monitored then, not who is now.

    Kept in step with MonitoringRecord by the database itself: statement-level triggers on the
    record table (migration 0005) reconcile the person's latest spell with the record after every
    INSERT or UPDATE, set-based, in the writing transaction, whatever wrote it (the roster loader,
    a move, the admin, the ORM). A record that exits closes the open spell; a record that comes
    back with a later `since` after an exit opens a new one; a changed `since` (or category, or
    exit date) otherwise rewrites the latest spell. A category change while monitored is not a new
    spell: the roster gives no date for it, and the spell is the period of monitoring the rules
    ask about; the spell carries the category the record last had during it, and the dated
    category changes stay in MonitoringRecordHistory. The database guarantees one open spell a
    person, exit_date ≥ since, and no two spells of a person sharing a day.
    """

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="monitoring_spells", verbose_name=_("人员")
    )

    objects = MonitoringSpellQuerySet.as_manager()

    class Meta:
        verbose_name = _("监测期间")
        verbose_name_plural = _("监测期间")
        constraints = [
            models.UniqueConstraint(fields=["person", "since"], name="monitoringspell_person_since"),
            models.UniqueConstraint(
                fields=["person"], condition=Q(exit_date__isnull=True), name="monitoringspell_one_open"
            ),
            models.CheckConstraint(
                condition=Q(exit_date__isnull=True) | Q(exit_date__gte=F("since")),
                name="monitoringspell_exit_after_since",
            ),
            ExclusionConstraint(
                name="monitoringspell_no_overlap",
                expressions=[
                    ("person", RangeOperators.EQUAL),
                    (DateRange("since", "exit_date", models.Value("[)")), RangeOperators.OVERLAPS),
                ],
            ),
            choice_check("monitoringspell", "category", MonitoringCategory.values),
        ]

    def __str__(self) -> str:
        end = self.exit_date or "…"
        return f"{self.person_id} {self.get_category_display()} {self.since}–{end}"
