"""Live DMX input: UDP receivers (Art-Net, sACN) feeding ``shared.dmx.DmxState``, and their Qt adapter."""

from visualizer.dmx.receiver import DmxReceiver, Listen, bind_problem

__all__ = ["DmxReceiver", "Listen", "bind_problem"]
