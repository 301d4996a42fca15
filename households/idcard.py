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
