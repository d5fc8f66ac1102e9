"""HOST[:PORT] as users type it, and the one-line errors for what cannot be used."""

from __future__ import annotations

import pytest

from visualizer.app.address import AddressError, parse_address
from visualizer.app.cli import UsageError, parse_size


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("localhost", ("localhost", 9000)),
        ("localhost:9001", ("localhost", 9001)),
        ("192.168.1.20:12345", ("192.168.1.20", 12345)),
        (":9100", ("localhost", 9100)),
        ("[::1]:9000", ("::1", 9000)),
        ("[::1]", ("::1", 9000)),
        ("::1", ("::1", 9000)),
        ("fe80::1%eth0", ("fe80::1%eth0", 9000)),
        (" show-pc.local:9002 ", ("show-pc.local", 9002)),
    ],
)
def test_addresses(text: str, expected: tuple[str, int]) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("localhost:", "bad port ''"),
        ("localhost:99999", "bad port 99999"),
        ("localhost:0", "bad port 0"),
        ("localhost:http", "bad port 'http'"),
        ("[::1", "missing ']'"),
        ("[::1]9000", "expected ':PORT'"),
        ("[]:9000", "empty IPv6"),
        ("my host:9000", "bad host"),
        # `visualizer 9001` meant the port; as a host it is the IPv4 address 0.0.35.41 and never answers
        ("9001", "'9001' is a port number, not a host: write localhost:9001 (or :9001)"),
    ],
)
def test_bad_addresses(text: str, words: str) -> None:
    with pytest.raises(AddressError) as info:
        parse_address(text)
    message = str(info.value)
    assert words in message
    assert "\n" not in message


def test_sizes() -> None:
    assert parse_size("1400x900") == (1400, 900)
    assert parse_size("800X600") == (800, 600)
    for bad in ("1400", "x900", "1400x", "axb", "10x10", "1400x-9", "99999x900"):
        with pytest.raises(UsageError, match="bad --size"):
            parse_size(bad)
