"""The engine's bar sequence: a bar below the previous one, or one the service refuses as
`bar_regression`, starts a new one, which the next step request says (`rollover=true`)."""

from __future__ import annotations

import logging

from ..errors import BarRegression


class BarSequence:
    """The previous bar stepped, and whether the next step request starts a new bar sequence."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger
        self.last_bar: int | None = None
        #: A new sequence was started and no step request has said so yet.
        self.pending = False

    def steps_below(self, bar: int) -> bool:
        """Takes `bar` as the bar stepped now: True when it is below the previous one (the loop's
        daily reset), a new sequence to start (one INFO line)."""
        previous, self.last_bar = self.last_bar, bar
        if previous is None or bar >= previous:
            return False
        self.logger.info("obf: bar %d is below the previous bar %d: new bar sequence (rollover)", bar, previous)
        return True

    def refused(self, bar: int, refusal: BarRegression) -> None:
        """The service refused `bar` (it stepped higher bars before this engine started): one
        WARNING line; a new sequence to start."""
        self.logger.warning("obf: the service refused bar %d (%s); stepping it with rollover=true: new bar sequence",
                            bar, refusal.message)

    def start(self) -> None:
        """Starts a new sequence: the next step request says `rollover=true`."""
        self.pending = True

    def said(self) -> bool:
        """A step request was answered: True when it started the new sequence."""
        rollover, self.pending = self.pending, False
        return rollover
