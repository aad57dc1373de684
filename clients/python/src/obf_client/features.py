"""The records `LiveOBFeatureEngine` answers with, the names the trader's order-book engine uses.

Each says where its values come from: `source` is `live` (the bar itself), `fallback` (the
newest earlier bar, `served_bar`) or `default` (neutral values, `served_bar` None).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TypeVar

from .models import CascadeRegime, JSONObject, LookupSource

LIVE, FALLBACK, DEFAULT = LookupSource.LIVE, LookupSource.FALLBACK, LookupSource.DEFAULT


@dataclass(frozen=True, slots=True)
class OBPlacementFeatures:
    """Placement: depth within 1 % (USD), depth against its reference, fill probability, spread proxy (bps)."""

    depth_1pct_usd: float
    depth_quality: float
    fill_probability: float
    spread_proxy_bps: float
    source: LookupSource
    served_bar: int | None


@dataclass(frozen=True, slots=True)
class OBSignalFeatures:
    """Signal: book imbalance, its 5-step mean and persistence, nearest-band asymmetry, withdrawal velocity."""

    imbalance: float
    imbalance_ma5: float
    imbalance_persistence: float
    depth_asymmetry: float
    withdrawal_velocity: float
    source: LookupSource
    served_bar: int | None


@dataclass(frozen=True, slots=True)
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


DEFAULT_PLACEMENT = OBPlacementFeatures(0.0, 1.0, 0.5, 0.0, DEFAULT, None)
DEFAULT_SIGNAL = OBSignalFeatures(0.0, 0.0, 0.0, 0.0, 0.0, DEFAULT, None)
DEFAULT_MACRO = OBMacroFeatures(0.0, 0.0, 0.0, CascadeRegime.CALM, 0.0, 0.0, 0, DEFAULT, None)


def placement_from_json(body: JSONObject, bar: int) -> OBPlacementFeatures:
    """The API's `placement` object as computed at `bar` (a `live` record)."""
    return OBPlacementFeatures(body["depth_1pct_usd"], body["depth_quality"], body["fill_probability"],
                               body["spread_proxy_bps"], LIVE, bar)


def signal_from_json(body: JSONObject, bar: int) -> OBSignalFeatures:
    """The API's `signal` object as computed at `bar` (a `live` record)."""
    return OBSignalFeatures(body["imbalance"], body["imbalance_ma5"], body["imbalance_persistence"],
                            body["depth_asymmetry"], body["withdrawal_velocity"], LIVE, bar)


def macro_from_json(body: JSONObject, bar: int) -> OBMacroFeatures:
    """The API's `macro` object as computed at `bar` (a `live` record)."""
    return OBMacroFeatures(body["median_imbalance"], body["agreement_pct"], body["depth_pressure"],
                           CascadeRegime(body["cascade_regime"]), body["depth_velocity"], body["acceleration"],
                           body["withdrawing_assets"], LIVE, bar)


Record = TypeVar("Record", OBPlacementFeatures, OBSignalFeatures, OBMacroFeatures)


def as_seen_from(record: Record, bar: int) -> Record:
    """A `live` record computed at `record.served_bar`, as the look-up of `bar` answers it:
    itself at that bar, a `fallback` after it."""
    return record if record.served_bar == bar else replace(record, source=FALLBACK)

