"""The upload form: which category a department file is, and the file itself."""

from pathlib import PurePath

from django import forms
from django.utils.translation import gettext_lazy as _

from imports.departments import CATEGORY_DEPARTMENT, DEPARTMENTS
from imports.models import FeedCategory

ACCEPTED_EXTENSIONS = (".csv", ".txt", ".xlsx")
_DEPARTMENT_NAMES = dict(DEPARTMENTS)


def category_choices() -> list[tuple[str, str]]:
    """Each category with the department that sends it: 医保结算明细（医疗保障局）."""
    return [
        (value, f"{label}（{_DEPARTMENT_NAMES[CATEGORY_DEPARTMENT[value]]}）")
        for value, label in FeedCategory.choices
    ]


class UploadForm(forms.Form):
    category = forms.ChoiceField(
        label=_("数据类别"),
        choices=[("", _("请选择数据类别"))],
        error_messages={
            "required": _("请选择数据类别"),
            "invalid_choice": _("数据类别“%(value)s”不存在，请从列表中选择"),
        },
    )
    file = forms.FileField(
        label=_("文件"),
        help_text=_("接受 .csv、.txt（逗号或制表符分隔，UTF-8 或 GBK 编码）和 .xlsx（只读取第一个工作表）"),
        error_messages={
            "required": _("请选择要上传的文件"),
            "empty": _("文件是空的（0 字节），请检查后重新导出"),
            "invalid": _("没有收到文件，请重新选择"),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("请选择数据类别")), *category_choices()]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        extension = PurePath(upload.name).suffix.lower()
        if extension == ".xls":
            raise forms.ValidationError(
                _("不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后上传"), code="xls"
            )
        if extension not in ACCEPTED_EXTENSIONS:
            raise forms.ValidationError(
                _("不支持“%(extension)s”文件，只接受 .csv、.txt 或 .xlsx"),
                code="extension",
                params={"extension": extension or _("无扩展名")},
            )
        if extension == ".xlsx":
            upload.seek(0)
            magic = upload.read(4)
            upload.seek(0)
            if magic != b"PK\x03\x04":  # every .xlsx is a zip archive
                raise forms.ValidationError(
                    _("该文件扩展名是 .xlsx，但内容不是 Excel 工作簿，请在 Excel 中重新另存为 .xlsx"),
                    code="not_xlsx",
                )
        return upload
