"""TLS over loopback with a throwaway CA (trustme): verification, mismatches in one line, never a hang."""

from __future__ import annotations

import json
import socket
import ssl
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import trustme

from server import VisualizerTCPServer
from server.tls import TLSConfigError, server_context
from shared.show import demo_show
from tests.support import Log, moved, wait_until
from visualizer.tcp.options import tls_context

TIMEOUT = 5.0


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def files(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("tls")
    cert = ca.issue_cert("127.0.0.1", "localhost")
    other = ca.issue_cert("stage.example")
    out = {"ca": d / "ca.pem", "cert": d / "cert.pem", "key": d / "key.pem",
           "other_cert": d / "other.pem", "other_key": d / "other.key"}
    ca.cert_pem.write_to_path(out["ca"])
    cert.private_key_pem.write_to_path(out["key"])
    with out["cert"].open("wb") as fh:
        for blob in cert.cert_chain_pems:
            fh.write(blob.bytes())
    other.private_key_pem.write_to_path(out["other_key"])
    with out["other_cert"].open("wb") as fh:
        for blob in other.cert_chain_pems:
            fh.write(blob.bytes())
    return out


@pytest.fixture
def tls_server(serve: Callable[..., VisualizerTCPServer], files: dict[str, Path]) -> Callable[..., VisualizerTCPServer]:
    def make(cert: str = "cert", key: str = "key", **kwargs: Any) -> VisualizerTCPServer:
        return serve(ssl_context=server_context(str(files[cert]), str(files[key])), **kwargs)

    return make


@pytest.fixture
def client(make_client: Callable[..., Any]) -> Callable[..., Any]:
    def make(port: int, **kwargs: Any) -> tuple[Any, dict[str, Log]]:
        kwargs.setdefault("protocol", 2)
        c, _rec = make_client(port, **kwargs)
        logs = {name: Log() for name in ("config", "error", "welcome")}
        for name, log in logs.items():
            c.on(name, log)
        return c, logs

    return make


def test_tls_with_a_trusted_ca_carries_deltas_zlib_and_auth(tls_server, client, files):
    from bench.fixtures import make_config

    big = make_config(2000)
    server = tls_server(config=big, token="tok")
    c, logs = client(server.port, ssl_context=tls_context(str(files["ca"])), token="tok")
    c.connect()
    assert logs["config"].wait(timeout=15) == (big,)
    server.update_config(moved(big, 10))
    assert logs["config"].wait(2) == (moved(big, 10),)
    wait_until(lambda: server.get_clients()[0].acked_config)
    assert {"zlib", "delta"} <= set(server.get_clients()[0].capabilities)


def test_untrusted_certificate_is_one_line_and_no_retry(tls_server, client):
    server = tls_server()
    c, logs = client(server.port, ssl_context=ssl.create_default_context())
    c.connect()
    (text,) = logs["error"].wait()
    assert "not trusted" in text and "--tls-ca" in text
    wait_until(lambda: not c.running)


def test_hostname_is_verified_and_insecure_skips_it(tls_server, client, files):
    server = tls_server(cert="other_cert", key="other_key")
    c, logs = client(server.port, ssl_context=tls_context(str(files["ca"])))
    c.connect()
    (text,) = logs["error"].wait()
    assert "not trusted" in text and ("match" in text or "mismatch" in text)
    c2, logs2 = client(server.port, ssl_context=tls_context(insecure=True))
    c2.connect()
    assert logs2["config"].wait() == (demo_show(),)


def test_plain_v2_client_on_a_tls_port_is_told_at_once(tls_server, client):
    server = tls_server()
    c, logs = client(server.port)
    start = time.monotonic()
    c.connect()
    (text,) = logs["error"].wait()
    assert "requires TLS" in text and "--tls" in text
    assert time.monotonic() - start < 1.0
    wait_until(lambda: not c.running)


def test_plain_v1_reader_on_a_tls_port_gets_one_line_then_close(tls_server):
    server = tls_server()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
    data = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    sock.close()
    [line] = data.splitlines()
    msg = json.loads(line)
    assert msg["type"] == "error" and msg["code"] == "tls_required"


def test_tls_client_on_a_plain_port_is_told_at_once(serve, client, files):
    server = serve()
    c, logs = client(server.port, ssl_context=tls_context(str(files["ca"])))
    start = time.monotonic()
    c.connect()
    (text,) = logs["error"].wait()
    assert "does not speak TLS" in text and "without --tls" in text
    assert time.monotonic() - start < 2.0
    wait_until(lambda: not c.running)


def test_probe_with_tls_ca_and_token_file(tls_server, files, tmp_path, capsys):
    from visualizer.probe import main

    token_file = tmp_path / "token"
    token_file.write_text("s3cret\n")
    server = tls_server(token="s3cret")
    code = main(["127.0.0.1", str(server.port), "--once", "--tls-ca", str(files["ca"]),
                 "--token-file", str(token_file), "--timeout", "5"])
    out = capsys.readouterr()
    assert code == 0, out
    assert "token verified" in out.out and "Received complete configuration" in out.out
    code = main(["127.0.0.1", str(server.port), "--once", "--tls-ca", str(files["ca"]),
                 "--token", "wrong", "--timeout", "5"])
    out = capsys.readouterr()
    assert code == 1 and "wrong token" in out.err


def test_bad_certificate_files_are_one_line(files, tmp_path):
    with pytest.raises(TLSConfigError, match="no such file"):
        server_context(str(tmp_path / "missing.pem"))
    with pytest.raises(TLSConfigError, match="cannot load TLS certificate"):
        server_context(str(files["ca"]), str(files["key"]))


def test_wrong_token_over_tls_is_one_line(tls_server, client, files):
    server = tls_server(token="right")
    c, logs = client(server.port, ssl_context=tls_context(str(files["ca"])), token="wrong")
    c.connect()
    (text,) = logs["error"].wait()
    assert "wrong token" in text
    wait_until(lambda: not c.running)
    assert logs["config"].items == []


def test_the_window_says_the_link_is_tls_with_a_token(tls_server, files, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The status bar of a visualizer connected over TLS with a token says both; a plain one says neither."""
    from tests.app.helpers import WAIT_MS
    from visualizer.app.window import MainWindow
    from visualizer.tcp.qt import QtVisualizerClient

    server = tls_server(token="right")
    client = QtVisualizerClient("127.0.0.1", server.port, protocol=2, token="right",
                                ssl_context=tls_context(str(files["ca"])))
    window = MainWindow(client)
    qtbot.addWidget(window)
    client.connect_to_server()
    try:
        qtbot.waitUntil(lambda: window.indicator.state == "connected", timeout=WAIT_MS)
        assert window.indicator.label.text() == f"Connected 127.0.0.1:{server.port} · TLS · token"
        assert "over TLS, authenticated with the token" in window.indicator.toolTip()
    finally:
        client.disconnect_from_server()
    plain = MainWindow(QtVisualizerClient("127.0.0.1", server.port))
    qtbot.addWidget(plain)
    plain.set_connection_state("connected")
    assert plain.indicator.label.text() == f"Connected 127.0.0.1:{server.port}"
    assert "not encrypted" in plain.indicator.toolTip()
