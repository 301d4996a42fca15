"""What a department file may cost: its size, its rows, an .xlsx archive's unpacked size and
compression ratio, and how many of its rows may be rejected before the whole file is sent back.

Every limit comes from settings (see config/settings.py for the defaults and what a legitimate
1,000,000-row file needs) and every refusal is a FileRejected whose message names the limit.
"""

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from imports.loading.errors import FileRejected

MB = 1024 * 1024
# Small members (styles, relationships) compress far better than sheets; a ratio means something
# only for a member big enough to matter.
RATIO_MIN_MEMBER_BYTES = MB


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_rows: int
    xlsx_max_uncompressed_bytes: int
    xlsx_max_ratio: int
    xlsx_max_shared_strings_bytes: int
    sheet_max_cells: int
    max_rejected_rows: int
    max_rejected_percent: int
    rejected_share_min_rows: int


def current() -> Limits:
    return Limits(
        max_file_bytes=settings.IMPORT_MAX_FILE_MB * MB,
        max_rows=settings.IMPORT_MAX_ROWS,
        xlsx_max_uncompressed_bytes=settings.IMPORT_XLSX_MAX_UNCOMPRESSED_MB * MB,
        xlsx_max_ratio=settings.IMPORT_XLSX_MAX_RATIO,
        xlsx_max_shared_strings_bytes=settings.IMPORT_XLSX_MAX_SHARED_STRINGS_MB * MB,
        sheet_max_cells=settings.IMPORT_SHEET_MAX_CELLS,
        max_rejected_rows=settings.IMPORT_MAX_REJECTED_ROWS,
        max_rejected_percent=settings.IMPORT_MAX_REJECTED_PERCENT,
        rejected_share_min_rows=settings.IMPORT_REJECTED_SHARE_MIN_ROWS,
    )


def _mb(n: int) -> str:
    return f"{n / MB:,.0f} MB" if n >= MB else f"{n:,} B"


def file_too_large_message(size: int | None = None) -> str:
    limit = _mb(current().max_file_bytes)
    if size is None:
        return _(
            "文件超过大小上限（最大 %(limit)s），未保存。请按月份或地区拆分成几个较小的文件后分别上传"
        ) % {"limit": limit}
    return _(
        "文件大小为 %(size)s，超过上限（最大 %(limit)s），未导入。请按月份或地区拆分成几个较小的文件后分别上传"
    ) % {"size": _mb(size), "limit": limit}


def check_file_size(size: int) -> None:
    if size > current().max_file_bytes:
        raise FileRejected("file_too_large", file_too_large_message(size))


def too_many_rows(rows_seen: int) -> FileRejected:
    return FileRejected(
        "too_many_rows",
        _(
            "文件的数据行超过上限：每个文件最多 %(max)s 行（读到第 %(seen)s 行时停止），未导入任何一行。请拆分后分别上传"
        )
        % {"max": f"{current().max_rows:,}", "seen": f"{rows_seen:,}"},
    )


