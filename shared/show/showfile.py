"""Reading and writing JSON show files.

A show file has the shape ``{"stage": {...}, "fixtures": [...], "groups": [...]}``.
Loading either returns a complete, valid ShowConfig or raises ShowFileError
with one line naming the file, the place and the problem: callers keep the
last good show on error, so a half-written file never reaches a visualizer.
Only a broken *strict* field (a fixture's name, universe, address or
position; a group's name) or a broken file refuses the show; odd optional
values are warnings and the show loads (see ``codec``).
"""

from __future__ import annotations

import codecs
import errno
import json
import os
import re
import stat
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from shared.show.checks import Issue, check_config
from shared.show.codec import ValidationError, config_from_dict, config_to_dict
from shared.show.issues import one_line
from shared.show.model import ShowConfig

#: Largest show file read.  A 10,000-fixture rig with full channel mappings is
#: about 30 MB pretty-printed; anything far beyond is not a show file, and
#: reading it would only cost the server memory.
MAX_SHOW_BYTES = 256 * 2**20
#: Show file formats this build reads, for the error a file of another format gets.
SUPPORTED_FORMATS: tuple[str, ...] = (
    "JSON show (.json)", "Show Creator YAML rig (.yaml/.yml)", "QLC+ workspace (.qxw)", "MVR (.mvr)",
)


class ShowFileError(Exception):
    """A show file that cannot be used; ``str()`` is a one-line message for the user."""

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        self.path = str(path)
        self.problem = one_line(problem)
        super().__init__(one_line(f"{self.path}: {problem}"))


