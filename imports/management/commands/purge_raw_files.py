from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from imports.retention import raw_files_purge


class Command(BaseCommand):
    help = (
        "删除导入结束（成功或文件被拒）超过保存期限的原始上传文件；批次的 SHA-256、计数和被拒绝的行保留。"
        "排队中、导入中和失败的批次保留文件（可能需要重新导入）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"保存天数（默认 {settings.RAW_FILE_RETENTION_DAYS}，不少于 1）",
        )

    def handle(self, *args, days=None, **options):
        if days is not None and days < 1:
            raise CommandError("--days 须为不小于 1 的整数")
        deleted = raw_files_purge(days=days)
        self.stdout.write(f"已删除 {deleted} 个批次的原始文件")
