"""A wrong or missing token: `Unauthorized` from the client; a failed, logged step from the engine."""

from __future__ import annotations

import logging

import pytest
from processes import Processes

from obf_client import LiveOBFeatureEngine, LookupSource, OBFClient, Unauthorized

TOKEN = "s3cret-token"


def test_wrong_or_missing_token(processes: Processes, caplog: pytest.LogCaptureFixture) -> None:
    serve = processes.serve(environment={"OBF_API_TOKEN": TOKEN})
    for token in ("wrong", None):
        with OBFClient(serve.url, token=token) as client:
            with pytest.raises(Unauthorized) as refused:
                client.step(1)
            assert refused.value.status == 401 and refused.value.code == "unauthorized"
            assert refused.value.message
            assert client.features("BTCUSDT", 1).source is LookupSource.DEFAULT   # reads stay open
    with OBFClient(serve.url, token=TOKEN) as client:
        assert client.step(1).bar == 1


def test_engine_with_a_wrong_token(processes: Processes, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="obf_client")
    serve = processes.serve(environment={"OBF_API_TOKEN": TOKEN})
    with LiveOBFeatureEngine(serve.url, token="wrong") as engine:
        for bar in range(1, 4):
            status = engine.step_live(None, bar)
            assert not status.ok and isinstance(status.error, Unauthorized)
            assert engine.get_placement("BTCUSDT", bar).source is LookupSource.DEFAULT
        counters = engine.counters
        assert (counters.steps_ok, counters.steps_failed, counters.failing) == (0, 3, True)
        assert isinstance(counters.last_error, Unauthorized)
        errors = [r for r in caplog.records if r.name == "obf_client" and r.levelno == logging.ERROR]
        assert len(errors) == 1 and "unauthorized" in errors[0].getMessage()
    with LiveOBFeatureEngine(serve.url, token=TOKEN) as engine:
        assert engine.step_live(None, 4).ok
        assert engine.get_placement("BTCUSDT", 4).source is LookupSource.LIVE
