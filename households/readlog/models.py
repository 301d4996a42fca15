"""The read log: one row per request (or command run) that showed or handed out personal data.

Append-only: a trigger (migration 0002) refuses UPDATE, and DELETE unless the retention job
(`services.entries_purge`) asks for it, and then only of rows older than the cut-off it names.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReadAction(models.TextChoices):
    HOUSEHOLD_VIEW = "household_view", _("查看家庭")
    PERSON_VIEW = "person_view", _("查看人员")
    ID_UNMASKED = "id_unmasked", _("显示完整身份证号")
    ID_SEARCH = "id_search", _("按身份证号搜索")
    REJECTS_REPORT = "rejects_report", _("下载被拒绝行报告")
    ROWS_TO_CORRECT = "rows_to_correct", _("下载待修正行")
    DASHBOARD_EXPORT = "dashboard_export", _("导出统计看板")
    ADMIN_EXPORT = "admin_export", _("管理后台导出")
    DOWNLOAD = "download", _("其他下载")
    EXPORT_ALERTS = "export_alerts", _("导出预警文件（命令）")


class Channel(models.TextChoices):
    WEB = "web", _("网页")
    COMMAND = "command", _("命令行")


class ReadLogEntry(models.Model):
    """Who (a user, or the OS user of a command) read what, whose, when and from where.

    `household_ids` holds the households of every person in `person_ids` too, so "who looked at
    this household" is one indexed array lookup. `path` is the request path with its query, every
    ID number in it masked (`services.masked_query`).
    """

    at = models.DateTimeField(_("时间"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("用户"),
    )
    actor = models.CharField(_("查阅人"), max_length=200)
    role = models.CharField(_("角色"), max_length=20, blank=True)
    channel = models.CharField(_("途径"), max_length=10, choices=Channel.choices)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    actions = ArrayField(models.CharField(max_length=30, choices=ReadAction.choices), verbose_name=_("操作"))
    household_ids = ArrayField(models.BigIntegerField(), default=list, blank=True, verbose_name=_("家庭"))
    person_ids = ArrayField(models.BigIntegerField(), default=list, blank=True, verbose_name=_("人员"))
    batch_id = models.BigIntegerField(_("导入批次"), null=True, blank=True)
    file = models.CharField(_("文件"), max_length=500, blank=True)
    row_count = models.IntegerField(_("行数"), null=True, blank=True)
    path = models.CharField(_("网址或命令"), max_length=1000, blank=True)
    status_code = models.SmallIntegerField(_("应答状态"), null=True, blank=True)

    class Meta:
        verbose_name = _("查阅记录")
        verbose_name_plural = _("查阅记录")
        ordering = ["-id"]
        indexes = [
            GinIndex(fields=["household_ids"], name="readlog_household_ids"),
            models.Index(fields=["at"], name="readlog_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(actions=[]), name="readlogentry_has_action"),
        ]

    def __str__(self) -> str:
        return _("查阅记录 #%(id)s：%(actor)s") % {"id": self.pk, "actor": self.actor}

    def action_labels(self) -> list[str]:
        labels = dict(ReadAction.choices)
        return [str(labels.get(code, code)) for code in self.actions]
