"""The records `LiveOBFeatureEngine` answers with, the names the trader's order-book engine uses.

Each is one group of features as `models` declares it (`PlacementFields`, `SignalFields`,
`MacroFields`: the fields of the API's `Placement`, `Signal`, `Macro`, in the same order) with
where its values come from: `source` is `live` (the bar itself),
`fallback` (the newest earlier bar, `served_bar`) or `default` (neutral values, `served_bar`
None). They are plain dataclasses, as the original engine's: every look-up returns a new record,
and the engine keeps only the numbers, so changing a record changes nothing else (and a record
costs a quarter of a frozen one to make, which counts at 1000 look-ups per scan).

The numbers are kept in rows of floats, each group's fields in the records' order:
`ASSET_COLUMNS` for an asset (placement, then signal), `MACRO_FIELDS` for macro (the regime as
its index in `REGIMES`).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, fields
from itertools import repeat
from operator import itemgetter
from typing import Any

from .models import (CascadeRegime, JSONObject, LookupSource, Macro, MacroFields, Placement, PlacementFields, Signal,
                     SignalFields)

LIVE, FALLBACK, DEFAULT = LookupSource.LIVE, LookupSource.FALLBACK, LookupSource.DEFAULT


@dataclass(slots=True)
class OBPlacementFeatures(PlacementFields):
    """`PlacementFields`, with where their values come from."""

    source: LookupSource
    served_bar: int | None


@dataclass(slots=True)
class OBSignalFeatures(SignalFields):
    """`SignalFields`, with where their values come from."""

    source: LookupSource
    served_bar: int | None


@dataclass(slots=True)
class OBMacroFeatures(MacroFields):
    """`MacroFields`, with where their values come from."""

    source: LookupSource
    served_bar: int | None


def _names(group: type) -> tuple[str, ...]:
    return tuple(field.name for field in fields(group))


PLACEMENT_COLUMNS, SIGNAL_COLUMNS = _names(PlacementFields), _names(SignalFields)
ASSET_COLUMNS = PLACEMENT_COLUMNS + SIGNAL_COLUMNS
"""The names of one asset's numbers of a step, in the records' order (what `feature_columns` of a step answers)."""
PLACEMENT_WIDTH = len(PLACEMENT_COLUMNS)
ASSET_WIDTH = len(ASSET_COLUMNS)
MACRO_FIELDS = _names(MacroFields)
"""A step's macro numbers in the record's order, the regime as its index in `REGIMES`."""
MACRO_WIDTH = len(MACRO_FIELDS)
_REGIME_AT, _WITHDRAWING_AT = MACRO_FIELDS.index("cascade_regime"), MACRO_FIELDS.index("withdrawing_assets")
REGIMES = tuple(CascadeRegime)
_REGIME_INDEX = {name: float(index) for index, regime in enumerate(REGIMES) for name in (regime.value,
                                                                                          regime.value.lower())}
_PLACEMENT_OF, _SIGNAL_OF = itemgetter(*PLACEMENT_COLUMNS), itemgetter(*SIGNAL_COLUMNS)


# The records made of a row's numbers, then `source` and `served_bar` (the numbers by position: the
# row holds them in the records' order).
_placement: Callable[..., OBPlacementFeatures] = OBPlacementFeatures
_signal: Callable[..., OBSignalFeatures] = OBSignalFeatures
_macro: Callable[..., OBMacroFeatures] = OBMacroFeatures

_NEUTRAL_PLACEMENT = astuple(Placement(depth_1pct_usd=0.0, depth_quality=1.0, fill_probability=0.5,
                                        spread_proxy_bps=0.0))
_NEUTRAL_SIGNAL = astuple(Signal(imbalance=0.0, imbalance_ma5=0.0, imbalance_persistence=0.0, depth_asymmetry=0.0,
                                 withdrawal_velocity=0.0))
_NEUTRAL_MACRO = astuple(Macro(median_imbalance=0.0, agreement_pct=0.0, depth_pressure=0.0,
                               cascade_regime=CascadeRegime.CALM, depth_velocity=0.0, acceleration=0.0,
                               withdrawing_assets=0))


def neutral_placement() -> OBPlacementFeatures:
    """The `default` placement: no depth, depth_quality 1, fill_probability 0.5."""
    return _placement(*_NEUTRAL_PLACEMENT, DEFAULT, None)


def neutral_signal() -> OBSignalFeatures:
    """The `default` signal: every number 0."""
    return _signal(*_NEUTRAL_SIGNAL, DEFAULT, None)


def neutral_macro() -> OBMacroFeatures:
    """The `default` macro features: every number 0, CALM."""
    return _macro(*_NEUTRAL_MACRO, DEFAULT, None)


def column_order(columns: Sequence[str]) -> tuple[int, ...] | None:
    """Where each of `ASSET_COLUMNS` is in a row of `columns`: None when the order is the same."""
    if tuple(columns) == ASSET_COLUMNS:
        return None
    return tuple(list(columns).index(name) for name in ASSET_COLUMNS)


def asset_row(features: JSONObject) -> tuple[float, ...]:
    """The numbers of the API's `{"placement": {...}, "signal": {...}}`."""
    row: tuple[float, ...] = _PLACEMENT_OF(features["placement"]) + _SIGNAL_OF(features["signal"])
    return row


def live_records(assets: Sequence[str], values: array[float], bar: int,
                 placements: dict[str, OBPlacementFeatures], signals: dict[str, OBSignalFeatures]) -> None:
    """Adds the `live` records of bar `bar` to `placements` and `signals`, by asset: `values` holds
    one row of `ASSET_WIDTH` numbers per asset of `assets` (made column by column, no work per asset
    in Python)."""
    column = [values[index::ASSET_WIDTH] for index in range(ASSET_WIDTH)]
    live, served = repeat(LIVE), repeat(bar)
    placements.update(zip(assets, map(OBPlacementFeatures, *column[:PLACEMENT_WIDTH], live, served)))
    signals.update(zip(assets, map(OBSignalFeatures, *column[PLACEMENT_WIDTH:], live, served)))


def macro_row(macro: JSONObject) -> list[float]:
    """The numbers of the API's `macro` object."""
    row = [macro[name] for name in MACRO_FIELDS]
    row[_REGIME_AT], row[_WITHDRAWING_AT] = _REGIME_INDEX[row[_REGIME_AT]], float(row[_WITHDRAWING_AT])
    return row


def placement_record(values: Sequence[float], at: int, source: LookupSource, served_bar: int) -> OBPlacementFeatures:
    """The placement record of the asset row starting at `values[at]`."""
    return _placement(*values[at:at + PLACEMENT_WIDTH], source, served_bar)


def signal_record(values: Sequence[float], at: int, source: LookupSource, served_bar: int) -> OBSignalFeatures:
    """The signal record of the asset row starting at `values[at]`."""
    return _signal(*values[at + PLACEMENT_WIDTH:at + ASSET_WIDTH], source, served_bar)


def macro_record(values: Sequence[float], at: int, source: LookupSource, served_bar: int) -> OBMacroFeatures:
    """The macro record of the macro row starting at `values[at]`."""
    row: list[Any] = list(values[at:at + MACRO_WIDTH])
    row[_REGIME_AT], row[_WITHDRAWING_AT] = REGIMES[int(row[_REGIME_AT])], int(row[_WITHDRAWING_AT])
    return _macro(*row, source, served_bar)
