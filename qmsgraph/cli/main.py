"""The ``qmsgraph`` Typer application: every command registered, from this package and from
the API and pages packages."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import __version__
from . import alignment, data, hub, neo4j, questions, spc
from .common import console

app = typer.Typer(help="qmsgraph: your Quality Management System as a knowledge graph.",
                  rich_markup_mode=None,
                  no_args_is_help=True, add_completion=True, pretty_exceptions_enable=False)


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
    from qmsgraph.io.commands import register as register_io
    from qmsgraph.visualisations.commands import register as register_pages

    for register in (data.register, alignment.register, hub.register, spc.register,
                     register_io, register_api, register_pages, neo4j.register,
                     questions.register):
        register(app)


_register()

__all__ = ["app"]

