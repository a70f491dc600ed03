"""What every command shares: the consoles, the ``--store`` and ``--config`` options, opening a
store with errors turned into a message and exit code, a progress bar.

Nothing heavy is imported here (no numpy, pydantic models, rdflib, matplotlib): ``qmsgraph
--help`` loads only typer, rich and these modules; each command imports what it needs when
it runs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, NoReturn

import typer
from rich.console import Console

from ..errors import QMSGraphError, StoreBusyError, ValidationError
from ..stores.base import DEFAULT_STORE

if TYPE_CHECKING:
    from ..alignment import AlignmentConfig
    from ..stores import Store

__all__ = ["DEFAULT_STORE", "ConfigOpt", "StoreOpt", "TextOrJson", "console", "err_console",
           "fail", "opened", "progress_bar", "read_config", "usage_error"]

console = Console()
err_console = Console(stderr=True)

StoreOpt = Annotated[str, typer.Option(
    "--store", "-s", envvar="QMSGRAPH_STORE",
    help="Store: a file path (embedded SQLite) or a bolt:// / neo4j:// URI.")]
ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", "-c", envvar="QMSGRAPH_CONFIG",
    help="TOML file with an [alignment] table of rule thresholds (docs/alignment.md).")]
TextOrJson = Annotated[Literal["text", "json"], typer.Option(
    "--format", "-f", help="text for people, json for programs.")]


def usage_error(message: str, option: str | None = None) -> NoReturn:
    """A wrong option value: exit 2 (a usage error, as click and typer do), saying why."""
    raise typer.BadParameter(message, param_hint=option)


EXIT_BUSY = 75  # EX_TEMPFAIL: the store was busy; the same command can be run again


def fail(err: Exception) -> NoReturn:
    """Print an error (and its problems, up to 50) and exit 1 (75 when the store was busy:
    run the same command again)."""
    from ..io.safe import for_terminal as tty

    err_console.print(f"[bold red]error:[/] {tty(err)}", highlight=False, soft_wrap=True)
    if isinstance(err, StoreBusyError):
        raise typer.Exit(EXIT_BUSY)
    problems = getattr(err, "problems", None)
    if isinstance(err, ValidationError) and problems and len(problems) > 1:
        for p in problems[:50]:
            err_console.print(f"  - {tty(p)}", highlight=False, soft_wrap=True)
        if len(problems) > 50:
            err_console.print(f"  ... and {len(problems) - 50} more", highlight=False)
    raise typer.Exit(1)


@contextmanager
def opened(store: str, create: bool = True) -> Iterator[Store]:
    """Open a store for one command; a library error becomes a message and exit 1."""
    from ..stores import open_store

    try:
        s = open_store(store, create=create)
    except QMSGraphError as err:
        fail(err)
    try:
        yield s
    except QMSGraphError as err:
        fail(err)
    finally:
        s.close()


def read_config(path: Path | None) -> AlignmentConfig:
    from ..alignment import load_config

    try:
        return load_config(path)
    except QMSGraphError as err:
        fail(err)


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback (done, total) drawn on a terminal; silent when not a TTY."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
