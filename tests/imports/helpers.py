"""Building messy department files in tests."""

import io
from datetime import date
from pathlib import Path

from django.core.management import call_command

from households import idcard


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
