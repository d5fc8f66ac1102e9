"""Watching a show file for changes by polling its stat signature.

Polling (every ~0.25 s) rather than inotify: it needs nothing outside the
standard library, works on network and bind-mounted files, and costs one
``stat`` call per interval.  The signature includes the inode, so a file
replaced atomically (written to a temp file and renamed over) is noticed and
keeps being watched: we watch the path, not an open file.

A change is reported only once the signature has stayed the same for one
whole interval, so an editor writing a file in several steps does not
trigger a reload per step.  If it still catches a half-written file, the
completed write is a further change and reloads again.

Known limit: two writes of the same size within one filesystem timestamp tick
(a few milliseconds) look identical; a person saving a file never does that.
"""

from __future__ import annotations

import enum
import logging
import os
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

#: ``(st_mtime_ns, st_size, st_ino)``, or None while the file does not exist.
Signature = tuple[int, int, int] | None

DEFAULT_INTERVAL = 0.25


class _Unset(enum.Enum):
    UNSET = enum.auto()


_UNSET = _Unset.UNSET


def file_signature(path: str | os.PathLike[str]) -> Signature:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


class FileWatcher:
    """Calls ``on_change()`` (on the watcher thread) after ``path`` changed and settled.

    ``initial`` is the signature of the version the caller has loaded; take
    it *before* reading the file so a change during the read is not missed.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        on_change: Callable[[], None],
        interval: float = DEFAULT_INTERVAL,
        initial: Signature | _Unset = _UNSET,
    ) -> None:
        if not interval > 0:
            raise ValueError("interval must be greater than 0")
        self.path = os.fspath(path)
        self.on_change = on_change
        self.interval = interval
        self._last: Signature = file_signature(self.path) if initial is _UNSET else initial
        self._candidate: Signature | _Unset = _UNSET  # UNSET: no change waiting to settle
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("watcher already started")
        self._thread = threading.Thread(target=self._run, name=f"FileWatcher({self.path})", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def poll(self) -> bool:
        """One step of the watch loop (also used by tests); True if it fired."""
        current = file_signature(self.path)
        if current == self._last:
            self._candidate = _UNSET
            return False
        if current != self._candidate:
            self._candidate = current  # changed since the previous poll: let it settle
            return False
        self._last = current
        self._candidate = _UNSET
        try:
            self.on_change()
        except Exception:
            log.exception("Show file change handler failed")
        return True

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.poll()
