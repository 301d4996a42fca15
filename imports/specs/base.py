"""The declarative description of a feed category: its columns, their types and its target table.

A new category is a `Spec` (a module in this package registered in `imports.specs.SPECS`) plus the
model of its table. The loader derives from the spec the header mapping, the set-based SQL that
normalises and validates every cell, the rejection messages and the merge on the natural key.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from django.apps import apps


class FieldType(StrEnum):
    ID18 = "id18"  # resident ID, normalised, 15 → 18 upgraded, check digit verified
    TEXT = "text"  # trimmed text, at most `max_length` characters
    CODE = "code"  # an identifier: trimmed, spaces removed, at most `max_length` characters
    DATE = "date"
    MONEY = "money"  # yuan, ≥ 0, up to 2 decimals, stored as numeric(14,2)
    ENUM = "enum"  # one of `choices`
    REGION = "region"  # 6, 9 or 12 digits inside the configured city
    ICD10 = "icd10"  # diagnosis code in its canonical form (imports.icd: `c349` → `C34.9`)
    CERTIFICATE_NO = "certificate_no"  # disability certificate: ID18 + type + grade (+ suffix)


@dataclass(frozen=True)
class Choice:
    code: str | int  # stored value
    labels: tuple[str, ...]  # accepted Chinese labels; the first is the one shown to users


@dataclass(frozen=True)
class Field:
    """One column of a category. `name` is the canonical English header and the table column."""

    name: str
    label: str  # the main Chinese header, used in messages
    type: FieldType
    headers: tuple[str, ...] = ()  # further accepted Chinese headers
    required: bool = False  # column must exist and every cell must be filled
    max_length: int | None = None
    choices: tuple[Choice, ...] = ()
    # Stored when the cell is empty or the column absent (None → SQL NULL).
    default: object = ""
    stored: bool = True  # False: read and checked but not a column of the target table
    # The value in the downloadable template's example row ("" → derived from the type: an ID in
    # the city, a recent date, the first allowed value; left empty for optional text and money).
    # "{id}" stands for the example resident ID.
    example: str = ""

    @property
    def all_headers(self) -> tuple[str, ...]:
        return (self.name, self.label, *self.headers)

    @property
    def allowed_labels(self) -> str:
        return "、".join(c.labels[0] for c in self.choices)


@dataclass(frozen=True)
class RowCheck:
    """A rule across fields. `sql` is true when the row is wrong; `{field}` refers to a typed value.

    The check runs only when every field it names is valid; its message may use `{value:field}`
    for the cell text of a field as the file had it.
    """

    code: str
    column: str  # the field the rejection points at
    sql: str
    message: str  # may be a lazy translation
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Spec:
    category: str
    model: str  # "app_label.ModelName" of the target table
    natural_key: str
    fields: tuple[Field, ...]
    row_checks: tuple[RowCheck, ...] = ()
    # Typed-value SQL used when a field is empty or absent, e.g. self_paid from the other amounts.
    derived: dict[str, str] = field(default_factory=dict)
    # The field compared against the registry's name for the same `id_number` (None: no check).
    name_field: str | None = "name"
    # Categories whose rows also change other apps' tables name a hook registered in
    # `imports.loading.hooks` (e.g. the roster, registered by the monitoring app).
    after_merge_hook: str | None = None

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def model_class(self):
        return apps.get_model(self.model)

    @property
    def table(self) -> str:
        return self.model_class._meta.db_table

    @property
    def stored_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.stored)
