"""HTTPS: `obf serve --tls-cert --tls-key` against the Python client (verification on by default,
`ssl_context=`, a client certificate for `--tls-client-ca`, failover between https:// replicas),
plain HTTP on the TLS port, the probe port, and a SIGHUP rotation with no failed request."""

from __future__ import annotations

import re
import shutil
import signal
import ssl
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from certificates import Certificates, make_certificates
from processes import EVENT_LIMIT, Processes, Serve, wait_for

from obf_client import LiveOBFeatureEngine, OBFClient, OBFConnectionError


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("tls"))


def tls_serve(processes: Processes, certificates: Certificates, *extra: str, name: str = "server") -> Serve:
    return processes.serve("--tls-cert", str(certificates.pem(name)), "--tls-key", str(certificates.key(name)), *extra)


def trusting(certificates: Certificates) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificates.ca))


def served_common_name(url: str, context: ssl.SSLContext) -> str:
    """The common name of the certificate a new connection to `url` is served."""
    host, port = url.removeprefix("https://").split(":")
    import socket
    with socket.create_connection((host, int(port)), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname=host) as tls:
        certificate = tls.getpeercert() or {}
    for field in certificate.get("subject", ()):
        for key, value in field:
            if key == "commonName":
                return str(value)
    return ""


def metric(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} not in the exposition"
    return float(match.group(1))


def test_the_client_and_the_engine_speak_https(processes: Processes, certificates: Certificates) -> None:
    server = tls_serve(processes, certificates)
    assert server.url.startswith("https://")
    with OBFClient(server.url, ssl_context=trusting(certificates), timeout=10.0) as client:
        assert client.health().status == "ok"
        report = client.step(1)
        assert report.bar == 1
        assert client.transport.connections_opened == 1   # keep-alive over TLS
    engine = LiveOBFeatureEngine(server.url, ssl_context=trusting(certificates), timeout=10.0)
    status = engine.step_live(["BTCUSDT", "ETHUSDT"], 2)
    assert status.ok
    assert engine.get_market(2).source != "default"


