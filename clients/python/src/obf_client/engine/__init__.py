"""`LiveOBFeatureEngine`: the trader's order-book engine object, answered by `obf serve`.

One job per module: `live` (the engine object: a step put in motion, look-ups answered from
memory), `stepping` (a step's request, and what its answer puts in memory), `sync` (keeping the
memory like the service's caches), `rollover` (the bar sequence), `counters` (what steps did).
Its outage log and staleness guard are `obf_client.outage` and `obf_client.staleness`.
"""

from .counters import EngineCounters, StepStatus
from .live import LiveOBFeatureEngine

__all__ = ["EngineCounters", "LiveOBFeatureEngine", "StepStatus"]
