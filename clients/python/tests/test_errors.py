"""Every error code of the API raises its own class, with the server's message."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from processes import Processes, Serve

import obf_client
from obf_client import (APIError, BadRequest, BarRegression, BodyTooLarge, HeadersTooLarge, InvalidAsset, InvalidBar,
                        InvalidBody, InvalidQuery, LengthRequired, MethodNotAllowed, NotFound, NotReady, OBFClient,
                        ServiceError, TooManyConnections, UnsupportedMediaType, URITooLong)
from obf_client.errors import ERRORS_BY_CODE, error_from_response

README_CODES = ["invalid_bar", "invalid_asset", "invalid_query", "invalid_body", "bad_request", "unauthorized",
                "not_found", "method_not_allowed", "request_timeout", "bar_regression", "length_required",
                "body_too_large", "uri_too_long", "headers_too_large", "unsupported_media_type", "not_ready",
                "too_many_connections"]


def test_one_class_per_code_of_the_readme() -> None:
    assert sorted(ERRORS_BY_CODE) == sorted(README_CODES)
    assert len(set(ERRORS_BY_CODE.values())) == len(README_CODES)
    for code, kind in ERRORS_BY_CODE.items():
        error = error_from_response(400, f'{{"error":{{"code":"{code}","message":"why"}}}}'.encode())
        assert type(error) is kind and error.code == code and error.message == "why"
        assert getattr(obf_client, kind.__name__) is kind
    unknown = error_from_response(500, b'{"error":{"code":"internal_error","message":"a bug"}}')
    assert type(unknown) is ServiceError and (unknown.status, unknown.code, unknown.message) == (
        500, "internal_error", "a bug")
    html = error_from_response(502, b"<html>Bad Gateway</html>")
    assert type(html) is ServiceError and html.status == 502 and html.code == "" and "Bad Gateway" in html.message


def raw_answer(serve: Serve, request: bytes) -> APIError:
    """The error the client makes of the service's answer to a request http.client cannot send."""
    with socket.create_connection(("127.0.0.1", serve.port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.split(b"\r\n\r\n", 1)[1]) < length(answer):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, body = answer.split(b"\r\n\r\n", 1)
    return error_from_response(int(head.split()[1]), body)


def length(answer: bytes) -> int:
    for line in answer.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def test_the_service_answers_raise_their_class(processes: Processes, tmp_path: Path) -> None:
    serve = processes.serve()
    with OBFClient(serve.url) as client:
        cases: list[tuple[type[APIError], int, object]] = [
            (InvalidBar, 400, lambda: client.features("BTCUSDT", 2**53)),
            (InvalidAsset, 400, lambda: client.features("BTC-USDT", 1)),
            (InvalidAsset, 400, lambda: client.features("BTC/USDT 1", 1)),   # quoted: one path segment
            (InvalidQuery, 400, lambda: client.request("GET", "/bars/1?at=2")),
            (InvalidBody, 400, lambda: client.request("POST", "/step/1", b'{"assets": 5}')),
            (NotFound, 404, lambda: client.request("GET", "/nowhere")),
            (MethodNotAllowed, 405, lambda: client.request("DELETE", "/bars/1")),
            (BodyTooLarge, 413, lambda: client.request("POST", "/step/1", b" " * 70_000)),
            (URITooLong, 414, lambda: client.request("GET", "/bars/" + "1" * 17_000)),
        ]
        for kind, status, call in cases:
            with pytest.raises(kind) as raised:
                call()  # type: ignore[operator]
            assert raised.value.status == status and raised.value.message, (kind, raised.value)
        status, body = client.transport.request("GET", "/healthz", headers={"X-Big": "x" * 17_000})
        assert type(error_from_response(status, body)) is HeadersTooLarge
        status, body = client.transport.request("POST", "/step/1", b"assets=BTCUSDT", {"Content-Type": "text/plain"})
        assert type(error_from_response(status, body)) is UnsupportedMediaType
        client.step(5)
        with pytest.raises(BarRegression, match="below the last stepped bar 5"):
            client.step(3)
    assert type(raw_answer(serve, b"NOT HTTP AT ALL\r\n\r\n")) is BadRequest
    assert type(raw_answer(serve, b"POST /step/9 HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n")) is LengthRequired


def test_not_ready(processes: Processes, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    serve = processes.serve("--source", "replay", "--replay-file", str(empty), "--assets", "BTCUSDT")
    with OBFClient(serve.url) as client:
        for bar in range(3):
            assert client.step(bar).computed == 0
        with pytest.raises(NotReady, match="no order-book snapshots for 3 bars") as raised:
            client.ready()
        assert raised.value.status == 503


def test_too_many_connections(processes: Processes) -> None:
    serve = processes.serve()
    held = [socket.create_connection(("127.0.0.1", serve.port)) for _ in range(512)]
    try:
        for _ in range(100):   # a new connection each time, until the service has accepted the held ones
            with OBFClient(serve.url, retries=0) as client:
                try:
                    client.health()
                except TooManyConnections as refused:
                    assert refused.status == 503 and refused.message
                    break
            time.sleep(0.05)
        else:
            pytest.fail("the service kept serving new connections past 512")
    finally:
        for sock in held:
            sock.close()
