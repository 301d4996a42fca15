"""Rejected rows as people see them: IDs masked, formula-escaped, streamed as a CSV.

The CSV is what a data admin downloads to fix a department's file: one line per rejected row with
the file row number, the column, the reason (its code and its name) and the message, then the row's
original cells. It is
streamed from the database in chunks so a batch with 100,000 rejected rows never sits in memory.
"""

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from households.idcard import mask_ids, mask_ids_in_row
from imports.loading.reasons import reason_label
from imports.models import ImportBatch, RejectedRow

# Spreadsheets treat a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# The reason code stays for machines (FEEDS.md: rows are kept with their reason code); people
# read the reason's name beside it.
FIXED_HEADERS = (_("行号"), _("列"), _("原因代码"), _("原因"), _("说明"))
CHUNK_SIZE = 2000


def escape_formula(text: str) -> str:
    """Make a spreadsheet show the cell as text instead of evaluating it."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def safe_cell(value: object) -> str:
    return escape_formula(mask_ids(value))


def masked_raw(raw: dict) -> list[tuple[str, str]]:
    """A rejected row's original cells with IDs (and their birth dates) masked, for a page or the
    admin."""
    raw = raw or {}
    return list(zip(map(str, raw), mask_ids_in_row(raw.values()), strict=True))


def rejected_columns(batch: ImportBatch) -> list[str]:
    """The original columns for the CSV, in the file's order.

    Rejected rows keep their cells in a jsonb dict, which does not keep key order, so the order
    comes from the batch's `columns` (the file's header as the loader read it); keys the batch does
    not list (a batch loaded before `columns` existed) follow in stored order.
    """
    stored: list[str] = []
    seen: set[str] = set()
    # The keys of a few rows are enough: every rejected row of a file shares its header.
    for raw in RejectedRow.objects.filter(batch=batch).values_list("raw", flat=True)[:50]:
        for key in raw or {}:
            if key not in seen:
                seen.add(key)
                stored.append(key)
    header = [c for c in batch.columns or [] if c in seen]
    listed = set(header)
    return header + [key for key in stored if key not in listed]


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def rejected_rows_csv(batch: ImportBatch) -> Iterator[str]:
    """The batch's rejected rows as CSV text, chunk by chunk, starting with a UTF-8 BOM."""
    columns = rejected_columns(batch)
    listed = set(columns)
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([str(h) for h in FIXED_HEADERS] + [escape_formula(c) for c in columns])
    labels: dict[str, str] = {}  # looked up once per code, in the language of the download
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
        extra = [key for key in raw if key not in listed]  # a row with cells past the header
        # one row masked together: a birth date in any cell of a row with an ID goes too
        cells = mask_ids_in_row(
            [column, reason_code, message]
            + [raw.get(key, "") for key in columns]
            + [raw[key] for key in extra]
        )
        label = labels.setdefault(reason_code, safe_cell(reason_label(reason_code)))
        buffered.writerow(
            [row_number, *map(escape_formula, cells[:2]), label, *map(escape_formula, cells[2:])]
        )
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
