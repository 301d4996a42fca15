"""Small formatting filters for the import pages."""

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imports.models import BatchStatus
from imports.rejects import mask_ids

register = template.Library()

STATUS_BADGES = {
    BatchStatus.PENDING: "secondary",
    BatchStatus.RUNNING: "primary",
    BatchStatus.SUCCEEDED: "success",
    BatchStatus.REJECTED: "danger",
    BatchStatus.FAILED: "warning",
}


ENCODINGS = {
    "utf-8-sig": "UTF-8",
    "utf-8": "UTF-8",
    "gb18030": "GBK / GB18030",
    "xlsx": gettext_lazy("Excel 工作簿（.xlsx）"),
    "xls": gettext_lazy("Excel 97–2003 工作簿（.xls）"),
    "ods": gettext_lazy("OpenDocument 表格（.ods）"),
}


@register.filter
def encoding_label(value: str) -> str:
    """How the loader read the file, in the words a data admin uses."""
    return str(ENCODINGS.get(value, value)) if value else "—"


@register.filter
def status_badge(status: str) -> str:
    """The Bootstrap colour of a batch status badge."""
    return STATUS_BADGES.get(status, "secondary")


@register.filter
def duration(value: timedelta | None) -> str:
    """A load's duration the way people say it: 0.4 秒, 12 秒, 3 分 05 秒, 1 小时 02 分."""
    if value is None:
        return "—"
    seconds = value.total_seconds()
    if seconds < 10:
        return _("%(s).1f 秒") % {"s": seconds}
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(h)d 小时 %(m)02d 分") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)d 分 %(s)02d 秒") % {"m": minutes, "s": secs}
    return _("%(s)d 秒") % {"s": secs}


@register.filter
def person_name(user) -> str:
    """Who uploaded a batch: full name, else username; a dash for a command-line upload."""
    if user is None:
        return "—"
    return user.get_full_name() or user.username


@register.filter
def masked(value) -> str:
    """Text from a batch (an error message) with any resident ID in it masked."""
    return mask_ids(value)
