"""Commands about the store's content: init, load, export, stats, backup, demo."""

from __future__ import annotations

import json
import os
import sys
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.table import Table

from ..errors import QMSGraphError, ValidationError
from .common import (
    DEFAULT_STORE,
    StoreOpt,
    TextOrJson,
    console,
    err_console,
    fail,
    opened,
    progress_bar,
    usage_error,
)

# Layers that add to the demo (the map, the Board page) append a
# callable(store, report, spc, folder).
DEMO_OUTPUTS: list[Any] = []


def init(store: StoreOpt = DEFAULT_STORE) -> None:
    """Create an empty store (a no-op if it exists)."""
    with opened(store) as s:
        n = s.stats()["nodes"]
    console.print(f"store ready at {store} ({n} nodes)")


def load(
    paths: Annotated[list[Path], typer.Argument(help="YAML model files, CSV or Excel "
                                                "registers, measure data, ArchiMate "
                                                "exchange .xml, Turtle or JSON-LD.")],
    store: StoreOpt = DEFAULT_STORE,
    update: Annotated[bool, typer.Option("--update", help="Replace nodes that exist "
                                         "instead of refusing them.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate only; write nothing.")]
    = False,
    reason: Annotated[str | None, typer.Option(help="Why (kept in the provenance).")] = None,
    encoding: Annotated[str | None, typer.Option(help="Encoding of CSV files (default: "
                                                 "BOM, else UTF-8, else cp1252).")] = None,
    dayfirst: Annotated[bool, typer.Option("--dayfirst", help="Read dates such as "
                                           "01/10/2025 as day-first (UK).")] = False,
    mapping: Annotated[Path | None, typer.Option(help="YAML column mapping for foreign "
                                                 "CSV/Excel registers.")] = None,
    source_name: Annotated[list[str] | None, typer.Option(
        "--source-name", help="The name provenance gives a file (once per file, in order); "
        "by default its path as given, or its name and content hash.")] = None,
    fmt: Annotated[Literal["text", "json"], typer.Option(
        "--format", "-f", help="text for people; json: counts, or every problem (exit 1).")]
    = "text",
) -> None:
    """Load files in one transaction: all of them, or nothing if any is wrong."""
    from ..io.mapping import load_mapping
    from ..io.readers import load_files

    notes: list[str] = []  # what an ArchiMate model held that the ontology does not map
    new = "://" not in store and not Path(store).exists()
    try:
        with opened(store) as s, progress_bar("loading") as cb:
            cmap = load_mapping(mapping) if mapping else None
            try:
                result = load_files(s, paths, mode="upsert" if update else "add",
                                    dry_run=dry_run, agent=os.environ.get("USER"),
                                    reason=reason, progress=cb, encoding=encoding,
                                    dayfirst=dayfirst, notes=notes, mapping=cmap,
                                    source_names=source_name or None)
            except QMSGraphError as err:
                if fmt == "json":  # the problems for a program; the message still on stderr
                    _json({"valid": False, "dry_run": dry_run, "error": type(err).__name__,
                           "problems": list(getattr(err, "problems", None) or [str(err)])})
                raise
    except BaseException:
        if new:  # a failed load into a mistyped path leaves no empty store behind
            for extra in ("", "-wal", "-shm", "-core.npz"):
                Path(store + extra).unlink(missing_ok=True)
        raise
    for note in notes:
        err_console.print(f"note: {note}", highlight=False, soft_wrap=True)
    if fmt == "json":
        _json({"valid": True, "dry_run": dry_run, "nodes_added": result.nodes_added,
               "edges_added": result.edges_added, "nodes_updated": result.nodes_updated,
               "notes": notes})
        return
    verb = "would add" if dry_run else "added"
    console.print(f"{verb} {result.nodes_added} nodes and {result.edges_added} edges, "
                  f"updated {result.nodes_updated} nodes")


