"""The dashboard's tables as an .xlsx workbook: counts only, never a resident's ID number or name."""

from datetime import datetime
from io import BytesIO

from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from alerts.models import RuleCode

BOLD = Font(bold=True)


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    ws = wb.create_sheet(title)
    ws.append([str(h) for h in header])
    for cell in ws[1]:
        cell.font = BOLD
    for row in rows:
        ws.append([str(v) if isinstance(v, Promise) else v for v in row])
        for cell in ws[ws.max_row]:
            # A name typed by people that starts with "=" stays text, never a formula.
            if cell.data_type == "f":
                cell.data_type = "s"
    ws.freeze_panes = "A2"
    for i, title_ in enumerate(header, start=1):
        width = max([len(str(title_)) * 2] + [len(str(r[i - 1])) * 2 for r in rows if r[i - 1] is not None])
        ws.column_dimensions[get_column_letter(i)].width = min(max(width, 10), 50)


def _median(pair: tuple[int, float | None]):
    return pair[1]


def dashboard_workbook(figures: dict, *, generated_at: datetime) -> bytes:
    """One sheet per table of the dashboard page, with the region and dates on the first."""
    wb = Workbook()
    wb.remove(wb.active)
    node, summary = figures["node"], figures["summary"]
    rule_labels = [label for _, label in RuleCode.choices]
    overview = [
        ["区域", f"{node.region.name}（{node.region.code}）"],
        ["导出时间", f"{generated_at:%Y-%m-%d %H:%M}"],
        ["汇总数据统计截至", f"{summary.as_of:%Y-%m-%d}" if summary else "尚未生成（每晚监测运行后生成）"],
        ["待办预警（实时）", figures["open_total"]],
        ["其中逾期（实时）", figures["overdue_total"]],
    ]
    overview += [[f"待办：{label}", n] for label, n in figures["status_totals"].items()]
    if summary:
        overview += [
            ["在册监测人数", figures["monitored_total"]],
            [f"本月预警（{summary.as_of.year}年{summary.as_of.month}月）", figures["raised_this_month"]],
            [f"本年预警（{summary.as_of.year}年）", figures["raised_this_year"]],
            ["近12个月预警", figures["raised_12_months"]],
            ["近12个月预警人数", figures["people_alerted"]],
            ["近12个月办结", figures["closed_total"]],
            ["核查用时中位数（天）", _median(figures["days_to_verify"])],
            ["办结用时中位数（天）", _median(figures["days_to_close"])],
        ]
        overview += [[f"近12个月处置结果：{label}", n] for label, n in figures["outcome_groups"]]
    _sheet(wb, "概览", ["指标", "数值"], overview)
    _sheet(
        wb,
        "按区域待办",
        ["区域", "区划代码", "待分派", "已分派", "核查中", "待办合计", "其中逾期"],
        [[r.name, r.code, *r.by_status.values(), r.open, r.overdue] for r in figures["backlog"]],
    )
    if summary:
        _sheet(
            wb,
            "按类别",
            [
                "预警类别",
                "本月预警",
                "本年预警",
                "近12个月办结",
                "近12个月预警",
                "近12个月预警人数",
                "核查用时中位数（天）",
                "办结用时中位数（天）",
            ],
            [
                [
                    r.label,
                    r.this_month,
                    r.this_year,
                    r.closed,
                    r.last_12_months,
                    r.people,
                    _median(r.days_to_verify),
                    _median(r.days_to_close),
                ]
                for r in figures["rule_rows"]
            ],
        )
        _sheet(
            wb,
            "按月预警",
            ["月份", *rule_labels, "合计"],
            [[f"{m:%Y-%m}", *counts, sum(counts)] for m, counts in figures["monthly_rows"]],
        )
        _sheet(
            wb,
            "处置结果",
            ["处置结果", *rule_labels, "合计"],
            [[label, *counts, total] for label, counts, total in figures["outcome_rows"]],
        )
        _sheet(wb, "监测人数", ["监测类别", "人数"], [[label, n] for label, n in figures["monitored"]])
    _sheet(
        wb,
        "经办人工作量",
        ["经办人", "待办", "其中逾期", "本月办结"],
        [[r.name, r.open, r.overdue, r.closed_this_month] for r in figures["caseload"]],
    )
    _sheet(
        wb,
        "数据报送",
        ["数据类别", "最近成功导入", "数据行数", "拒绝行数", "拒绝比例", "姓名不符", "提示"],
        [
            [
                f.label,
                f"{f.last_date:%Y-%m-%d}" if f.last_date else "",
                f.rows,
                f.rejected,
                round(f.rejected_share, 4) if f.rejected_share is not None else None,
                f.name_mismatch,
                "；".join(f.warnings),
            ]
            for f in figures["feeds"]
        ],
    )
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
