"""The bodies of the HTTP API as frozen dataclasses (field names are the API's JSON keys)."""

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


@dataclass(frozen=True, slots=True)
class Placement:
    """How much can be placed and how likely it fills."""

    depth_1pct_usd: float
    depth_quality: float
    fill_probability: float
    spread_proxy_bps: float

    @classmethod
    def from_json(cls, body: JSONObject) -> Placement:
        return cls(*_numbers(cls, body))


@dataclass(frozen=True, slots=True)
class Signal:
    """Which way the book leans and whether liquidity is leaving."""

    imbalance: float
    depth_asymmetry: float
    imbalance_ma5: float
    imbalance_persistence: float
    withdrawal_velocity: float

    @classmethod
    def from_json(cls, body: JSONObject) -> Signal:
        return cls(*_numbers(cls, body))


@dataclass(frozen=True, slots=True)
class Macro:
    """The cross-asset features of a step."""

    median_imbalance: float
    agreement_pct: float
    depth_pressure: float
    withdrawing_assets: int
    cascade_regime: CascadeRegime
    depth_velocity: float
    acceleration: float

    @classmethod
    def from_json(cls, body: JSONObject) -> Macro:
        return cls(float(body["median_imbalance"]), float(body["agreement_pct"]), float(body["depth_pressure"]),
                   int(body["withdrawing_assets"]), CascadeRegime(body["cascade_regime"]),
                   float(body["depth_velocity"]), float(body["acceleration"]))


NEUTRAL_PLACEMENT = Placement(depth_1pct_usd=0.0, depth_quality=1.0, fill_probability=0.5, spread_proxy_bps=0.0)
NEUTRAL_SIGNAL = Signal(imbalance=0.0, depth_asymmetry=0.0, imbalance_ma5=0.0, imbalance_persistence=0.0,
                        withdrawal_velocity=0.0)
NEUTRAL_MACRO = Macro(median_imbalance=0.0, agreement_pct=0.0, depth_pressure=0.0, withdrawing_assets=0,
                      cascade_regime=CascadeRegime.CALM, depth_velocity=0.0, acceleration=0.0)


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
