"""Resident ID numbers (GB 11643-1999): normalise, validate, upgrade, describe, mask.

`parse_id_number` is the one entry point for untrusted input: it returns the canonical
18-character ID or raises `IdNumberError` with a reason code and a Chinese message.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from households import clock

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
MIN_BIRTH_DATE = date(1900, 1, 1)

_STRIP_CHARS = " \t\r\n'\"`\u3000\u00a0"
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$")
_ID18 = re.compile(r"^\d{17}[\dX]$")
_ID15 = re.compile(r"^\d{15}$")
_DECIMAL = re.compile(r"^\d+\.\d*$")


class IdNumberError(ValueError):
    """A resident ID that cannot be accepted; `code` is stable, `message` is for users."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class IdInfo:
    id_number: str
    area_code: str
    birth_date: date
    sex: str  # "M" or "F"


def _spreadsheet_damaged(value: str) -> IdNumberError:
    return IdNumberError(
        "id_spreadsheet_damaged",
        f"身份证号“{mask(value)}”已被表格软件改动（科学计数法或末尾变为0），无法还原；"
        "请把该列设为文本格式后重新导出",
    )


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalise(raw: object) -> str:
    """Undo the usual damage of copy/paste and spreadsheets without guessing any digit."""
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw))
    text = text.strip(_STRIP_CHARS).replace(" ", "").replace("\t", "")
    return text.upper()


def upgrade_15_to_18(id15: str) -> str:
    first17 = id15[:6] + "19" + id15[6:]
    return first17 + check_char(first17)


def _birth_date(digits8: str) -> date | None:
    try:
        return date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:8]))
    except ValueError:
        return None


def parse_id_number(raw: object, *, today: date | None = None) -> str:
    """Return the canonical 18-character ID or raise IdNumberError."""
    value = normalise(raw)
    if not value:
        raise IdNumberError("id_missing", "身份证号为空")
    if _SCIENTIFIC.match(value) or _DECIMAL.match(value):
        raise _spreadsheet_damaged(value)
    if _ID15.match(value):
        value = upgrade_15_to_18(value)
    if not _ID18.match(value):
        raise IdNumberError(
            "id_format",
            f"身份证号“{mask(value)}”格式不正确：应为18位（前17位数字，末位数字或X）或15位数字",
        )
    born = _birth_date(value[6:14])
    today = today or clock.today()
    if born is None or born < MIN_BIRTH_DATE or born > today:
        raise IdNumberError("id_birth_date", f"身份证号“{mask(value)}”中的出生日期无效")
    if check_char(value[:17]) != value[17]:
        if value.endswith("000"):
            # Excel keeps 15 significant digits and turns the last three into zeros.
            raise _spreadsheet_damaged(value)
        raise IdNumberError(
            "id_check_digit",
            f"身份证号“{mask(value)}”校验位不符，可能录入有误或被表格软件改动（如末尾变为0）",
        )
    return value


def describe(id_number: str) -> IdInfo:
    """Facts carried by a valid 18-character ID."""
    born = _birth_date(id_number[6:14])
    assert born is not None, "describe() takes a validated ID"
    return IdInfo(
        id_number=id_number,
        area_code=id_number[:6],
        birth_date=born,
        sex="M" if int(id_number[16]) % 2 == 1 else "F",
    )


def is_valid(raw: object) -> bool:
    try:
        parse_id_number(raw)
    except IdNumberError:
        return False
    return True


def mask(id_number: str | None) -> str:
    """Show the first 6 and last 4 characters only: 130921********123X."""
    if not id_number:
        return ""
    if len(id_number) <= 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


# --- IDs inside free text -------------------------------------------------------------------
# People and spreadsheets write an ID as groups separated by spaces or dashes, behind a prefix
# (ID, SFZ:, 身份证号：) or in full-width digits. A candidate starts at a digit 1-9 that follows no
# digit; its date part must be plausible. A spaced candidate must also have a valid check
# character or its separators where people group IDs (6+8+4, 4+4+4+4+2 …), so a row of unrelated
# numbers is not taken for an ID, while a typo'd ID written the usual ways is still masked.
_SEP = r"[ \t\-]{0,3}"
_ID18_IN_TEXT = re.compile(r"[1-9](?:" + _SEP + r"\d){16}" + _SEP + r"[0-9Xx]")
_ID15_IN_TEXT = re.compile(r"[1-9]\d{14}(?!\d)")
_CANDIDATE_START = re.compile(r"(?<!\d)[1-9]")
_SEPARATORS = re.compile(r"[ \t\-]")
_LONG_RUN = re.compile(r"[1-9][\d \t\-]{13,}[\dXx]")
_MMDD = re.compile(r"^(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$")
# Same length, one character for one: full-width digits, X, space and dash as ASCII.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ\u3000－\u2010\u2011\u2013\u2014", "0123456789Xx -----")


