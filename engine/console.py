"""The ``tiltpilot`` command (and ``python -m engine``): the memory allocator first, then the command line.

Choosing the allocator restarts the process (:func:`engine.memory_allocator.restart_with_allocator`),
so it happens here, before :mod:`engine.cli` and its imports (3-4 s) are loaded for nothing.
"""

from __future__ import annotations

from engine.memory_allocator import forget_preload, restart_with_allocator


def main() -> int:
    restart_with_allocator()
    forget_preload()
    from engine.cli import main as cli_main

    return cli_main()
