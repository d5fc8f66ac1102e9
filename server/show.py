"""The show being served: loaded from a file (or the demo), reloaded on change.

Reloading keeps the last good show whenever the new file is unusable, so a
visualizer never receives half a rig; the reason is logged once, in one line.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from server.core import VisualizerTCPServer
from server.watch import FileWatcher, Signature, file_signature
from shared.show import Issue, ShowConfig, ShowFileError, demo_show, load_show

log = logging.getLogger(__name__)


def describe(config: ShowConfig) -> str:
    return f"{len(config.fixtures)} fixtures, {len(config.groups)} groups"


class ShowSource:
    """The current show and where it came from.

    ``load()`` raises ShowFileError for the first load; ``reload()`` (run by
    the watcher thread) never raises and pushes good changes to the server.
    Listeners are called after every reload attempt, on the watcher thread.
    """

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = None if path is None else os.fspath(path)
        self.name = "demo" if self.path is None else Path(self.path).stem
        self.config: ShowConfig | None = None
        self.status = "not loaded"
        self.server: VisualizerTCPServer | None = None
        self.listeners: list[Callable[[], None]] = []
        #: Runs on every loaded show before it is served (``--fixtures-dir`` fills fixtures from .qxf).
        self.prepare: Callable[[ShowConfig], tuple[ShowConfig, list[Issue]]] | None = None
        self._signature: Signature = None
        self._lock = threading.Lock()  # one reload at a time
        self._watcher: FileWatcher | None = None
        self._warned: set[str] = set()  # warnings already logged: each once, not on every reload

    def load(self) -> ShowConfig:
        if self.path is None:
            self.config = demo_show() if self.prepare is None else self.prepare(demo_show())[0]
            self.status = "built-in demo show"
            return self.config
        # Take the signature first: a change made while we read is then seen as a change.
        self._signature = file_signature(self.path)
        config, issues = load_show(self.path)
        if self.prepare is not None:
            config, more = self.prepare(config)
            issues = issues + more
        self._log_issues(issues)
        self.config = config
        self.status = f"loaded at {time.strftime('%H:%M:%S')}"
        return config

    def watch(self, interval: float | None = None) -> None:
        """Start watching the file (no-op for the demo show)."""
        if self.path is None or self._watcher is not None:
            return
        kwargs = {} if interval is None else {"interval": interval}
        self._watcher = FileWatcher(self.path, self.reload, initial=self._signature, **kwargs)
        self._watcher.start()

    def stop_watching(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None

    def reload(self) -> None:
        assert self.path is not None
        with self._lock:
            try:
                config, issues = load_show(self.path)
            except ShowFileError as exc:
                log.error("%s — keeping the last good show", exc)
                self.status = f"error at {time.strftime('%H:%M:%S')}: {exc.problem} (keeping the last good show)"
            else:
                if self.prepare is not None:
                    config, more = self.prepare(config)
                    issues = issues + more
                self._log_issues(issues)
                if config == self.config:
                    log.info("%s changed on disk; the show is the same", self.path)
                else:
                    self.config = config
                    if self.server is not None:
                        self.server.update_config(config)
                        log.info(
                            "Reloaded %s (%s), sent to %d clients",
                            self.path,
                            describe(config),
                            self.server.get_client_count(),
                        )
                    else:
                        log.info("Reloaded %s (%s)", self.path, describe(config))
                self.status = f"reloaded at {time.strftime('%H:%M:%S')}"
        for listener in list(self.listeners):
            try:
                listener()
            except Exception:
                log.exception("Reload listener failed")

    def _log_issues(self, issues: list[Issue]) -> None:
        for issue in issues:
            text = str(issue)
            if text not in self._warned:
                self._warned.add(text)
                log.warning("%s: %s", self.path, text)
