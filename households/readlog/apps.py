from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReadLogConfig(AppConfig):
    """The read log: who read whose personal data, when and from where (households.readlog)."""

    name = "households.readlog"
    label = "readlog"
    verbose_name = _("查阅记录")
