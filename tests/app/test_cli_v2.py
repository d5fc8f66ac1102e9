"""``visualizer`` command line: protocol 2 options become client options, mistakes are one line."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from visualizer.app.cli import parse_args


def test_token_tls_and_protocol_options(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("SHOWCREATOR_TOKEN", raising=False)
    (tmp_path / "tok").write_text("abc\n")
    opts = parse_args(["stage:9100", "--token-file", str(tmp_path / "tok"), "--tls", "--insecure"])
    assert (opts.host, opts.port) == ("stage", 9100)
    assert opts.connection["token"] == b"abc" and opts.connection["protocol"] == 2
    context = opts.connection["ssl_context"]
    assert isinstance(context, ssl.SSLContext) and not context.check_hostname
    assert parse_args([]).connection == {"protocol": 2, "token": None}
    assert parse_args(["--v1"]).connection["protocol"] == 1


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--token-file", "/nonexistent/tok"], "cannot read token file /nonexistent/tok"),
        (["--tls-ca", "/nonexistent/ca.pem"], "cannot use --tls-ca /nonexistent/ca.pem"),
        (["--v1", "--token", "x"], "--v1 cannot authenticate"),
    ],
)
def test_mistakes_are_one_line_exit_2(args: list[str], words: str, capsys):
    with pytest.raises(SystemExit) as info:
        parse_args(args)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and err.startswith("visualizer: ")
