"""The bar a look-up names, read as the original engine reads it: `int(timestamp_or_idx)`."""

from __future__ import annotations

import math
import operator
from typing import SupportsFloat, SupportsIndex, Union

BarArgument = Union[SupportsIndex, SupportsFloat]
"""What a bar argument is meant to be (an int, a float, a numpy scalar); anything else is answered too."""


def bar_number(timestamp_or_idx: object) -> int | str:
    """The bar `timestamp_or_idx` names, or why it names none.

    An int, a numpy integer or anything else with `__index__` is the bar itself (a bool too, as
    `int()` reads it); a float, a numpy floating scalar or anything else with `__float__` is
    truncated toward zero, as `int()` does. A bar is never negative: negative numbers, NaN and
    ±inf name none, and neither does anything else (None, a string, a datetime). What names no
    bar comes back as the kind of argument it is (`"negative"`, `"nan"`, `"inf"`, or the type's
    name); this never raises.
    """
    try:
        if hasattr(timestamp_or_idx, "__index__"):
            bar = operator.index(timestamp_or_idx)
            return bar if bar >= 0 else "negative"
        if hasattr(timestamp_or_idx, "__float__"):
            number = float(timestamp_or_idx)
            if math.isnan(number):
                return "nan"
            if math.isinf(number):
                return "inf"
            return int(number) if number >= 0 else "negative"
    except Exception:   # an __index__ or __float__ that raises: no bar, and the loop goes on
        pass
    return type(timestamp_or_idx).__name__


def step_bar(bar_idx: object) -> int:
    """The bar a `step_live` steps: what `bar_number` reads; raises `ValueError` when it names none
    (`step_live` turns that into a failed step)."""
    bar = bar_number(bar_idx)
    if isinstance(bar, str):
        raise ValueError(f"step_live needs a bar, a number 0 or more; got {bar_idx!r} ({bar})")
    return bar
