"""The ``qmsgraph`` command: a thin layer over the library."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__
from .errors import QMSGraphError, ValidationError
from .exporters import FORMATS, export
from .importers import load_files
from .store import DEFAULT_STORE, Store, open_store

app = typer.Typer(help="qmsgraph: your Quality Management System as a knowledge graph.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
console = Console()
err_console = Console(stderr=True)

StoreOpt = Annotated[str, typer.Option(
    "--store", "-s", envvar="QMSGRAPH_STORE",
    help="Store: a file path (embedded SQLite) or a bolt:// / neo4j:// URI.")]


def _fail(err: Exception) -> None:
    err_console.print(f"[bold red]error:[/] {err}", highlight=False, soft_wrap=True)
    problems = getattr(err, "problems", None)
    if isinstance(err, ValidationError) and problems and len(problems) > 1:
        for p in problems[:50]:
            err_console.print(f"  - {p}", highlight=False, soft_wrap=True)
        if len(problems) > 50:
            err_console.print(f"  ... and {len(problems) - 50} more", highlight=False)
    raise typer.Exit(1)


@contextmanager
def _open(store: str, create: bool = True) -> Iterator[Store]:
    try:
        s = open_store(store, create=create)
    except QMSGraphError as err:
        _fail(err)
    try:
        yield s
    except QMSGraphError as err:
        _fail(err)
    finally:
        s.close()


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback (done, total) drawn on a terminal; silent when not a TTY."""
    if not sys.stderr.isatty():
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _version(value: bool) -> None:
    if value:
        console.print(f"qmsgraph {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: Annotated[bool, typer.Option("--version", callback=_version,
                                               is_eager=True, help="Show the version.")]
         = False) -> None:
    """Map purpose, goals, processes, measures, units and improvement work as one graph."""


@app.command()
def init(store: StoreOpt = DEFAULT_STORE) -> None:
    """Create an empty store (a no-op if it exists)."""
    with _open(store) as s:
        n = len(s.graph())
    console.print(f"store ready at {store} ({n} nodes)")


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="YAML model files, CSV registers, "
                                                "measure data CSV, Turtle or JSON-LD.")],
    store: StoreOpt = DEFAULT_STORE,
    update: Annotated[bool, typer.Option("--update", help="Replace nodes that exist "
                                         "instead of refusing them.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate only; write nothing.")]
    = False,
    reason: Annotated[str | None, typer.Option(help="Why (kept in the provenance).")] = None,
) -> None:
    """Load files in one transaction: all of them, or nothing if any is wrong."""
    with _open(store) as s, progress_bar("loading") as cb:
        result = load_files(s, paths, mode="upsert" if update else "add", dry_run=dry_run,
                            agent=os.environ.get("USER"), reason=reason, progress=cb)
    verb = "would add" if dry_run else "added"
    console.print(f"{verb} {result.nodes_added} nodes and {result.edges_added} edges, "
                  f"updated {result.nodes_updated} nodes")


@app.command("export")
def export_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="ttl, jsonld, graphml or yaml.")]
    = "ttl",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write "
                                                "(default: standard output).")] = None,
    store: StoreOpt = DEFAULT_STORE,
) -> None:
    """Export the whole graph."""
    if fmt not in FORMATS:
        _fail(ValidationError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}",
                              field="format"))
    with _open(store, create=False) as s:
        text = export(s.graph(), fmt)
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {output}")
    else:
        sys.stdout.write(text)


def _print_stats(stats: dict, title: str) -> None:
    t = Table(title=title, show_header=True)
    t.add_column("node kind")
    t.add_column("count", justify="right")
    for k, v in stats["node_kinds"].items():
        t.add_row(k, str(v))
    console.print(t)
    e = Table(show_header=True)
    e.add_column("relation")
    e.add_column("count", justify="right")
    for k, v in stats["edge_kinds"].items():
        e.add_row(k, str(v))
    console.print(e)
    console.print(f"[bold]{stats['nodes']}[/] nodes, [bold]{stats['edges']}[/] edges, "
                  f"[bold]{stats['data_points']}[/] measure data points")


@app.command()
def stats(store: StoreOpt = DEFAULT_STORE) -> None:
    """Count what the store holds, by kind."""
    with _open(store, create=False) as s:
        _print_stats(s.graph().stats(), f"qmsgraph store {store}")


def example_files() -> list[Path]:
    root = files("qmsgraph.examples")
    return [Path(str(root / name)) for name in
            ("northvale.yaml", "measures.csv", "projects.csv", "measure_data.csv")]


@app.command()
def demo(store: Annotated[str, typer.Option("--store", "-s", help="Where to build the demo.")]
         = "qmsgraph-demo.qmsdb") -> None:
    """Build the example health board into the embedded store and show what it holds."""
    with _open(store) as s:
        s.clear()
        with progress_bar("loading the example organisation") as cb:
            load_files(s, example_files(), agent="qmsgraph demo",
                       reason="example organisation", progress=cb)
        g = s.graph()
        _print_stats(g.stats(), f"Example organisation in {store}")


# Commands that live with their layer (thin wrappers registered here).
# -- registered commands: keep one line per module --


if __name__ == "__main__":  # pragma: no cover
    app()
