"""`ReplayOBFeatureEngine`: the trader's order-book engine answered from `obf replay` output, for
backtests that must see exactly the features the live loop saw.

The record is read whole (JSON Lines or CSV) into a few arrays: every computed asset's nine
numbers of every step in one `array('d')` (72 bytes per asset-step), per asset the rows that
hold it, per step its bar, time and first row. A look-up is a few binary searches over them.

The engine is a cursor over the recorded steps. Its `get_*` answer what `LiveOBFeatureEngine`
answered right after stepping the cursor's step: the look-up rule (features.md §5) over the
steps of the cursor's bar sequence up to the cursor, of which only the newest `max_bars` are
retained; nothing recorded after the cursor is ever seen. With `as_service`, where the
service started again from an older state (`resumed` in the output: a `kill -9` and a restart
from an older state file, or a start without one), the steps its caches lost are not seen from
there on, as the service's own look-ups did not see them (the live engine's memory did).
"""

from .engine import ReplayOBFeatureEngine
from .reading import CSV_COLUMNS, MACRO_COLUMNS, RESUMED_COLUMN, ReplayFormat, ReplaySource, read_replay
from .record import ReplayRecord, ReplayStep
from .view import ReplayView

__all__ = ["CSV_COLUMNS", "MACRO_COLUMNS", "RESUMED_COLUMN", "ReplayFormat", "ReplayOBFeatureEngine", "ReplayRecord",
           "ReplaySource", "ReplayStep", "ReplayView", "read_replay"]
