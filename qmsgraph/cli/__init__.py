"""The ``qmsgraph`` command: a thin layer over the library, one module per concern.

:mod:`.common` (options, opening a store, errors), :mod:`.data` (init, load, export, stats,
backup, demo), :mod:`.alignment` (audit, thread, check-project, impact), :mod:`.spc`,
:mod:`.neo4j` (push, pull); the API (serve, keys) and the pages (map, board) register their
commands from their own packages. Every command imports the library parts it needs when it
runs, so ``qmsgraph --help`` loads typer and rich only.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .. import __version__
from . import alignment, data, neo4j, spc
from .common import console
from .data import example_files

app = typer.Typer(help="qmsgraph: your Quality Management System as a knowledge graph.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


def _version(value: bool) -> None:
    if value:
        console.print(f"qmsgraph {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: Annotated[bool, typer.Option("--version", callback=_version,
                                               is_eager=True, help="Show the version.")]
         = False) -> None:
    """Map purpose, goals, processes, measures, units and improvement work as one graph."""


def _register() -> None:
    from qmsgraph.api.commands import register as register_api
    from qmsgraph.visualisations.commands import register as register_pages

    for register in (data.register, alignment.register, spc.register, register_api,
                     register_pages, neo4j.register):
        register(app)


_register()

__all__ = ["app", "example_files"]

