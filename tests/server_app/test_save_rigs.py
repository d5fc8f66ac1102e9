"""Saving never writes our JSON over another program's file: Show Creator opens QLC+ workspaces,
YAML rigs and MVR scenes (``--show`` or File → Open…), and Ctrl+S wrote JSON over them, losing
everything Show Creator does not model (a workspace's scenes, functions, virtual console)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PyQt6.QtCore import QSettings, Qt, QTimer
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication, QFileDialog

from server.app.document import SaveRefused, ShowDocument
from server.app.window import ShowCreatorMainWindow
from shared.show import demo_show, load_show, save_show
from tests.server_app.conftest import WAIT_MS

DATA = Path(__file__).resolve().parents[1] / "show" / "importers" / "data"


@pytest.fixture
def rig(tmp_path: Path) -> Path:
    path = tmp_path / "club.qxw"
    shutil.copy(DATA / "club.qxw", path)
    return path


@pytest.mark.parametrize("name", ["club.qxw", "rig.yaml"])
def test_the_document_refuses_to_save_over_a_rig(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    shutil.copy(DATA / name, path)
    doc = ShowDocument(demo_show(), path)  # as `show-creator --show club.qxw` opens it
    try:
        with pytest.raises(SaveRefused) as err:
            doc.save()
        assert str(err.value).startswith(f"{path} is not a JSON show (it is a ")
        assert str(err.value).endswith(f"saves JSON shows: save as a .json file, and {name} is left as it is")
        assert path.read_bytes() == (DATA / name).read_bytes()
        with pytest.raises(SaveRefused, match=r"other\.yaml: Show Creator saves JSON shows: save as a \.json file"):
            doc.save(tmp_path / "other.yaml")
        assert not (tmp_path / "other.yaml").exists()
        doc.save(tmp_path / "club.json")  # a JSON name is fine, and from then on Save writes there
        doc.save()
        assert load_show(tmp_path / "club.json")[0] == doc.config
    finally:
        doc.close()


def test_a_json_show_saves_in_place(tmp_path: Path) -> None:
    path = tmp_path / "show"  # our JSON, whatever its name
    save_show(demo_show(), path)
    doc = ShowDocument(demo_show(), path)
    try:
        doc.save()
    finally:
        doc.close()


@pytest.fixture
def window(qtbot, settings: QSettings, rig: Path) -> Iterator[ShowCreatorMainWindow]:
    doc = ShowDocument(demo_show(), watch_interval=0.05)
    doc.load_file(rig)
    win = ShowCreatorMainWindow(doc, host="127.0.0.1", port=0, settings=settings)
    win.show()
    qtbot.waitExposed(win)
    try:
        yield win
    finally:
        win._closing_confirmed = True
        win.close()
        win.deleteLater()


def test_ctrl_s_on_a_workspace_asks_for_a_json_name_and_leaves_the_workspace(qtbot, window, rig: Path) -> None:
    seen: list[str] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(50, answer)
            return
        seen.append(dialog.selectedFiles()[0])
        QTest.keyClick(dialog, Qt.Key.Key_Return)  # the dialog's Save, as a user presses it

    QTimer.singleShot(50, answer)
    assert window.save()
    assert seen == [str(rig.with_suffix(".json"))]  # offered next to the workspace
    assert rig.read_bytes() == (DATA / "club.qxw").read_bytes()
    assert load_show(rig.with_suffix(".json"))[0] == window.doc.config
    assert window.doc.path == str(rig.with_suffix(".json"))
    qtbot.waitUntil(lambda: "is not a JSON show" in (window.last_error or ""), timeout=WAIT_MS)
