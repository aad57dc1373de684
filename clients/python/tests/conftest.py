"""Fixtures: real `obf serve` processes, test members and producers, each stopped at the end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from processes import Processes


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    keeper = Processes(tmp_path)
    try:
        yield keeper
    finally:
        keeper.stop_all()