def parse_show(text: str | bytes, path: str | os.PathLike[str] = "<show>") -> tuple[ShowConfig, list[Issue]]:
    """Decode and check a show; returns the config and its warnings."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ShowFileError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        data = json.loads(text)
        data, lone = scrub_surrogates(data) if _SURROGATE_ESCAPE.search(text) else (data, None)
        config = config_from_dict(data)
    except json.JSONDecodeError as exc:
        formats = f"; supported show formats: {', '.join(SUPPORTED_FORMATS)}"
        suffix = Path(path).suffix.lower()
        read_as = f" ({suffix} read as JSON{formats})" if suffix not in ("", ".json") else ""
        raise ShowFileError(
            path, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}{read_as}"
        ) from None
    except ValidationError as exc:
        raise ShowFileError(path, str(exc)) from None
    except RecursionError:  # from json or from repr() in an error message
        raise ShowFileError(path, "values nested too deeply") from None
    issues = [*([lone] if lone else []), *config.problems, *check_config(config)]
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ShowFileError(path, f"{errors[0]}{more}")
    return replace(config, problems=tuple(issues)), issues


#: A string escape of a UTF-16 surrogate (JSON ``\udc80``, YAML ``\udc80`` or ``\U0000dc80``).
_SURROGATE_ESCAPE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub_surrogates(data: Any, where: str = "") -> tuple[Any, Issue | None]:
    """``data`` (decoded JSON or YAML) with every lone UTF-16 surrogate in its strings and keys
    replaced by U+FFFD, and one warning naming the first place and how many strings.

    ``"\udc80"`` is legal JSON and YAML, but half of a pair is no character: Python keeps it,
    and no UTF-8 encoder (the wire, ``save_show``, MVR) writes it.  Pairs are characters and stay.
    """
    found: list[tuple[str, str]] = []  # (place, the surrogate)

    def text(value: str, place: str) -> str:
        lone = _LONE_SURROGATE.search(value)
        if lone is None:
            return value
        found.append((place, lone.group()))
        return _LONE_SURROGATE.sub("\ufffd", value)

    def walk(value: Any, place: str) -> Any:
        if isinstance(value, str):
            return text(value, place)
        if isinstance(value, list):
            return [walk(v, f"{place}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                key = text(k, f"{place}.{k}".lstrip(".")) if isinstance(k, str) else k
                out[key] = walk(v, f"{place}.{key}".lstrip("."))
            return out
        return value

    data = walk(data, where)
    if not found:
        return data, None
    place, surrogate = found[0]
    problem = (
        f"text holds half of a UTF-16 surrogate pair ({surrogate.encode('unicode_escape').decode()}), which is no "
        f"character; replaced by U+FFFD in {len(found)} string{'s' if len(found) > 1 else ''}"
    )
    return data, Issue("warning", place, problem)


def load_show(path: str | os.PathLike[str]) -> tuple[ShowConfig, list[Issue]]:
    """Load a show file (JSON, or a rig ``shared.show.importers`` can open); returns the config and its warnings."""
    try:
        data = _read_regular_file(path)
    except OSError as exc:
        raise ShowFileError(path, exc.strerror or str(exc)) from None
    data = as_utf8(data, path)
    if not data.strip():
        raise ShowFileError(path, "file is empty")
    from shared.show.importers import detect_format, import_show  # here: importers use this module

    kind = detect_format(path, data)
    if kind != "json":
        return import_show(kind, data, path)
    return parse_show(data, path)


def show_format(path: str | os.PathLike[str]) -> str:
    """What :func:`load_show` reads ``path`` as: ``"json"`` (our show), ``"yaml"``, ``"qxw"`` or ``"mvr"``.

    For a writer that must not put our JSON over another program's file.  Raises
    ShowFileError (one line) for a file that cannot be read or is no show at all.
    """
    try:
        data = _read_regular_file(path)
    except OSError as exc:
        raise ShowFileError(path, exc.strerror or str(exc)) from None
    from shared.show.importers import detect_format  # here: importers use this module

    return detect_format(path, as_utf8(data, path))


#: Byte-order marks of the Unicode encodings a text editor may save a show or rig in
#: (longest first: the UTF-32 LE mark begins with the UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: Characters a show or rig file starts with (``{``, ``<``, ``#``, a letter, white space): one
#: ASCII character, whose NUL bytes tell UTF-16 and UTF-32 without a mark apart (RFC 4627
#: section 3, YAML 1.2 section 5.2, XML 1.0 Appendix F).
_FIRST = frozenset(b"\t\n\r" + bytes(range(0x20, 0x7F)))
_XML_ENCODING = re.compile(rb"""^(<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")
_DECLARED = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*(["'])([^"'>]{0,64})\1""")
#: A declaration naming UTF-16 or UTF-32 in front of text one byte a character (an editor re-saved it as UTF-8).
_WIDE_DECLARED = re.compile(
    rb"""^((?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*)(["'])\s*(?i:utf-?(?:16|32)[^"']*)\2"""
)


def declared_xml_encoding(data: bytes) -> str | None:
    """The ``encoding`` an XML declaration at the start of ``data`` names, if any."""
    found = _DECLARED.match(data[:512])
    return found.group(2).decode("ascii", "replace") if found else None


def xml_encoding_problem(data: bytes, exc: Exception) -> str:
    """One line for what expat raises instead of a ParseError when the declared encoding is one it
    cannot use: an unknown name (LookupError), a multi-byte codec other than UTF-8/UTF-16
    (ValueError), a codec that is no text encoding or cannot decode (LookupError, UnicodeError)."""
    text = str(exc)
    if isinstance(exc, LookupError):
        why = "not a text encoding" if "not a text encoding" in text else "unknown encoding"
    elif isinstance(exc, UnicodeError):
        why = "its codec cannot decode the file"
    elif "multi-byte" in text:
        why = "multi-byte encodings other than UTF-8 and UTF-16 are not read; save the file as UTF-8"
    else:
        why = text
    declared = declared_xml_encoding(data)
    if declared is None:
        return f"the XML cannot be decoded ({why})"
    return f"the XML declares encoding {declared!r}, which cannot be read ({why})"


def _unmarked(data: bytes) -> str | None:
    """UTF-16 or UTF-32 text without a byte-order mark, told by the NUL bytes around its first character."""
    head = data[:4]
    if len(head) == 4 and head[:3] == b"\0\0\0" and head[3] in _FIRST:
        return "utf-32-be"
    if len(head) == 4 and head[0] in _FIRST and head[1:] == b"\0\0\0":
        return "utf-32-le"
    if len(head) >= 2 and head[0] == 0 and head[1] in _FIRST:
        return "utf-16-be"
    if len(head) >= 2 and head[0] in _FIRST and head[1] == 0:
        return "utf-16-le"
    return None


def as_utf8(data: bytes, path: str | os.PathLike[str] = "<show>") -> bytes:
    """A show or rig file's bytes as UTF-8: text saved as UTF-16 or UTF-32 ("Unicode" in
    some editors), with or without a byte-order mark, is transcoded, and an XML
    declaration's ``encoding`` follows, so every importer reads one encoding.  So does a
    declaration that still names UTF-16/UTF-32 in front of text one byte a character.
    Anything else is returned unchanged.

    Raises ShowFileError when a byte-order mark (or the NUL bytes of unmarked text)
    promises text the bytes do not hold.
    """
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    skip = 0
    if encoding is not None:
        skip = next(len(bom) for bom, enc in _BOMS if enc == encoding)
    else:
        encoding = _unmarked(data)
        if encoding is None:
            if data.startswith((b"<?", b"\xef\xbb\xbf<?")):
                head = data[:512]  # the declaration; never a regex over a whole 256 MiB file
                return _WIDE_DECLARED.sub(rb'\1"UTF-8"', head, count=1) + data[512:]
            return data
    try:
        text = data[skip:].decode(encoding)
    except UnicodeDecodeError as exc:
        raise ShowFileError(
            path, f"starts like {encoding.upper()} text but is not ({exc.reason} at byte {exc.start + skip})"
        ) from None
    return _XML_ENCODING.sub(rb'\1"UTF-8"', text.encode("utf-8"), count=1)


def _read_regular_file(path: str | os.PathLike[str]) -> bytes:
    """The file's bytes, refusing what only looks like a file.

    A FIFO would block the reader (the server's file watcher) until someone
    writes to it, and a device such as /dev/zero never ends; O_NONBLOCK makes
    opening a FIFO return at once so that fstat can turn it away.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise ShowFileError(path, os.strerror(errno.EISDIR))
        if not stat.S_ISREG(st.st_mode):
            raise ShowFileError(path, "not a regular file")
        if st.st_size > MAX_SHOW_BYTES:
            raise ShowFileError(path, f"file is larger than {MAX_SHOW_BYTES // 2**20} MiB")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(MAX_SHOW_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_SHOW_BYTES:  # it grew while we read
        raise ShowFileError(path, f"file is larger than {MAX_SHOW_BYTES // 2**20} MiB")
    return data


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def save_show(config: ShowConfig, path: str | os.PathLike[str]) -> None:
    """Write atomically (temp file + rename) so a watcher never sees half a file."""
    target = Path(path)
    text = json.dumps(config_to_dict(config), indent=2, ensure_ascii=False) + "\n"
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private (0600); a show file keeps the mode
        # it had, or gets the usual one for a new file.
        os.fchmod(fd, _mode_for(target))
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
