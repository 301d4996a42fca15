"""Alert rules (versioned parameters), nightly runs, alerts and their triage."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households import clock
from households.constraints import choice_check
from households.fields import ClockDateTimeField
from households.models import Household, Person, Region, Role


class RuleCode(models.TextChoices):
    HIGH_MEDICAL_SELF_PAY = "high_medical_self_pay", _("医疗自付费用过高")
    SERIOUS_DISEASE = "serious_disease", _("重特大疾病")
    REGISTERED_UNEMPLOYMENT = "registered_unemployment", _("登记失业")
    NEW_SEVERE_DISABILITY = "new_severe_disability", _("新增持证重度残疾")


class RuleVersion(models.Model):
    """One version of one rule's parameters. Versions are never edited: a change is a new version."""

    rule = models.CharField(_("规则"), max_length=40, choices=RuleCode.choices)
    version = models.PositiveIntegerField(_("版本"))
    params = models.JSONField(_("参数"))
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("修改人"),
    )
    created_at = ClockDateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("规则版本")
        verbose_name_plural = _("规则版本")
        ordering = ["rule", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "version"], name="ruleversion_unique_rule_version")
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} v{self.version}"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("待审议")
    ADOPTED = "adopted", _("已采纳")
    DECLINED = "declined", _("未采纳")


class RuleProposal(models.Model):
    """New parameters for a rule proposed by a supervisor below the city (rules apply city-wide).

    A city-wide supervisor adopts it (it becomes the rule's next version) or declines it, with a
    reason; either way the proposal is kept as it was proposed. Seen by supervisors whose scope
    covers `region` (the proposer's region).
    """

    rule = models.CharField(_("规则"), max_length=40, choices=RuleCode.choices)
    params = models.JSONField(_("建议参数"))
    note = models.CharField(_("建议理由"), max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出区域"))
    based_on = models.ForeignKey(
        RuleVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出时的版本")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出人")
    )
    proposed_at = ClockDateTimeField(_("提出时间"), auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审议人"),
    )
    decided_at = models.DateTimeField(_("审议时间"), null=True, blank=True)
    decision_note = models.CharField(_("审议意见"), max_length=200, blank=True)
    adopted_version = models.OneToOneField(
        RuleVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposal",
        verbose_name=_("采纳后的版本"),
    )

    class Meta:
        verbose_name = _("规则修改建议")
        verbose_name_plural = _("规则修改建议")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="pending") & Q(decided_at__isnull=True) & Q(adopted_version__isnull=True))
                | (Q(status="adopted") & Q(decided_at__isnull=False) & Q(adopted_version__isnull=False))
                | (Q(status="declined") & Q(decided_at__isnull=False) & Q(adopted_version__isnull=True)),
                name="ruleproposal_decision_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} · {self.get_status_display()} #{self.pk}"


class RunStatus(models.TextChoices):
    RUNNING = "running", _("运行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


class MonitoringRun(models.Model):
    """One evaluation of all rules for an as-of date; at most one running per date."""

    as_of = models.DateField(_("基准日期"))
    status = models.CharField(_("状态"), max_length=20, choices=RunStatus.choices, default=RunStatus.RUNNING)
    rule_versions = models.JSONField(_("规则版本"), default=dict)
    counts = models.JSONField(_("计数"), default=dict)
    started_at = ClockDateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    duration_ms = models.IntegerField(_("耗时（毫秒）"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起人"),
    )

    class Meta:
        verbose_name = _("监测运行")
        verbose_name_plural = _("监测运行")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["as_of"], condition=Q(status="running"), name="monitoringrun_one_running_per_date"
            ),
            choice_check("monitoringrun", "status", RunStatus.values),
        ]

    def __str__(self) -> str:
        return _("%(day)s 的监测运行（%(status)s）") % {
            "day": f"{self.as_of:%Y-%m-%d}",
            "status": self.get_status_display(),
        }


