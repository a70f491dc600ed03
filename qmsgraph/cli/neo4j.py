"""``qmsgraph push`` and ``qmsgraph pull``: copy a graph between the embedded store and Neo4j
."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import QMSGraphError, StoreError
from .common import DEFAULT_STORE, console, fail, progress_bar

UriArg = Annotated[str, typer.Argument(
    help="Neo4j URI: bolt://host:7687 or neo4j://host (neo4j+s:// for Aura); credentials "
    "from QMSGRAPH_NEO4J_USER / QMSGRAPH_NEO4J_PASSWORD or user:password@ in the URI.")]
ReplaceOpt = Annotated[bool, typer.Option(
    "--replace", help="Clear the target first (otherwise ids already there are refused).")]


def _neo4j(uri: str):  # noqa: ANN202 - the store type is imported lazily
    from ..stores.neo4j import SCHEMES, Neo4jStore

    if uri.split("://", 1)[0] not in SCHEMES:
        raise StoreError(f"not a Neo4j URI: {uri.split('@')[-1]!r} (bolt://, neo4j://, "
                         "neo4j+s:// ...)")
    return Neo4jStore(uri)


def push(
    uri: Annotated[str | None, typer.Argument(
        help="Neo4j URI: bolt://host:7687 or neo4j://host (neo4j+s:// for Aura); credentials "
        "from QMSGRAPH_NEO4J_USER / QMSGRAPH_NEO4J_PASSWORD or user:password@ in the URI. "
        "Not with --offline.")] = None,
    source: Annotated[Path, typer.Option("--from", help="Embedded store to copy from.")]
    = Path(DEFAULT_STORE),
    replace: ReplaceOpt = False,
    offline: Annotated[Path | None, typer.Option(
        "--offline", help="Write CSV files for Neo4j's bulk importer (neo4j-admin database "
        "import full) into this folder instead, with import.sh: the fast first load of a "
        "large graph into a new database (docs/neo4j.md).")] = None,
) -> None:
    """Copy the embedded store to Neo4j (batched; run it again to finish an interrupted push)."""
    from ..stores import SQLiteStore, changes_from_graph

    target = None
    try:
        if offline is not None:
            from ..stores.neo4j.offline import write_import_csv

            if uri:
                raise StoreError("--offline writes files for the importer: give no URI")
            src = SQLiteStore(source, create=False)
            try:
                view = src.view()
                out = write_import_csv(view.nodes(), view.edges(), offline)
            finally:
                src.close()
            console.print(f"wrote {out['nodes']} nodes and {out['relationships']} edges "
                          f"from {source} to {offline} for the importer: run "
                          f"{offline / 'import.sh'} on the stopped server", highlight=False)
            return
        if not uri:
            raise StoreError("give the Neo4j URI to push to (or --offline DIR)")
        src = SQLiteStore(source, create=False)
        try:  # every node and edge, read from the store's snapshot
            changes = changes_from_graph(src.view(), source=str(source))
        finally:
            src.close()
        target = _neo4j(uri)
        if replace:
            target.clear()
        with progress_bar(f"pushing to {target.url}") as cb:
            result = target.apply(changes, progress=cb)
        console.print(f"pushed {result.nodes_added} nodes and {result.edges_added} edges "
                      f"from {source} to {target.url}", highlight=False)
    except QMSGraphError as err:
        fail(err)
    finally:
        if target is not None:
            target.close()


def pull(
    uri: UriArg,
    to: Annotated[Path, typer.Option("--to", help="Embedded store to copy into.")]
    = Path(DEFAULT_STORE),
    replace: ReplaceOpt = False,
) -> None:
    """Copy a Neo4j graph into the embedded store (one transaction)."""
    from ..stores import SQLiteStore, changes_from_graph

    source = dest = None
    try:
        source = _neo4j(uri)
        with progress_bar(f"reading {source.url}") as cb:
            graph = source.graph(progress=cb)
        dest = SQLiteStore(to)
        if replace:
            dest.clear()
        with progress_bar(f"writing {to}") as cb:
            result = dest.apply(changes_from_graph(graph, source=source.url), progress=cb)
        console.print(f"pulled {result.nodes_added} nodes and {result.edges_added} edges "
                      f"from {source.url} into {to}", highlight=False)
    except QMSGraphError as err:
        fail(err)
    finally:
        for s in (source, dest):
            if s is not None:
                s.close()


def register(app: typer.Typer) -> None:
    app.command("push")(push)
    app.command("pull")(pull)
