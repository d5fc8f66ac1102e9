"""The open show: its configuration, its file, its undo history and the file watcher.

Every edit is a ``QUndoCommand`` holding the configuration before and after
(values are immutable, so that is two references, whatever the rig's size);
the steps of one drag merge into one command.

Saving is atomic (``save_show``: temp file + rename).  The watcher
(``server.watch.FileWatcher``) sees our own save as a change too: the
document remembers the signature of the file it wrote and of the file it
read, and only a different signature is a foreign change.  A foreign change
reloads when there are no unsaved edits, and otherwise asks
(``foreign_change_policy``, injectable so tests can answer without a dialog):
edits are never dropped without the user saying so.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from PyQt6.QtCore import QObject, pyqtSignal
from PyQt6.QtGui import QUndoCommand, QUndoStack

from server.watch import FileWatcher, Signature, file_signature
from shared.show import Issue, ShowConfig, ShowFileError, load_show, save_show
from shared.show.showfile import show_format

log = logging.getLogger(__name__)

ForeignChoice = Literal["reload", "keep"]
#: Asked when the open file changed on disk while there are unsaved edits: path -> choice.
ForeignChangePolicy = Callable[[str], ForeignChoice]


#: What ``show_format`` calls the formats we read but never write.
FOREIGN_FORMATS = {"yaml": "Show Creator YAML rig", "qxw": "QLC+ workspace", "mvr": "MVR scene"}


class SaveRefused(Exception):
    """A save that would write our JSON over another program's file, or under its name; ``str()`` is one line."""


def save_problem(target: str, in_place: bool) -> str | None:
    """Why the JSON show must not be written to ``target``, or None.

    In place (Save): the file must hold our JSON show (or not exist yet under a ``.json``
    name): a rig opened from a QLC+ workspace, a YAML rig or an MVR scene is never
    overwritten, since everything we do not model would be lost.  Elsewhere (Save As): a
    ``.json`` name, as ``show-creator convert`` asks.
    """
    json_name = target.lower().endswith(".json")
    if in_place and os.path.exists(target):
        try:
            kind = show_format(target)
        except ShowFileError:
            kind = None  # not a show at all (or unreadable): only a .json name may be replaced
        if kind == "json":
            return None
        if kind is not None:
            what = FOREIGN_FORMATS.get(kind, kind)
            return (f"{target} is not a JSON show (it is a {what}); Show Creator saves JSON shows: "
                    f"save as a .json file, and {os.path.basename(target)} is left as it is")
    if json_name:
        return None
    return (f"{target}: Show Creator saves JSON shows: save as a .json file "
            "(a rig of another program is never overwritten with JSON)")


class _EditCommand(QUndoCommand):
    def __init__(self, doc: ShowDocument, before: ShowConfig, after: ShowConfig, text: str, merge: int) -> None:
        super().__init__(text)
        self.doc = doc
        self.before = before
        self.after = after
        self.merge = merge

    def id(self) -> int:
        return 1 if self.merge else -1

    def mergeWith(self, other: QUndoCommand | None) -> bool:
        if not isinstance(other, _EditCommand) or not self.merge or other.merge != self.merge:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        self.doc._set(self.after)

    def undo(self) -> None:
        self.doc._set(self.before)


