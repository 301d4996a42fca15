from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class SigninConfig(AxesAppConfig):
    """django-axes under a Chinese name, with the admin pages of households.signin.admin."""

    verbose_name = _("登录安全")

    def ready(self):
        super().ready()
        from households.signin import admin  # noqa: F401  (registers the pages)

        _name_axes_rows_in_chinese()


def _name_axes_rows_in_chinese() -> None:
    """axes' rows name themselves in English ("Attempted Access: …"), which the admin shows as
    page titles and breadcrumbs; our system administrators read Chinese. Display only."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.utils import timezone
    from django.utils.translation import gettext

    def when(row) -> str:
        return f"{timezone.localtime(row.attempt_time):%Y-%m-%d %H:%M:%S}" if row.attempt_time else ""

    AccessAttempt.__str__ = lambda row: (
        gettext("登录失败：%(user)s，%(when)s")
        % {
            "user": row.username,
            "when": when(row),
        }
    )
    AccessFailureLog.__str__ = lambda row: (
        gettext("登录失败记录：%(user)s，%(when)s，来自 %(ip)s")
        % {
            "user": row.username,
            "when": when(row),
            "ip": row.ip_address,
        }
    )
    AccessLog.__str__ = lambda row: (
        gettext("登录记录：%(user)s，%(when)s") % {"user": row.username, "when": when(row)}
    )
