"""File → Connect to…: the dialog lists servers advertised on loopback and reconnects the window."""

from __future__ import annotations

from server.discovery import Advertiser
from shared.protocol.discovery import Advert
from tests.app.helpers import WAIT_MS
from visualizer.app.connect_dialog import ConnectDialog, connect_window_to


def test_dialog_lists_a_discovered_server_and_the_window_connects_to_it(qtbot, window, serve):
    other = serve(show_name="Other")
    adv = Advertiser(Advert("", "127.0.0.1", other.port, show="Other", protocol=2), interfaces=["127.0.0.1"])
    adv.start()
    try:
        dialog = ConnectDialog(window.address, window, interfaces=["127.0.0.1"])
        qtbot.addWidget(dialog)
        dialog.show()

        def listed() -> bool:
            return any(f":{other.port}" in dialog.list.item(i).text() for i in range(dialog.list.count()))

        qtbot.waitUntil(listed, timeout=10_000)
        row = next(i for i in range(dialog.list.count()) if f":{other.port}" in dialog.list.item(i).text())
        dialog.list.setCurrentRow(row)
        chosen = dialog.address()
        assert chosen == ("127.0.0.1", other.port)
        dialog.close_browser()
        connect_window_to(window, *chosen)
        qtbot.waitUntil(lambda: other.get_client_count() == 1, timeout=WAIT_MS)
    finally:
        adv.close()


def test_typed_address_is_checked_and_connect_updates_title(qtbot, window, serve):
    dialog = ConnectDialog("", window, browse=False)
    qtbot.addWidget(dialog)
    dialog.edit.setText("host:notaport")
    assert dialog.address() is None and dialog.error.text()
    other = serve()
    connect_window_to(window, "127.0.0.1", other.port)
    qtbot.waitUntil(lambda: other.get_client_count() == 1, timeout=WAIT_MS)
    assert window.windowTitle().endswith(f"127.0.0.1:{other.port}")
