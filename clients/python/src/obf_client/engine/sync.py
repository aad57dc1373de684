"""Keeping `LiveOBFeatureEngine`'s memory like the service's caches: after a step that may have
left them apart (the engine's first, one after a failed step, a reconnection or a rollover), one
`GET /bars/{bar}` sets, per asset and for macro, the newest bar at or below it to what the
service serves."""

from __future__ import annotations

import logging

from ..client import OBFClient
from ..errors import OBFError
from ..features import asset_row, macro_row
from ..memory import BarMemory


class MemorySync:
    """Whether `memory` may differ from the caches of the service behind `client`, and the look-up
    that makes it agree. A connection opened since the last sync may reach another service process
    (a restart, another base URL), so it counts as a difference too."""

    def __init__(self, client: OBFClient, memory: BarMemory, logger: logging.Logger) -> None:
        self.client = client
        self.memory = memory
        self.logger = logger
        self._synced = False
        self._uncertain_bar: int | None = None   # the bar of the last failed step, until a sync
        self._connections_seen = -1

    def lost(self, bar: int | None) -> None:
        """A step of `bar` (None: no bar) failed: the service may have stepped it or not."""
        self._synced = False
        if bar is not None:
            self._uncertain_bar = bar

    def reset(self) -> None:
        """A new bar sequence: the memory is cleared, and so are the service's caches."""
        self._synced = False
        self._uncertain_bar = None

    def sync(self, bar: int) -> bool:
        """After the step of `bar`, when needed, one `GET /bars/{bar}` (or of the bar whose step
        failed last); True when it changed the memory. A failed look-up is tried again after the
        next step."""
        if self._synced and self.client.connections_opened == self._connections_seen:
            return False
        at = bar if self._uncertain_bar is None else self._uncertain_bar
        try:
            answer = self.client.request_json("GET", f"/bars/{at}")
        except OBFError as error:
            self.logger.debug("obf: GET /bars/%d failed (%s); trying again after the next step", at, error)
            return False
        memory, stepped = self.memory, False
        for asset, lookup in answer["assets"].items():
            served = lookup["served_bar"]
            memory.learn(asset, at, served, None if served is None else asset_row(lookup))
            stepped = stepped or served == at
        macro = answer["macro"]
        served = macro["served_bar"]
        memory.learn_macro(at, served, None if served is None else macro_row(macro["macro"]))
        if stepped or served == at:
            memory.note_stepped(at)
        self._synced = True
        self._uncertain_bar = None
        self._connections_seen = self.client.connections_opened
        return True

