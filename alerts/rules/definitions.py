"""The four alert rules: their default parameters (DOMAIN.md) and the serious-disease list.

Parameters are stored as JSON in `RuleVersion.params`. Money is a string with two decimals,
day counts are integers. Disease codes are stored normalised (`normalize_code`: upper case, no dot) and already
expanded from ranges (`C81–C86` → C81 … C86), so the run only compares prefixes.
"""

import re

from alerts.models import RuleCode
from imports.icd import icd10_match_form

# (name, codes as DOMAIN.md writes them, child only)
SERIOUS_DISEASES_DEFAULT: list[tuple[str, str, bool]] = [
    ("食管癌", "C15", False),
    ("胃癌", "C16", False),
    ("结肠癌", "C18", False),
    ("直肠癌", "C19, C20", False),
    ("终末期肾病", "N18.5, N18.0, Z99.2", False),
    ("儿童白血病", "C91–C95", True),
    ("儿童先天性心脏病", "Q20–Q26", True),
    ("肺癌", "C33, C34", False),
    ("肝癌", "C22", False),
    ("乳腺癌", "C50", False),
    ("宫颈癌", "C53", False),
    ("急性心肌梗死", "I21, I22", False),
    ("白内障", "H25, H26, H28", False),
    ("尘肺", "J60–J65", False),
    ("神经母细胞瘤", "C74", False),
    ("儿童淋巴瘤", "C81–C86", True),
    ("骨肉瘤", "C40, C41", False),
    ("血友病", "D66, D67", False),
    ("地中海贫血", "D56", False),
    ("唇腭裂", "Q35–Q37", False),
    ("尿道下裂", "Q54", False),
    ("耐多药结核病", "U84.3", False),
    ("脑卒中", "I60–I64", False),
    ("慢性阻塞性肺气肿", "J43, J44", False),
    ("艾滋病机会性感染", "B20–B24", False),
    ("膀胱癌", "C67", False),
    ("卵巢癌", "C56", False),
    ("肾癌", "C64, C65", False),
    ("重性精神疾病", "F20, F22, F25, F31", False),
    ("风湿性心脏病", "I05–I09", False),
]

# Diseases marked "child" count only for people younger than this on the event date.
CHILD_AGE_LIMIT = 18

# A code prefix: a letter, two digits, optionally more digits after an optional dot.
CODE_RE = re.compile(r"^[A-Z]\d{2}(\.?\d{1,4})?$")
RANGE_RE = re.compile(r"^([A-Z])(\d{2})\s*[–—~-]\s*([A-Z])?(\d{2})$")


def normalize_code(code: str) -> str:
    """The form codes are compared in: the canonical code without its dot (`c34.9` → `C349`), as
    `imports.icd` defines it for the loader too. Raises ValueError for text that is not a code."""
    return icd10_match_form(code)


def expand_codes(text: str) -> list[str]:
    """`"C81–C86"` → C81 … C86; `"N18.5, Z99.2"` → N185, Z992. Raises ValueError on a bad item."""
    prefixes: list[str] = []
    text = re.sub(r"\s*[–—~-]\s*", "–", text.strip())
    for item in re.split(r"[,，、;；\s]+", text):
        item = item.strip().upper()
        if not item:
            continue
        match = RANGE_RE.match(item.replace(" ", ""))
        if match:
            letter, start, end_letter, end = match.groups()
            if (end_letter and end_letter != letter) or int(end) < int(start):
                raise ValueError(item)
            prefixes.extend(f"{letter}{n:02d}" for n in range(int(start), int(end) + 1))
        elif CODE_RE.match(item):
            prefixes.append(normalize_code(item))
        else:
            raise ValueError(item)
    return list(dict.fromkeys(prefixes))


def compress_codes(prefixes: list[str]) -> str:
    """Inverse of `expand_codes` for display: consecutive three-character codes become a range."""
    parts: list[str] = []
    run: list[str] = []

    def flush():
        if len(run) > 2:
            parts.append(f"{run[0]}–{run[-1]}")
        else:
            parts.extend(run)
        run.clear()

    for code in prefixes:
        if (
            run
            and len(code) == 3
            and len(run[-1]) == 3
            and code[0] == run[-1][0]
            and code[1:].isdigit()
            and run[-1][1:].isdigit()
            and int(code[1:]) == int(run[-1][1:]) + 1
        ):
            run.append(code)
            continue
        flush()
        if len(code) == 3 and code[1:].isdigit():
            run.append(code)
        else:
            parts.append(code if len(code) <= 3 else f"{code[:3]}.{code[3:]}")
    flush()
    return ", ".join(parts)


# A disease's identity across list versions: its key, not its name. The defaults are keyed by their
# number in DOMAIN.md's list (D01 食管癌 … D30 风湿性心脏病); a disease added later gets the next
# number of the database sequence DISEASE_KEY_SEQUENCE (D31, D32 …), never reused. Renaming a disease
# or changing its codes keeps its key, so people already alerted for it are not alerted again.
DISEASE_KEY_RE = re.compile(r"^D\d{2,}$")
DISEASE_KEY_SEQUENCE = "alerts_disease_key_seq"


def disease_key(number: int) -> str:
    return f"D{number:02d}"


def default_diseases() -> list[dict]:
    return [
        {"key": disease_key(n), "name": name, "codes": expand_codes(codes), "child": child}
        for n, (name, codes, child) in enumerate(SERIOUS_DISEASES_DEFAULT, start=1)
    ]


# Days from raising to the handling deadline (DOMAIN.md: serious disease and severe disability 7
# days, others 15). Until rule versions carried it, this was a setting: every version saved before
# then was applied with these values (migration 0012 records them in those versions).
DEFAULT_DEADLINE_DAYS = {
    RuleCode.HIGH_MEDICAL_SELF_PAY: 15,
    RuleCode.SERIOUS_DISEASE: 7,
    RuleCode.REGISTERED_UNEMPLOYMENT: 15,
    RuleCode.NEW_SEVERE_DISABILITY: 7,
}


def default_params(rule: str) -> dict:
    """Version 1 of each rule, as DOMAIN.md sets it."""
    rule = RuleCode(rule)
    params = {
        RuleCode.HIGH_MEDICAL_SELF_PAY: {
            "threshold_yuan": "10000.00",
            "window_days": 365,
            "cooldown_days": 365,
        },
        RuleCode.SERIOUS_DISEASE: {"window_days": 90, "diseases": default_diseases()},
        RuleCode.REGISTERED_UNEMPLOYMENT: {"window_days": 90},
        RuleCode.NEW_SEVERE_DISABILITY: {"window_days": 90},
    }[rule]
    return {**params, "deadline_days": DEFAULT_DEADLINE_DAYS[rule]}


# Which parameters each rule has, in form order (labels are the forms').
PARAMETERS: dict[str, tuple[str, ...]] = {
    RuleCode.HIGH_MEDICAL_SELF_PAY: ("threshold_yuan", "window_days", "cooldown_days", "deadline_days"),
    RuleCode.SERIOUS_DISEASE: ("window_days", "deadline_days", "diseases"),
    RuleCode.REGISTERED_UNEMPLOYMENT: ("window_days", "deadline_days"),
    RuleCode.NEW_SEVERE_DISABILITY: ("window_days", "deadline_days"),
}
