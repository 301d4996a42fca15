"""Department feeds: departments, import batches, rejected rows and the typed feed tables.

Feed tables are written only by the set-based loader (COPY, then an anti-join INSERT of new keys
and an UPDATE … FROM of changed ones); the ORM models here are for reading, the admin and tests.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households import clock, idcard
from households.constraints import choice_check
from households.fields import ClockDateTimeField
from households.models import AreaType, Relation
from imports.specs import roster as roster_spec

# The feed tables' ID format check runs on every loaded row: "[0-9]+X?" plus a length test is the
# same set as households.models.ID18_REGEX ("\d{17}[0-9X]") but several times cheaper for
# PostgreSQL's regex engine, which expands bounded repeats like {17}.
FEED_ID_FORMAT = Q(id_number__regex=r"^[0-9]+X?$") & Q(id_number__length=18)


def masked_key(key: str) -> str:
    """A record key as people may see it: every resident ID in it masked (a roster key is one, a
    certificate number starts with one; settlement numbers stay whole)."""
    return idcard.mask_ids(key)


class Department(models.Model):
    """A department that sends files (医疗保障局, 残联 …)."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class FeedCategory(models.TextChoices):
    ROSTER = "roster", _("低收入人口名册")
    MEDICAL_SETTLEMENT = "medical_settlement", _("医保结算明细")
    DIAGNOSIS = "diagnosis", _("疾病诊断")
    DISABILITY_CERTIFICATE = "disability_certificate", _("残疾人证")
    UNEMPLOYMENT_REGISTRATION = "unemployment_registration", _("失业登记")
    PAYMENT_RETURN = "payment_return", _("银行发放回盘")


class BatchStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("导入中")
    SUCCEEDED = "succeeded", _("已完成")
    REJECTED = "rejected", _("文件被拒")
    FAILED = "failed", _("失败")


def batch_file_path(batch: "ImportBatch", filename: str) -> str:
    """Uploaded files are kept by the month they arrived in (Beijing time, from the clock)."""
    return f"imports/{timezone.localtime(clock.now()):%Y/%m}/{filename}"


