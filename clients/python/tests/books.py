"""Synthetic order books in the producer's snapshot format (features.md §1)."""

from __future__ import annotations

import datetime
import random
from typing import Any


def iso(unix_seconds: float) -> str:
    """An ISO-8601 timestamp with a +00:00 offset, as the producer writes it."""
    return datetime.datetime.fromtimestamp(unix_seconds, datetime.timezone.utc).isoformat()


class BookWalk:
    """One asset's book: five bands a side whose notionals take a random walk."""

    def __init__(self, rng: random.Random, depth_usd: float) -> None:
        self.rng = rng
        self.bids = [depth_usd * rng.uniform(0.05, 0.15) for _ in range(5)]
        self.asks = [depth_usd * rng.uniform(0.05, 0.15) for _ in range(5)]

    def step(self) -> None:
        for side in (self.bids, self.asks):
            for band in range(len(side)):
                side[band] = max(0.0, side[band] * self.rng.uniform(0.9, 1.1) + self.rng.uniform(-1000, 1000))

    def document(self, unix_seconds: float) -> dict[str, Any]:
        """The snapshot document at this moment."""
        return {
            "timestamp": iso(unix_seconds),
            "bid_notional": [round(value, 2) for value in self.bids],
            "ask_notional": [round(value, 2) for value in self.asks],
            "bid_depth": [round(value / 50000, 6) for value in self.bids],
            "ask_depth": [round(value / 50000, 6) for value in self.asks],
        }
