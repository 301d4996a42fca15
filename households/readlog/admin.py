from django.contrib import admin

from households.admin import ModelAdmin
from households.readlog.models import ReadLogEntry


@admin.register(ReadLogEntry)
class ReadLogEntryAdmin(ModelAdmin):
    """The whole log, for superusers only (supervisors read a household's entries on its page;
    the log is not regional). Nothing is added, changed or deleted here (the table refuses it)."""

    list_display = ["id", "at", "actor", "role", "channel", "ip", "actions", "path"]
    list_filter = ["channel", "role"]
    show_full_result_count = False

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