class SelfPayState(models.Model):
    """Per person: an upper bound of their self-pay window total as of a date, kept by the run.

    A full night stores each monitored person's exact total; an incremental night adds the new
    rows' amounts to it (rows only ever leave a sliding window, and amounts are never negative, so
    the sum stays an upper bound) and re-sums exactly only people whose bound reaches the
    threshold. Valid only for the rule version and ID number it was computed with.
    """

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("人员")
    )
    id_number = models.CharField(_("身份证号"), max_length=18)
    rule_version = models.ForeignKey(
        RuleVersion, on_delete=models.CASCADE, related_name="+", verbose_name=_("规则版本")
    )
    as_of = models.DateField(_("截至日期"))
    total_upper = models.DecimalField(_("自付累计上限（元）"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("自付累计状态")
        verbose_name_plural = _("自付累计状态")
        constraints = [
            # Amounts are never negative (FEEDS.md), so the running sum only ever bounds from above.
            models.CheckConstraint(condition=Q(total_upper__gte=0), name="selfpaystate_total_not_negative"),
        ]

    def __str__(self) -> str:
        return _("人员 #%(person)s 截至 %(day)s 的自付累计") % {
            "person": self.person_id,
            "day": f"{self.as_of:%Y-%m-%d}",
        }


class AlertStatus(models.TextChoices):
    NEW = "new", _("待分派")
    ASSIGNED = "assigned", _("已分派")
    VERIFYING = "verifying", _("核查中")
    CLOSED = "closed", _("已办结")


# Every status but closed: the alerts still to be handled (the inbox's default, the backlog).
OPEN_STATUSES = (AlertStatus.NEW, AlertStatus.ASSIGNED, AlertStatus.VERIFYING)


class Outcome(models.TextChoices):
    ENROL_DIBAO = "enrol_dibao", _("纳入低保")
    ENROL_TEKUN = "enrol_tekun", _("纳入特困")
    TEMPORARY_ASSISTANCE = "temporary_assistance", _("给予临时救助")
    ENROL_EDGE_MONITORING = "enrol_edge_monitoring", _("纳入低保边缘/刚性支出监测")
    REFER_MEDICAL = "refer_medical", _("转介：医疗救助")
    REFER_DISABILITY = "refer_disability", _("转介：残疾人补贴")
    REFER_EMPLOYMENT = "refer_employment", _("转介：就业服务")
    ALREADY_COVERED = "already_covered", _("已在保障范围")
    NOT_ELIGIBLE = "not_eligible", _("经核查不符合条件")
    DATA_ERROR = "data_error", _("数据有误")


# Outcomes that enrol or refer: closing with one needs a home-visit record (DOMAIN.md).
OUTCOMES_NEEDING_VISIT = frozenset(
    {
        Outcome.ENROL_DIBAO,
        Outcome.ENROL_TEKUN,
        Outcome.TEMPORARY_ASSISTANCE,
        Outcome.ENROL_EDGE_MONITORING,
        Outcome.REFER_MEDICAL,
        Outcome.REFER_DISABILITY,
        Outcome.REFER_EMPLOYMENT,
    }
)


class Alert(models.Model):
    """A signal that a monitored person may need help; unique per rule and `dedupe_key`."""

    rule = models.CharField(_("预警类别"), max_length=40, choices=RuleCode.choices)
    rule_version = models.ForeignKey(
        RuleVersion, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("规则版本")
    )
    run = models.ForeignKey(
        MonitoringRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("监测运行"),
    )
    # What makes two alerts "the same": a person+disease, a registration number, a certificate …
    dedupe_key = models.CharField(_("去重键"), max_length=120)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("人员")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("家庭")
    )
    # The household's region when raised; every scoped query filters on this indexed column.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区域"))
    raised_on = models.DateField(_("预警日期"))
    evidence = models.JSONField(_("依据"), default=dict)
    status = models.CharField(_("状态"), max_length=20, choices=AlertStatus.choices, default=AlertStatus.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_alerts",
        verbose_name=_("经办人"),
    )
    deadline = models.DateField(_("办理期限"))
    outcome = models.CharField(_("处置结果"), max_length=30, choices=Outcome.choices, blank=True)
    close_note = models.TextField(_("办结说明"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    # Optimistic concurrency: every change bumps it; a stale form is refused, never overwrites.
    lock_version = models.PositiveIntegerField(_("修改版本号"), default=0)
    created_at = ClockDateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = ClockDateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        constraints = [
            models.UniqueConstraint(fields=["rule", "dedupe_key"], name="alert_unique_rule_dedupe_key"),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_at__isnull=False) & ~Q(outcome="")),
                name="alert_closed_has_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["assigned", "verifying"]) | Q(assignee__isnull=False),
                name="alert_assigned_has_assignee",
            ),
            # The inbox turns "raised since D" into "deadline since D" to use its deadline index.
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("raised_on")), name="alert_deadline_not_before_raised"
            ),
            choice_check("alert", "rule", RuleCode.values),
            choice_check("alert", "status", AlertStatus.values),
            choice_check("alert", "outcome", Outcome.values, blank=True),
        ]
        indexes = [
            models.Index(fields=["region", "status", "deadline", "id"], name="alert_region_status_deadline"),
            models.Index(fields=["assignee", "status", "deadline"], name="alert_assignee_status_deadline"),
            models.Index(fields=["rule", "raised_on"], name="alert_rule_raised_on"),
            models.Index(fields=["person", "rule", "raised_on"], name="alert_person_rule_raised"),
            # Dashboard: backlog, overdue and caseload read only these small partial indexes.
            models.Index(
                fields=["region", "deadline"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                include=["assignee", "status"],
                condition=Q(status__in=["new", "assigned", "verifying"]),
                name="alert_open_region_deadline",
            ),
            models.Index(
                fields=["closed_at"],
                include=["region", "assignee"],
                condition=Q(status="closed"),
                name="alert_closed_at",
            ),
            # Triage inbox (benchmarks/README.md "Alert inbox"): a page is picked by an index-only
            # scan in its tab's order, every filter column included. Open alerts by deadline:
            # region prefix first (a county's open alerts are a few thousand entries); the order
            # column first otherwise, so a county's page stops after about a thousand entries
            # (`alert_triage_inbox` also keeps the admin's deadline-ordered list cheap).
            models.Index(
                fields=["region", "deadline", "id"],
                opclasses=["varchar_pattern_ops", "date_ops", "int8_ops"],
                include=["status", "rule", "raised_on", "assignee", "person"],
                condition=Q(status__in=["new", "assigned", "verifying"]),
                name="alert_triage_open_inbox",
            ),
            models.Index(
                fields=["deadline", "id"],
                include=["region", "status", "rule", "raised_on", "assignee", "person"],
                name="alert_triage_inbox",
            ),
            # The inbox's 全部 tab (newest raised first) and 已办结 tab (latest closed first), read
            # backwards: index-only, every filter column included, like the deadline order above.
            models.Index(
                fields=["raised_on", "id"],
                include=["region", "status", "rule", "deadline", "assignee", "person"],
                name="alert_triage_raised",
            ),
            models.Index(
                fields=["closed_at", "id"],
                include=["region", "rule", "raised_on", "deadline", "assignee", "person"],
                condition=Q(status="closed"),
                name="alert_triage_closed_at",
            ),
            # The inbox's capped count of closed alerts: region first, so a town's count reads only
            # that town's entries whatever the other filters.
            models.Index(
                fields=["region"],
                opclasses=["varchar_pattern_ops"],
                include=["rule", "raised_on", "deadline", "assignee", "person"],
                condition=Q(status="closed"),
                name="alert_triage_closed_region",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_rule_display()}"

    def days_overdue(self, today: date | None = None) -> int:
        """Days an open alert is past its deadline; 0 when closed or not yet due. A caller checking
        many alerts passes `today` (looked up once)."""
        if self.status == AlertStatus.CLOSED:
            return 0
        return max(((today or clock.today()) - self.deadline).days, 0)

    @property
    def is_overdue(self) -> bool:
        """Open and past its deadline (the deadline day itself is still in time)."""
        return self.days_overdue() > 0


class EventAction(models.TextChoices):
    RAISED = "raised", _("产生预警")
    AUTO_ASSIGN = "auto_assign", _("自动分派")
    CLAIM = "claim", _("认领")
    ASSIGN = "assign", _("分派")
    REASSIGN = "reassign", _("改派")
    BULK_ASSIGN = "bulk_assign", _("批量分派")
    START_VERIFICATION = "start_verification", _("开始核查")
    RECORD_VISIT = "record_visit", _("登记入户核查")
    CLOSE = "close", _("办结")
    REOPEN = "reopen", _("重新打开")
    MOVE = "move", _("随家庭迁移")


class AlertEvent(models.Model):
    """One entry of an alert's history: who did what, when, from which state to which."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events", verbose_name=_("预警"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = ClockDateTimeField(_("时间"), auto_now_add=True)
    # Choices give the admin and the history their Chinese labels (the run's SQL writes the codes).
    action = models.CharField(_("操作"), max_length=30, choices=EventAction.choices)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True, choices=AlertStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=20, blank=True, choices=AlertStatus.choices)
    note = models.TextField(_("备注"), blank=True)
    data = models.JSONField(_("附加数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("预警处理记录")
        verbose_name_plural = _("预警处理记录")
        ordering = ["alert", "at", "id"]
        constraints = [
            choice_check("alertevent", "action", EventAction.values),
            choice_check("alertevent", "from_status", AlertStatus.values, blank=True),
            choice_check("alertevent", "to_status", AlertStatus.values, blank=True),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.at).strftime("%Y-%m-%d %H:%M") if self.at else ""
        return _("预警 #%(alert)s %(action)s（%(when)s）") % {
            "alert": self.alert_id,
            "action": self.get_action_display(),
            "when": when,
        }


class HomeVisit(models.Model):
    """A home verification (上门核查) made for an alert."""

    # Empty for the investigation visit of an assistance application (assistance.ApplicationVisit).
    alert = models.ForeignKey(
        Alert, on_delete=models.PROTECT, null=True, blank=True, related_name="visits", verbose_name=_("预警")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="visits", verbose_name=_("家庭")
    )
    visited_on = models.DateField(_("核查日期"))
    visitors = models.CharField(_("核查人员"), max_length=200)
    findings = models.TextField(_("核查情况"))
    household_situation = models.TextField(_("家庭状况"))
    follow_up_on = models.DateField(_("回访日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    created_at = ClockDateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("入户核查")
        verbose_name_plural = _("入户核查")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        day = f"{self.visited_on:%Y-%m-%d}"
        if self.alert_id is None:
            return _("入户调查（%(day)s）") % {"day": day}
        return _("预警 #%(alert)s 的入户核查（%(day)s）") % {"alert": self.alert_id, "day": day}


class Responsibility(models.Model):
    """The caseworker who receives new alerts of a village or town (the most specific region wins)."""

    region = models.OneToOneField(
        Region, on_delete=models.CASCADE, related_name="responsibility", verbose_name=_("区域")
    )
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="responsibilities",
        verbose_name=_("责任经办人"),
    )

    class Meta:
        verbose_name = _("区域责任人")
        verbose_name_plural = _("区域责任人")

    def __str__(self) -> str:
        return _("%(region)s 的责任经办人") % {"region": self.region.name}

    def clean(self):
        """Only someone who can see the region's alerts receives them (auto-assignment passes over
        anyone else, so such a responsibility would silently do nothing)."""
        if self.region_id is None or self.caseworker_id is None:
            return
        caseworker = self.caseworker
        prefix = caseworker.scope_prefix
        if (
            caseworker.role != Role.CASEWORKER
            or not caseworker.is_active
            or prefix is None
            or not self.region_id.startswith(prefix)
        ):
            raise ValidationError(
                {
                    "caseworker": _(
                        "%(user)s 看不到 %(region)s 的预警：责任经办人须是在职的经办人，且其管辖区域包含该区域。"
                    )
                    % {"user": caseworker, "region": self.region}
                }
            )


class DashboardMeasure(models.TextChoices):
    MONITORED = "monitored", _("在册监测人数")  # key = monitoring category
    RAISED = "raised", _("预警数")  # month = first day of the month raised
    CLOSED = "closed", _("办结数")  # key = outcome
    DAYS_TO_VERIFY = "days_to_verify", _("核查用时")  # median_days; count = alerts measured
    DAYS_TO_CLOSE = "days_to_close", _("办结用时")
    PEOPLE = "people", _("预警人数")  # distinct persons alerted in the window; rule "" = any rule


class DashboardSummary(models.Model):
    """One figure of one region node, as of the last nightly refresh, so the dashboard never scans
    the alert history.

    `node` is a region-code prefix: the city's (`1309`), a county's, a town's or a village's code;
    a node's figure counts the rows whose region code starts with it. `rule` is empty for figures
    over all rules. Rows are replaced as a whole, only by `refresh_dashboard_summaries`.
    """

    as_of = models.DateField(_("统计截至"))
    node = models.CharField(_("区域前缀"), max_length=12)
    measure = models.CharField(_("指标"), max_length=20, choices=DashboardMeasure.choices)
    rule = models.CharField(_("预警类别"), max_length=40, blank=True)
    month = models.DateField(_("月份"), null=True, blank=True)
    key = models.CharField(_("分项"), max_length=30, blank=True)
    count = models.IntegerField(_("数量"))
    median_days = models.FloatField(_("中位数（天）"), null=True, blank=True)

    class Meta:
        verbose_name = _("看板汇总数据")
        verbose_name_plural = _("看板汇总数据")
        indexes = [models.Index(fields=["node", "measure"], name="dashboardsummary_node_measure")]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=0), name="dashboardsummary_count_not_negative"),
            choice_check("dashboardsummary", "measure", DashboardMeasure.values),
            choice_check("dashboardsummary", "rule", RuleCode.values, blank=True),
        ]

    def __str__(self) -> str:
        return _("%(node)s %(measure)s（截至 %(day)s）") % {
            "node": self.node,
            "measure": self.get_measure_display(),
            "day": f"{self.as_of:%Y-%m-%d}",
        }


class DashboardRefresh(models.Model):
    """One rebuild of the dashboard summaries; the newest says which day the summaries describe."""

    as_of = models.DateField(_("统计截至"))
    finished_at = ClockDateTimeField(_("生成时间"), auto_now_add=True)
    duration_ms = models.IntegerField(_("耗时（毫秒）"))
    row_count = models.IntegerField(_("汇总行数"))

    class Meta:
        verbose_name = _("看板汇总生成记录")
        verbose_name_plural = _("看板汇总生成记录")
        ordering = ["-id"]

    def __str__(self) -> str:
        return _("看板汇总（截至 %(day)s）") % {"day": f"{self.as_of:%Y-%m-%d}"}
