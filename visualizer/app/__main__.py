"""``python -m visualizer.app`` is the ``visualizer`` command."""

import sys

from visualizer.app.cli import main

sys.exit(main())
