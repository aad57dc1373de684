"""Synthetic `obf replay` output: steps as `obf replay --format jsonl` writes them (one JSON
object each), written as JSON Lines or as CSV in the documented columns."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from obf_client.replay import CSV_COLUMNS, MACRO_COLUMNS

Step = dict[str, Any]
PLACEMENT = ("depth_1pct_usd", "depth_quality", "fill_probability", "spread_proxy_bps")
SIGNAL = ("imbalance", "depth_asymmetry", "imbalance_ma5", "imbalance_persistence", "withdrawal_velocity")
REGIMES = ("calm", "stress", "cascade")


def number(rng: random.Random) -> float:
    """A double that takes all 17 digits to write, now and then a plain or an extreme one."""
    pick = rng.random()
    if pick < 0.05:
        return rng.choice([0.0, -0.0, 1.0, 0.5, 1e-300, -2.5e300, 5e-324])
    return rng.uniform(-1e6, 1e6) * rng.random()


def features(rng: random.Random) -> dict[str, dict[str, float]]:
    return {"placement": {name: number(rng) for name in PLACEMENT},
            "signal": {name: number(rng) for name in SIGNAL}}


def macro(rng: random.Random) -> dict[str, Any]:
    return {"median_imbalance": number(rng), "agreement_pct": number(rng), "depth_pressure": number(rng),
            "withdrawing_assets": rng.randrange(0, 500), "cascade_regime": rng.choice(REGIMES).upper(),
            "depth_velocity": number(rng), "acceleration": number(rng)}


def step(bar: int, time: float, rollover: bool, assets: dict[str, Any], step_macro: dict[str, Any] | None) -> Step:
    return {"bar": bar, "time": time, "rollover": rollover, "assets": assets, "macro": step_macro}


def random_steps(rng: random.Random, count: int, names: list[str], *, rollovers: float = 0.05,
                 empty: float = 0.08) -> list[Step]:
    """`count` steps over assets of `names`: bars rising with gaps, now and then a rollover to a
    lower bar, some steps without assets or without macro, asset lists in changing orders."""
    steps: list[Step] = []
    bar, time = rng.randrange(0, 20), 1_764_864_000.0 + rng.random()
    for index in range(count):
        rollover = index > 0 and rng.random() < rollovers and bar > 0
        bar = rng.randrange(0, bar) if rollover else bar + rng.choice([1, 1, 1, 2, 5]) * (index > 0)
        time += rng.choice([0.0, 0.25, 5.0, 5.0, 5.125])
        chosen = [] if rng.random() < empty else rng.sample(names, rng.randrange(1, len(names) + 1))
        steps.append(step(bar, time, rollover, {name: features(rng) for name in chosen},
                          None if not chosen and rng.random() < 0.7 or rng.random() < 0.1 else macro(rng)))
    return steps


def jsonl_lines(steps: Iterable[Step]) -> Iterator[str]:
    """The lines of `obf replay --format jsonl` (each with its newline)."""
    for item in steps:
        yield json.dumps(item, separators=(",", ":")) + "\n"


def cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def csv_lines(steps: Iterable[Step]) -> Iterator[str]:
    """The lines of `obf replay --format csv`: the header, then a row per computed asset of each
    step (one row with an empty asset for a step that computed none)."""
    yield ",".join(CSV_COLUMNS) + "\n"
    for item in steps:
        head = [cell(item["bar"]), cell(item["time"]), cell(item["rollover"])]
        tail = [""] * len(MACRO_COLUMNS) if item["macro"] is None else [cell(item["macro"][name])
                                                                         for name in MACRO_COLUMNS]
        rows = [[name] + [cell(values["placement"][key]) for key in PLACEMENT] + [cell(values["signal"][key])
                                                                                 for key in SIGNAL]
                for name, values in item["assets"].items()] or [[""] * (1 + len(PLACEMENT) + len(SIGNAL))]
        for row in rows:
            yield ",".join(head + row + tail) + "\n"


def write(steps: Iterable[Step], file: TextIO, form: str) -> None:
    file.writelines(jsonl_lines(steps) if form == "jsonl" else csv_lines(steps))
