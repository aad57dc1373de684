"""The engine's memory (one frame per stepped bar, and the macro series) against plain models of
the look-up rule: the bar itself, else the newest retained bar below it where the asset has a
row, never a later one; only the newest `max_bars` stepped bars retained. No service needed."""

from __future__ import annotations

import random
from array import array

import pytest

from obf_client.memory import BarLog, BarMemory

WIDTH = 3
ASSETS = [f"A{index}" for index in range(8)]


class Model:
    """Every row by bar and asset, every stepped bar; retention applied at look-up time."""

    def __init__(self, max_bars: int) -> None:
        self.max_bars = max_bars
        self.rows: dict[int, dict[str, tuple[float, ...]]] = {}
        self.stepped: set[int] = set()
        self.floor = -1

    def step(self, bar: int, assets: list[str], values: list[float]) -> None:
        frame = self.rows.setdefault(bar, {})
        for position, asset in enumerate(assets):
            frame[asset] = tuple(values[position * WIDTH:(position + 1) * WIDTH])
        self.note_stepped(bar)

    def note_stepped(self, bar: int) -> None:
        if bar <= self.floor:
            return
        self.stepped.add(bar)
        while len(self.stepped) > self.max_bars:
            oldest = min(self.stepped)
            self.stepped.remove(oldest)
            self.floor = max(self.floor, oldest)

    def learn(self, asset: str, at: int, served: int | None, row: tuple[float, ...] | None) -> None:
        for bar, frame in self.rows.items():
            if (served is None or bar > served) and bar <= at:
                frame.pop(asset, None)
        if served is not None and row is not None and served > self.floor:
            self.rows.setdefault(served, {})[asset] = row

    def newest(self, asset: str, bar: int) -> tuple[int, tuple[float, ...]] | None:
        held = [held for held, frame in self.rows.items() if self.floor < held <= bar and asset in frame]
        return None if not held else (max(held), self.rows[max(held)][asset])


def answer(memory: BarMemory, asset: str, bar: int) -> tuple[int, tuple[float, ...]] | None:
    frame = memory.newest(asset, bar)
    if frame is None:
        return None
    at = frame.rows[asset]
    return frame.bar, tuple(frame.values[at:at + WIDTH])


def test_frames_answer_as_the_look_up_rule() -> None:
    rng = random.Random(20261204)
    for trial in range(40):
        max_bars = rng.choice([1, 2, 3, 5, 8])
        memory, model = BarMemory(max_bars, WIDTH, 1), Model(max_bars)
        bar, same_list = 0, list(ASSETS)
        for _ in range(120):
            action = rng.random()
            if action < 0.55:                       # a step, mostly of the next bar
                bar += rng.choice([0, 1, 1, 1, 2, 3])
                assets = same_list if rng.random() < 0.5 else rng.sample(ASSETS, rng.randrange(0, len(ASSETS) + 1))
                values = [rng.random() for _ in range(len(assets) * WIDTH)]
                memory.add_table(bar, assets, array("d", values))
                memory.note_stepped(bar)
                model.step(bar, assets, values)
            elif action < 0.65:                     # what a `GET /bars/{at}` after a failure tells
                asset, at = rng.choice(ASSETS), max(0, bar - rng.randrange(0, 4))
                served = None if rng.random() < 0.3 else max(0, at - rng.randrange(0, 4))
                row = None if served is None else tuple(rng.random() for _ in range(WIDTH))
                memory.learn(asset, at, served, row)
                model.learn(asset, at, served, row)
                if served == at:
                    memory.note_stepped(at)
                    model.note_stepped(at)
            for _ in range(6):                      # look-ups at, below and above the newest bar
                asset, probe = rng.choice(ASSETS), max(0, bar + rng.randrange(-6, 4))
                assert answer(memory, asset, probe) == model.newest(asset, probe), (trial, asset, probe)
        for asset in ASSETS:
            for probe in range(bar + 2):
                assert answer(memory, asset, probe) == model.newest(asset, probe), (trial, asset, probe)


def test_an_asset_skipped_for_many_steps_falls_back_to_its_last_row_until_evicted() -> None:
    memory = BarMemory(5, WIDTH, 1)
    memory.add_table(0, ["A", "B"], array("d", [1, 1, 1, 2, 2, 2]))
    memory.note_stepped(0)
    for bar in range(1, 5):
        memory.add_table(bar, ["A"], array("d", [bar, bar, bar]))
        memory.note_stepped(bar)
        assert answer(memory, "B", bar) == (0, (2.0, 2.0, 2.0))
    memory.add_table(5, ["A"], array("d", [5, 5, 5]))
    memory.note_stepped(5)                          # bar 0 evicted: B has nothing left
    assert answer(memory, "B", 5) is None
    assert answer(memory, "A", 5) == (5, (5.0, 5.0, 5.0))
    assert answer(memory, "A", 0) is None


def test_max_bars_must_be_at_least_one() -> None:
    with pytest.raises(ValueError, match="max_bars"):
        BarMemory(0, WIDTH, 1)


