"""Small Qt widgets both applications show (kept out of the Qt-free protocol and model)."""

from shared.widgets.led import LED_LIVE, LED_OFF, LED_WAITING, Led

__all__ = ["LED_LIVE", "LED_OFF", "LED_WAITING", "Led"]
