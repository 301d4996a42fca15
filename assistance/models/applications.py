"""Applications for assistance, their approval steps in progress, their history, the findings of
the economic-status check, the investigation visits and referrals to other departments."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from alerts.models import Alert, HomeVisit
from households import clock
from households.constraints import choice_check
from households.fields import ClockDateTimeField
from households.models import Household, Person, Region
from imports.models import ImportBatch

from .programs import ApprovalStep, Program, SelfCareLevel, StepLevel


class Channel(models.TextChoices):
    ALERT = "alert", _("预警转办")
    SINGLE_WINDOW = "single_window", _("一门受理")
    GRID_REPORT = "grid_report", _("网格员（村居联络员）报告")
    HOTLINE = "hotline", _("12349热线")


class ApplicationStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("办理中")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("不予批准")
    WITHDRAWN = "withdrawn", _("已撤回")


# Statuses of an application still being handled: at most one such per household and programme.
OPEN_APPLICATION_STATUSES = (ApplicationStatus.IN_PROGRESS,)


class Application(models.Model):
    """A request for one programme by one household (for a per-person programme: for the applicant).

    At most one open application per household and programme (database constraint). Its steps are
    copied from the programme's template when it is accepted; `current_step` and `current_due_on`
    mirror the step in progress so lists filter and sort on indexed columns. Every change goes
    through `assistance.services` and appends an `ApplicationEvent`.
    """

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="applications", verbose_name=_("救助项目")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="applications", verbose_name=_("家庭")
    )
    applicant = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="applications", verbose_name=_("申请人")
    )
    # The household's region when the application was made; every scoped query filters on it.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区域"))
    channel = models.CharField(_("受理渠道"), max_length=20, choices=Channel.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.IN_PROGRESS
    )
    request = models.TextField(_("申请事项"), blank=True)
    channel_note = models.TextField(
        _("渠道说明"), blank=True, help_text=_("热线工单号与来电内容、网格员姓名与报告内容等")
    )
    reported_by = models.CharField(_("报告人"), max_length=60, blank=True)
    accepted_on = models.DateField(_("受理日期"))
    due_on = models.DateField(_("办结期限"), null=True, blank=True)
    complex_case = models.BooleanField(_("复杂情形"), default=False)
    current_step = models.ForeignKey(
        "ApplicationStep",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("当前步骤"),
    )
    current_step_code = models.CharField(_("当前步骤代码"), max_length=40, blank=True)
    current_due_on = models.DateField(_("当前步骤期限"), null=True, blank=True)
    # 近亲属: the applicant or a member is a close relative of a caseworker or committee member.
    staff_relative = models.BooleanField(_("近亲属申请"), default=False)
    staff_relative_note = models.CharField(
        _("近亲属备案说明"),
        max_length=200,
        blank=True,
        help_text=_("与哪位工作人员或村（居）委会成员、何种关系"),
    )
    # What the investigation established, and the amount computed from it.
    monthly_income_per_capita = models.DecimalField(
        _("家庭月人均收入（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    members_covered = models.PositiveSmallIntegerField(_("保障人数"), null=True, blank=True)
    self_care_level = models.CharField(
        _("生活自理能力"), max_length=20, choices=SelfCareLevel.choices, blank=True
    )
    case_amount = models.DecimalField(
        _("申请救助金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    proposed_amount = models.DecimalField(
        _("拟救助金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    computation = models.JSONField(_("金额计算"), default=dict, blank=True)
    standard = models.ForeignKey(
        "assistance.Standard",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("计算所用标准"),
    )
    paid_first = models.BooleanField(_("已先行救助"), default=False)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    decision_reason = models.TextField(_("办结说明"), blank=True)
    # The office handling it now (town or county code): the level of the current step.
    handling_level = models.CharField(_("办理层级"), max_length=10, choices=StepLevel.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    lock_version = models.PositiveIntegerField(_("修改版本号"), default=0)
    created_at = ClockDateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = ClockDateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("救助申请")
        verbose_name_plural = _("救助申请")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "program"],
                condition=Q(status="in_progress"),
                name="application_one_open_per_household_program",
            ),
            models.CheckConstraint(
                condition=Q(status="in_progress") | Q(decided_at__isnull=False),
                name="application_decided_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="in_progress") | ~Q(current_step_code=""),
                name="application_open_has_step",
            ),
            models.CheckConstraint(
                condition=Q(proposed_amount__isnull=True) | Q(proposed_amount__gte=0),
                name="application_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(case_amount__isnull=True) | Q(case_amount__gt=0),
                name="application_case_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(monthly_income_per_capita__isnull=True) | Q(monthly_income_per_capita__gte=0),
                name="application_income_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(staff_relative=True) | ~Q(staff_relative_note=""),
                name="application_relative_declared",
            ),
            choice_check("application", "channel", Channel.values),
            choice_check("application", "status", ApplicationStatus.values),
            choice_check("application", "self_care_level", SelfCareLevel.values, blank=True),
            choice_check("application", "handling_level", StepLevel.values, blank=True),
        ]
        indexes = [
            # The list: a region's applications newest first, and its open ones by due date.
            models.Index(
                fields=["region", "id"],
                opclasses=["varchar_pattern_ops", "int8_ops"],
                name="application_region_id",
            ),
            models.Index(
                fields=["region", "current_due_on", "id"],
                opclasses=["varchar_pattern_ops", "date_ops", "int8_ops"],
                condition=Q(status="in_progress"),
                name="application_open_region_due",
            ),
            # The list's default (open applications, newest first) whatever the ids' order: a
            # backward scan over the open ones only, the region read from the index.
            models.Index(
                fields=["id"],
                include=["region"],
                condition=Q(status="in_progress"),
                name="application_open_id",
            ),
            models.Index(fields=["program", "status"], name="application_program_status"),
            models.Index(
                fields=["decided_at"], condition=Q(status="approved"), name="application_approved_at"
            ),
            # The dashboard: applications approved, rejected or withdrawn in its window.
            models.Index(
                fields=["decided_at", "status"],
                condition=Q(decided_at__isnull=False),
                name="application_decided_at",
            ),
        ]

    def __str__(self) -> str:
        return _("申请 #%(pk)s %(program)s") % {"pk": self.pk, "program": self.program}

    def days_overdue(self, today=None) -> int:
        """Calendar days the current step is past its due date; 0 when closed or in time."""
        if self.status != ApplicationStatus.IN_PROGRESS or self.current_due_on is None:
            return 0
        return max(((today or clock.today()) - self.current_due_on).days, 0)

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue() > 0


class StepStatus(models.TextChoices):
    PENDING = "pending", _("未开始")
    OPEN = "open", _("办理中")
    PASSED = "passed", _("通过")
    REJECTED = "rejected", _("不予通过")
    RETURNED = "returned", _("退回重办")


class ApplicationStep(models.Model):
    """One approval step of one application, copied from the template. `round` counts the passes:
    an upheld objection sends the application back to investigation, and the steps from there on
    are added again with the next round (the earlier rows stay, marked returned)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="steps", verbose_name=_("申请")
    )
    template = models.ForeignKey(
        ApprovalStep, on_delete=models.PROTECT, related_name="+", verbose_name=_("步骤模板")
    )
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    order = models.PositiveSmallIntegerField(_("顺序"))
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=40)
    level = models.CharField(_("办理层级"), max_length=10, choices=StepLevel.choices)
    after_payment = models.BooleanField(_("可在发放后补办"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=StepStatus.choices, default=StepStatus.PENDING
    )
    opened_on = models.DateField(_("开始日期"), null=True, blank=True)
    due_on = models.DateField(_("办理期限"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办理人"),
    )
    decided_at = models.DateTimeField(_("办理时间"), null=True, blank=True)
    opinion = models.TextField(_("意见"), blank=True)

    class Meta:
        verbose_name = _("审批步骤记录")
        verbose_name_plural = _("审批步骤记录")
        ordering = ["application", "round", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "round", "order"], name="applicationstep_round_order"
            ),
            models.UniqueConstraint(
                fields=["application"], condition=Q(status="open"), name="applicationstep_one_open"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["passed", "rejected"])
                | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="applicationstep_decided_has_who_when",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(opinion=""), name="applicationstep_rejection_has_reason"
            ),
            choice_check("applicationstep", "status", StepStatus.values),
            choice_check("applicationstep", "level", StepLevel.values),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.round}.{self.order} {self.name}"

    def days_overdue(self, today=None) -> int:
        if self.status != StepStatus.OPEN or self.due_on is None:
            return 0
        return max(((today or clock.today()) - self.due_on).days, 0)


