"""Rejected rows as people see them: IDs masked, formula-escaped, streamed as a CSV.

The CSV is what a data admin downloads to fix a department's file: one line per rejected row with
the file row number, the column, the reason and the message, then the row's original cells. It is
streamed from the database in chunks so a batch with 100,000 rejected rows never sits in memory.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Iterator

from django.utils.translation import gettext as _

from households import idcard
from imports.models import ImportBatch, RejectedRow

# A resident ID inside any text: 6-digit area code, a plausible birth date, sequence, check
# character (18 characters), or the first-generation 15-digit form. The birth-date part keeps
# long settlement or registration numbers from being masked by accident; a certificate number
# (ID + type + grade) still has its ID part masked.
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_ID_LIKE = re.compile(
    rf"(?<![0-9A-Za-z])[1-9]\d{{5}}(?:18|19|20)\d{{2}}{_DATE}\d{{3}}[0-9Xx]"
    rf"|(?<![0-9A-Za-z])[1-9]\d{{5}}\d{{2}}{_DATE}\d{{3}}(?![0-9])"
)

# Spreadsheets treat a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

FIXED_HEADERS = ("行号", "列", "原因代码", "说明")
CHUNK_SIZE = 2000


def mask_ids(value: object) -> str:
    """The text of a cell with every resident ID in it masked (130921********123X)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if len(text) < 15:  # too short to hold an ID; most cells end here
        return text
    normalised = text if text.isascii() else unicodedata.normalize("NFKC", text)  # full-width digits
    if not _ID_LIKE.search(normalised):
        return text
    return _ID_LIKE.sub(lambda m: idcard.mask(m.group(0).upper()), normalised)


def escape_formula(text: str) -> str:
    """Make a spreadsheet show the cell as text instead of evaluating it."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def safe_cell(value: object) -> str:
    return escape_formula(mask_ids(value))


def masked_raw(raw: dict) -> list[tuple[str, str]]:
    """A rejected row's original cells with IDs masked, for showing on a page or in the admin."""
    return [(str(key), mask_ids(value)) for key, value in (raw or {}).items()]


def _header_order(batch: ImportBatch) -> list[str]:
    """The original column headers of the batch's file, in file order (empty if unreadable).

    Rejected rows keep their cells in a jsonb dict, and jsonb does not keep key order, so the
    file's own header line is the only record of the order the admin knows from the file.
    """
    if not batch.file:
        return []
    try:
        with batch.file.open("rb") as fh:
            return [str(h).strip() for h in read_header(fh)]
    except Exception:
        # The order is cosmetic: an unreadable or missing file must not stop the download.
        return []


def read_header(fh) -> list[str]:
    """First non-empty row of a .csv/.txt (UTF-8 or GB18030) or .xlsx (a zip archive) file."""
    is_xlsx = fh.read(4) == b"PK\x03\x04"
    fh.seek(0)
    if is_xlsx:
        from openpyxl import load_workbook

        workbook = load_workbook(fh, read_only=True, data_only=True)
        try:
            for row in workbook.worksheets[0].iter_rows(values_only=True):
                if any(cell not in (None, "") for cell in row):
                    return ["" if cell is None else str(cell) for cell in row]
        finally:
            workbook.close()
        return []
    head = fh.read(256 * 1024)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = head.decode(encoding)
            break
        except UnicodeDecodeError as exc:
            if exc.start > len(head) - 4:  # a multi-byte character cut by the read
                text = head[: exc.start].decode(encoding)
                break
    else:
        return []
    for line in text.splitlines():
        delimiter = "\t" if line.count("\t") > line.count(",") else ","
        cells = next(csv.reader([line], delimiter=delimiter), [])
        if any(cell.strip() for cell in cells):
            return cells
    return []


def rejected_columns(batch: ImportBatch) -> list[str]:
    """The original columns for the CSV: the file's header order, then any other stored key."""
    stored: list[str] = []
    seen: set[str] = set()
    # The keys of a few rows are enough: every rejected row of a file shares its header.
    for raw in RejectedRow.objects.filter(batch=batch).values_list("raw", flat=True)[:50]:
        for key in raw or {}:
            if key not in seen:
                seen.add(key)
                stored.append(key)
    if not stored:
        return []
    order = {name: i for i, name in enumerate(_header_order(batch))}
    stored_at = {key: i for i, key in enumerate(stored)}
    return sorted(stored, key=lambda key: (order.get(key.strip(), len(order)), stored_at[key]))


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def rejected_rows_csv(batch: ImportBatch) -> Iterator[str]:
    """The batch's rejected rows as CSV text, chunk by chunk, starting with a UTF-8 BOM."""
    columns = rejected_columns(batch)
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([_(h) for h in FIXED_HEADERS] + [escape_formula(c) for c in columns])
    rows = (
        RejectedRow.objects.filter(batch=batch)
        .order_by("row_number", "id")
        .values_list("row_number", "column", "reason_code", "message", "raw")
    )
    buffer = io.StringIO()
    buffered = csv.writer(buffer)
    for n, (row_number, column, reason_code, message, raw) in enumerate(
        rows.iterator(chunk_size=CHUNK_SIZE), 1
    ):
        raw = raw or {}
        extra = [key for key in raw if key not in columns]  # a row with cells past the header
        buffered.writerow(
            [row_number, safe_cell(column), safe_cell(reason_code), safe_cell(message)]
            + [safe_cell(raw.get(key, "")) for key in columns]
            + [safe_cell(raw[key]) for key in extra]
        )
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
