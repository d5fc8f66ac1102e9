"""``python -m server``: the same as the ``show-creator`` command."""

from server.cli import main

raise SystemExit(main())
