"""`OBFClient`: every route of the obf HTTP API, typed."""

from __future__ import annotations

import json
import operator
import ssl
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

from .errors import ServiceError, error_from_response
from .models import BarLookup, FeatureLookup, Health, JSONObject, MacroLookup, Readiness, StepReport
from .table import TABLE_MEDIA_TYPE, StepTable, decode_step_table
from .transport import Transport

DEFAULT_BASE_URL = "http://127.0.0.1:8080"

Body = TypeVar("Body", covariant=True)


class _Parsable(Protocol[Body]):
    def from_json(self, body: JSONObject, /) -> Body: ...


def encode_assets(assets: Sequence[str] | None) -> bytes | None:
    """The step body naming `assets`; None (no body: the configured assets) when there are none."""
    if not assets:
        return None
    if isinstance(assets, str):
        raise TypeError("assets must be a sequence of names, not one string")
    return json.dumps({"assets": list(assets)}, separators=(",", ":")).encode()


def step_path(bar: int, *, rollover: bool = False, include_features: bool = False, include_table: bool = False) -> str:
    """`/step/{bar}` with its query: `include_features` asks for the features as objects,
    `include_table` as one table of numbers (`feature_table`, cheaper to send and to parse)."""
    query = [name for name, wanted in (("rollover=true", rollover), ("include=features", include_features),
                                       ("include=feature_table", include_table and not include_features)) if wanted]
    return f"/step/{operator.index(bar)}" + ("?" + "&".join(query) if query else "")


class OBFClient:
    """A client of `obf serve` over keep-alive HTTP/1.1 or HTTPS (`http.client`, standard library only).

    `base_urls` is one URL or a list tried in order: when the current one stops answering the
    next takes over and stays current until it fails. `token` is sent as
    `Authorization: Bearer <token>` (the service's `OBF_API_TOKEN`). `timeout` (seconds) bounds
    connecting and each read of every call; a call that gets no answer is repeated on a new
    connection up to `retries` more times (default: one per base URL), which is safe for every
    route, steps included (a repeated step of the same bar answers `replayed: true`).

    `https://` base URLs are reached over TLS with `ssl_context`: see `Transport` for the default
    (the certificate and host name verified) and for a private CA or mutual TLS.

    Error answers raise the `APIError` subclass of their code (`BarRegression`, `Unauthorized`,
    `NotReady`, …); no answer raises `OBFConnectionError` (`OBFTimeout` for a timeout).
    Not thread-safe: one client per thread.
    """

    def __init__(self, base_urls: str | Sequence[str] = DEFAULT_BASE_URL, *, token: str | None = None,
                 timeout: float = 1.0, retries: int | None = None, ssl_context: ssl.SSLContext | None = None) -> None:
        self.transport = Transport(base_urls, timeout=timeout, retries=retries, ssl_context=ssl_context)
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._json_headers = {**self._headers, "Content-Type": "application/json"}

    @property
    def base_url(self) -> str:
        """The base URL calls go to now."""
        return self.transport.base_url

    @property
    def connections_opened(self) -> int:
        """How many connections calls have opened so far, to every base URL. It rises when a call
        could not reuse the keep-alive connection: the first call, after the service closed it (a
        restart, its idle limit), after a failed attempt, or when another base URL took over. A
        change between two calls means the second may have reached another service process than
        the first (what a caller learned from the first may no longer hold)."""
        return self.transport.connections_opened

    # -- routes --------------------------------------------------------------------------------

    def step(self, bar: int, assets: Sequence[str] | None = None, *, rollover: bool = False,
             include_features: bool = False) -> StepReport:
        """`POST /step/{bar}` over `assets` (the service's configured assets when None or empty);
        `rollover` starts a new bar sequence at a lower bar; `include_features` fills
        `StepReport.features`."""
        path = step_path(bar, rollover=rollover, include_features=include_features)
        return self._typed(StepReport, "POST", path, encode_assets(assets))

    def step_table(self, bar: int, assets: Sequence[str] | None = None, *, rollover: bool = False,
                   binary: bool = True) -> StepTable:
        """`POST /step/{bar}` with the computed assets' features as one table of numbers: the
        binary form (`Accept: application/octet-stream`, read without parsing a number) or, with
        `binary=False`, the JSON `?include=feature_table`. Both give the same doubles."""
        path = step_path(bar, rollover=rollover, include_table=True)
        return decode_step_table(self.request("POST", path, encode_assets(assets),
                                              accept=TABLE_MEDIA_TYPE if binary else None))

    def features(self, asset: str, bar: int) -> FeatureLookup:
        """`GET /features/{asset}/{bar}`: one asset's look-up."""
        return self._typed(FeatureLookup, "GET", f"/features/{quote(asset, safe='')}/{operator.index(bar)}")

    def macro(self, bar: int) -> MacroLookup:
        """`GET /macro/{bar}`: the macro look-up."""
        return self._typed(MacroLookup, "GET", f"/macro/{operator.index(bar)}")

    def bars(self, bar: int) -> BarLookup:
        """`GET /bars/{bar}`: every known asset's look-up and the macro look-up."""
        return self._typed(BarLookup, "GET", f"/bars/{operator.index(bar)}")

    def ready(self) -> Readiness:
        """`GET /readyz`; raises `NotReady` (with every reason in its message) when not ready."""
        return self._typed(Readiness, "GET", "/readyz")

    def health(self) -> Health:
        """`GET /healthz`."""
        return self._typed(Health, "GET", "/healthz")

    def metrics_text(self) -> str:
        """`GET /metrics`: the Prometheus text exposition."""
        return self.request("GET", "/metrics").decode("utf-8")

    # -- plumbing ------------------------------------------------------------------------------

    def request(self, method: str, path: str, body: bytes | None = None, *, accept: str | None = None) -> bytes:
        """The body of a 2xx answer (`accept`: the `Accept` field to send); raises the error of any
        other answer."""
        headers = self._json_headers if body is not None else self._headers
        status, data = self.transport.request(method, path, body,
                                              headers if accept is None else {**headers, "Accept": accept})
        if not 200 <= status < 300:
            raise error_from_response(status, data)
        return data

    def request_json(self, method: str, path: str, body: bytes | None = None) -> Any:
        """`request`, parsed as JSON (an answer that is not JSON raises `ServiceError`)."""
        data = self.request(method, path, body)
        try:
            return json.loads(data)
        except ValueError as error:
            raise ServiceError(200, "", f"{method} {path}: the answer is not JSON: {data[:120]!r}") from error

    def _typed(self, kind: _Parsable[Body], method: str, path: str, body: bytes | None = None) -> Body:
        """`request_json` as a model (an answer without the model's fields raises `ServiceError`)."""
        answer = self.request_json(method, path, body)
        try:
            return kind.from_json(answer)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ServiceError(200, "", f"{method} {path}: unexpected answer ({type(error).__name__}: {error})") from error

    def close(self) -> None:
        """Closes the connection."""
        self.transport.close()

    def __enter__(self) -> OBFClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
