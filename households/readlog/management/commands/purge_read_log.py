from households.readlog.services import entries_purge
from households.retention import RetentionCommand


class Command(RetentionCommand):
    help = "删除超过保存期限的查阅记录（默认 READ_LOG_RETENTION_DAYS 天）。查阅记录只有此命令和每晚的定时任务可以删除。"
    setting = "READ_LOG_RETENTION_DAYS"
    done = "已删除 %d 条超过保存期限的查阅记录"

    def purge(self, days):
        return entries_purge(days=days)
