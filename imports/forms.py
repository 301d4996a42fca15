"""The upload form: which category a department file is, and the file itself."""

from pathlib import PurePath

from django import forms
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext_lazy as _

from imports.departments import CATEGORY_DEPARTMENT, DEPARTMENTS
from imports.loading import FileRejected, filetypes, limits
from imports.models import FeedCategory

ACCEPTED_EXTENSIONS = (".csv", ".txt", ".xlsx", ".xls", ".ods")
_DEPARTMENT_NAMES = dict(DEPARTMENTS)


def category_choices() -> list[tuple[str, str]]:
    """Each category with the department that sends it: 医保结算明细（医疗保障局）."""
    return [
        (value, f"{label}（{_DEPARTMENT_NAMES[CATEGORY_DEPARTMENT[value]]}）")
        for value, label in FeedCategory.choices
    ]


class SizeLimitUploadHandler(FileUploadHandler):
    """First of every request's upload handlers (settings.FILE_UPLOAD_HANDLERS): past the size
    limit the file is dropped while it arrives (the handlers after it have stored only part of it,
    and delete that), so an oversized upload never reaches the disk whole. The body must be parsed
    with it in place, before any middleware reads request.POST, hence a setting and not the view."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = limits.current().max_file_bytes
        self.refused = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # A body this much larger than the limit cannot hold an acceptable file: drop from its
        # first byte on (the body is still read, not kept).
        if content_length and content_length > self.limit + limits.MB:
            self.refused = True

    def receive_data_chunk(self, raw_data, start):
        if self.refused or start + len(raw_data) > self.limit:
            self.refused = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


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
        help_text=_(
            "接受 .csv、.txt（逗号或制表符分隔，UTF-8 或 GBK 编码）和 Excel / WPS 表格 .xlsx、.xls、.ods"
            "（只读取第一个工作表）；文件类型按内容识别，扩展名不符也能读取"
        ),
        error_messages={
            "required": _("请选择要上传的文件"),
            "empty": _("文件是空的（0 字节），请检查后重新导出"),
            "invalid": _("没有收到文件，请重新选择"),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
    )

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("请选择数据类别")), *category_choices()]
        if too_large:  # SizeLimitUploadHandler dropped the file: say why it is missing
            self.fields["file"].error_messages["required"] = limits.file_too_large_message()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > limits.current().max_file_bytes:
            raise forms.ValidationError(limits.file_too_large_message(upload.size), code="too_large")
        extension = PurePath(upload.name).suffix.lower()
        if extension not in ACCEPTED_EXTENSIONS:
            raise forms.ValidationError(
                _("不支持“%(extension)s”文件，只接受 .csv、.txt、.xlsx、.xls 或 .ods"),
                code="extension",
                params={"extension": extension or _("无扩展名")},
            )
        try:
            filetypes.detect(upload, upload.name)  # a PDF, a Word file, an encrypted workbook …
        except FileRejected as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        return upload
