"""Rule definitions, default parameters and parameter validation (no database access here)."""

from alerts.rules.definitions import (
    PARAMETERS,
    compress_codes,
    default_params,
    expand_codes,
    normalize_code,
)
from alerts.rules.validation import validate_params

__all__ = [
    "PARAMETERS",
    "compress_codes",
    "default_params",
    "expand_codes",
    "normalize_code",
    "validate_params",
]
