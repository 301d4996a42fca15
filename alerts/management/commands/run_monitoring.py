"""`python manage.py run_monitoring --as-of YYYY-MM-DD`: the nightly run, in this process."""

from django.core.management.base import BaseCommand, CommandError

from alerts.management.dates import iso_date
from alerts.models import RuleCode, RunStatus
from alerts.services.run import monitoring_run
from households import clock


class Command(BaseCommand):
    help = (
        "按基准日期运行四条预警规则（与每晚 02:00 的定时任务相同，但在本进程内逐个区县执行），"
        "并打印每条规则的候选数、新增预警数和此前已预警数。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=iso_date, help="基准日期 YYYY-MM-DD（默认今天）")
        parser.add_argument(
            "--mode",
            choices=["auto", "full", "incremental"],
            default="auto",
            help="auto：有近期成功运行时只重算输入有变化的人员（周日全量）；full：全量",
        )

    def handle(self, *args, as_of=None, mode="auto", **options):
        as_of = as_of or clock.today()
        run = monitoring_run(as_of=as_of, mode=mode)
        modes = run.counts.get("modes", {})
        self.stdout.write(f"监测运行 #{run.id}  基准日期 {run.as_of}  状态 {run.get_status_display()}")
        self.stdout.write(f"{'规则':<12}{'方式':<6}{'候选':>8}{'新增预警':>8}{'此前已预警':>8}")
        for rule, label in RuleCode.choices:
            c = run.counts["rules"][rule]
            mode_label = {"incremental": "增量", "unchanged": "无变化"}.get(modes.get(rule), "全量")
            self.stdout.write(
                f"{label:<12}{mode_label:<6}{c['candidates']:>8}{c['new']:>8}{c['already_alerted']:>8}"
            )
        self.stdout.write(f"耗时 {run.duration_ms / 1000:.1f} 秒")
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(run.error or "运行未成功")
