"""Fixtures: real `obf serve` processes, test members and producers, each stopped at the end."""

from __future__ import annotations

import itertools
import signal
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from processes import Member, Process, Producer, Serve


class Processes:
    """Starts the test's processes and stops every one at teardown (newest first)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[Process] = []
        self._numbers = itertools.count(1)

    def _log(self, name: str) -> Path:
        return self.folder / f"{name}-{next(self._numbers)}.log"

    def serve(self, *arguments: str, port: int = 0, environment: dict[str, str] | None = None) -> Serve:
        process = Serve(arguments, self._log("serve"), port=port, environment=environment)
        self.started.append(process)
        return process

    def member(self, port: int) -> Member:
        process = Member(port, self._log("member"))
        self.started.append(process)
        return process

    def producer(self, member_port: int, assets: Sequence[str], interval_ms: int = 100) -> Producer:
        process = Producer(member_port, assets, self._log("producer"), interval_ms=interval_ms)
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.started):
            process.stop(signal.SIGTERM, timeout=10)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    keeper = Processes(tmp_path)
    try:
        yield keeper
    finally:
        keeper.stop_all()

