"""The bodies of the HTTP API as dataclasses (field names are the API's JSON keys): frozen, but for
the three groups of features (`Placement`, `Signal`, `Macro`), declared once with the drop-in
engines' records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import Enum
from typing import Any

JSONObject = Mapping[str, Any]


class LookupSource(str, Enum):
    """Where a look-up's values come from: the bar itself, an earlier bar, or neutral defaults."""

    LIVE = "live"
    FALLBACK = "fallback"
    DEFAULT = "default"


class CascadeRegime(str, Enum):
    """The share of assets withdrawing liquidity: below 20 %, 20 % to below 50 %, from 50 %."""

    CALM = "CALM"
    STRESS = "STRESS"
    CASCADE = "CASCADE"


def _numbers(record: type, body: JSONObject) -> list[float]:
    """The values of a record made only of floats, by field name."""
    return [float(body[field.name]) for field in fields(record)]


# The three groups of features, each declared once (`PlacementFields`, `SignalFields`,
# `MacroFields`): `Placement`, `Signal` and `Macro` are the API's bodies of them, and the records
# the drop-in engines answer (`features.OBPlacementFeatures`, ...) are them with where their
# values come from. Their field order is the original engine's (the trader makes its records by
# position), which is also the order of a feature row in memory and in a replay record
# (`features.ASSET_COLUMNS`). A declaration holds no values (`__slots__` empty): each record
# keeps all its fields in its own slots. The bodies are not frozen (a frozen dataclass cannot
# share a declaration with the drop-in records, which are not: a frozen record costs four times
# as much to make) but hash by their fields, as the frozen bodies holding them do: treat them
# as read-only.


@dataclass
class PlacementFields:
    """How much can be placed and how likely it fills: depth within 1 % (USD), depth against its
    reference, fill probability, spread proxy (bps)."""

    __slots__ = ()
    depth_1pct_usd: float
    depth_quality: float
    fill_probability: float
    spread_proxy_bps: float


@dataclass
class SignalFields:
    """Which way the book leans and whether liquidity is leaving: book imbalance, its 5-step mean
    and persistence, nearest-band asymmetry, withdrawal velocity."""

    __slots__ = ()
    imbalance: float
    imbalance_ma5: float
    imbalance_persistence: float
    depth_asymmetry: float
    withdrawal_velocity: float


@dataclass
class MacroFields:
    """The cross-asset features of a step: market agreement and macro features in one record, as
    the original engine keeps them."""

    __slots__ = ()
    median_imbalance: float
    agreement_pct: float
    depth_pressure: float
    cascade_regime: CascadeRegime
    depth_velocity: float
    acceleration: float
    withdrawing_assets: int


@dataclass(slots=True, unsafe_hash=True)
class Placement(PlacementFields):
    """The placement features of a look-up or a step."""

    @classmethod
    def from_json(cls, body: JSONObject) -> Placement:
        return cls(*_numbers(cls, body))


@dataclass(slots=True, unsafe_hash=True)
class Signal(SignalFields):
    """The signal features of a look-up or a step."""

    @classmethod
    def from_json(cls, body: JSONObject) -> Signal:
        return cls(*_numbers(cls, body))


@dataclass(slots=True, unsafe_hash=True)
class Macro(MacroFields):
    """The macro features of a look-up or a step."""

    @classmethod
    def from_json(cls, body: JSONObject) -> Macro:
        return cls(median_imbalance=float(body["median_imbalance"]), agreement_pct=float(body["agreement_pct"]),
                   depth_pressure=float(body["depth_pressure"]), cascade_regime=CascadeRegime(body["cascade_regime"]),
                   depth_velocity=float(body["depth_velocity"]), acceleration=float(body["acceleration"]),
                   withdrawing_assets=int(body["withdrawing_assets"]))


@dataclass(frozen=True, slots=True)
class AssetFeatures:
    """One asset's features of one step."""

    placement: Placement
    signal: Signal

    @classmethod
    def from_json(cls, body: JSONObject) -> AssetFeatures:
        return cls(Placement.from_json(body["placement"]), Signal.from_json(body["signal"]))


def _served_bar(body: JSONObject) -> int | None:
    served = body["served_bar"]
    return None if served is None else int(served)


@dataclass(frozen=True, slots=True)
class FeatureLookup:
    """`GET /features/{asset}/{bar}`: `served_bar` is None when `source` is `default`."""

    asset: str
    bar: int
    served_bar: int | None
    source: LookupSource
    placement: Placement
    signal: Signal

    @classmethod
    def from_json(cls, body: JSONObject, asset: str | None = None) -> FeatureLookup:
        """`asset` names it when the body has no `asset` key (an entry of `/bars`)."""
        return cls(str(body["asset"]) if asset is None else asset, int(body["bar"]), _served_bar(body),
                   LookupSource(body["source"]), Placement.from_json(body["placement"]),
                   Signal.from_json(body["signal"]))


@dataclass(frozen=True, slots=True)
class MacroLookup:
    """`GET /macro/{bar}`."""

    bar: int
    served_bar: int | None
    source: LookupSource
    macro: Macro

    @classmethod
    def from_json(cls, body: JSONObject) -> MacroLookup:
        return cls(int(body["bar"]), _served_bar(body), LookupSource(body["source"]), Macro.from_json(body["macro"]))


@dataclass(frozen=True, slots=True)
class BarLookup:
    """`GET /bars/{bar}`: every known asset's look-up and the macro look-up."""

    bar: int
    assets: Mapping[str, FeatureLookup]
    macro: MacroLookup

    @classmethod
    def from_json(cls, body: JSONObject) -> BarLookup:
        assets = {name: FeatureLookup.from_json(entry, asset=name) for name, entry in body["assets"].items()}
        return cls(int(body["bar"]), assets, MacroLookup.from_json(body["macro"]))


@dataclass(frozen=True, slots=True)
class StepReport:
    """`POST /step/{bar}`: `skipped` maps each asset not computed to `missing`, `stale` or
    `invalid`; `macro` is None when no asset was computed; `features` is None unless asked for."""

    bar: int
    replayed: bool
    requested: int
    computed: int
    skipped: Mapping[str, str]
    empty_streak: int
    duration_ms: float
    macro: Macro | None
    features: Mapping[str, AssetFeatures] | None

    @classmethod
    def from_json(cls, body: JSONObject) -> StepReport:
        macro = body["macro"]
        features = body.get("features")
        return cls(
            int(body["bar"]), bool(body["replayed"]), int(body["requested"]), int(body["computed"]),
            dict(body["skipped"]), int(body["empty_streak"]), float(body["duration_ms"]),
            None if macro is None else Macro.from_json(macro),
            None if features is None else {name: AssetFeatures.from_json(entry) for name, entry in features.items()},
        )


@dataclass(frozen=True, slots=True)
class Readiness:
    """`GET /readyz` when ready (a 503 raises `NotReady`)."""

    status: str
    source: str
    empty_streak: int
    last_bar: int | None

    @classmethod
    def from_json(cls, body: JSONObject) -> Readiness:
        last = body["last_bar"]
        return cls(str(body["status"]), str(body["source"]), int(body["empty_streak"]),
                   None if last is None else int(last))


@dataclass(frozen=True, slots=True)
class Health:
    """`GET /healthz`."""

    status: str

    @classmethod
    def from_json(cls, body: JSONObject) -> Health:
        return cls(str(body["status"]))
