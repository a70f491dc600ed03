"""The ``qmsgraph`` command: a thin layer over the library, one module per concern.

:mod:`.common` (options, opening a store, errors), :mod:`.data` (init, load, export, stats,
backup, demo), :mod:`.alignment` (audit, thread, check-project, impact), :mod:`.spc`,
:mod:`.neo4j` (push, pull); the API (serve, keys) and the pages (map, board) register their
commands from their own packages. Every command imports the library parts it needs when it
runs, so ``qmsgraph --help`` loads typer and rich only.
"""

from __future__ import annotations

from typing import Any

__all__ = ["app", "example_files"]


def __getattr__(name: str) -> Any:
    # the application is assembled on first use, so that the command modules of other
    # packages can import :mod:`.common` without a cycle
    if name == "app":
        from .main import app

        return app
    if name == "example_files":
        from .data import example_files

        return example_files
    raise AttributeError(name)
