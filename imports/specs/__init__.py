"""Specs of the department feed categories (see `imports.specs.base`)."""

from imports.specs import (
    diagnosis,
    disability_certificate,
    medical_settlement,
    payment_return,
    roster,
    unemployment_registration,
)
from imports.specs.base import Choice, Field, FieldType, RowCheck, Spec

SPECS: dict[str, Spec] = {
    module.SPEC.category: module.SPEC
    for module in (
        roster,
        medical_settlement,
        diagnosis,
        disability_certificate,
        unemployment_registration,
        payment_return,
    )
}


def get_spec(category: str) -> Spec:
    return SPECS[str(category)]


__all__ = ["SPECS", "Choice", "Field", "FieldType", "RowCheck", "Spec", "get_spec"]
