"""FileWatcher, stepped by hand with poll() so no test depends on timing.

Rewrites in these tests change the file's size: two same-size writes within
one filesystem timestamp tick (a few ms) share a signature, a limitation of
stat polling that a person saving a file never hits.
"""

from __future__ import annotations

import json
import os
import threading

from server.watch import FileWatcher, file_signature
from shared.show import ShowFileError, demo_show, demo_show_dict, load_show, save_show


def _text(width: float) -> str:
    d = demo_show_dict()
    d["stage"]["width"] = width
    return json.dumps(d, indent=2)


def test_change_fires_once_after_it_settled(tmp_path):
    path = tmp_path / "show.json"
    path.write_text(_text(10.0))
    fired: list[int] = []
    watcher = FileWatcher(path, lambda: fired.append(1))
    assert not watcher.poll()  # nothing changed

    with open(path, "w") as fh:  # in place: same inode, and a new size (see the module note)
        fh.write(_text(11.25))
    assert not watcher.poll()  # changed: wait one interval for it to settle
    assert watcher.poll()
    assert fired == [1]
    assert not watcher.poll() and fired == [1]


def test_half_written_file_that_is_completed_ends_up_loaded(tmp_path):
    path = tmp_path / "show.json"
    path.write_text(_text(10.0))
    loaded: list[float] = []
    errors: list[str] = []

    def reload() -> None:
        try:
            config, _ = load_show(path)
        except ShowFileError as exc:
            errors.append(str(exc))
        else:
            loaded.append(config.stage.width)

    watcher = FileWatcher(path, reload)
    full = _text(12.0)
    with open(path, "w") as fh:
        fh.write(full[: len(full) // 2])
        fh.flush()
        assert not watcher.poll()
        fh.write(full[len(full) // 2 :])  # the writer finishes before the change settled
    assert not watcher.poll()
    assert watcher.poll()
    assert loaded == [12.0] and errors == []

    # A writer slow enough to be caught half way: one error, then the good version.
    with open(path, "w") as fh:
        fh.write(full[:100])
        fh.flush()
        assert not watcher.poll()
        assert watcher.poll()
        fh.write(full[100:])
    assert len(errors) == 1 and "invalid JSON" in errors[0]
    assert not watcher.poll()
    assert watcher.poll()
    assert loaded == [12.0, 12.0]


def test_atomic_replace_is_seen_and_watching_continues(tmp_path):
    path = tmp_path / "show.json"
    save_show(demo_show(), path)
    fired: list[int] = []
    watcher = FileWatcher(path, lambda: fired.append(file_signature(path)[2]))  # type: ignore[index]
    inode = os.stat(path).st_ino
    for width in (11.0, 12.0):
        tmp = tmp_path / f"new-{width}.json"
        tmp.write_text(_text(width))
        os.replace(tmp, path)
        assert not watcher.poll()
        assert watcher.poll()
    assert len(fired) == 2 and fired[0] != inode and fired[1] != fired[0]


def test_deleted_file_fires_and_reappearing_file_fires_again(tmp_path):
    path = tmp_path / "show.json"
    path.write_text(_text(10.0))
    fired: list[bool] = []
    watcher = FileWatcher(path, lambda: fired.append(path.exists()))
    path.unlink()
    assert not watcher.poll() and watcher.poll()
    path.write_text(_text(10.0))
    assert not watcher.poll() and watcher.poll()
    assert fired == [False, True]


def test_thread_polls_and_stops(tmp_path):
    path = tmp_path / "show.json"
    path.write_text(_text(10.0))
    changed = threading.Event()
    watcher = FileWatcher(path, changed.set, interval=0.02)
    watcher.start()
    try:
        path.write_text(_text(20.25))
        assert changed.wait(5.0)
    finally:
        watcher.stop()
    assert not any(t.name.startswith("FileWatcher") for t in threading.enumerate())


def test_a_show_warning_is_logged_once_not_on_every_reload(tmp_path, caplog):
    from server.show import ShowSource

    caplog.set_level("WARNING", logger="server.show")
    d = demo_show_dict()
    d["fixtures"][9]["physical"] = {"width": 0, "height": 0, "depth": 0}
    path = tmp_path / "show.json"
    path.write_text(json.dumps(d))
    source = ShowSource(path)
    source.load()
    d["stage"]["width"] = 12.0  # a real change; the odd size is still there
    path.write_text(json.dumps(d))
    source.reload()
    warnings = [r.getMessage() for r in caplog.records if "physical 0 × 0 × 0" in r.getMessage()]
    assert len(warnings) == 1 and '"Front Par 2"' in warnings[0]
    assert source.config is not None and source.config.stage.width == 12.0
