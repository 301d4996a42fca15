from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class SigninConfig(AxesAppConfig):
    """django-axes under a Chinese name, with the admin pages of households.signin.admin."""

    verbose_name = _("登录安全")

    def ready(self):
        super().ready()
        from households.signin import admin  # noqa: F401  (registers the pages)
