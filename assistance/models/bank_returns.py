"""What the bank's return files did to the payment rolls: per file, the accounting of its rows, and
the rows that could not be applied to a roll line, with why."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from households.constraints import choice_check
from households.fields import ClockDateTimeField

from .payments import PaymentRoll


class PaymentReturnResult(models.Model):
    """One return file (an import batch of category payment_return) as applied to the roll lines.

    Of the batch's loaded and corrected rows (new or changed bank results), each either set a line's
    result (paid / failed / returned) or was kept as unmatched: so for a file,
    data rows = rejected + duplicate + paid + failed + returned + unmatched."""

    batch = models.OneToOneField(
        "imports.ImportBatch",
        on_delete=models.CASCADE,
        related_name="payment_return",
        verbose_name=_("导入批次"),
    )
    roll = models.ForeignKey(
        PaymentRoll,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returns",
        verbose_name=_("花名册"),
        help_text=_("空：不是从花名册页面上传的回盘文件"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = ClockDateTimeField(_("上传时间"), auto_now_add=True)
    applied_at = models.DateTimeField(_("写入时间"), null=True, blank=True)
    paid_count = models.PositiveIntegerField(_("已发放笔数"), default=0)
    paid_amount = models.DecimalField(_("已发放金额"), max_digits=14, decimal_places=2, default=0)
    failed_count = models.PositiveIntegerField(_("发放失败笔数"), default=0)
    failed_amount = models.DecimalField(_("发放失败金额"), max_digits=14, decimal_places=2, default=0)
    returned_count = models.PositiveIntegerField(_("资金退回笔数"), default=0)
    returned_amount = models.DecimalField(_("资金退回金额"), max_digits=14, decimal_places=2, default=0)
    unmatched_count = models.PositiveIntegerField(_("未能对应笔数"), default=0)

    class Meta:
        verbose_name = _("发放回盘结果")
        verbose_name_plural = _("发放回盘结果")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0) & Q(failed_amount__gte=0) & Q(returned_amount__gte=0),
                name="paymentreturnresult_amounts_not_negative",
            )
        ]

    def __str__(self) -> str:
        return _("回盘批次 #%(batch)s") % {"batch": self.batch_id}

    @property
    def applied(self) -> int:
        return self.paid_count + self.failed_count + self.returned_count


class UnmatchedReason(models.TextChoices):
    UNKNOWN_LINE = "unknown_line", _("明细编号不存在")
    OTHER_ROLL = "other_roll", _("明细不属于本花名册")
    ROLL_NOT_LOCKED = "roll_not_locked", _("花名册尚未锁定")
    ID_DIFFERS = "id_differs", _("身份证号与明细的领取人不符")
    AMOUNT_DIFFERS = "amount_differs", _("金额与明细的应发合计不符")
    ALREADY_REISSUED = "already_reissued", _("该明细已在后续花名册中补发，结果不再更改")


class PaymentReturnUnmatched(models.Model):
    """A row of a return file that did not change any roll line, and why (IDs kept masked only)."""

    result = models.ForeignKey(
        PaymentReturnResult, on_delete=models.CASCADE, related_name="unmatched", verbose_name=_("回盘结果")
    )
    row_number = models.IntegerField(_("行号"))
    line_no = models.CharField(_("明细编号"), max_length=20)
    masked_id = models.CharField(_("身份证号"), max_length=18)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("原因"), max_length=20, choices=UnmatchedReason.choices)

    class Meta:
        verbose_name = _("未能对应的回盘行")
        verbose_name_plural = _("未能对应的回盘行")
        ordering = ["result", "row_number"]
        indexes = [models.Index(fields=["result", "row_number"], name="returnunmatched_result_row")]
        constraints = [choice_check("paymentreturnunmatched", "reason", UnmatchedReason.values)]
