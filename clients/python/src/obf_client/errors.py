"""The exceptions of the client: one class per error code of the API, plus the failures
that get no answer at all (connection errors and timeouts)."""

from __future__ import annotations

import json


class OBFError(Exception):
    """Anything the client raises: the service's error answers and the failures to reach it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class OBFConnectionError(OBFError):
    """No answer: the connection could not be made, was dropped, or the answer did not parse as HTTP."""


class OBFTimeout(OBFConnectionError):
    """No answer within the client's timeout."""


class APIError(OBFError):
    """An error answer of the service, `{"error": {"code": ..., "message": ...}}`.

    `status` is the HTTP status, `code` the API's error code and `message` the server's text.
    A subclass's class attribute `code` is the code it stands for.
    """

    code: str = ""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status} {code or '(no code)'}: {message}")
        self.status = status
        self.code = code
        self.message = message


class InvalidBar(APIError):
    """400: the bar is not an integer from 0 to 2^53−1."""

    code = "invalid_bar"


class InvalidAsset(APIError):
    """400: the asset does not match `^[A-Za-z0-9]{1,32}$`."""

    code = "invalid_asset"


class InvalidQuery(APIError):
    """400: an unknown, repeated or malformed query parameter."""

    code = "invalid_query"


class InvalidBody(APIError):
    """400: a malformed step body (not `{"assets": [...]}` with 1 to 2000 valid names)."""

    code = "invalid_body"


class BadRequest(APIError):
    """400: malformed HTTP."""

    code = "bad_request"


class Unauthorized(APIError):
    """401: the service has `OBF_API_TOKEN` set and the bearer token is missing or wrong."""

    code = "unauthorized"


class NotFound(APIError):
    """404: no such route."""

    code = "not_found"


class MethodNotAllowed(APIError):
    """405: the route does not take the method."""

    code = "method_not_allowed"


class RequestTimeout(APIError):
    """408: the request's head or body did not reach the service within 10 s."""

    code = "request_timeout"


class BarRegression(APIError):
    """409: the bar is below the last stepped one and no rollover was asked for."""

    code = "bar_regression"


class LengthRequired(APIError):
    """411: `Expect: 100-continue` without a body length."""

    code = "length_required"


class BodyTooLarge(APIError):
    """413: the request body is over 64 KiB."""

    code = "body_too_large"


class URITooLong(APIError):
    """414: the request line is over 16 KiB."""

    code = "uri_too_long"


class HeadersTooLarge(APIError):
    """431: the request head is over 16 KiB or 100 header fields."""

    code = "headers_too_large"


class UnsupportedMediaType(APIError):
    """415: a step body that is not `application/json`."""

    code = "unsupported_media_type"


class NotReady(APIError):
    """503 from `/readyz`: the source is not connected or features are degraded (reason in the message)."""

    code = "not_ready"


class TooManyConnections(APIError):
    """503: the service holds its 512 connections; this one was closed."""

    code = "too_many_connections"


class ServiceError(APIError):
    """An error answer this client does not recognise: an unknown code, a 500, or a body
    that is not the API's error JSON (then `code` is empty)."""


ERRORS_BY_CODE: dict[str, type[APIError]] = {
    cls.code: cls
    for cls in (
        InvalidBar, InvalidAsset, InvalidQuery, InvalidBody, BadRequest, Unauthorized, NotFound,
        MethodNotAllowed, RequestTimeout, BarRegression, LengthRequired, BodyTooLarge, URITooLong,
        HeadersTooLarge, UnsupportedMediaType, NotReady, TooManyConnections,
    )
}


def error_from_response(status: int, body: bytes) -> APIError:
    """The exception for a non-2xx answer: the class of its code, else `ServiceError`."""
    try:
        error = json.loads(body)["error"]
        code, message = error["code"], error["message"]
        if not isinstance(code, str) or not isinstance(message, str):
            raise TypeError("code and message must be strings")
    except (ValueError, KeyError, TypeError, RecursionError):   # RecursionError: JSON nested too deep
        text = body[:200].decode("utf-8", "replace")
        return ServiceError(status, "", f"unexpected answer: {text!r}")
    return ERRORS_BY_CODE.get(code, ServiceError)(status, code, message)