def test_a_step_of_a_bar_held_already_replaces_rows_by_asset_and_keeps_the_others() -> None:
    memory = BarMemory(5, WIDTH, 1)
    memory.add_table(3, ["A", "B"], array("d", [1, 1, 1, 2, 2, 2]))
    memory.note_stepped(3)
    memory.add_table(3, ["B", "C"], array("d", [5, 5, 5, 6, 6, 6]))   # the replayed step of bar 3
    memory.note_stepped(3)
    assert [answer(memory, asset, 3) for asset in ("A", "B", "C")] == [
        (3, (1.0, 1.0, 1.0)), (3, (5.0, 5.0, 5.0)), (3, (6.0, 6.0, 6.0))]
    assert list(memory.stepped) == [3] and memory.names == {"A", "B", "C"}


def test_frames_of_one_asset_list_share_rows_until_one_changes() -> None:
    memory = BarMemory(5, WIDTH, 1)
    assets = ["A", "B"]
    first = memory.add_table(1, assets, array("d", [1] * 6))
    second = memory.add_table(2, assets, array("d", [2] * 6))
    assert first.rows is second.rows
    memory.learn("A", 2, 1, None)           # bar 2 serves bar 1 for A: A's row at 2 is forgotten
    assert first.rows is not second.rows and "A" in first.rows and "A" not in second.rows
    assert answer(memory, "A", 2) == (1, (1.0, 1.0, 1.0))
    assert answer(memory, "B", 2) == (2, (2.0, 2.0, 2.0))
    third = memory.add_table(3, assets, array("d", [3] * 6))
    assert third.rows is first.rows          # the index of the same list, untouched by bar 2's change


def test_a_learned_row_below_every_frame_is_kept_in_its_own_frame() -> None:
    memory = BarMemory(5, WIDTH, 1)
    memory.add_table(4, ["A"], array("d", [4] * 3))
    memory.note_stepped(4)
    memory.learn("B", 4, 2, (7.0, 8.0, 9.0))  # at bar 4 the service serves B's row of bar 2
    assert memory.bars == [2, 4]
    assert answer(memory, "B", 4) == (2, (7.0, 8.0, 9.0))
    assert answer(memory, "B", 1) is None
    memory.learn("B", 4, None, None)          # and now nothing at all
    assert answer(memory, "B", 4) is None


def test_a_rollover_forgets_everything() -> None:
    memory = BarMemory(2, WIDTH, 2)
    for bar in range(4):
        memory.add_table(bar, ["A"], array("d", [bar] * 3))
        memory.macro.put(bar, (bar, -bar), memory.floor)
        memory.note_stepped(bar)
    assert memory.floor == 1
    memory.clear()
    assert (memory.floor, memory.bars, memory.frames, memory.names, list(memory.stepped)) == (-1, [], {}, set(), [])
    assert memory.newest("A", 3) is None and memory.macro.newest(3, memory.floor) == -1
    memory.add_table(0, ["A"], array("d", [9] * 3))     # bar 0 is answered again
    memory.note_stepped(0)
    assert answer(memory, "A", 0) == (0, (9.0, 9.0, 9.0))


class LogModel:
    """The macro series by bar, as a dict."""

    def __init__(self) -> None:
        self.rows: dict[int, tuple[float, ...]] = {}

    def newest(self, bar: int, floor: int) -> tuple[int, tuple[float, ...]] | None:
        held = [held for held in self.rows if floor < held <= bar]
        return None if not held else (max(held), self.rows[max(held)])


def log_answer(log: BarLog, bar: int, floor: int) -> tuple[int, tuple[float, ...]] | None:
    row = log.newest(bar, floor)
    return None if row < 0 else (log.bars[row], tuple(log.values[row * log.width:(row + 1) * log.width]))


def test_a_bar_log_answers_the_newest_row_at_or_below_a_bar_above_the_floor() -> None:
    rng = random.Random(4122026)
    for trial in range(30):
        log, model, floor, bar = BarLog(2), LogModel(), -1, 0
        for _ in range(400):                      # long enough to compact evicted rows away
            action = rng.random()
            if action < 0.6:                      # mostly the next bar, sometimes one again or below
                bar += rng.choice([1, 1, 1, 2, 0])
                written = bar if rng.random() < 0.85 else max(0, bar - rng.randrange(0, 5))
                row = (rng.random(), float(written))
                log.put(written, row, floor)
                if written > floor:
                    model.rows[written] = row
            elif action < 0.7:                    # a failed step: rows in (above, through] go
                through = max(0, bar - rng.randrange(0, 3))
                above = None if rng.random() < 0.2 else through - rng.randrange(1, 4)
                log.remove(above, through)
                for held in list(model.rows):
                    if (above is None or held > above) and held <= through:
                        del model.rows[held]
            elif action < 0.8:                    # eviction moves the floor up
                floor = max(floor, bar - rng.randrange(3, 12))
            for _ in range(4):
                probe = max(0, bar + rng.randrange(-8, 3))
                assert log_answer(log, probe, floor) == model.newest(probe, floor), (trial, probe, floor)
        for probe in range(bar + 2):
            assert log_answer(log, probe, floor) == model.newest(probe, floor), (trial, probe, floor)


def test_a_bar_log_drops_evicted_rows_once_many_have_gathered() -> None:
    log = BarLog(1)
    for bar in range(200):
        log.put(bar, (float(bar),), bar - 10)
    assert len(log.bars) < 200 and len(log.values) == len(log.bars)    # cut off, not only skipped
    assert log_answer(log, 199, 189) == (199, (199.0,))
    assert log_answer(log, 189, 189) is None
    assert log_answer(log, 190, 189) == (190, (190.0,))
