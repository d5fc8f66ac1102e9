"""Opening the rigs users already have: pick the importer by content and extension.

``load_show`` (``shared.show.showfile``) reads the file once, with the size cap and the
regular-file checks of JSON shows, and hands anything that is not a JSON show to
:func:`import_show`.  Each importer returns ``(ShowConfig, warnings)``; a warning names the
element of the file, the value and what was done, and whoever shows it adds the file name
(the server logs ``path: warning``).  A file nobody can read is one ``ShowFileError`` line.

* ``.json`` (or text starting with ``{``/``[``): our own show file, unchanged.
* ``.yaml``/``.yml`` (or YAML text with a rig's top-level keys): Show Creator rig, :mod:`.yaml_rig`.
* ``.qxw`` (or XML in the ``http://www.qlcplus.org/Workspace`` namespace): QLC+ workspace, :mod:`.qxw`.
* ``.mvr`` (or a ZIP holding ``GeneralSceneDescription.xml``): My Virtual Rig, :mod:`.mvr`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from shared.show.checks import Issue
from shared.show.importers._common import Refused
from shared.show.model import ShowConfig
from shared.show.showfile import SUPPORTED_FORMATS, ShowFileError

SUPPORTED = f"supported: {', '.join(SUPPORTED_FORMATS)}"

#: For file dialogs (Show Creator's Open…): every format ``load_show`` opens.
FILE_FILTER = "Shows and rigs (*.json *.yaml *.yml *.qxw *.mvr);;All files (*)"

_EXTENSIONS = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".qxw": "qxw", ".mvr": "mvr"}


def detect_format(path: str | os.PathLike[str], data: bytes) -> str:
    """``"json"``, ``"yaml"``, ``"qxw"`` or ``"mvr"``; ShowFileError naming the formats otherwise.

    Content wins over the extension where it is unmistakable (a ZIP, an XML workspace);
    a ``.json`` file is always read as JSON so its errors stay JSON errors, and so is a
    ``.yaml`` file holding our JSON show.
    """
    ext = Path(os.fspath(path)).suffix.lower()
    by_ext = _EXTENSIONS.get(ext)
    if by_ext == "json":
        return "json"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if data.startswith(b"PK\x03\x04"):
        if by_ext == "mvr" or b"GeneralSceneDescription.xml" in data[-65536:] or b"GeneralSceneDescription" in data:
            return "mvr"
        raise ShowFileError(path, f"a ZIP archive without GeneralSceneDescription.xml is not a show ({SUPPORTED})")
    if head.startswith(b"<"):
        if b"qlcplus.org/Workspace" in data[:65536] or by_ext == "qxw":
            return "qxw"
        if b"qlcplus.org/FixtureDefinition" in data[:65536]:
            raise ShowFileError(
                path, f"a QLC+ fixture definition (.qxf) describes a fixture type, not a rig ({SUPPORTED})"
            )
        raise ShowFileError(path, f"XML that is not a QLC+ workspace ({SUPPORTED})")
    if by_ext == "mvr":
        raise ShowFileError(path, f"not an MVR file: an .mvr is a ZIP archive and this is not one ({SUPPORTED})")
    if by_ext == "qxw":
        raise ShowFileError(path, f"not a QLC+ workspace: a .qxw is XML and this is not ({SUPPORTED})")
    if by_ext == "yaml":
        return "json" if head.startswith(b"{") and _is_json_show(data) else "yaml"
    if head.startswith((b"{", b"[")):
        return "json"
    from shared.show.importers.yaml_rig import looks_like_rig

    if looks_like_rig(data[:65536].decode("utf-8", "replace")):
        return "yaml"
    raise ShowFileError(path, f"not a show file this program can open ({SUPPORTED})")


def _is_json_show(data: bytes) -> bool:
    """True for our JSON show under a YAML name (YAML reads JSON, but as a rig it loses
    every position and group): valid JSON with a ``stage``, or fixtures with ``position``."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        return False
    if not isinstance(doc, dict):
        return False
    fixtures = doc.get("fixtures")
    positioned = isinstance(fixtures, list) and any(isinstance(f, dict) and "position" in f for f in fixtures)
    return "stage" in doc or positioned


def import_show(kind: str, data: bytes, path: str | os.PathLike[str]) -> tuple[ShowConfig, list[Issue]]:
    """Run the importer for ``kind`` (from :func:`detect_format`) on the file's bytes."""
    try:
        if kind == "yaml":
            from shared.show.importers.yaml_rig import load_yaml_rig

            return load_yaml_rig(data, path)
        if kind == "qxw":
            from shared.show.importers.qxw import load_qxw

            return load_qxw(data, path)
        if kind == "mvr":
            from shared.show.importers.mvr import load_mvr

            return load_mvr(data, path)
    except Refused as exc:
        raise ShowFileError(path, str(exc)) from None
    except RecursionError:
        raise ShowFileError(path, "values nested too deeply") from None
    raise ShowFileError(path, f"no importer for {kind!r} ({SUPPORTED})")


__all__ = ["FILE_FILTER", "SUPPORTED", "detect_format", "import_show"]
