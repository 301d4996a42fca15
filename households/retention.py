"""What the retention commands share (`purge_read_log`, `purge_raw_files`): a period in days."""

from django.core.management.base import BaseCommand, CommandError


class RetentionCommand(BaseCommand):
    """`--days N` (default: the setting named `setting`), then `purge(days)`; prints `done % count`."""

    setting = ""
    done = ""

    def purge(self, days: int | None) -> int:
        raise NotImplementedError

    def add_arguments(self, parser):
        from django.conf import settings

        default = getattr(settings, self.setting)
        parser.add_argument("--days", type=int, default=None, help=f"保存天数（默认 {default}，不少于 1）")

    def handle(self, *args, days=None, **options):
        if days is not None and days < 1:
            raise CommandError("--days 须为不小于 1 的整数")
        self.stdout.write(self.done % self.purge(days))