class ApplicationAction(models.TextChoices):
    CREATE = "create", _("登记申请")
    FROM_ALERT = "from_alert", _("由预警转入")
    PASS_STEP = "pass_step", _("步骤通过")
    REJECT = "reject", _("不予批准")
    RETURN = "return", _("退回重新调查")
    RECORD_VISIT = "record_visit", _("登记入户调查")
    COLLECT_FINDINGS = "collect_findings", _("信息核对（提取部门数据）")
    CONFIRM_FINDING = "confirm_finding", _("核对结果确认")
    SET_AMOUNT = "set_amount", _("核定金额")
    PAY_FIRST = "pay_first", _("先行救助发放")
    NOTICE = "notice", _("列入公示")
    OBJECTION = "objection", _("登记异议")
    OBJECTION_DECIDED = "objection_decided", _("异议处理")
    APPROVE = "approve", _("批准")
    WITHDRAW = "withdraw", _("撤回")
    MOVE = "move", _("随家庭迁移")


class ApplicationEvent(models.Model):
    """One entry of an application's history: who did what, when, at which step."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="events", verbose_name=_("申请")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = ClockDateTimeField(_("时间"), auto_now_add=True)
    action = models.CharField(_("操作"), max_length=30, choices=ApplicationAction.choices)
    step = models.ForeignKey(
        ApplicationStep,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("步骤"),
    )
    note = models.TextField(_("备注"), blank=True)
    data = models.JSONField(_("附加数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("申请办理记录")
        verbose_name_plural = _("申请办理记录")
        ordering = ["application", "at", "id"]
        constraints = [choice_check("applicationevent", "action", ApplicationAction.values)]

    def __str__(self) -> str:
        return f"{self.application_id} {self.get_action_display()}"


class AlertApplication(models.Model):
    """An alert closed with an enrolling outcome and the application it went to (an alert goes to
    one application; several alerts of a household may go to the same open application)."""

    alert = models.OneToOneField(
        Alert, on_delete=models.PROTECT, related_name="application_link", verbose_name=_("预警")
    )
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="alert_links", verbose_name=_("申请")
    )
    created_at = ClockDateTimeField(_("转入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("预警转申请")
        verbose_name_plural = _("预警转申请")


class ApplicationVisit(models.Model):
    """The home investigation (入户调查) of an application: a home visit made by two staff members."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="visit_links", verbose_name=_("申请")
    )
    visit = models.OneToOneField(
        HomeVisit, on_delete=models.PROTECT, related_name="application_link", verbose_name=_("入户核查")
    )
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    staff_first = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("调查人员一")
    )
    staff_second = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("调查人员二")
    )

    class Meta:
        verbose_name = _("入户调查")
        verbose_name_plural = _("入户调查")
        constraints = [
            models.CheckConstraint(
                condition=~Q(staff_first=F("staff_second")), name="applicationvisit_two_staff"
            ),
        ]


