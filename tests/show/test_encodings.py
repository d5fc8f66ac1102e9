"""Show and rig files saved as UTF-16 or UTF-32 without a byte-order mark open like their UTF-8 originals.

Editors and scripts (PowerShell's ``Out-File``, ``iconv -t UTF-16LE``) write "Unicode" text
without a mark; JSON (RFC 4627 section 3), YAML (1.2 section 5.2) and XML (Appendix F) all
tell such text by where the NUL bytes of its first, ASCII, character fall.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.show import ShowFileError, demo_show, load_show, save_show

DATA = Path(__file__).parent / "importers" / "data"
CODECS = ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"]


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("name", ["show.json", "rig.yaml", "club.qxw", "show"])
def test_text_without_a_mark_opens_like_utf8(tmp_path: Path, codec: str, name: str) -> None:
    if name in ("show.json", "show"):
        original = tmp_path / "original.json"
        save_show(demo_show(), original)
    else:
        original = DATA / name
    path = tmp_path / "saved" / name  # "show": no extension, detected by content
    path.parent.mkdir()
    path.write_bytes(original.read_text("utf-8").encode(codec))
    want, want_warnings = load_show(original)
    got, got_warnings = load_show(path)
    assert got.fixtures == want.fixtures and got.groups == want.groups and got.stage == want.stage
    assert [w.problem for w in got_warnings] == [w.problem for w in want_warnings]


def test_utf16_workspace_starting_with_a_comment_opens(tmp_path: Path) -> None:
    text = (DATA / "club.qxw").read_text("utf-8").split("\n", 1)[1]  # no XML declaration
    path = tmp_path / "club.qxw"
    path.write_bytes(("<!-- saved by a script -->\n" + text).encode("utf-16-le"))
    assert load_show(path)[0].fixtures == load_show(DATA / "club.qxw")[0].fixtures


@pytest.mark.parametrize("declared", ["UTF-16", "utf-16le", "UTF-32"])
def test_utf8_workspace_whose_declaration_still_says_utf16_opens(tmp_path: Path, declared: str) -> None:
    """Re-saved as UTF-8 by an editor that kept the declaration: bytes that begin ``<?xml`` one
    byte a character cannot be UTF-16 or UTF-32, whatever the declaration says."""
    path = tmp_path / "club.qxw"
    path.write_text((DATA / "club.qxw").read_text("utf-8").replace('encoding="UTF-8"', f'encoding="{declared}"'))
    assert load_show(path)[0].fixtures == load_show(DATA / "club.qxw")[0].fixtures


def test_bytes_that_only_look_like_utf16_are_one_line(tmp_path: Path) -> None:
    path = tmp_path / "show.json"
    path.write_bytes(b"{\x00\x00\xd8")  # "{", then a lone high surrogate
    with pytest.raises(ShowFileError) as err:
        load_show(path)
    assert str(err.value).startswith(f"{path}: starts like UTF-16-LE text but is not")
