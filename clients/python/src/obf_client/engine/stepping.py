"""One step of `LiveOBFeatureEngine`: the request (`POST /step/{bar}?include=feature_table`, the
binary table) and what its answer puts in memory."""

from __future__ import annotations

from array import array
from collections.abc import Sequence

from ..client import OBFClient, encode_assets, step_path
from ..features import column_order, macro_row
from ..memory import BarMemory
from ..table import TABLE_MEDIA_TYPE, StepTable, decode_step_table


class Stepper:
    """Posts steps through `client` and keeps their tables in `memory`."""

    def __init__(self, client: OBFClient, memory: BarMemory) -> None:
        self.client = client
        self.memory = memory
        self._body_key: tuple[str, ...] | None = None
        self._body: bytes | None = None
        self._columns: list[str] | None = None
        self._order: tuple[int, ...] | None = None

    def post(self, bar: int, assets: Sequence[str] | None, *, rollover: bool) -> StepTable:
        """Steps `bar` over `assets` (the service's configured assets when None or empty)."""
        path = step_path(bar, rollover=rollover, include_table=True)
        return decode_step_table(self.client.request("POST", path, self._step_body(assets), accept=TABLE_MEDIA_TYPE))

    def _step_body(self, assets: Sequence[str] | None) -> bytes | None:
        key = tuple(assets or ())
        if key != self._body_key:
            self._body_key, self._body = key, encode_assets(key)
        return self._body

    def keep(self, bar: int, answer: StepTable) -> array[float]:
        """Keeps the step's table whole in memory (no work per asset); returns its values, one row
        of `ASSET_COLUMNS` per asset of `answer.assets`."""
        memory = self.memory
        columns, values = answer.columns, answer.values
        if columns != self._columns:
            self._columns, self._order = columns, column_order(columns)
        order = self._order
        if order is not None:   # the service's columns in another order, or more of them: rows reordered once
            width = len(columns)
            values = array("d", [values[start + index] for start in range(0, len(values), width) for index in order])
        memory.add_table(bar, answer.assets, values)
        macro = answer.report["macro"]
        if macro is not None:
            memory.macro.put(bar, macro_row(macro), memory.floor)
        memory.note_stepped(bar)
        return values