class FindingSource(models.TextChoices):
    SETTLEMENT = "settlement", _("医保结算")
    DIAGNOSIS = "diagnosis", _("诊断记录")
    DISABILITY = "disability", _("残疾人证")
    UNEMPLOYMENT = "unemployment", _("失业登记")


class FindingStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("属实")
    EXPLAINED = "explained", _("已说明")


class Finding(models.Model):
    """One department record about a member of an applying household, found by the economic-status
    check (信息核对), with its source record and batch; the caseworker confirms or explains it."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="findings", verbose_name=_("申请")
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("家庭成员"))
    source = models.CharField(_("数据来源"), max_length=20, choices=FindingSource.choices)
    source_record_id = models.BigIntegerField(_("来源记录编号"))
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("导入批次"),
    )
    occurred_on = models.DateField(_("发生日期"), null=True, blank=True)
    summary = models.CharField(_("内容摘要"), max_length=300)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    status = models.CharField(
        _("确认状态"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.PENDING
    )
    explanation = models.TextField(_("说明"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("核对结果")
        verbose_name_plural = _("核对结果")
        ordering = ["application", "person", "source", "occurred_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "source", "source_record_id"], name="finding_one_per_record"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(confirmed_by__isnull=False, confirmed_at__isnull=False),
                name="finding_confirmed_has_who_when",
            ),
            models.CheckConstraint(
                condition=~Q(status="explained") | ~Q(explanation=""), name="finding_explained_has_text"
            ),
            choice_check("finding", "source", FindingSource.values),
            choice_check("finding", "status", FindingStatus.values),
        ]


class Referral(models.Model):
    """A request the single window (一门受理) passed to another department: who received it, by
    when it must answer, and the answer that came back."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("家庭")
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区域"))
    channel = models.CharField(_("受理渠道"), max_length=20, choices=Channel.choices)
    request = models.TextField(_("申请事项"))
    department = models.CharField(_("转介部门"), max_length=60)
    referred_on = models.DateField(_("转介日期"))
    due_on = models.DateField(_("答复期限"))
    answer = models.TextField(_("办理结果"), blank=True)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("结果登记人"),
    )
    created_at = ClockDateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("转介")
        verbose_name_plural = _("转介")
        ordering = ["-referred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=F("referred_on")), name="referral_due_after_referred"
            ),
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True, answer="")
                | (Q(answered_on__isnull=False) & ~Q(answer="")),
                name="referral_answer_has_date",
            ),
            choice_check("referral", "channel", Channel.values),
        ]
        indexes = [
            models.Index(
                fields=["region", "id"],
                opclasses=["varchar_pattern_ops", "int8_ops"],
                name="referral_region_id",
            )
        ]

    def __str__(self) -> str:
        return _("转介 #%(pk)s %(department)s") % {"pk": self.pk, "department": self.department}
