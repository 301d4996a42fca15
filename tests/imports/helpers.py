"""Building messy department files in tests."""

import io
from datetime import date, timedelta
from pathlib import Path

from django.core.management import call_command

from households import clock, idcard
from tests.factories import make_id_number, make_id_with_wrong_check_char


def id18(area: str = "130921", born: date = date(1980, 5, 17), seq: int = 1) -> str:
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    return first17 + idcard.check_char(first17)


def csv_bytes(
    rows: list[list[str]], *, encoding: str = "utf-8-sig", sep: str = ",", newline: str = "\r\n"
) -> bytes:
    def cell(value: str) -> str:
        value = "" if value is None else str(value)
        if sep in value or '"' in value or "\n" in value:
            return '"' + value.replace('"', '""') + '"'
        return value

    return newline.join(sep.join(cell(c) for c in row) for row in rows).encode(encoding) + newline.encode()


def xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def outcomes(batch) -> dict[int, str]:
    """row number → reason code of the batch's rejected rows."""
    return dict(batch.rejected_rows.values_list("row_number", "reason_code"))


def assert_accounted(batch) -> None:
    assert batch.status == "succeeded", (batch.status, batch.error_message)
    assert batch.loaded + batch.corrected + batch.duplicate + batch.rejected == batch.data_rows
    assert batch.rejected_rows.count() == batch.rejected


def import_feed(path: Path, category: str = "medical_settlement") -> tuple[int, str]:
    """Run `manage.py import_feed` in this process: (exit status, everything it printed)."""
    out = io.StringIO()
    try:
        call_command("import_feed", category, str(path), stdout=out, stderr=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


MESSY_HEADER = ["结算流水号", "身份证号", "姓名", "结算日期", "医疗费用总额", "个人负担", "备注"]


def messy_rows():
    """Medical settlements under MESSY_HEADER: two good rows and three bad ones (check digit,
    impossible date, negative amount), as (row cells, (index, fixed value) of the bad cell or None)."""
    day = (clock.today() - timedelta(days=20)).isoformat()
    good1, good2, fine = make_id_number(), make_id_number(), make_id_number()
    wrong = make_id_with_wrong_check_char()
    return [
        (["JS100", good1, "周九", day, "1500", "600", "门诊"], None),
        (["JS101", wrong, "吴十", day, "80", "8", "校验位错"], (1, wrong[:17] + idcheck(wrong))),
        (["JS102", fine, "郑一", "2025-02-30", "200", "20", ""], (3, day)),
        (["JS103", good2, "王二", day, "-35.00", "0", "=1+1"], (4, "35.00")),
        (["JS104", fine, "郑一", day, "90", "9", ""], None),
    ]


def idcheck(wrong: str) -> str:
    """The right check character for an ID whose last character is wrong."""
    return idcard.check_char(wrong[:17])


def fixed(lines: list[list[str]], bad: list) -> list[list[str]]:
    """The downloaded lines with each bad cell replaced by its fix (the reason column left as is)."""
    out = [lines[0]]
    for line, (_cells, (index, value)) in zip(lines[1:], bad, strict=True):
        line = list(line)
        line[index] = value
        out.append(line)
    return out
