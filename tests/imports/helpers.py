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


def xls_bytes(rows: list[list], *, sheets: int = 1) -> bytes:
    """An Excel 97–2003 (BIFF8) workbook as xlwt writes it: text as Unicode, dates as numbers with a
    date format (native date cells), `rows` on the first sheet (None: an empty cell; ("=", text):
    the text, as xlwt cannot store a formula's result)."""
    from datetime import date, datetime

    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for n in range(sheets):
        sheet = book.add_sheet(f"Sheet{n + 1}")
        for r, row in enumerate(rows if n == 0 else [["其他工作表"]]):
            for c, value in enumerate(row):
                if isinstance(value, tuple):  # ("=", text): xlwt stores no formula result, so the text
                    value = value[1]
                if isinstance(value, date | datetime):
                    sheet.write(r, c, value, date_style)
                elif value is not None:
                    sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ods_bytes(rows: list[list], *, tail: str = "") -> bytes:
    """An OpenDocument spreadsheet as LibreOffice saves it (mimetype first and stored, strings in
    <text:p>, numbers and dates typed), `rows` on the first table; `tail` is raw XML after them."""
    import zipfile
    from datetime import date
    from xml.sax.saxutils import escape

    def cell(value) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, date):
            return f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}"/>'
        if isinstance(value, int | float):
            return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="工作表1">{body}{tail}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    return out.getvalue()


def biff5_xls_bytes(rows: list[list], *, codepage: int = 936) -> bytes:
    """An Excel 5.0/95 (BIFF5) workbook as Chinese office software wrote it before Excel 97: no
    Unicode, every text (sheet name, custom formats and cells) in the workbook's code page
    (936 = GBK). Cells: str → LABEL; int → RK; float → NUMBER; date → NUMBER with the built-in date
    format 14; datetime → NUMBER with the custom format yyyy"年"m"月"d"日"; ("=", text) → a FORMULA
    whose cached result is that text (a STRING record). xlwt writes only BIFF8, so the records are
    built here and wrapped in an OLE2 file by xlwt's compound-document writer."""
    import struct
    from datetime import date, datetime

    from xlwt.CompoundDoc import XlsDoc

    encoding = {936: "gbk"}.get(codepage, f"cp{codepage}")

    def record(rtype: int, body: bytes) -> bytes:
        return struct.pack("<HH", rtype, len(body)) + body

    def xf(fmt: int) -> bytes:
        return record(0x00E0, struct.pack("<HH", 0, fmt) + b"\x00" * 12)

    def serial(value: date) -> float:
        moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
        return (moment - datetime(1899, 12, 30)).total_seconds() / 86400

    custom = 'yyyy"年"m"月"d"日"'.encode(encoding) if codepage == 936 else b"yyyy-mm-dd"
    sheet_name = ("低收入名册" if codepage == 936 else "Sheet1").encode(encoding)
    cells = b""
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, tuple):  # a formula and its cached text result
                text = value[1].encode(encoding)
                result = b"\x00\x00\x00\x00\x00\x00\xff\xff"
                cells += record(0x0006, struct.pack("<HHH", r, c, 0) + result + b"\x00" * 6)
                cells += record(0x0207, struct.pack("<H", len(text)) + text)
            elif isinstance(value, datetime):
                cells += record(0x0203, struct.pack("<HHHd", r, c, 2, serial(value)))
            elif isinstance(value, date):
                cells += record(0x0203, struct.pack("<HHHd", r, c, 1, serial(value)))
            elif isinstance(value, int):
                cells += record(0x027E, struct.pack("<HHHI", r, c, 0, (value << 2) | 2))
            elif isinstance(value, float):
                cells += record(0x0203, struct.pack("<HHHd", r, c, 0, value))
            else:
                text = str(value).encode(encoding)
                cells += record(0x0204, struct.pack("<HHHH", r, c, 0, len(text)) + text)
    ncols = max(len(row) for row in rows)
    sheet = (
        record(0x0809, struct.pack("<HHHH", 0x0500, 0x0010, 0x0DBB, 0x07CC))
        + record(0x0200, struct.pack("<HHHHH", 0, len(rows), 0, ncols, 0))
        + cells
        + record(0x000A, b"")
    )

    def globals_(sheet_offset: int) -> bytes:
        return (
            record(0x0809, struct.pack("<HHHH", 0x0500, 0x0005, 0x0DBB, 0x07CC))
            + record(0x0042, struct.pack("<H", codepage))
            + record(0x041E, struct.pack("<HB", 164, len(custom)) + custom)
            + xf(0)  # General
            + xf(14)  # a built-in date format
            + xf(164)  # the custom date format
            + record(0x0085, struct.pack("<IHB", sheet_offset, 0, len(sheet_name)) + sheet_name)
            + record(0x000A, b"")
        )

    stream = globals_(len(globals_(0))) + sheet
    out = io.BytesIO()
    XlsDoc().save(out, stream)
    return out.getvalue()


def ole_bytes(stream_name: str, content: bytes = b"\x00" * 4096) -> bytes:
    """An OLE2 compound file whose one stream is called `stream_name` (e.g. "EncryptedPackage",
    as in a password-protected .xlsx, or "WordDocument", as in a Word .doc)."""
    from xlwt.CompoundDoc import XlsDoc

    out = io.BytesIO()
    XlsDoc().save(out, content)
    data = bytearray(out.getvalue())
    old = "Workbook\x00".encode("utf-16-le")
    at = data.index(old)
    name = (stream_name + "\x00").encode("utf-16-le")
    data[at : at + 64] = name.ljust(64, b"\x00")
    data[at + 64 : at + 66] = len(name).to_bytes(2, "little")
    return bytes(data)
