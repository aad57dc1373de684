"""Comparisons shared by the tests."""

from __future__ import annotations

import math
from typing import Any


def close(actual: float, expected: float) -> bool:
    """Equal to within 1e-9 relative, 1e-12 absolute near zero (features.md §6)."""
    return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-12)


def fields(record: Any) -> dict[str, Any]:
    """A dataclass record's fields by name."""
    return {name: getattr(record, name) for name in record.__dataclass_fields__}
