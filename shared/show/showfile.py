"""Reading and writing JSON show files.

A show file has the shape ``{"stage": {...}, "fixtures": [...], "groups": [...]}``.
Loading either returns a complete, valid ShowConfig or raises ShowFileError
with one line naming the file, the place and the problem: callers keep the
last good show on error, so a half-written file never reaches a visualizer.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from shared.show.checks import Issue, check_config
from shared.show.codec import ValidationError, config_from_dict, config_to_dict
from shared.show.model import ShowConfig


class ShowFileError(Exception):
    """A show file that cannot be used; ``str()`` is a one-line message for the user."""

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


def parse_show(text: str | bytes, path: str | os.PathLike[str] = "<show>") -> tuple[ShowConfig, list[Issue]]:
    """Decode and check a show; returns the config and its warnings."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ShowFileError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ShowFileError(
            path, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    try:
        config = config_from_dict(data)
    except ValidationError as exc:
        raise ShowFileError(path, str(exc)) from None
    issues = check_config(config)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ShowFileError(path, f"{errors[0]}{more}")
    return config, issues


def load_show(path: str | os.PathLike[str]) -> tuple[ShowConfig, list[Issue]]:
    """Load a show file; returns the config and its warnings."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ShowFileError(path, exc.strerror or str(exc)) from None
    if not data.strip():
        raise ShowFileError(path, "file is empty")
    return parse_show(data, path)


def save_show(config: ShowConfig, path: str | os.PathLike[str]) -> None:
    """Write atomically (temp file + rename) so a watcher never sees half a file."""
    target = Path(path)
    text = json.dumps(config_to_dict(config), indent=2, ensure_ascii=False) + "\n"
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
