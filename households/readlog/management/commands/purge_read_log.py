from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from households.readlog.services import entries_purge


class Command(BaseCommand):
    help = "删除超过保存期限的查阅记录（默认 READ_LOG_RETENTION_DAYS 天）。查阅记录只有此命令和每晚的定时任务可以删除。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"保存天数（默认 {settings.READ_LOG_RETENTION_DAYS}，不少于 1）",
        )

    def handle(self, *args, days=None, **options):
        if days is not None and days < 1:
            raise CommandError("--days 须为不小于 1 的整数")
        deleted = entries_purge(days=days)
        self.stdout.write(f"已删除 {deleted} 条超过保存期限的查阅记录")