class ImportBatch(models.Model):
    """One uploaded file. When it succeeds its counts add up to its data rows."""

    category = models.CharField(_("数据类别"), max_length=40, choices=FeedCategory.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="batches", verbose_name=_("部门")
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    file = models.FileField(_("文件"), upload_to=batch_file_path, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size_bytes = models.BigIntegerField(_("文件大小"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = ClockDateTimeField(_("上传时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.PENDING
    )
    data_rows = models.IntegerField(_("数据行数"), default=0)
    rows_read = models.IntegerField(_("已读取行数"), default=0)
    loaded = models.IntegerField(_("新增"), default=0)
    corrected = models.IntegerField(_("更正"), default=0)
    duplicate = models.IntegerField(_("重复"), default=0)
    rejected = models.IntegerField(_("拒绝"), default=0)
    name_mismatch = models.IntegerField(_("姓名不符"), default=0)
    error_code = models.CharField(_("错误代码"), max_length=40, blank=True)
    error_message = models.TextField(_("错误说明"), blank=True)
    extra_columns = models.JSONField(_("未使用的列"), default=list, blank=True)
    # The file's header texts in file order: RejectedRow.raw is a jsonb dict (no key order), so a
    # download lists raw cells in this order.
    columns = models.JSONField(_("文件列"), default=list, blank=True)
    encoding = models.CharField(_("文件编码"), max_length=20, blank=True)
    # A CSV/TXT file's cell separator as the loader found it (comma or tab; blank for .xlsx and for
    # batches loaded before it was kept): the rows to correct are written back with it.
    delimiter = models.CharField(_("分隔符"), max_length=1, blank=True)
    # Loads started (a load whose process died is started again: services.batch_load) and when the
    # last such death was found.
    attempts = models.PositiveSmallIntegerField(_("导入次数"), default=0)
    interrupted_at = models.DateTimeField(_("发现导入中断的时间"), null=True, blank=True)
    # Set when the retention job deleted the uploaded file (`file` is then empty); the SHA-256 and
    # the counts stay, so the same bytes sent again are still recognised.
    file_deleted_at = models.DateTimeField(_("原始文件删除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-id"]
        indexes = [models.Index(fields=["category", "-created_at"], name="importbatch_category_created")]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "sha256"],
                condition=Q(status__in=["pending", "running", "succeeded"]),
                name="importbatch_one_live_batch_per_file",
            ),
            models.CheckConstraint(
                condition=~Q(status="succeeded")
                | Q(data_rows=F("loaded") + F("corrected") + F("duplicate") + F("rejected")),
                name="importbatch_counts_add_up",
            ),
            models.CheckConstraint(condition=Q(delimiter__in=["", ",", "\t"]), name="importbatch_delimiter"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()} {self.file_name}"

    @property
    def in_progress(self) -> bool:
        """Queued or loading: its counts and report are not final yet."""
        return self.status in (BatchStatus.PENDING, BatchStatus.RUNNING)


class RejectedRow(models.Model):
    """A row that was not loaded, with where and why, as the admin sees it in Excel."""

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="rejected_rows", verbose_name=_("导入批次")
    )
    row_number = models.IntegerField(_("行号"))
    column = models.CharField(_("列"), max_length=100, blank=True)
    reason_code = models.CharField(_("原因代码"), max_length=40)
    message = models.TextField(_("说明"))
    raw = models.JSONField(_("原始内容"), default=dict)

    class Meta:
        verbose_name = _("被拒绝的行")
        verbose_name_plural = _("被拒绝的行")
        ordering = ["batch", "row_number"]
        indexes = [models.Index(fields=["batch", "row_number"], name="rejectedrow_batch_row")]

    def __str__(self) -> str:
        return _("批次 #%(batch)s 第 %(row)s 行") % {"batch": self.batch_id, "row": self.row_number}


class FeedRecord(models.Model):
    """Columns every department record shares: who it is about and which batch last wrote it."""

    id_number = models.CharField(_("身份证号"), max_length=18)
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, related_name="+", verbose_name=_("导入批次")
    )
    updated_at = ClockDateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True

    @property
    def masked_id(self) -> str:
        return idcard.mask(self.id_number)


class VisitType(models.TextChoices):
    INPATIENT = "inpatient", _("住院")
    OUTPATIENT = "outpatient", _("门诊")
    CHRONIC = "chronic_outpatient", _("门诊慢特病")
    PHARMACY = "pharmacy", _("药店购药")


class MedicalSettlement(FeedRecord):
    settlement_id = models.CharField(_("结算流水号"), max_length=64)
    settle_date = models.DateField(_("结算日期"))
    institution = models.CharField(_("定点医疗机构"), max_length=200, blank=True)
    visit_type = models.CharField(_("就诊类型"), max_length=20, choices=VisitType.choices, blank=True)
    diagnosis_code = models.CharField(_("主诊断编码"), max_length=20, blank=True)
    diagnosis_name = models.CharField(_("主诊断名称"), max_length=200, blank=True)
    total_cost = models.DecimalField(_("医疗费用总额"), max_digits=14, decimal_places=2)
    fund_paid = models.DecimalField(_("统筹基金支付"), max_digits=14, decimal_places=2, default=0)
    serious_illness_paid = models.DecimalField(_("大病保险支付"), max_digits=14, decimal_places=2, default=0)
    assistance_paid = models.DecimalField(_("医疗救助支付"), max_digits=14, decimal_places=2, default=0)
    self_paid = models.DecimalField(_("个人负担"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("医保结算")
        verbose_name_plural = _("医保结算")
        indexes = [  # The nightly run sums a year of self-pay and reads diagnosis codes per person:
            # with those in the index they are index-only scans instead of random heap reads.
            models.Index(
                fields=["id_number", "settle_date"],
                include=["self_paid", "diagnosis_code", "id"],
                name="medsettle_person_date_cover",
            )
        ]
        constraints = [
            # The natural key, by which the merge finds stored rows (anti-join INSERT, UPDATE … FROM).
            # A constraint rather than unique=True, which would add a second, varchar_pattern_ops
            # index that every loaded row must also update.
            models.UniqueConstraint(fields=["settlement_id"], name="medsettle_settlement_id_unique"),
            models.CheckConstraint(condition=FEED_ID_FORMAT, name="medsettle_id_format"),
            models.CheckConstraint(
                condition=Q(self_paid__gte=0) & Q(total_cost__gte=0), name="medsettle_amounts_not_negative"
            ),
            # FEEDS.md: negative amounts are rejected (refunds are not part of the feed).
            models.CheckConstraint(
                condition=Q(fund_paid__gte=0) & Q(serious_illness_paid__gte=0) & Q(assistance_paid__gte=0),
                name="medsettle_paid_parts_not_negative",
            ),
            choice_check("medsettle", "visit_type", VisitType.values, blank=True),
        ]

    def __str__(self) -> str:
        return _("医保结算 %(key)s") % {"key": self.settlement_id}


class Diagnosis(FeedRecord):
    record_id = models.CharField(_("记录编号"), max_length=64)
    diagnosed_on = models.DateField(_("诊断日期"))
    institution = models.CharField(_("医疗机构"), max_length=200, blank=True)
    diagnosis_code = models.CharField(_("诊断编码"), max_length=20)
    diagnosis_name = models.CharField(_("诊断名称"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("疾病诊断")
        verbose_name_plural = _("疾病诊断")
        indexes = [models.Index(fields=["id_number", "diagnosed_on"], name="diagnosis_person_date")]
        constraints = [
            # The natural key, by which the merge finds stored rows (anti-join INSERT, UPDATE … FROM).
            # A constraint rather than unique=True, which would add a second, varchar_pattern_ops
            # index that every loaded row must also update.
            models.UniqueConstraint(fields=["record_id"], name="diagnosis_record_id_unique"),
            models.CheckConstraint(condition=FEED_ID_FORMAT, name="diagnosis_id_format"),
        ]

    def __str__(self) -> str:
        return _("疾病诊断 %(key)s") % {"key": self.record_id}


class DisabilityType(models.IntegerChoices):
    VISION = 1, _("视力")
    HEARING = 2, _("听力")
    SPEECH = 3, _("言语")
    PHYSICAL = 4, _("肢体")
    INTELLECTUAL = 5, _("智力")
    MENTAL = 6, _("精神")
    MULTIPLE = 7, _("多重")


class DisabilityGrade(models.IntegerChoices):
    GRADE_1 = 1, _("一级")
    GRADE_2 = 2, _("二级")
    GRADE_3 = 3, _("三级")
    GRADE_4 = 4, _("四级")


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("有效")
    CANCELLED = "cancelled", _("注销")


class DisabilityCertificate(FeedRecord):
    certificate_no = models.CharField(_("残疾人证号"), max_length=22)
    disability_type = models.PositiveSmallIntegerField(_("残疾类别"), choices=DisabilityType.choices)
    grade = models.PositiveSmallIntegerField(_("残疾等级"), choices=DisabilityGrade.choices)
    issued_on = models.DateField(_("发证日期"))
    status = models.CharField(
        _("证件状态"), max_length=20, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )

    class Meta:
        verbose_name = _("残疾人证")
        verbose_name_plural = _("残疾人证")
        indexes = [
            models.Index(fields=["issued_on"], name="disability_issued_on"),
            # an applying household's economic-status check reads its members' records
            models.Index(fields=["id_number"], name="disability_id_number"),
        ]
        constraints = [
            # The natural key, by which the merge finds stored rows (anti-join INSERT, UPDATE … FROM).
            # A constraint rather than unique=True, which would add a second, varchar_pattern_ops
            # index that every loaded row must also update.
            models.UniqueConstraint(fields=["certificate_no"], name="disability_certificate_no_unique"),
            models.CheckConstraint(condition=FEED_ID_FORMAT, name="disability_id_format"),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=4), name="disability_grade_1_to_4"),
            choice_check("disability", "disability_type", DisabilityType.values),
            choice_check("disability", "status", CertificateStatus.values),
        ]

    def __str__(self) -> str:
        return _("残疾人证 %(key)s") % {"key": masked_key(self.certificate_no)}

    @property
    def is_severe(self) -> bool:
        return self.grade in (DisabilityGrade.GRADE_1, DisabilityGrade.GRADE_2)


class UnemploymentStatus(models.TextChoices):
    UNEMPLOYED = "unemployed", _("登记失业")
    EMPLOYED = "employed", _("已就业")
    CANCELLED = "cancelled", _("注销")


class UnemploymentRegistration(FeedRecord):
    registration_no = models.CharField(_("登记编号"), max_length=64)
    registered_on = models.DateField(_("失业登记日期"))
    status = models.CharField(
        _("登记状态"),
        max_length=20,
        choices=UnemploymentStatus.choices,
        default=UnemploymentStatus.UNEMPLOYED,
    )
    ended_on = models.DateField(_("注销日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("失业登记")
        verbose_name_plural = _("失业登记")
        indexes = [
            models.Index(fields=["registered_on"], name="unemployment_registered_on"),
            # an applying household's economic-status check reads its members' records
            models.Index(fields=["id_number"], name="unemployment_id_number"),
        ]
        constraints = [
            # The natural key, by which the merge finds stored rows (anti-join INSERT, UPDATE … FROM).
            # A constraint rather than unique=True, which would add a second, varchar_pattern_ops
            # index that every loaded row must also update.
            models.UniqueConstraint(fields=["registration_no"], name="unemployment_registration_no_unique"),
            models.CheckConstraint(condition=FEED_ID_FORMAT, name="unemployment_id_format"),
            choice_check("unemployment", "status", UnemploymentStatus.values),
        ]

    def __str__(self) -> str:
        return _("失业登记 %(key)s") % {"key": self.registration_no}


class RosterEntry(FeedRecord):
    """The latest roster row per person as civil affairs sent it.

    The loader merges roster files into this table like any feed (which gives loaded / corrected /
    duplicate and the change history); `monitoring.roster` then projects the accepted rows onto
    households, persons and monitoring records.
    """

    household_id_number = models.CharField(_("户主身份证号"), max_length=18)
    relation = models.CharField(_("与户主关系"), max_length=12, choices=Relation.choices)
    region_code = models.CharField(_("行政区划代码"), max_length=12)
    address = models.CharField(_("家庭住址"), max_length=200, blank=True)
    area_type = models.CharField(_("城乡类别"), max_length=10)
    category = models.CharField(_("监测类别"), max_length=20)
    since = models.DateField(_("纳入日期"))
    status = models.CharField(_("状态"), max_length=10, default="active")
    exit_date = models.DateField(_("退出日期"), null=True, blank=True)
    household_annual_income = models.DecimalField(
        _("家庭年收入"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("低收入人口名册记录")
        verbose_name_plural = _("低收入人口名册记录")
        constraints = [
            models.UniqueConstraint(fields=["id_number"], name="rosterentry_id_number_unique"),
            models.CheckConstraint(condition=FEED_ID_FORMAT, name="rosterentry_id_format"),
            choice_check("rosterentry", "relation", Relation.values),
            choice_check("rosterentry", "area_type", AreaType.values),
            # Codes the roster spec writes (monitoring's categories; this app cannot import monitoring).
            choice_check(
                "rosterentry", "category", [c.code for c in roster_spec.SPEC.field("category").choices]
            ),
            choice_check("rosterentry", "status", [c.code for c in roster_spec.SPEC.field("status").choices]),
            models.CheckConstraint(
                condition=Q(household_annual_income__isnull=True) | Q(household_annual_income__gte=0),
                name="rosterentry_income_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return _("名册记录 %(name)s（%(id)s）") % {"name": self.name, "id": self.masked_id}


class PaymentResult(models.TextChoices):
    PAID = "paid", _("已发放")
    FAILED = "failed", _("发放失败")
    RETURNED = "returned", _("资金退回")


class PaymentReturn(FeedRecord):
    """The bank's result for one line of a payment roll (明细编号 = the line's id in the finance
    export), as the county's finance office received it. The assistance app's merge hook writes the
    result onto the roll line (`assistance.services.bank_returns`)."""

    line_no = models.CharField(_("明细编号"), max_length=20)
    account_no = models.CharField(_("账号"), max_length=32, blank=True)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    result = models.CharField(_("发放结果"), max_length=10, choices=PaymentResult.choices)
    reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    processed_on = models.DateField(_("处理日期"))

    class Meta:
        verbose_name = _("银行发放回盘")
        verbose_name_plural = _("银行发放回盘")
        constraints = [
            models.UniqueConstraint(fields=["line_no"], name="paymentreturn_line_no_unique"),
            models.CheckConstraint(condition=FEED_ID_FORMAT, name="paymentreturn_id_format"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="paymentreturn_amount_not_negative"),
            choice_check("paymentreturn", "result", PaymentResult.values),
        ]

    def __str__(self) -> str:
        return _("发放回盘 明细 %(key)s") % {"key": self.line_no}


class FeedRecordChange(models.Model):
    """A correction: a re-sent record whose content differed from what was stored.

    `before` and `after` hold only the fields that changed (stored values, dates as ISO text).
    """

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="changes", verbose_name=_("导入批次")
    )
    category = models.CharField(_("数据类别"), max_length=40, choices=FeedCategory.choices)
    key = models.CharField(_("记录键"), max_length=64)
    before = models.JSONField(_("变更前"))
    after = models.JSONField(_("变更后"))
    changed_at = ClockDateTimeField(_("变更时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("记录更正")
        verbose_name_plural = _("记录更正")
        ordering = ["-id"]
        indexes = [models.Index(fields=["category", "key"], name="feedrecordchange_cat_key")]
        constraints = [choice_check("feedrecordchange", "category", FeedCategory.values)]

    def __str__(self) -> str:
        return _("%(category)s %(key)s 的更正") % {
            "category": self.get_category_display(),
            "key": masked_key(self.key),
        }


class NameMismatch(models.Model):
    """A loaded row whose name differs from the registry's name for that resident ID (a warning)."""

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="name_mismatches", verbose_name=_("导入批次")
    )
    row_number = models.IntegerField(_("行号"))
    id_number = models.CharField(_("身份证号"), max_length=18)
    name_in_file = models.CharField(_("文件中的姓名"), max_length=50)
    name_in_registry = models.CharField(_("登记的姓名"), max_length=50)

    class Meta:
        verbose_name = _("姓名不符")
        verbose_name_plural = _("姓名不符")
        ordering = ["batch", "row_number"]
        indexes = [models.Index(fields=["batch", "row_number"], name="namemismatch_batch_row")]

    def __str__(self) -> str:
        return _("批次 #%(batch)s 第 %(row)s 行姓名不符") % {"batch": self.batch_id, "row": self.row_number}

    @property
    def masked_id(self) -> str:
        return idcard.mask(self.id_number)
