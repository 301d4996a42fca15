"""Admin pages of django-axes' tables in Chinese: recent failures (and unlocking), sign-in logs.

Only system administrators see them (their role's permissions on the axes app,
`households.auth_backends`); they unlock an account with the unlock action.
"""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from axes.utils import reset
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from households.admin import ModelAdmin
from households.signin.lockout import locked_until, locked_usernames


class ReadOnlyLogAdmin(ModelAdmin):
    """Rows axes writes; shown, never edited. The list shows every field but the sign-in path."""

    date_hierarchy = "attempt_time"
    search_fields = ["username", "ip_address"]
    search_help_text = _("输入用户名或 IP 地址")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_list_display(self, request):
        return [name for name in self.fields if name != "path_info"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class LockedFilter(admin.SimpleListFilter):
    title = _("锁定状态")
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        return [("yes", _("锁定中")), ("no", _("未锁定"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(username__in=locked_usernames())
        if self.value() == "no":
            return queryset.exclude(username__in=locked_usernames())
        return queryset


@admin.register(AccessAttempt)
class AccessAttemptAdmin(ReadOnlyLogAdmin):
    """Failed sign-ins of the last cool-off period, one row per username, address and browser.

    Unlocking removes every row of the selected usernames, as `manage.py axes_reset_username` does.
    """

    fields = [
        "username",
        "lock_state",
        "failures_since_start",
        "attempt_time",
        "ip_address",
        "user_agent",
        "path_info",
    ]
    list_filter = [LockedFilter]
    actions = ["unlock"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # unlocking is the one way to remove rows here
        return actions

    @admin.display(description=_("状态"))
    def lock_state(self, obj):
        until = locked_until(obj.username)
        if until is None:
            return _("未锁定")
        return _("锁定中，%(time)s 解锁") % {"time": f"{timezone.localtime(until):%Y-%m-%d %H:%M}"}

    @admin.action(description=_("解除所选账号的登录锁定"), permissions=["delete"])
    def unlock(self, request, queryset):
        usernames = sorted({name for name in queryset.values_list("username", flat=True) if name})
        self.log_deletions(request, AccessAttempt.objects.filter(username__in=usernames))
        for username in usernames:
            reset(username=username)
        self.message_user(
            request,
            ngettext(
                "已解除 %(count)d 个账号的登录锁定：%(names)s",
                "已解除 %(count)d 个账号的登录锁定：%(names)s",
                len(usernames),
            )
            % {"count": len(usernames), "names": "、".join(usernames)},
        )


class SignInRecordAdmin(ReadOnlyLogAdmin):
    """A record of who signed in or failed to, when and from where: kept, not deleted here."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(SignInRecordAdmin):
    fields = ["attempt_time", "username", "locked_out", "ip_address", "user_agent", "path_info"]
    list_filter = ["locked_out"]


@admin.register(AccessLog)
class AccessLogAdmin(SignInRecordAdmin):
    fields = ["attempt_time", "logout_time", "username", "ip_address", "user_agent", "path_info"]