class ShowDocument(QObject):
    """What the window edits; ``changed`` carries every new configuration (GUI thread)."""

    changed = pyqtSignal(object)
    path_changed = pyqtSignal(str)
    #: A one-line message for the status bar (reloads, warnings).
    message = pyqtSignal(str)
    #: The watcher thread saw the file change; handled in the GUI thread.
    _file_changed = pyqtSignal()

    def __init__(
        self,
        config: ShowConfig,
        path: str | os.PathLike[str] | None = None,
        parent: QObject | None = None,
        *,
        foreign_change_policy: ForeignChangePolicy | None = None,
        watch_interval: float = 0.25,
    ) -> None:
        super().__init__(parent)
        self._config = config
        self._path: str | None = None if path is None else os.fspath(path)
        self.undo_stack = QUndoStack(self)
        self.foreign_change_policy = foreign_change_policy
        self.watch_interval = watch_interval
        self._known: Signature = None  # the file as we last read or wrote it
        self._watcher: FileWatcher | None = None
        self._merge_seq = 0
        self.foreign_changes = 0  # foreign changes seen (for status and tests)
        self.own_saves_ignored = 0
        self._file_changed.connect(self._on_file_changed)
        if self._path is not None:
            self._known = file_signature(self._path)
            self._watch()

    # ------------------------------------------------------------ state

    @property
    def config(self) -> ShowConfig:
        return self._config

    @property
    def path(self) -> str | None:
        return self._path

    @property
    def name(self) -> str:
        return Path(self._path).stem if self._path else "untitled"

    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    # ------------------------------------------------------------ editing

    def new_merge_key(self) -> int:
        """A key for one continuous gesture (a drag): its steps become one undo step."""
        self._merge_seq += 1
        return self._merge_seq

    def apply(self, config: ShowConfig, text: str, merge: int = 0) -> None:
        """Make ``config`` current as one undoable step (merged with the last if ``merge`` matches)."""
        if config == self._config:
            return
        self.undo_stack.push(_EditCommand(self, self._config, config, text, merge))

    def _set(self, config: ShowConfig) -> None:
        self._config = config
        self.changed.emit(config)

    # ------------------------------------------------------------ files

    def load_file(self, path: str | os.PathLike[str]) -> list[Issue]:
        """Open ``path`` in place of the current show (history cleared); ShowFileError if unusable."""
        target = os.fspath(path)
        signature = file_signature(target)  # before reading: a change while we read is then seen
        config, issues = load_show(target)
        self._stop_watching()
        self._path = target
        self._known = signature
        self.undo_stack.clear()
        self._set(config)
        self._watch()
        self.path_changed.emit(target)
        return issues

    def new_show(self, config: ShowConfig) -> None:
        """An unsaved new show (no file)."""
        self._stop_watching()
        self._path = None
        self._known = None
        self.undo_stack.clear()
        self._set(config)
        self.path_changed.emit("")

    def save(self, path: str | os.PathLike[str] | None = None) -> None:
        """Write atomically to ``path`` (default: the current file); OSError if it cannot,
        SaveRefused if that would put JSON over another program's file (``save_problem``)."""
        target = os.fspath(path) if path is not None else self._path
        if target is None:
            raise ValueError("no file to save to")
        problem = save_problem(target, in_place=target == self._path)
        if problem is not None:
            raise SaveRefused(problem)
        if target != self._path:
            self._stop_watching()
        save_show(self._config, target)
        # Remember what *we* wrote, before the watcher can look at it.
        self._known = file_signature(target)
        if target != self._path:
            self._path = target
            self._watch()
            self.path_changed.emit(target)
        self.undo_stack.setClean()
        self.message.emit(f"Saved {target}")

    def close(self) -> None:
        self._stop_watching()

    def _watch(self) -> None:
        if self._path is None:
            return
        self._watcher = FileWatcher(self._path, self._file_changed.emit, self.watch_interval, initial=self._known)
        self._watcher.start()

    def _stop_watching(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None

    def check_file(self) -> None:
        """Look at the file now (what the watcher does every interval), in the GUI thread."""
        self._on_file_changed()

    def _on_file_changed(self) -> None:
        path = self._path
        if path is None:
            return
        current = file_signature(path)
        if current == self._known:
            self.own_saves_ignored += 1
            log.debug("%s: our own save, not a foreign change", path)
            return
        try:
            config, _issues = load_show(path)
        except ShowFileError as exc:
            self._known = current
            self.message.emit(f"{exc} — keeping the show in the editor")
            return
        self._known = current
        if config == self._config:
            return
        self.foreign_changes += 1
        if self.is_modified():
            choice = self.foreign_change_policy(path) if self.foreign_change_policy else "keep"
            if choice != "reload":
                self.message.emit(f"{path} changed on disk; kept your unsaved edits (Save overwrites it)")
                return
        self.apply(config, "Reload from disk")
        self.undo_stack.setClean()
        self.message.emit(f"Reloaded {path} (changed on disk)")
