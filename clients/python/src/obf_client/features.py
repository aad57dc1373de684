"""The records `LiveOBFeatureEngine` answers with, the names the trader's order-book engine uses.

Each says where its values come from: `source` is `live` (the bar itself), `fallback` (the
newest earlier bar, `served_bar`) or `default` (neutral values, `served_bar` None). They are
plain dataclasses, as the original engine's: every look-up returns a new record, and the engine
keeps only the numbers, so changing a record changes nothing else (and a record costs a
quarter of a frozen one to make, which counts at 1000 look-ups per scan).
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat

from .models import CascadeRegime, JSONObject, LookupSource

LIVE, FALLBACK, DEFAULT = LookupSource.LIVE, LookupSource.FALLBACK, LookupSource.DEFAULT


@dataclass(slots=True)
class OBPlacementFeatures:
    """Placement: depth within 1 % (USD), depth against its reference, fill probability, spread proxy (bps)."""

    depth_1pct_usd: float
    depth_quality: float
    fill_probability: float
    spread_proxy_bps: float
    source: LookupSource
    served_bar: int | None


@dataclass(slots=True)
class OBSignalFeatures:
    """Signal: book imbalance, its 5-step mean and persistence, nearest-band asymmetry, withdrawal velocity."""

    imbalance: float
    imbalance_ma5: float
    imbalance_persistence: float
    depth_asymmetry: float
    withdrawal_velocity: float
    source: LookupSource
    served_bar: int | None


@dataclass(slots=True)
class OBMacroFeatures:
    """Market agreement and macro features in one record, as the original engine keeps them."""

    median_imbalance: float
    agreement_pct: float
    depth_pressure: float
    cascade_regime: CascadeRegime
    depth_velocity: float
    acceleration: float
    withdrawing_assets: int
    source: LookupSource
    served_bar: int | None


def neutral_placement() -> OBPlacementFeatures:
    """The `default` placement: no depth, depth_quality 1, fill_probability 0.5."""
    return OBPlacementFeatures(0.0, 1.0, 0.5, 0.0, DEFAULT, None)


def neutral_signal() -> OBSignalFeatures:
    """The `default` signal: every number 0."""
    return OBSignalFeatures(0.0, 0.0, 0.0, 0.0, 0.0, DEFAULT, None)


def neutral_macro() -> OBMacroFeatures:
    """The `default` macro features: every number 0, CALM."""
    return OBMacroFeatures(0.0, 0.0, 0.0, CascadeRegime.CALM, 0.0, 0.0, 0, DEFAULT, None)


ASSET_WIDTH = 9
"""One asset's numbers of a step: the placement fields, then the signal fields, in the records' order."""
ASSET_COLUMNS = ("depth_1pct_usd", "depth_quality", "fill_probability", "spread_proxy_bps", "imbalance",
                 "imbalance_ma5", "imbalance_persistence", "depth_asymmetry", "withdrawal_velocity")
"""The names of those numbers, in that order (what `feature_columns` of a step answers)."""


def column_order(columns: Sequence[str]) -> tuple[int, ...] | None:
    """Where each of `ASSET_COLUMNS` is in a row of `columns`: None when the order is the same."""
    if tuple(columns) == ASSET_COLUMNS:
        return None
    return tuple(list(columns).index(name) for name in ASSET_COLUMNS)
MACRO_WIDTH = 7
"""A step's macro numbers in the record's order, the regime as its index in `REGIMES`."""
REGIMES = tuple(CascadeRegime)
_REGIME_INDEX = {name: float(index) for index, regime in enumerate(REGIMES) for name in (regime.value,
                                                                                          regime.value.lower())}


def asset_row(features: JSONObject) -> tuple[float, ...]:
    """The numbers of the API's `{"placement": {...}, "signal": {...}}`."""
    placement, signal = features["placement"], features["signal"]
    return (placement["depth_1pct_usd"], placement["depth_quality"], placement["fill_probability"],
            placement["spread_proxy_bps"], signal["imbalance"], signal["imbalance_ma5"],
            signal["imbalance_persistence"], signal["depth_asymmetry"], signal["withdrawal_velocity"])


def live_records(assets: Sequence[str], values: array[float], bar: int,
                 placements: dict[str, OBPlacementFeatures], signals: dict[str, OBSignalFeatures]) -> None:
    """Adds the `live` records of bar `bar` to `placements` and `signals`, by asset: `values` holds
    one row of `ASSET_WIDTH` numbers per asset of `assets` (made column by column, no work per asset
    in Python)."""
    column = [values[index::ASSET_WIDTH] for index in range(ASSET_WIDTH)]
    live, served = repeat(LIVE), repeat(bar)
    placements.update(zip(assets, map(OBPlacementFeatures, *column[:4], live, served)))
    signals.update(zip(assets, map(OBSignalFeatures, *column[4:], live, served)))


def macro_row(macro: JSONObject) -> tuple[float, ...]:
    """The numbers of the API's `macro` object."""
    return (macro["median_imbalance"], macro["agreement_pct"], macro["depth_pressure"],
            _REGIME_INDEX[macro["cascade_regime"]], macro["depth_velocity"], macro["acceleration"],
            float(macro["withdrawing_assets"]))


def placement_record(values: Sequence[float], at: int, source: LookupSource, served_bar: int) -> OBPlacementFeatures:
    """The placement record of the asset row starting at `values[at]`."""
    return OBPlacementFeatures(values[at], values[at + 1], values[at + 2], values[at + 3], source, served_bar)


def signal_record(values: Sequence[float], at: int, source: LookupSource, served_bar: int) -> OBSignalFeatures:
    """The signal record of the asset row starting at `values[at]`."""
    return OBSignalFeatures(values[at + 4], values[at + 5], values[at + 6], values[at + 7], values[at + 8], source,
                            served_bar)


def macro_record(values: Sequence[float], at: int, source: LookupSource, served_bar: int) -> OBMacroFeatures:
    """The macro record of the macro row starting at `values[at]`."""
    return OBMacroFeatures(values[at], values[at + 1], values[at + 2], REGIMES[int(values[at + 3])], values[at + 4],
                           values[at + 5], int(values[at + 6]), source, served_bar)
