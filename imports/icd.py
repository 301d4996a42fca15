"""ICD-10 diagnosis codes: which writings are codes, and the one canonical form they are stored in.

The departments' systems write the same code many ways: `C34.9`, `C349`, `c34.901`, `C34 .9`,
full-width `Ｃ３４．９`, with the national extension (`C34.900x001`, `I10.x00x002`) and with the
dagger/asterisk marks of dual coding (`A17.0+G01*`, `A17.0†`). All of them are codes; the canonical
form is upper case, without spaces, with the dot after the third character of each code when
anything follows it (`c349` → `C34.9`, `c34 901` → `C34.901`, `C34` → `C34`).

`normalize_icd10` is the Python form of that rule (rule-list prefixes, tests, any Python path);
`ICD10_PATTERN` and `DOT_PATTERN`/`DOT_REPLACEMENT` are written so that Python's `re` and
PostgreSQL's regular expressions read them alike, and the loader's SQL (imports.loading.validation)
uses them, so the two cannot drift apart.
"""

import re

# One code: a letter, two digits (the third character may be a letter in some editions), then the
# subcategory and extension digits, with or without the dot (a trailing dot alone is tolerated).
_CODE = r"[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]+|\.)?"
# A code alone, an asterisk code (`G01*`), a dagger code (`A17.0+`) or a dagger/asterisk pair.
ICD10_PATTERN = rf"^{_CODE}(\*|\+({_CODE}\*?)?)?$"
# Applied to a valid code with its dots removed: a dot after the third character of each code.
DOT_PATTERN = r"(^|\+)([A-Z][0-9][0-9A-Z])([0-9A-Z])"
DOT_REPLACEMENT = r"\1\2.\3"
# Deleted before checking: spaces inside (`C34 .9`, `c 349`), tabs and line breaks.
WHITESPACE = " \t\r\n"

_CODE_RE = re.compile(ICD10_PATTERN)
_DOT_RE = re.compile(DOT_PATTERN)
# Full-width forms (U+FF01–FF5E) → ASCII, ideographic and no-break spaces → removed, the dagger
# sign → `+`: the same characters the loader's SQL folds (validation.FULL_WIDTH, then `†`).
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: None, 0xA0: None, 0x2020: ord("+")})
_FOLD.update({ord(c): None for c in WHITESPACE})


def normalize_icd10(text: str | None) -> str | None:
    """The canonical form of an ICD-10 code as the departments write it, or None when the text is
    not a code (`肺癌`, `12345`, `C3`, `3C4.1`)."""
    if text is None:
        return None
    value = str(text).translate(_FOLD).upper()
    if not _CODE_RE.fullmatch(value):
        return None
    return _DOT_RE.sub(DOT_REPLACEMENT, value.replace(".", ""))


def icd10_match_form(code: str) -> str:
    """The form codes are matched in (the disease list's prefixes): canonical without its dots,
    so a prefix is a plain string prefix (`N18.5` → `N185`, `C34.900x001` → `C34900X001`).
    Raises ValueError for text that is not a code."""
    canonical = normalize_icd10(code)
    if canonical is None:
        raise ValueError(code)
    return canonical.replace(".", "")