def _json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="ttl, jsonld, graphml, gexf, "
                                     "cyjs (Cytoscape.js), yaml, csv (a folder), xlsx, kumu "
                                     "or archimate.")] = "ttl",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write "
                                                "(default: standard output).")] = None,
    store: StoreOpt = DEFAULT_STORE,
) -> None:
    """Export the whole graph."""
    from ..io.commands import FILE_FORMATS, run_export
    from ..io.export import FORMATS, export

    if fmt not in FORMATS:
        usage_error(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}", "--format")
    if output is not None and not output.parent.is_dir():
        fail(ValidationError(f"cannot write {output}: folder {output.parent} does not exist",
                             field="output"))
    with opened(store, create=False) as s:
        if fmt in FILE_FORMATS:  # csv, xlsx, kumu, archimate: qmsgraph/io/commands.py
            out = run_export(s.view(), fmt, output)
            if isinstance(out, str):
                sys.stdout.write(out)
            else:
                console.print(f"wrote {', '.join(map(str, out))}", highlight=False)
            return
        text = export(s.view(), fmt)
    if output:
        from ..io.safe import for_terminal as tty

        try:
            output.write_text(text, encoding="utf-8")
        except OSError as err:
            fail(ValidationError(f"cannot write: {err.strerror or err}", location=str(output)))
        console.print(f"wrote {tty(output)}", highlight=False)
    else:
        sys.stdout.write(text)


def print_stats(stats: dict, title: str) -> None:
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


def stats(store: StoreOpt = DEFAULT_STORE, fmt: TextOrJson = "text") -> None:
    """Count what the store holds, by kind."""
    with opened(store, create=False) as s:
        counts = s.stats()
    if fmt == "json":
        _json(counts)
    else:
        print_stats(counts, f"qmsgraph store {store}")


def backup(source: Annotated[str, typer.Argument(help="The store to copy (a file).")],
           dest: Annotated[Path, typer.Argument(help="The new file to write.")]) -> None:
    """Copy a live embedded store into one file, every committed change included (SQLite's
    online backup: safe while servers and loads use the store)."""
    from ..stores.sqlite import SQLiteStore

    with opened(source, create=False) as s:
        if not isinstance(s, SQLiteStore):
            fail(QMSGraphError("backup copies an embedded store; for Neo4j use "
                               "'qmsgraph pull' or neo4j-admin"))
        path = s.backup(dest)
    console.print(f"backed up {source} to {path}")


def example_files() -> list[Path]:
    root = files("qmsgraph.examples")
    return [Path(str(root / name)) for name in
            ("northvale.yaml", "measures.csv", "projects.csv", "measure_data.csv")]


def demo(store: Annotated[str, typer.Option("--store", "-s", help="Where to build the demo.")]
         = "qmsgraph-demo.qmsdb",
         output: Annotated[Path, typer.Option(help="Folder for the map, board page and "
                                              "charts.")] = Path("qmsgraph-demo")) -> None:
    """Build the example health board into the embedded store, audit it and show the result."""
    from ..alignment import AlignmentConfig
    from ..io.readers import load_files
    from ..spc.chart import render_png
    from .alignment import findings_table, print_summary

    with opened(store) as s:
        s.clear()
        with progress_bar("loading the example organisation") as cb:
            load_files(s, example_files(), agent="qmsgraph demo",
                       reason="example organisation", progress=cb)
        print_stats(s.stats(), f"Example organisation in {store}")
        cfg = AlignmentConfig()
        summaries = s.spc_summaries()
        concern = sorted(s.concern_measures(cfg.concern_window))
        special = sorted(m for m, x in summaries.items()
                         if x["variation_type"] != "common_cause")
        console.print(f"SPC: {len(summaries)} measures analysed; {len(special)} show special-"
                      f"cause variation at their latest point, {len(concern)} with concern in "
                      f"the last {cfg.concern_window} months.")
        report = s.audit(cfg)
        console.print(findings_table(report.filter(severity="error"),
                                     "Errors in the golden thread"))
        print_summary(report)
        output.mkdir(parents=True, exist_ok=True)
        chart_id = concern[0] if concern else (special[0] if special else None)
        if chart_id:
            node = s.get_node(chart_id)
            path = render_png(s.measure_spc(chart_id), output / f"spc-{chart_id}.png",
                              node.label, node.unit_of_measure)
            console.print(f"SPC chart of '{node.label}': {path}", highlight=False)
        for extra in DEMO_OUTPUTS:
            extra(s, report, summaries, output)
        console.print("Next: [bold]qmsgraph audit --store " + store + "[/], "
                      "[bold]qmsgraph thread ID --store " + store + "[/], "
                      "[bold]qmsgraph serve --store " + store + "[/]")


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(load)
    app.command("export")(export)
    app.command()(stats)
    app.command()(backup)
    app.command()(demo)
