"""Rebuild the supervisor dashboard's summaries now (the nightly run does it after each run)."""

from django.core.management.base import BaseCommand

from alerts.management.dates import iso_date
from alerts.services.dashboard import refresh_dashboard_summaries
from households import clock


class Command(BaseCommand):
    help = "立即重新生成统计看板的汇总数据（每晚监测运行结束后也会自动生成）"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=iso_date, help="统计截至日期 YYYY-MM-DD（默认今天）")

    def handle(self, *args, as_of=None, **options):
        refresh = refresh_dashboard_summaries(as_of=as_of or clock.today())
        self.stdout.write(
            f"看板汇总已生成：截至 {refresh.as_of}，{refresh.row_count} 行，耗时 {refresh.duration_ms} 毫秒。"
        )
