"""The binary feature table (`Accept: application/octet-stream`) gives exactly the doubles of the
JSON `?include=feature_table`, and the engine reads it."""

from __future__ import annotations

import json
import struct

import pytest
from processes import Processes

from obf_client import LiveOBFeatureEngine, OBFClient, ServiceError
from obf_client.features import ASSET_COLUMNS
from obf_client.table import decode_step_table

ASSETS = ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT"]


def test_binary_and_json_tables_carry_the_same_doubles(processes: Processes) -> None:
    serve = processes.serve("--assets", ",".join(ASSETS[:4]))
    with OBFClient(serve.url) as client:
        for bar in range(1, 30):
            binary = client.step_table(bar, ASSETS)
            text = client.step_table(bar, ASSETS, binary=False)     # the same bar again: the stored step
            assert text.report.pop("replayed") and not binary.report.pop("replayed")
            assert binary.report == text.report
            assert (binary.columns, binary.assets) == (text.columns, text.assets) == (list(ASSET_COLUMNS), ASSETS)
            assert binary.values.tobytes() == text.values.tobytes()   # bit for bit
            assert len(binary.values) == 9 * len(ASSETS) and binary.report["computed"] == len(ASSETS)
        objects = client.step(29, ASSETS, include_features=True).features
        assert objects is not None
        row = binary.values[9 * 4:9 * 5]
        placement, signal = objects["XRPUSDT"].placement, objects["XRPUSDT"].signal
        assert list(row) == [getattr(placement, name) if hasattr(placement, name) else getattr(signal, name)
                             for name in ASSET_COLUMNS]


def test_a_step_without_books_has_an_empty_table(processes: Processes) -> None:
    serve = processes.serve("--source", "hazelcast", "--hz-members", "127.0.0.1:1", "--step-deadline-ms", "50")
    with OBFClient(serve.url) as client:
        table = client.step_table(1, ["BTCUSDT"])
        assert table.assets == [] and len(table.values) == 0 and table.report["skipped"] == {"BTCUSDT": "missing"}
        assert table.report["macro"] is None


def test_the_layout_is_the_documented_one(processes: Processes) -> None:
    serve = processes.serve()
    with OBFClient(serve.url) as client:
        data = client.request("POST", "/step/1?include=feature_table", accept="application/octet-stream")
    assert data[:4] == b"OBFT"
    (length,) = struct.unpack_from("<I", data, 4)
    assert length % 8 == 0
    header = json.loads(data[8:8 + length])         # the JSON body, padded with spaces
    assert header["feature_table"] == {"columns": list(ASSET_COLUMNS), "assets": ASSETS[:4]}
    rows = (len(data) - 8 - length) // 72
    assert rows == 4 and (len(data) - 8 - length) % 72 == 0
    first = struct.unpack_from("<9d", data, 8 + length)
    assert first == tuple(decode_step_table(data).values[:9])


@pytest.mark.parametrize("garbled", [b"", b"OBFT", b"OBFT\x08\x00\x00\x00{}      ", b"OBFT\x10\x00\x00\x00" + b" " * 16,
                                     b'{"feature_table": 1}', b"<html>"])
def test_a_garbled_answer_is_a_service_error(garbled: bytes) -> None:
    with pytest.raises(ServiceError):
        decode_step_table(garbled)


def test_rows_that_do_not_add_up_are_refused() -> None:
    header = b'{"feature_table":{"columns":["a"],"assets":["X","Y"]}}'
    header += b" " * (-len(header) % 8)
    data = b"OBFT" + struct.pack("<I", len(header)) + header + struct.pack("<d", 1.0)
    with pytest.raises(ServiceError, match="1 numbers for 2 assets"):
        decode_step_table(data)


def test_the_engine_reads_the_binary_table(processes: Processes) -> None:
    serve = processes.serve()
    with LiveOBFeatureEngine(serve.url) as engine, OBFClient(serve.url) as client:
        for bar in range(1, 6):
            assert engine.step_live(None, bar).ok
        expected = client.features("ETHUSDT", 5)
        placement = engine.get_placement("ETHUSDT", 5)
        assert placement.depth_1pct_usd == expected.placement.depth_1pct_usd
        assert placement.spread_proxy_bps == expected.placement.spread_proxy_bps
