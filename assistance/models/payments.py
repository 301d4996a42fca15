"""Payment rolls: what each county pays every month, line by line, and what the bank did with it."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from households.constraints import choice_check
from households.fields import ClockDateTimeField
from households.models import Household, Person, Region

from .grants import Grant


class AccountKind(models.TextChoices):
    BANK = "bank", _("银行账户")
    SOCIAL_SECURITY_CARD = "ss_card", _("社会保障卡")


class PaymentAccount(models.Model):
    """The account a recipient is paid into (one per person; a change overwrites it and the roll
    lines keep the account they were paid to). Shown masked; full only in the finance export."""

    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, related_name="payment_account", verbose_name=_("人员")
    )
    kind = models.CharField(_("账户类型"), max_length=10, choices=AccountKind.choices)
    bank_name = models.CharField(_("开户银行"), max_length=60)
    account_no = models.CharField(_("账号"), max_length=32)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    updated_at = ClockDateTimeField(_("登记时间"), auto_now=True)

    class Meta:
        verbose_name = _("发放账户")
        verbose_name_plural = _("发放账户")
        constraints = [
            models.CheckConstraint(
                condition=Q(account_no__regex=r"^[0-9]{8,32}$"), name="paymentaccount_digits"
            ),
            choice_check("paymentaccount", "kind", AccountKind.values),
        ]

    @property
    def masked_account(self) -> str:
        return mask_account(self.account_no)


def mask_account(number: str) -> str:
    """`6217000012345678` → `6217********5678`: first and last four digits."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"


class RollStatus(models.TextChoices):
    DRAFT = "draft", _("待审核")
    LOCKED = "locked", _("已锁定")


