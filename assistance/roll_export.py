"""The finance office's file of a locked roll: one row per line, full ID and account numbers (the
bank needs them; the download is logged). `明细编号` is the line's id: the bank's return file refers
to lines by it. CSV is UTF-8 with a BOM (Excel reads it as UTF-8); `.xlsx` keeps every cell text."""

import csv
import io
from collections.abc import Iterator
from decimal import Decimal

from django.utils.translation import gettext as _

from assistance.models import AccountKind, PaymentLine, PaymentRoll


def export_header() -> list[str]:
    return [
        _("明细编号"),
        _("区划代码"),
        _("姓名"),
        _("身份证号"),
        _("账户类型"),
        _("开户银行"),
        _("账号"),
        _("本月金额"),
        _("补发"),
        _("补发（此前失败）"),
        _("更正"),
        _("应发合计"),
    ]


def export_lines(roll: PaymentRoll) -> list[PaymentLine]:
    return list(roll.lines.select_related("recipient").order_by("region_id", "id"))


def _rows(lines: list[PaymentLine]) -> Iterator[list[str]]:
    kinds = dict(AccountKind.choices)
    yield export_header()
    for x in lines:
        yield [
            str(x.pk),
            x.region_id,
            x.recipient.name,
            x.recipient.id_number,
            str(kinds.get(x.account_kind, "")),
            x.bank_name,
            x.account_no,
            f"{x.regular:.2f}",
            f"{x.back_pay:.2f}",
            f"{x.arrears:.2f}",
            f"{x.correction:.2f}",
            f"{x.total:.2f}",
        ]


def roll_csv(lines: list[PaymentLine]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(_rows(lines))
    return buffer.getvalue().encode("utf-8-sig")


def roll_xlsx(lines: list[PaymentLine], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for n, row in enumerate(_rows(lines)):
        cells = []
        for k, value in enumerate(row):
            if n and k >= 7:  # amounts: numbers the finance office can add up
                cells.append(WriteOnlyCell(sheet, value=Decimal(value)))
                continue
            cell = WriteOnlyCell(sheet, value=value or None)
            if cell.value is not None:
                cell.data_type, cell.number_format = "s", "@"  # IDs and account numbers stay text
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
