"""Keep-alive, reconnection, timeouts and the list of base URLs, against real services."""

from __future__ import annotations

import signal
import time

import pytest
from processes import EVENT_LIMIT, Processes, free_port

from obf_client import LiveOBFeatureEngine, LookupSource, OBFClient, OBFConnectionError, OBFTimeout


def test_one_connection_kept_alive_and_reopened_after_a_restart(processes: Processes) -> None:
    port = free_port()
    serve = processes.serve(port=port)
    with OBFClient(serve.url) as client:
        for bar in range(1, 11):
            client.step(bar)
            client.bars(bar)
        assert client.transport.connections_opened == 1
        serve.stop(signal.SIGTERM)
        with pytest.raises(OBFConnectionError):
            client.health()
        processes.serve(port=port)
        assert client.health().status == "ok"
        assert client.transport.connections_opened > 1


def test_a_second_base_url_takes_over_and_stays(processes: Processes) -> None:
    first_port, second_port = free_port(), free_port()
    first = processes.serve(port=first_port)
    second = processes.serve(port=second_port)
    with OBFClient([first.url, second.url]) as client:
        assert client.health().status == "ok" and client.base_url == first.url
        first.stop(signal.SIGKILL)
        assert client.ready().source == "mock" and client.base_url == second.url
        processes.serve(port=first_port)
        for _ in range(3):
            client.health()
            assert client.base_url == second.url      # stays until it fails
        second.stop(signal.SIGKILL)
        client.health()
        assert client.base_url == first.url
    dead = f"http://127.0.0.1:{free_port()}"
    with OBFClient([dead, first.url]) as client:
        assert client.step(1).bar == 1 and client.base_url == first.url


def test_timeouts_bound_every_call(processes: Processes) -> None:
    """A stopped (SIGSTOP) service accepts connections but never answers."""
    serve = processes.serve()
    with OBFClient(serve.url, timeout=0.2, retries=1) as client, LiveOBFeatureEngine(
            OBFClient(serve.url, timeout=0.2, retries=1)) as engine:
        assert engine.step_live(None, 1).ok
        serve.pause()
        try:
            started = time.monotonic()
            with pytest.raises(OBFTimeout):
                client.health()
            status = engine.step_live(None, 2)
            # Far from a hang (the calls have no other bound), not a measure of speed.
            assert time.monotonic() - started < EVENT_LIMIT / 2
            assert not status.ok and isinstance(status.error, OBFTimeout)
            assert engine.get_placement("BTCUSDT", 1).source is LookupSource.DEFAULT
        finally:
            serve.popen.send_signal(signal.SIGCONT)
        # The stopped step was read after SIGCONT: the next one learns it, and all is live again.
        status = engine.step_live(None, 3)
        assert status.ok
        with OBFClient(serve.url) as direct:
            for bar in (2, 3):
                expected = direct.features("BTCUSDT", bar)
                placement = engine.get_placement("BTCUSDT", bar)
                assert (placement.source, placement.served_bar) == (expected.source, expected.served_bar)
                assert placement.depth_quality == expected.placement.depth_quality
