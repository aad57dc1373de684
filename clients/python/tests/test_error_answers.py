"""`error_from_response` on its own: what a non-2xx answer becomes, whatever its body. No service needed."""

from __future__ import annotations

import json

import pytest

from obf_client import APIError, BarRegression, NotReady, ServiceError
from obf_client.errors import ERRORS_BY_CODE, error_from_response


def body(code: object, message: object, **extra: object) -> bytes:
    return json.dumps({"error": {"code": code, "message": message, **extra}}).encode()


def test_a_known_code_keeps_status_code_and_message() -> None:
    error = error_from_response(409, body("bar_regression", "bar 3 is below the last stepped bar 5"))
    assert type(error) is BarRegression
    assert (error.status, error.code, error.message) == (409, "bar_regression", "bar 3 is below the last stepped bar 5")
    assert str(error) == "HTTP 409 bar_regression: bar 3 is below the last stepped bar 5"
    assert isinstance(error, APIError)


def test_the_class_follows_the_code_not_the_status() -> None:
    error = error_from_response(500, body("not_ready", "source not connected"))
    assert type(error) is NotReady and error.status == 500


def test_extra_members_are_ignored() -> None:
    error = error_from_response(503, body("too_many_connections", "full", retry_after=1) + b"  \n")
    assert type(error) is ERRORS_BY_CODE["too_many_connections"] and error.message == "full"


def test_an_unknown_code_is_a_service_error_with_that_code() -> None:
    error = error_from_response(418, body("teapot", "short and stout"))
    assert type(error) is ServiceError
    assert (error.status, error.code, error.message) == (418, "teapot", "short and stout")


@pytest.mark.parametrize("answer", [
    b"",
    b"<html><body>502 Bad Gateway</body></html>",
    b"\xff\xfe\x00garbage",
    b"[1, 2]",
    b'"error"',
    b"null",
    b'{"error": null}',
    b'{"error": "internal"}',
    b'{"error": {"code": "invalid_bar"}}',
    b'{"error": {"message": "no code"}}',
    b'{"error": {"code": 400, "message": "code not a string"}}',
    b'{"error": {"code": "invalid_bar", "message": ["not", "a", "string"]}}',
    b'{"error": {"code": "invalid_bar", "message": "cut off',
    b"[" * 100_000,
])
def test_a_body_that_is_not_the_error_json_is_a_service_error_without_code(answer: bytes) -> None:
    error = error_from_response(502, answer)
    assert type(error) is ServiceError
    assert (error.status, error.code) == (502, "")
    assert error.message.startswith("unexpected answer: ")
    assert str(error).startswith("HTTP 502 (no code): unexpected answer: ")


def test_the_unexpected_body_is_quoted_in_its_first_200_bytes() -> None:
    error = error_from_response(500, b"x" * 150 + b"y" * 100)
    assert error.message == "unexpected answer: " + repr("x" * 150 + "y" * 50)
    undecodable = error_from_response(500, b"ok \xff")
    assert undecodable.message == "unexpected answer: " + repr("ok \ufffd")
