"""`BaseURL.parse`: what a base URL may be and what a connection takes of it. No service needed."""

from __future__ import annotations

import pytest

from obf_client.transport import BaseURL


@pytest.mark.parametrize("text, scheme, host, port, prefix", [
    ("http://127.0.0.1:8080", "http", "127.0.0.1", 8080, ""),
    ("http://127.0.0.1:8080/", "http", "127.0.0.1", 8080, ""),
    ("http://localhost", "http", "localhost", 80, ""),
    ("http://localhost:", "http", "localhost", 80, ""),
    ("https://obf.example.com", "https", "obf.example.com", 443, ""),
    ("https://obf.example.com:8443/obf", "https", "obf.example.com", 8443, "/obf"),
    ("http://OBF.Example.COM/Feed/v1/", "http", "obf.example.com", 80, "/Feed/v1"),
    ("http://[::1]:9000/api//", "http", "::1", 9000, "/api"),
])
def test_a_base_url_is_split_for_a_connection(text: str, scheme: str, host: str, port: int, prefix: str) -> None:
    url = BaseURL.parse(text)
    assert url == BaseURL(text, scheme, host, port, prefix)
    assert url.text == text   # kept as given, for messages and `Transport.base_url`


@pytest.mark.parametrize("text", [
    "",
    "127.0.0.1:8080",
    "localhost",
    "ftp://localhost:21",
    "ws://localhost:8080",
    "http://",
    "http:///prefix",
    "http://:8080",
])
def test_a_base_url_needs_http_or_https_and_a_host(text: str) -> None:
    with pytest.raises(ValueError, match=r"base URL must be http\[s\]://host"):
        BaseURL.parse(text)


@pytest.mark.parametrize("text", ["http://localhost:8080/?x=1", "http://localhost:8080/#top",
                                  "https://localhost/obf?token=secret"])
def test_a_base_url_has_no_query_or_fragment(text: str) -> None:
    with pytest.raises(ValueError, match="must not have a query or fragment"):
        BaseURL.parse(text)


@pytest.mark.parametrize("text", ["http://localhost:65536", "http://localhost:port", "http://localhost:-1"])
def test_a_port_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        BaseURL.parse(text)
