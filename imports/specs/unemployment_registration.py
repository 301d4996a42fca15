"""失业登记 (人力资源和社会保障局): unemployment registrations, keyed by the registration number."""

from django.utils.translation import gettext_lazy as _

from imports.specs.base import Choice, Field, RowCheck, Spec
from imports.specs.base import FieldType as T

SPEC = Spec(
    category="unemployment_registration",
    model="imports.UnemploymentRegistration",
    natural_key="registration_no",
    fields=(
        Field(
            "registration_no",
            "登记编号",
            T.CODE,
            ("失业登记证号",),
            required=True,
            max_length=64,
            example="SY2024000123",
        ),
        Field("id_number", "身份证号", T.ID18, ("公民身份号码",), required=True),
        Field("name", "姓名", T.TEXT, max_length=50, example="张三"),
        Field("registered_on", "失业登记日期", T.DATE, ("登记日期",), required=True),
        Field(
            "status",
            "登记状态",
            T.ENUM,
            ("状态",),
            choices=(
                Choice("unemployed", ("登记失业", "失业")),
                Choice("employed", ("已就业", "就业")),
                Choice("cancelled", ("注销", "已注销")),
            ),
            default="unemployed",
        ),
        Field("ended_on", "注销日期", T.DATE, ("就业日期",), default=None),
    ),
    row_checks=(
        RowCheck(
            "end_before_start",
            "ended_on",
            "{ended_on} < {registered_on}",
            _("注销日期“{value:ended_on}”早于失业登记日期“{value:registered_on}”：注销日期不能早于登记日期"),
            ("ended_on", "registered_on"),
        ),
    ),
)
