"""``python -m engine`` is the same as the ``tiltpilot`` command."""

from __future__ import annotations

import sys

from engine.console import main

sys.exit(main())
