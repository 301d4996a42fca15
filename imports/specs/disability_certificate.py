"""残疾人证 (残疾人联合会): certificates keyed by the certificate number (ID + type + grade …)."""

from django.utils.translation import gettext_lazy as _

from imports.specs.base import Choice, Field, RowCheck, Spec
from imports.specs.base import FieldType as T

SPEC = Spec(
    category="disability_certificate",
    model="imports.DisabilityCertificate",
    natural_key="certificate_no",
    fields=(
        Field(
            "certificate_no",
            "残疾人证号",
            T.CERTIFICATE_NO,
            ("证号", "残疾证号"),
            required=True,
            example="{id}41",
        ),
        Field("id_number", "身份证号", T.ID18, ("公民身份号码",), required=True),
        Field("name", "姓名", T.TEXT, max_length=50, example="张三"),
        Field(
            "disability_type",
            "残疾类别",
            T.ENUM,
            required=True,
            example="肢体",
            choices=(
                Choice(1, ("视力", "视力残疾", "1")),
                Choice(2, ("听力", "听力残疾", "2")),
                Choice(3, ("言语", "言语残疾", "3")),
                Choice(4, ("肢体", "肢体残疾", "4")),
                Choice(5, ("智力", "智力残疾", "5")),
                Choice(6, ("精神", "精神残疾", "6")),
                Choice(7, ("多重", "多重残疾", "7")),
            ),
        ),
        Field(
            "grade",
            "残疾等级",
            T.ENUM,
            required=True,
            choices=(
                Choice(1, ("一级", "1", "1级")),
                Choice(2, ("二级", "2", "2级")),
                Choice(3, ("三级", "3", "3级")),
                Choice(4, ("四级", "4", "4级")),
            ),
        ),
        Field("issued_on", "发证日期", T.DATE, ("办证日期",), required=True),
        Field(
            "status",
            "证件状态",
            T.ENUM,
            ("状态",),
            choices=(Choice("valid", ("有效", "正常")), Choice("cancelled", ("注销", "已注销"))),
            default="valid",
        ),
    ),
    row_checks=(
        RowCheck(
            "certificate_id_mismatch",
            "certificate_no",
            "left({certificate_no}, 18) <> {id_number}",
            _(
                "残疾人证号“{value:certificate_no}”的前18位与身份证号“{value:id_number}”不一致：证号应为身份证号加类别和等级"
            ),
            ("certificate_no", "id_number"),
        ),
        RowCheck(
            "certificate_type_mismatch",
            "disability_type",
            "substr({certificate_no}, 19, 1)::int <> {disability_type}",
            _("残疾类别“{value:disability_type}”与残疾人证号第19位（类别代码）不一致"),
            ("certificate_no", "disability_type"),
        ),
        RowCheck(
            "certificate_grade_mismatch",
            "grade",
            "substr({certificate_no}, 20, 1)::int <> {grade}",
            _("残疾等级“{value:grade}”与残疾人证号第20位（等级代码）不一致"),
            ("certificate_no", "grade"),
        ),
    ),
)