def test_certificates_are_verified_by_default(processes: Processes, certificates: Certificates) -> None:
    server = tls_serve(processes, certificates)
    # The system's authorities do not know the test CA.
    with OBFClient(server.url, timeout=10.0, retries=0) as client, \
            pytest.raises(OBFConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
        client.health()
    # Nor does another CA's bundle.
    other = ssl.create_default_context(cafile=str(certificates.pem("other-ca")))
    with OBFClient(server.url, ssl_context=other, timeout=10.0, retries=0) as client, \
            pytest.raises(OBFConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
        client.health()


def test_mixed_schemes_and_a_context_without_https_are_refused() -> None:
    with pytest.raises(ValueError, match="all be https"):
        OBFClient(["https://127.0.0.1:1", "http://127.0.0.1:2"])
    with pytest.raises(ValueError, match="no base URL is https"):
        OBFClient("http://127.0.0.1:1", ssl_context=ssl.create_default_context())


def test_mutual_tls_needs_a_client_certificate_of_the_ca(processes: Processes, certificates: Certificates) -> None:
    server = tls_serve(processes, certificates, "--tls-client-ca", str(certificates.ca), "--probe-port", "0")
    with OBFClient(server.url, ssl_context=trusting(certificates), timeout=10.0, retries=0) as client, \
            pytest.raises(OBFConnectionError):
        client.health()
    foreign = trusting(certificates)
    foreign.load_cert_chain(str(certificates.pem("foreign-client")), str(certificates.key("foreign-client")))
    with OBFClient(server.url, ssl_context=foreign, timeout=10.0, retries=0) as client, \
            pytest.raises(OBFConnectionError):
        client.health()
    known = trusting(certificates)
    known.load_cert_chain(str(certificates.pem("client")), str(certificates.key("client")))
    with OBFClient(server.url, ssl_context=known, timeout=10.0) as client:
        assert client.step(1).bar == 1
    # The probes need no certificate: the probe port, plain HTTP on loopback, answers only them.
    assert server.probe_url is not None
    with urllib.request.urlopen(server.probe_url + "/healthz", timeout=10) as response:
        assert response.status == 200
    with urllib.request.urlopen(server.probe_url + "/metrics", timeout=10) as response:
        exposition = response.read().decode()
    assert metric(exposition, 'obf_tls_refused_connections_total{reason="handshake_failed"}') == 2
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(server.probe_url + "/features/BTCUSDT/1", timeout=10)
    assert refused.value.code == 404


def test_plain_http_on_the_tls_port_is_closed_and_counted(processes: Processes, certificates: Certificates) -> None:
    server = tls_serve(processes, certificates)
    plain = server.url.replace("https://", "http://")
    for _ in range(3):
        with pytest.raises((OSError, urllib.error.URLError)):
            urllib.request.urlopen(plain + "/healthz", timeout=10)
    with OBFClient(server.url, ssl_context=trusting(certificates), timeout=10.0) as client:
        exposition = client.metrics_text()
    assert metric(exposition, 'obf_tls_refused_connections_total{reason="plain_http"}') == 3
    # One line logged for the three (the rest counted in the next one).
    assert server.text().count("plain HTTP on the TLS port") == 1


def test_the_engine_fails_over_between_https_replicas(processes: Processes, certificates: Certificates) -> None:
    first = tls_serve(processes, certificates)
    second = tls_serve(processes, certificates)
    engine = LiveOBFeatureEngine([first.url, second.url], ssl_context=trusting(certificates), timeout=10.0)
    assert engine.step_live(["BTCUSDT"], 1).ok
    assert engine.client.base_url == first.url
    first.stop(signal.SIGKILL)
    for bar in range(2, 5):
        assert engine.step_live(["BTCUSDT"], bar).ok
    assert engine.client.base_url == second.url
    assert engine.counters.steps_failed == 0


def test_sighup_rotates_the_certificate_without_a_failed_request(
        processes: Processes, certificates: Certificates, tmp_path: Path) -> None:
    live = Certificates(tmp_path / "live")
    live.folder.mkdir()

    def install(name: str, key_of: str | None = None) -> None:
        shutil.copyfile(certificates.pem(name), live.pem("server"))
        shutil.copyfile(certificates.key(key_of or name), live.key("server"))

    install("server")
    server = tls_serve(processes, live)
    context = trusting(certificates)
    assert served_common_name(server.url, context) == "obf-server-1"
    stop = threading.Event()
    failures: list[str] = []
    requests = [0]

    def load() -> None:
        # New connections and keep-alive requests, as long as the rotation lasts.
        while not stop.is_set():
            try:
                with OBFClient(server.url, ssl_context=context, timeout=10.0, retries=0) as client:
                    for _ in range(3):
                        client.health()
                        requests[0] += 1
            except Exception as error:  # noqa: BLE001 - every failure is one to report
                failures.append(repr(error))

    workers = [threading.Thread(target=load) for _ in range(3)]
    for worker in workers:
        worker.start()
    try:
        install("rotated")
        server.popen.send_signal(signal.SIGHUP)
        wait_for(r"TLS certificate reloaded", server.log, server.popen)
        deadline = time.monotonic() + EVENT_LIMIT
        while served_common_name(server.url, context) != "obf-server-2":
            assert time.monotonic() < deadline, "the rotated certificate is never served"
            time.sleep(0.05)
        # A key of another certificate: refused, the rotated pair stays.
        install("rotated", key_of="server")
        server.popen.send_signal(signal.SIGHUP)
        wait_for(r"TLS certificate reload refused", server.log, server.popen)
        assert served_common_name(server.url, context) == "obf-server-2"
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    assert failures == []
    assert requests[0] > 0