def _usual_groups(written: str) -> bool:
    """Separators only where people group an ID (after 4, 6, 8 … 16 characters)."""
    cuts, n = set(), 0
    for ch in written:
        if _SEPARATORS.match(ch):
            cuts.add(n)
        else:
            n += 1
    return cuts <= {4, 6, 8, 10, 12, 14, 16}


def _id_at(text: str, pos: int) -> tuple[int, str] | None:
    """(end, canonical ID) of an ID written at `pos` in `text` (already folded), or None."""
    m = _ID18_IN_TEXT.match(text, pos)
    if m:
        written = m.group(0)
        value = _SEPARATORS.sub("", written).upper()
        if value[6:8] in ("18", "19", "20") and _MMDD.match(value[10:14]):
            if not _SEPARATORS.search(written):
                return m.end(), value
            if _usual_groups(written) or check_char(value[:17]) == value[17]:
                return m.end(), value
    m = _ID15_IN_TEXT.match(text, pos)
    if m and _MMDD.match(m.group(0)[8:12]):
        return m.end(), m.group(0)
    return None


def find_ids(text: str) -> list[tuple[int, int, str]]:
    """Every resident ID written in `text`: (start, end, the ID without separators, upper case)."""
    folded = text if text.isascii() else text.translate(_FULL_WIDTH)
    if not _LONG_RUN.search(folded):
        return []  # most cells: no run of digits long enough to be an ID
    found, end = [], 0
    for start in _CANDIDATE_START.finditer(folded):
        if start.start() < end:
            continue
        hit = _id_at(folded, start.start())
        if hit:
            end, value = hit
            found.append((start.start(), end, value))
    return found


def _masked(text: str, found: list[tuple[int, int, str]]) -> str:
    parts, end = [], 0
    for start, stop, id_number in found:
        parts += [text[end:start], mask(id_number)]
        end = stop
    return "".join(parts) + text[end:] if parts else text


def _ids_in(text: str) -> list[tuple[int, int, str]]:
    return find_ids(text) if len(text) >= 15 else []  # too short to hold an ID: most cells


def mask_ids(value: object) -> str:
    """The text with every resident ID in it, however written, masked (130921********123X)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return _masked(text, _ids_in(text))


# A date as a row may spell it: 1980-01-02, 1980/1/2, 1980年1月2日, 19800102; or 2/1/1980.
_DATE_IN_TEXT = re.compile(
    r"(?<!\d)(?:(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*[-/.月]?\s*(\d{1,2})日?"
    r"|(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}))(?!\d)"
)


# … or in English: Nov. 23, 1957 / November 23 1957 / 23 Nov 1957.
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_NAMED_DATE_IN_TEXT = re.compile(
    rf"(?<![a-z]){_MONTH}\s*(\d{{1,2}}),?\s*(\d{{4}})(?!\d)|(?<!\d)(\d{{1,2}})\s*{_MONTH},?\s*(\d{{4}})(?!\d)",
    re.IGNORECASE,
)


def _is_named_one_of(match: re.Match, born: set[tuple[int, int, int]]) -> bool:
    m1, d1, y1, d2, m2, y2 = match.groups()
    month, day, year = (m1, d1, y1) if m1 else (m2, d2, y2)
    return (int(year), _MONTHS.index(month.lower()[:3]) + 1, int(day)) in born


def _is_one_of(match: re.Match, born: set[tuple[int, int, int]]) -> bool:
    y, m, d, a, b, y2 = match.groups()
    if y:
        return (int(y), int(m), int(d)) in born
    return (int(y2), int(b), int(a)) in born or (int(y2), int(a), int(b)) in born


def mask_ids_in_row(values) -> list[str]:
    """The cells of one row with every ID masked, and with the birth date of any ID in the row
    masked in every cell too: a masked ID hides exactly its birth date, so a row that also shows
    the birth date (a 出生日期 column, a note) would give the full ID back."""
    texts = ["" if v is None else v if isinstance(v, str) else str(v) for v in values]
    found = [find_ids(text) if len(text) >= 15 else () for text in texts]
    masked = [_masked(text, ids) if ids else text for text, ids in zip(texts, found, strict=True)]
    born = set()
    for _start, _end, id_number in (hit for ids in found for hit in ids):
        day = _birth_date(id_number[6:14] if len(id_number) == 18 else "19" + id_number[6:12])
        if day:
            born.add((day.year, day.month, day.day))
    if not born:
        return masked
    years = {str(y) for y, _m, _d in born}
    joined = "\x00".join(masked)
    if not any(year in joined for year in years):  # most rows: the year is nowhere else
        return masked
    return [
        _NAMED_DATE_IN_TEXT.sub(
            lambda m: "****" if _is_named_one_of(m, born) else m.group(0),
            _DATE_IN_TEXT.sub(lambda m: "****" if _is_one_of(m, born) else m.group(0), text),
        )
        if any(year in text for year in years)
        else text
        for text in masked
    ]
