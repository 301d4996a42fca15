"""How many cells a legacy workbook's sheets span, read before python-calamine opens it.

python-calamine (the `.xls`/`.ods` reader) parses every sheet of a workbook when it opens it and
holds each as a dense grid from A1 to its last filled cell (about 64 bytes a cell): a 6 KB `.xls`
with one cell in A1 and one in IV65536, or an `.ods` row of filled cells "repeated" a million
times, would take gigabytes. These scans find each sheet's last filled row and column from the
file's records alone (an `.xls`'s cell records, an `.ods`'s content.xml streamed through expat),
so limits.check_sheet_cells can refuse the file first.
"""

import struct
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from imports.loading.filetypes import CompoundFile, encrypted

_BOF, _EOF, _FILEPASS, _DIMENSIONS, _CODEPAGE = 0x0809, 0x000A, 0x002F, 0x0200, 0x0042
# Double-byte code pages (Japanese, Simplified Chinese/GBK, Korean, Traditional Chinese/Big5):
# python-calamine 0.9.1 decodes BIFF5 text in them into garbage (each byte a character and a NUL),
# so such a workbook is read by imports.loading.biff5 instead.
DBCS_CODEPAGES = {932, 936, 949, 950}


@dataclass(frozen=True)
class XlsExtent:
    cells: int  # all sheets, each from A1 to its last cell
    dbcs_codepage: int | None = None  # an Excel 5.0/95 workbook whose text is GBK (936) or the like
    stream: bytes = b""  # the workbook stream, kept only for such a workbook


# Records starting with (row, column): NUMBER, LABEL, LABELSST, RK, BOOLERR, FORMULA, RSTRING, BLANK
_CELL = {0x0203, 0x0204, 0x00FD, 0x027E, 0x0205, 0x0006, 0x00D6, 0x0201}
_MULTI = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, …, last column


def xls_extent(fileobj, file_name: str) -> XlsExtent:
    """The cells of all sheets of an .xls (each sheet from A1 to its last cell) and its code page
    when that is a double-byte one in a BIFF5 workbook; refuses an encrypted one (a FILEPASS
    record: the BIFF content is RC4-encrypted)."""
    doc = CompoundFile(fileobj)
    name = "Workbook" if any(n.lower() == "workbook" for n in doc.streams()) else "Book"
    stream = doc.stream(name)
    fileobj.seek(0)
    total, last_row, last_col, pos, end = 0, -1, -1, 0, len(stream)
    version = struct.unpack_from("<H", stream, 4)[0] if len(stream) >= 6 else 0
    dbcs = None
    while pos + 4 <= end:
        rtype, length = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        pos = body + length
        if rtype in _CELL and length >= 4:
            row, col = struct.unpack_from("<HH", stream, body)
            last_row, last_col = max(last_row, row), max(last_col, col)
        elif rtype in _MULTI and length >= 6:
            row = struct.unpack_from("<H", stream, body)[0]
            col = struct.unpack_from("<H", stream, body + length - 2)[0]
            last_row, last_col = max(last_row, row), max(last_col, col)
        elif rtype == _DIMENSIONS and length in (10, 14):
            # Exclusive ends: BIFF8 counts rows in 32 bits, BIFF5 in 16.
            rows, cols = struct.unpack_from("<4xIxxH" if length == 14 else "<xxHxxH", stream, body)
            last_row, last_col = max(last_row, rows - 1), max(last_col, cols - 1)
        elif rtype == _FILEPASS:
            raise encrypted(file_name)
        elif rtype == _CODEPAGE and version < 0x0600 and length >= 2:
            codepage = struct.unpack_from("<H", stream, body)[0]
            dbcs = codepage if codepage in DBCS_CODEPAGES else None
        elif rtype == _EOF:
            total += (last_row + 1) * (last_col + 1)
            last_row = last_col = -1
        elif rtype == _BOF:
            last_row = last_col = -1
    total += (last_row + 1) * (last_col + 1)
    return XlsExtent(total, dbcs, stream if dbcs else b"")


_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


class _OdsExtent:
    """expat handlers counting each table's extent; empty repeated cells (LibreOffice pads every
    sheet with them to column AMJ and row 1,048,576) count for nothing, as in calamine."""

    def __init__(self, limit: int):
        self.limit, self.total = limit, 0
        self.row = self.col = self.row_repeat = self.cell_repeat = 0
        self.last_row = self.last_col = -1
        self.in_cell = self.cell_filled = self.row_filled = False

    def start(self, name: str, attrs: dict) -> None:
        if self.in_cell:
            self.cell_filled = True  # <text:p> and the like: the cell has content
        elif name == f"{_TABLE_NS} table":
            self.row, self.last_row, self.last_col = 0, -1, -1
        elif name == f"{_TABLE_NS} table-row":
            self.row_repeat = int(attrs.get(f"{_TABLE_NS} number-rows-repeated", 1))
            self.col, self.row_filled = 0, False
        elif name in (f"{_TABLE_NS} table-cell", f"{_TABLE_NS} covered-table-cell"):
            self.cell_repeat = int(attrs.get(f"{_TABLE_NS} number-columns-repeated", 1))
            self.in_cell, self.cell_filled = True, f"{_OFFICE_NS} value-type" in attrs

    def end(self, name: str) -> None:
        if name in (f"{_TABLE_NS} table-cell", f"{_TABLE_NS} covered-table-cell"):
            if self.cell_filled:
                self.last_col = max(self.last_col, self.col + self.cell_repeat - 1)
                self.row_filled = True
            self.col += self.cell_repeat
            self.in_cell = False
        elif name == f"{_TABLE_NS} table-row":
            if self.row_filled:
                self.last_row = max(self.last_row, self.row + self.row_repeat - 1)
                if self.total + (self.last_row + 1) * (self.last_col + 1) > self.limit:
                    raise _TooManyCells
            self.row += self.row_repeat
        elif name == f"{_TABLE_NS} table":
            self.total += (self.last_row + 1) * (self.last_col + 1)


class _TooManyCells(Exception):
    pass


def ods_cells(fileobj, limit: int) -> int:
    """The cells of all tables of an .ods, or `limit + 1` as soon as they pass `limit`."""
    extent = _OdsExtent(limit)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler = extent.start, extent.end
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive, archive.open("content.xml") as content:
            while chunk := content.read(1 << 20):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _TooManyCells:
        return limit + 1
    finally:
        fileobj.seek(0)
    return extent.total
