"""Rows to correct (待修正行): a batch's rejected rows handed back as the file had them.

Unlike the report (`imports.rejects`: masked, formula-escaped, for anyone who may see the batch),
this download is meant to be fixed and uploaded again, so every value is written exactly as the
loader read it, full resident IDs included (the view lets only data admins have it and logs every
download). The file's columns come in the file's order, then one reason column.

Format follows the uploaded file: a `.csv`/`.txt` batch gives a CSV with the file's separator and
encoding (both encodings the loader accepts hold every Unicode character, so no value can fail to
encode: a GBK file comes back GB18030, which is byte for byte GBK wherever GBK has the character; a
UTF-8 file, with or without a BOM, comes back UTF-8 with a BOM, which Excel needs to read UTF-8).
Every other kind of file (`.xlsx`, and whatever the loader learns to read later) gives an `.xlsx`
whose cells are all text cells, so an 18-digit ID keeps its digits and no value becomes a formula.

Rows rejected only because a later row of the same file had the same key (`duplicate_in_file`)
are left out: they were valid and replaced by that later row, so there is nothing in them to
correct, and sending them again would overwrite the later row's values with the earlier ones.
"""

import csv
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imports.loading.reasons import DUPLICATE_IN_FILE
from imports.models import ImportBatch, RejectedRow
from imports.rejects import CHUNK_SIZE, rejected_columns

# Not a header of any field (tests/imports/test_rows_to_correct.py checks every spec), so a
# re-uploaded file reports it among the unused columns.
REASON_HEADER = gettext_lazy("错误原因")

CSV_EXTENSIONS = (".csv", ".txt")
# The loader's encodings (imports.loading.decoding) → the encoding written back.
CSV_ENCODINGS = {"gb18030": "gb18030", "utf-8-sig": "utf-8-sig"}
DEFAULT_CSV_ENCODING = "utf-8-sig"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LINES_PER_CHUNK = 500
FILE_CHUNK = 1 << 16


@dataclass(frozen=True)
class RowsToCorrect:
    """What the download holds: its name, type and rows, and its content in chunks."""

    filename: str
    ascii_filename: str
    content_type: str
    row_count: int
    chunks: Iterator[bytes]


def correction_rows(batch: ImportBatch) -> QuerySet[RejectedRow]:
    """The rejected rows to hand back, in file row order (duplicates replaced in the file left out)."""
    return (
        RejectedRow.objects.filter(batch=batch)
        .exclude(reason_code=DUPLICATE_IN_FILE)
        .order_by("row_number", "id")
    )


def correction_count(batch: ImportBatch) -> int:
    """How many rows the rows-to-correct download holds (0 for a batch without rejected rows)."""
    return correction_rows(batch).count() if batch.rejected else 0


def writes_csv(batch: ImportBatch) -> bool:
    """Whether the batch's rows to correct come back as CSV (the file was read as text) or as
    `.xlsx` (a workbook). The loader tells the file's kind by its content and records it in
    `encoding`; the name decides only for a batch loaded before that (no encoding recorded)."""
    if batch.encoding:
        return batch.encoding in CSV_ENCODINGS
    return PurePath(batch.file_name.lower()).suffix in CSV_EXTENSIONS


def correction_columns(batch: ImportBatch) -> list[str]:
    """The file's columns in file order, without the reason column of an earlier round.

    A rows-to-correct file uploaded again and still partly wrong carries our reason column as an
    unused column; its rows get fresh reasons in a new last column instead of two reason columns.
    """
    reason_headers = set()
    for code, _name in settings.LANGUAGES:  # downloaded in any language of the site
        with translation.override(code):
            reason_headers.add(str(REASON_HEADER))
    return [c for c in rejected_columns(batch) if c not in reason_headers]


def _lines(batch: ImportBatch, columns: list[str]) -> Iterator[list[str]]:
    yield [*columns, str(REASON_HEADER)]
    rows = correction_rows(batch).values_list("raw", "message")
    for raw, message in rows.iterator(chunk_size=CHUNK_SIZE):
        raw = raw or {}
        yield [str(raw.get(c, "")) for c in columns] + [message]


def _csv_chunks(lines: Iterator[list[str]], *, delimiter: str, encoding: str) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for n, line in enumerate(lines, 1):
        writer.writerow(line)
        if n % LINES_PER_CHUNK == 0:
            yield buffer.getvalue().encode(encoding)
            buffer.seek(0)
            buffer.truncate()
            # The BOM (utf-8-sig) only once, at the start of the file.
            encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    yield buffer.getvalue().encode(encoding)


def _xlsx_file(lines: Iterator[list[str]]):
    """An unnamed temporary file (mode 0600, gone once closed) holding the workbook, at offset 0."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(_("待修正行")))

    def text_cell(value: str):
        # Control characters cannot be stored in a workbook; empty cells stay empty.
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value) or None)
        if cell.value is not None:
            cell.data_type = "s"  # a text cell even when it starts with "=" (openpyxl's formula)
            cell.number_format = "@"  # Excel's Text format: digits typed into it stay text too
        return cell

    for line in lines:
        sheet.append([text_cell(value) for value in line])
    # Closed by _file_chunks once streamed: the file outlives this function on purpose.
    out = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        book.save(out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def _file_chunks(fileobj) -> Iterator[bytes]:
    with fileobj:
        while chunk := fileobj.read(FILE_CHUNK):
            yield chunk


def rows_to_correct(batch: ImportBatch) -> RowsToCorrect:
    """The batch's rows to correct in the file's own format (CSV streamed; `.xlsx` built in a
    temporary file with openpyxl's write-only mode, then streamed from it)."""
    columns = correction_columns(batch)
    lines = _lines(batch, columns)
    count = correction_count(batch)
    stem = _("批次%(id)s-待修正行") % {"id": batch.pk}
    ascii_stem = f"batch-{batch.pk}-rows-to-correct"
    if writes_csv(batch):
        encoding = CSV_ENCODINGS.get(batch.encoding, DEFAULT_CSV_ENCODING)
        charset = "gb18030" if encoding == "gb18030" else "utf-8"
        return RowsToCorrect(
            filename=f"{stem}.csv",
            ascii_filename=f"{ascii_stem}.csv",
            content_type=f"text/csv; charset={charset}",
            row_count=count,
            chunks=_csv_chunks(lines, delimiter=batch.delimiter or ",", encoding=encoding),
        )
    return RowsToCorrect(
        filename=f"{stem}.xlsx",
        ascii_filename=f"{ascii_stem}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
        row_count=count,
        chunks=_file_chunks(_xlsx_file(lines)),
    )
