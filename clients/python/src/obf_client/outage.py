"""Logging of failing steps: one line when an outage starts (or its cause changes), one when it ends."""

from __future__ import annotations

import logging
import time

from .errors import APIError, OBFConnectionError, OBFError


def failure_kind(error: BaseException) -> str:
    """What an outage is about: `unreachable` for no answer or a 5xx, else the error code or type."""
    if isinstance(error, OBFConnectionError) or (isinstance(error, APIError) and error.status >= 500):
        return "unreachable"
    if isinstance(error, APIError):
        return error.code or f"http_{error.status}"
    return type(error).__name__


def needs_operator(error: BaseException) -> bool:
    """True for failures retrying cannot mend: a refused request (4xx, e.g. a wrong token) or a bug."""
    if isinstance(error, APIError):
        return error.status < 500
    return not isinstance(error, OBFConnectionError)


class OutageLog:
    """Tells the log about failing steps without a line per scan."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger
        self.kind: str | None = None
        self.failures = 0
        self.started = 0.0

    def failed(self, bar: int | None, error: BaseException) -> None:
        """Counts a failed step; logs it when it starts an outage or changes its cause."""
        self.failures += 1
        kind = failure_kind(error)
        if kind == self.kind:
            return
        if self.kind is None:
            self.started = time.monotonic()
            what = "failed"
        else:
            what = "still failing, now"
        self.kind = kind
        level = logging.ERROR if needs_operator(error) else logging.WARNING
        bug = not isinstance(error, OBFError)   # with its traceback
        self.logger.log(level, "obf: step of bar %s %s: %s; features are neutral defaults until a step succeeds",
                        bar, what, error if not bug else repr(error), exc_info=error if bug else None)

    def succeeded(self, bar: int) -> None:
        """Ends an outage, if any, with one line."""
        if self.kind is None:
            return
        self.logger.info("obf: steps succeed again from bar %d after %d failed (%.1f s)", bar, self.failures,
                         time.monotonic() - self.started)
        self.kind = None
        self.failures = 0
