"""Matching a file's header row to a spec's fields."""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from imports.loading.errors import FileRejected
from imports.specs.base import Spec

_SPACES = re.compile(r"\s+")
_TRAILING_UNIT = re.compile(r"\([^()]*\)$")


def normalise_header(text: object) -> str:
    """NFKC, no spaces at all (also full-width ones), lower-case (for the English names)."""
    value = unicodedata.normalize("NFKC", "" if text is None else str(text)).replace("\ufeff", "")
    return _SPACES.sub("", value).lower()


@dataclass(frozen=True)
class HeaderMap:
    headers: list[str]  # the file's header texts, in file order (made unique for raw dicts)
    columns: dict[str, int]  # field name → 0-based column index, for fields the file has
    extra: list[str]  # header texts that match no field (ignored, reported)

    def header_of(self, field_name: str, default: str) -> str:
        index = self.columns.get(field_name)
        return default if index is None else self.headers[index]


def _unique(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for i, text in enumerate(headers):
        text = (text or "").strip() or _("第%(n)d列") % {"n": i + 1}
        if text in seen:
            seen[text] += 1
            text = f"{text}({seen[text]})"
        else:
            seen[text] = 1
        result.append(text)
    return result


def map_headers(spec: Spec, header_row: list) -> HeaderMap:
    """Map header cells to fields; reject the file when a required column is missing or repeated."""
    lookup = {}
    for f in spec.fields:
        for name in f.all_headers:
            lookup[normalise_header(name)] = f.name
    texts = [
        unicodedata.normalize("NFKC", "" if h is None else str(h)).replace("\ufeff", "").strip()
        for h in header_row
    ]
    # Trailing empty header cells (Excel exports often carry a few) stay columns: the data rows
    # carry as many cells, and COPY needs every row to have the header's width.
    columns: dict[str, int] = {}
    extra: list[str] = []
    repeated: list[str] = []
    for index, text in enumerate(texts):
        key = normalise_header(text)
        name = lookup.get(key)
        if name is None:
            name = lookup.get(_TRAILING_UNIT.sub("", key))
        if name is None:
            if text:
                extra.append(text)
            continue
        if name in columns:
            repeated.append(text)
            continue
        columns[name] = index
    if not columns and not extra:
        raise FileRejected("no_header", _("文件为空或没有表头行：第一行非空内容应为列名"))
    if repeated:
        raise FileRejected(
            "duplicate_column",
            _("表头中有重复的列：%(cols)s 与前面的列表示同一字段，请删除其中一列")
            % {"cols": "、".join(repeated)},
        )
    missing = [f for f in spec.fields if f.required and f.name not in columns]
    if missing:
        names = "、".join(f"{f.label}（{f.name}）" for f in missing)
        raise FileRejected(
            "missing_columns",
            _("缺少必需的列：%(names)s。整个文件未导入，请补齐这些列后重新上传") % {"names": names},
            extra_columns=extra,
        )
    return HeaderMap(headers=_unique(texts), columns=columns, extra=extra)
