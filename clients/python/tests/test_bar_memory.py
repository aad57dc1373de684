"""The engine's memory (one frame per stepped bar) against a plain model of the look-up rule:
the bar itself, else the newest retained bar below it where the asset has a row, never a later
one; only the newest `max_bars` stepped bars retained. No service needed."""

from __future__ import annotations

import random
from array import array

from obf_client.memory import BarMemory

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