def check_xlsx_archive(fileobj, *, ods: bool = False) -> None:
    """Refuse a workbook whose members would unpack too big or too well (a zip bomb), from the
    archive's directory alone, before any member is decompressed. An .ods (`ods=True`) is a zip
    too and gets the same checks, named as what it is.

    Python's zipfile stops a member at its declared size (and fails its CRC check otherwise), so
    the sizes read here bound what openpyxl can unpack.
    """
    limits = current()
    what = _("OpenDocument（.ods）表格") if ods else _("Excel文件")
    fileobj.seek(0)
    try:
        members = zipfile.ZipFile(fileobj).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        if ods:
            raise FileRejected(
                "not_workbook", _("文件不是有效的OpenDocument（.ods）表格，无法读取：%(err)s") % {"err": exc}
            ) from exc
        raise FileRejected(
            "not_xlsx", _("文件不是有效的Excel（.xlsx）工作簿，无法读取：%(err)s") % {"err": exc}
        ) from exc
    finally:
        fileobj.seek(0)
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.xlsx_max_uncompressed_bytes:
        raise FileRejected(
            "xlsx_too_large",
            _("%(what)s解压后为 %(size)s，超过上限（最大 %(limit)s），未导入。请拆分后上传，或另存为CSV")
            % {"what": what, "size": _mb(unpacked), "limit": _mb(limits.xlsx_max_uncompressed_bytes)},
        )
    shared = sum(m.file_size for m in members if m.filename.lower().endswith("sharedstrings.xml"))
    if shared > limits.xlsx_max_shared_strings_bytes:
        # The one part openpyxl reads whole into memory (the sheet itself is streamed).
        raise FileRejected(
            "xlsx_shared_strings",
            _(
                "Excel文件的共享字符串表解压后为 %(size)s，超过上限（最大 %(limit)s），未导入。请拆分后上传，或另存为CSV"
            )
            % {"size": _mb(shared), "limit": _mb(limits.xlsx_max_shared_strings_bytes)},
        )
    for m in members:
        if m.file_size < RATIO_MIN_MEMBER_BYTES:
            continue
        ratio = m.file_size / max(m.compress_size, 1)
        if ratio > limits.xlsx_max_ratio:
            raise FileRejected(
                "xlsx_ratio",
                _(
                    "%(what)s中的“%(member)s”压缩比为 %(ratio)s 倍，超过上限（最多 %(limit)s 倍，"
                    "正常的表格约为 5–20 倍），疑似压缩炸弹，未导入"
                )
                % {
                    "what": what,
                    "member": m.filename[:100],
                    "ratio": f"{ratio:,.0f}",
                    "limit": limits.xlsx_max_ratio,
                },
            )


def check_sheet_cells(cells: int) -> None:
    """Refuse an .xls/.ods whose sheets span more cells than the reader may hold (sheet_extent)."""
    limit = current().sheet_max_cells
    if cells > limit:
        raise FileRejected(
            "sheet_too_large",
            _(
                "工作簿的工作表范围（各工作表从A1到最后一个有内容的单元格）超过上限：所有工作表合计最多 "
                "%(limit)s 个单元格，未导入。请删去多余的工作表和远处的内容，或另存为CSV后上传"
            )
            % {"limit": f"{limit:,}"},
        )


def rejected_over_limit(*, data_rows: int, rejected: int) -> bool:
    """Whether so many rows are wrong that the file goes back whole instead of being stored."""
    limits = current()
    if rejected > limits.max_rejected_rows:
        return True
    return (
        data_rows >= limits.rejected_share_min_rows
        and rejected * 100 > limits.max_rejected_percent * data_rows
    )


def too_many_rejected(
    *, data_rows: int, rejected: int, reasons: list[tuple[str, int]], first_rows: list[tuple[int, str]]
) -> FileRejected:
    """The refusal of a mostly wrong file, with its reasons counted and its first wrong rows."""
    limits = current()
    lines = [
        _(
            "%(data_rows)s 行数据中有 %(rejected)s 行（%(percent)s%%）不符合要求，超过上限"
            "（每个文件最多 %(max)s 行被拒绝，数据行不少于 %(min)s 行时被拒绝的行最多占 %(share)s%%），"
            "整个文件未导入，也没有保存被拒绝的行。请改正后重新上传。"
        )
        % {
            "data_rows": f"{data_rows:,}",
            "rejected": f"{rejected:,}",
            "percent": f"{rejected * 100 / max(data_rows, 1):.1f}",
            "max": f"{limits.max_rejected_rows:,}",
            "min": f"{limits.rejected_share_min_rows:,}",
            "share": limits.max_rejected_percent,
        },
        _("主要原因："),
        *(f"  {label}：{n:,}" for label, n in reasons),
        _("前几行："),
        *(_("  第%(row)d行：%(msg)s") % {"row": row, "msg": msg[:300]} for row, msg in first_rows),
    ]
    return FileRejected("too_many_rejected", "\n".join(lines))