class PaymentRoll(models.Model):
    """A county's payment roll for one month. A draft can be computed again; once a county (or city)
    supervisor locks it, its lines' amounts never change (a database trigger refuses it): a later
    correction is a line of a later roll. Totals are copied here when computed."""

    county = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("县（市、区）")
    )
    month = models.DateField(_("发放月份"), help_text=_("当月1日"))
    status = models.CharField(_("状态"), max_length=10, choices=RollStatus.choices, default=RollStatus.DRAFT)
    computed_at = ClockDateTimeField(_("生成时间"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("生成人"),
        help_text=_("空：定时任务生成"),
    )
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("锁定人"),
    )
    line_count = models.PositiveIntegerField(_("明细数"), default=0)
    total = models.DecimalField(_("合计金额（元）"), max_digits=14, decimal_places=2, default=0)
    lock_version = models.PositiveIntegerField(_("修改版本号"), default=0)

    class Meta:
        verbose_name = _("发放花名册")
        verbose_name_plural = _("发放花名册")
        ordering = ["-month", "county"]
        constraints = [
            models.UniqueConstraint(fields=["county", "month"], name="paymentroll_county_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="paymentroll_first_of_month"),
            models.CheckConstraint(
                condition=Q(status="draft", locked_at__isnull=True, locked_by__isnull=True)
                | Q(status="locked", locked_at__isnull=False, locked_by__isnull=False),
                name="paymentroll_locked_has_who_and_when",
            ),
            choice_check("paymentroll", "status", RollStatus.values),
        ]

    def __str__(self) -> str:
        return _("%(county)s %(month)s 发放花名册") % {
            "county": self.county.name,
            "month": self.month.strftime("%Y-%m"),
        }


class LineStatus(models.TextChoices):
    PENDING = "pending", _("待发放")
    PAID = "paid", _("已发放")
    FAILED = "failed", _("发放失败")
    RETURNED = "returned", _("资金退回")


class PaymentLineQuerySet(models.QuerySet):
    def awaiting_payment_again(self):
        """Failed or returned lines whose money has not gone out again: not yet in a later roll, or
        only in a draft (a draft can still change; the failure stays open until a roll is locked)."""
        return self.filter(status__in=[LineStatus.FAILED, LineStatus.RETURNED]).filter(
            Q(reissued_in__isnull=True) | Q(reissued_in__roll__status=RollStatus.DRAFT)
        )


class PaymentLine(models.Model):
    """One grant's payment in a roll: the month's amount, back pay for months not yet paid (a grant
    approved after its first month's roll was locked), arrears (earlier failed or returned lines
    paid again) and corrections; the account it goes to (a copy: later changes do not alter it);
    and the bank's result."""

    # roll, grant and household are the first columns of the composite indexes below (their own
    # single-column indexes would only slow down computing a roll: ~10,000 lines per county)
    roll = models.ForeignKey(
        PaymentRoll, on_delete=models.CASCADE, related_name="lines", verbose_name=_("花名册"), db_index=False
    )
    grant = models.ForeignKey(
        Grant, on_delete=models.PROTECT, related_name="payment_lines", verbose_name=_("待遇"), db_index=False
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="payment_lines",
        verbose_name=_("家庭"),
        db_index=False,
    )
    recipient = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("领取人")
    )
    # lines are read by roll, then scoped by region: no index of its own (see roll, grant)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区域"), db_index=False
    )
    covers_from = models.DateField(
        _("覆盖起始月"), null=True, blank=True, help_text=_("空：本行只含补发或更正")
    )
    covers_to = models.DateField(_("覆盖截止月"), null=True, blank=True)
    regular = models.DecimalField(_("本月金额"), max_digits=12, decimal_places=2, default=0)
    back_pay = models.DecimalField(_("补发（延迟批准）"), max_digits=12, decimal_places=2, default=0)
    arrears = models.DecimalField(_("补发（此前失败）"), max_digits=12, decimal_places=2, default=0)
    correction = models.DecimalField(_("更正"), max_digits=12, decimal_places=2, default=0)
    total = models.DecimalField(_("应发合计"), max_digits=12, decimal_places=2)
    account_kind = models.CharField(_("账户类型"), max_length=10, choices=AccountKind.choices, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=60, blank=True)
    account_no = models.CharField(_("账号"), max_length=32, blank=True)
    status = models.CharField(
        _("发放结果"), max_length=10, choices=LineStatus.choices, default=LineStatus.PENDING
    )
    result_note = models.CharField(_("银行说明"), max_length=200, blank=True)
    result_on = models.DateField(_("银行处理日期"), null=True, blank=True)
    result_batch_id = models.BigIntegerField(_("回盘批次"), null=True, blank=True)
    reissued_in = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reissues",
        verbose_name=_("已在此行补发"),
    )

    objects = PaymentLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("发放明细")
        verbose_name_plural = _("发放明细")
        constraints = [
            models.UniqueConstraint(fields=["roll", "grant"], name="paymentline_once_per_roll"),
            models.CheckConstraint(
                condition=Q(total=F("regular") + F("back_pay") + F("arrears") + F("correction")),
                name="paymentline_total_adds_up",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="paymentline_total_not_negative"),
            models.CheckConstraint(
                condition=Q(covers_from__isnull=True, covers_to__isnull=True)
                | Q(covers_from__day=1, covers_to__day=1, covers_to__gte=F("covers_from")),
                name="paymentline_covers_months",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", result_on__isnull=True) | ~Q(status="pending"),
                name="paymentline_pending_has_no_result",
            ),
            choice_check("paymentline", "status", LineStatus.values),
            choice_check("paymentline", "account_kind", AccountKind.values, blank=True),
        ]
        indexes = [
            models.Index(fields=["grant", "roll"], name="paymentline_grant"),
            models.Index(fields=["household", "status"], name="paymentline_household"),
            models.Index(
                fields=["status"],
                condition=Q(status__in=["failed", "returned"], reissued_in__isnull=True),
                name="paymentline_open_failures",
            ),
        ]

    @property
    def masked_account(self) -> str:
        return mask_account(self.account_no)


class PaymentAdjustment(models.Model):
    """An amount owed on a grant outside its monthly amount (an underpayment found later): the
    next roll of the grant's county that is computed pays it and points back here."""

    grant = models.ForeignKey(
        Grant, on_delete=models.PROTECT, related_name="adjustments", verbose_name=_("待遇")
    )
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("原因"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    created_at = ClockDateTimeField(_("登记时间"), auto_now_add=True)
    paid_in = models.ForeignKey(
        PaymentLine,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adjustments",
        verbose_name=_("发放明细"),
    )

    class Meta:
        verbose_name = _("补发更正")
        verbose_name_plural = _("补发更正")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="paymentadjustment_positive")]
