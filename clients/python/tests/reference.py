"""The features of features.md computed independently (numpy), for the books a test fed."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def depth(bid: Sequence[float], ask: Sequence[float]) -> float:
    return float(np.sum(bid) + np.sum(ask))


def imbalance(bid: Sequence[float], ask: Sequence[float]) -> float:
    total = depth(bid, ask)
    return 0.0 if total == 0 else float((np.sum(bid) - np.sum(ask)) / total)


def depth_asymmetry(bid: Sequence[float], ask: Sequence[float]) -> float:
    near = bid[0] + ask[0]
    return 0.0 if near == 0 else (bid[0] - ask[0]) / near


def distance_bps(side: Sequence[float]) -> float:
    """How far one side must be walked for 10 % of its notional within 1 % (bps)."""
    values = np.asarray(side, dtype=float)
    total = float(values.sum())
    if total == 0:
        return 100.0
    width, target = 100.0 / len(values), 0.1 * total
    cumulative = np.cumsum(values)
    band = int(np.argmax(cumulative >= target))
    before = 0.0 if band == 0 else float(cumulative[band - 1])
    return (band + (target - before) / values[band]) * width


def depth_references(depths: Sequence[float], alpha: float = 0.01) -> np.ndarray:
    """The depth reference after each observation: the first depth, then an EMA."""
    references = np.empty(len(depths))
    for index, value in enumerate(depths):
        references[index] = value if index == 0 else (1 - alpha) * references[index - 1] + alpha * value
    return references


def velocity(history: Sequence[float], lookback: int = 10) -> float:
    """`withdrawal_velocity` of a retained history (its newest value last, at most `lookback` values)."""
    k = min(lookback, len(history) - 1)
    if k < 1 or history[-1 - k] <= 0:
        return 0.0
    return (history[-1] - history[-1 - k]) / (history[-1 - k] * k)
