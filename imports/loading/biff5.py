"""The first sheet of an Excel 5.0/95 (BIFF5) workbook whose text is in a double-byte code page.

Before Excel 97 a workbook kept its text in the code page of the machine that wrote it: 936 (GBK)
on Chinese Windows. python-calamine 0.9.1 turns such text into garbage (every byte a character
followed by a NUL), and a name or address read wrong must never be loaded, so these workbooks are
read here from their BIFF records: text cells (LABEL, RSTRING) decoded strictly in the workbook's
code page, numbers (NUMBER, RK, MULRK), formula results (FORMULA + STRING), booleans and errors,
and date cells recognised by their number format (built-in date formats, including the Chinese
ones, or a custom format with date or time letters).

The sheet's extent has been bounded before (sheet_extent.xls_cells), so its cells fit in memory.
"""

import re
import struct
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from imports.loading.errors import FileRejected

CODECS = {932: "cp932", 936: "gb18030", 949: "cp949", 950: "cp950"}
# Built-in number formats that show dates or times: 14–22 and 45–47 everywhere, 27–36 and 50–58
# in East Asian versions of Excel (e.g. yyyy"年"m"月"d"日").
_DATE_FORMATS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!"}
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _records(stream: bytes, pos: int) -> Iterator[tuple[int, bytes]]:
    while pos + 4 <= len(stream):
        rtype, length = struct.unpack_from("<HH", stream, pos)
        yield rtype, stream[pos + 4 : pos + 4 + length]
        if rtype == 0x000A:  # EOF of this substream
            return
        pos += 4 + length


def _rk(value: int) -> float:
    """An RK number: a signed 30-bit integer or the top 30 bits of a double, maybe divided by 100."""
    if value & 2:
        number = float(struct.unpack("<i", struct.pack("<I", value))[0] >> 2)
    else:
        number = struct.unpack("<d", struct.pack("<Q", (value & 0xFFFFFFFC) << 32))[0]
    return number / 100 if value & 1 else number


def _is_date_format(text: str) -> bool:
    return bool(re.search(r"[ymdhs年月日]", _QUOTED.sub("", text.lower())))


class _Workbook:
    def __init__(self, stream: bytes, codepage: int):
        self.stream, self.codec = stream, CODECS[codepage]
        self.xf_formats: list[int] = []
        self.formats: dict[int, str] = {}
        self.epoch = datetime(1899, 12, 30)
        self.sheet_offset: int | None = None
        for rtype, body in _records(stream, 0):
            if rtype == 0x00E0 and len(body) >= 4:  # XF: font, format
                self.xf_formats.append(struct.unpack_from("<H", body, 2)[0])
            elif rtype == 0x041E and len(body) >= 3:  # FORMAT: id, length, text
                fmt_id, length = struct.unpack_from("<HB", body)
                self.formats[fmt_id] = body[3 : 3 + length].decode(self.codec, "replace")
            elif rtype == 0x0022 and len(body) >= 2 and struct.unpack_from("<H", body)[0] == 1:
                self.epoch = datetime(1904, 1, 1)  # DATEMODE: the 1904 date system
            elif rtype == 0x0085 and self.sheet_offset is None and len(body) >= 6:  # BOUNDSHEET
                offset, flags = struct.unpack_from("<IH", body)
                if flags >> 8 == 0:  # a worksheet (not a chart or macro sheet)
                    self.sheet_offset = offset

    def text(self, raw: bytes, row: int, col: int) -> str:
        try:
            return raw.decode(self.codec)
        except UnicodeDecodeError as exc:
            raise FileRejected(
                "encoding",
                _(
                    "Excel 5.0/95 工作簿第%(row)d行第%(col)d列的文字不是该工作簿声明的编码（%(codec)s），无法读取。"
                    "请在 Excel 或 WPS 中打开后另存为 .xlsx 再上传"
                )
                % {"row": row + 1, "col": col + 1, "codec": self.codec.upper()},
            ) from exc

    def number(self, xf: int, value: float):
        fmt = self.xf_formats[xf] if xf < len(self.xf_formats) else 0
        is_date = fmt in _DATE_FORMATS or (fmt in self.formats and _is_date_format(self.formats[fmt]))
        if is_date and 0 <= value < 2_958_466:  # up to 9999-12-31
            moment = self.epoch + timedelta(seconds=round(value * 86400))
            return moment.date() if moment.time() == datetime.min.time() else moment
        return value

    def cells(self) -> Iterator[tuple[int, int, object]]:
        if self.sheet_offset is None:
            return
        pending = None  # a formula whose string result follows in a STRING record
        for rtype, body in _records(self.stream, self.sheet_offset):
            if rtype in (0x0204, 0x00D6) and len(body) >= 8:  # LABEL, RSTRING
                row, col, _xf, length = struct.unpack_from("<HHHH", body)
                yield row, col, self.text(body[8 : 8 + length], row, col)
            elif rtype == 0x0203 and len(body) >= 14:  # NUMBER
                row, col, xf, value = struct.unpack_from("<HHHd", body)
                yield row, col, self.number(xf, value)
            elif rtype == 0x027E and len(body) >= 10:  # RK
                row, col, xf, rk = struct.unpack_from("<HHHI", body)
                yield row, col, self.number(xf, _rk(rk))
            elif rtype == 0x00BD and len(body) >= 6:  # MULRK: xf + RK per column
                row, first = struct.unpack_from("<HH", body)
                for i in range((len(body) - 6) // 6):
                    xf, rk = struct.unpack_from("<HI", body, 4 + 6 * i)
                    yield row, first + i, self.number(xf, _rk(rk))
            elif rtype == 0x0205 and len(body) >= 8:  # BOOLERR
                row, col, _xf, value, is_error = struct.unpack_from("<HHHBB", body)
                yield row, col, _ERRORS.get(value, "#N/A") if is_error else bool(value)
            elif rtype == 0x0006 and len(body) >= 14:  # FORMULA: its cached result
                row, col, xf = struct.unpack_from("<HHH", body)
                result = body[6:14]
                if result[6:8] != b"\xff\xff":
                    yield row, col, self.number(xf, struct.unpack("<d", result)[0])
                elif result[0] == 0:
                    pending = (row, col)
                elif result[0] == 1:
                    yield row, col, bool(result[2])
                elif result[0] == 2:
                    yield row, col, _ERRORS.get(result[2], "#N/A")
            elif rtype == 0x0207 and pending and len(body) >= 2:  # STRING: the formula's text
                length = struct.unpack_from("<H", body)[0]
                yield pending[0], pending[1], self.text(body[2 : 2 + length], *pending)
                pending = None


def sheet_rows(stream: bytes, codepage: int) -> Iterator[list]:
    """The first worksheet's rows from row 1, each a list of values from column A (None: empty)."""
    grid: dict[int, dict[int, object]] = {}
    for row, col, value in _Workbook(stream, codepage).cells():
        grid.setdefault(row, {})[col] = value
    for row in range(max(grid, default=-1) + 1):
        cells = grid.pop(row, {})
        yield [cells.get(col) for col in range(max(cells, default=-1) + 1)]
