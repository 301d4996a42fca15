"""`python manage.py export_alerts <path> [--run ID | --from DATE --to DATE]`: alerts as CSV."""

import csv
import json
import os

from django.core.management.base import BaseCommand, CommandError

from alerts.management.dates import iso_date
from alerts.models import Alert, MonitoringRun
from households.readlog.models import ReadAction
from households.readlog.services import entry_record
from imports.rejects import escape_formula

COLUMNS = ["id_number", "name", "category", "rule_version", "raised_on", "region_code", "evidence"]


class Command(BaseCommand):
    help = (
        "导出预警为 CSV（UTF-8 带 BOM，Excel 可直接打开），列：id_number, name, category, "
        "rule_version, raised_on, region_code, evidence。仅供数据管理员与各部门核对数据使用："
        "文件含完整身份证号，不做脱敏，也不按区域限制，请按涉密数据保管。"
        "选择一次监测运行（--run ID）或预警日期范围（--from、--to，含两端）。"
        "文件只有属主可读写（0600）；以 = + - @ 等开头的文字加 ' 前缀，表格软件不会当作公式执行；"
        "每次导出都记入查阅记录。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="输出文件路径")
        parser.add_argument("--run", type=int, help="监测运行编号")
        parser.add_argument("--from", dest="date_from", type=iso_date, help="预警日期起 YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", type=iso_date, help="预警日期止 YYYY-MM-DD")

    def handle(self, *args, path, run=None, date_from=None, date_to=None, **options):
        alerts = Alert.objects.select_related("person", "rule_version").order_by("id")
        if run is not None:
            if date_from or date_to:
                raise CommandError("--run 与 --from/--to 只能选一种")
            if not MonitoringRun.objects.filter(pk=run).exists():
                raise CommandError(f"监测运行 #{run} 不存在")
            alerts = alerts.filter(run_id=run)
        elif date_from and date_to:
            if date_from > date_to:
                raise CommandError("--from 不能晚于 --to")
            alerts = alerts.filter(raised_on__gte=date_from, raised_on__lte=date_to)
        else:
            raise CommandError("请指定 --run ID，或同时指定 --from 与 --to")
        count, people, households = 0, set(), set()
        with owner_only(path) as f:
            writer = csv.writer(f)
            writer.writerow(COLUMNS)
            try:
                for alert in alerts.iterator(chunk_size=2000):
                    writer.writerow(cells(alert))
                    count += 1
                    people.add(alert.person_id)
                    households.add(alert.household_id)
            finally:  # a run that failed half-way still handed some out
                entry_record(
                    action=ReadAction.EXPORT_ALERTS,
                    command=" ".join(["export_alerts", path, *selection(run, date_from, date_to)]),
                    file=os.path.abspath(path),
                    row_count=count,
                    person_ids=people,
                    household_ids=households,
                )
        self.stdout.write(f"已导出 {count} 条预警到 {path}")


def selection(run, date_from, date_to) -> list[str]:
    return ["--run", str(run)] if run is not None else ["--from", f"{date_from}", "--to", f"{date_to}"]


def cells(alert: Alert) -> list[str]:
    """One alert's row, every cell formula-escaped: a name like =HYPERLINK(…) stays text."""
    values = [
        alert.person.id_number,
        alert.person.name,
        alert.rule,
        alert.rule_version.version,
        alert.raised_on.isoformat(),
        alert.region_id,
        json.dumps(alert.evidence, ensure_ascii=False),
    ]
    return [escape_formula(str(value)) for value in values]


def owner_only(path: str):
    """Open `path` for writing, readable by its owner only (0600), also when it already exists;
    a symbolic link is refused rather than followed."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        raise CommandError(
            f"无法写入 {path}：{exc.strerror}（须为可写的普通文件路径，不能是符号链接）"
        ) from exc
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "w", encoding="utf-8-sig", newline="")
