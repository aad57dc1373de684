"""One keep-alive HTTP or HTTPS connection to the first base URL that answers, with timeouts,
reconnection and a bounded number of attempts per request."""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import OBFConnectionError, OBFTimeout


@dataclass(frozen=True, slots=True)
class BaseURL:
    """`http[s]://host:port[/prefix]` split into what a connection needs."""

    text: str
    scheme: str
    host: str
    port: int
    prefix: str

    @classmethod
    def parse(cls, text: str) -> BaseURL:
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base URL must be http[s]://host[:port][/prefix], got {text!r}")
        if parts.query or parts.fragment:
            raise ValueError(f"base URL must not have a query or fragment, got {text!r}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return cls(text, parts.scheme, parts.hostname, port, parts.path.rstrip("/"))


class Transport:
    """Sends requests over one keep-alive connection to the current base URL.

    A request that gets no answer (connection refused or dropped, timeout, garbled answer) is
    sent again, up to `retries` more times, on a new connection. When it failed on a new
    connection and there are several base URLs, the next one becomes current and stays so
    until it fails in turn. Every request of this API is safe to repeat (a repeated step of the
    same bar is answered `replayed: true`). `timeout` bounds connecting and each read.

    `https://` base URLs are reached over TLS with `ssl_context` (the standard library's
    convention, as `http.client.HTTPSConnection(context=...)`). By default it is
    `ssl.create_default_context()` (the certificate and the host name verified against the
    system's authorities) with TLS 1.2 as the oldest version and ALPN offering `http/1.1`. For a
    private CA, `ssl.create_default_context(cafile=...)`; a client certificate (mutual TLS) goes
    in the context (`load_cert_chain(certfile, keyfile)`). The base URLs must all be `https://` or all `http://`: a failover from
    one to the other would send the token in clear.
    Not thread-safe: one transport per thread.
    """

    def __init__(self, base_urls: str | Sequence[str], *, timeout: float, retries: int | None = None,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        urls = [base_urls] if isinstance(base_urls, str) else list(base_urls)
        if not urls:
            raise ValueError("at least one base URL is needed")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.base_urls = [BaseURL.parse(url) for url in urls]
        schemes = {url.scheme for url in self.base_urls}
        if len(schemes) > 1:
            raise ValueError("base URLs must all be https:// or all http://: a failover between them "
                             "would send the token in clear")
        if ssl_context is not None and schemes == {"http"}:
            raise ValueError("ssl_context is given but no base URL is https://")
        self.ssl_context: ssl.SSLContext | None = None
        if schemes == {"https"}:
            self.ssl_context = ssl_context or _default_context()
        self.timeout = timeout
        self.retries = len(self.base_urls) if retries is None else retries
        if self.retries < 0:
            raise ValueError("retries must be 0 or more")
        self.current = 0
        #: Sockets opened so far; a change between two requests means a reconnection.
        self.connections_opened = 0
        self._connection: http.client.HTTPConnection | None = None

    @property
    def base_url(self) -> str:
        """The base URL requests go to now."""
        return self.base_urls[self.current].text

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: Mapping[str, str] | None = None) -> tuple[int, bytes]:
        """Sends one request and returns (status, body); raises `OBFConnectionError` (or its
        subclass `OBFTimeout`) when no attempt got an answer."""
        attempts = 1 + self.retries
        while True:
            attempts -= 1
            connection = self._connection or self._connect()
            fresh = connection.sock is None   # http.client opens the socket in request()
            if fresh:
                self.connections_opened += 1
            target = self.base_urls[self.current]
            try:
                connection.request(method, target.prefix + path, body=body, headers=dict(headers or {}))
                response = connection.getresponse()
                data = response.read()
                if response.will_close:
                    self._drop()
                return response.status, data
            except (OSError, http.client.HTTPException) as error:
                self._drop()
                if fresh and len(self.base_urls) > 1:
                    self.current = (self.current + 1) % len(self.base_urls)
                if attempts <= 0:
                    raise _no_answer(method, target.text + path, error) from error

    def close(self) -> None:
        """Closes the connection (the next request opens a new one)."""
        self._drop()

    def _connect(self) -> http.client.HTTPConnection:
        target = self.base_urls[self.current]
        if target.scheme == "https":
            self._connection = http.client.HTTPSConnection(target.host, target.port, timeout=self.timeout,
                                                           context=self.ssl_context)
        else:
            self._connection = http.client.HTTPConnection(target.host, target.port, timeout=self.timeout)
        return self._connection

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _default_context() -> ssl.SSLContext:
    """Certificates and host names verified against the system's authorities, TLS 1.2 or later."""
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    return context


def _no_answer(method: str, url: str, error: BaseException) -> OBFConnectionError:
    if isinstance(error, (TimeoutError, socket.timeout)):
        return OBFTimeout(f"{method} {url}: no answer within the timeout")
    return OBFConnectionError(f"{method} {url}: {type(error).__name__}: {error}")
