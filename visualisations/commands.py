"""``qmsgraph map`` and ``qmsgraph board``: write the pages to files.

``register(app)`` is called by :mod:`qmsgraph.cli`; it also adds the map and the Board page
to ``qmsgraph demo``'s outputs. The page modules (pyvis, the alignment engine) are imported
when a command runs, so ``qmsgraph --help`` does not load them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from qmsgraph.cli.common import (
    DEFAULT_STORE,
    ConfigOpt,
    StoreOpt,
    console,
    opened,
    read_config,
)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_pages(graph: Any, report: Any, spc: dict[str, Any], folder: Path,
                title: str | None = None, progress: dict[str, Any] | None = None,
                effort: Any = None) -> tuple[Path, Path]:
    """Write ``board.html`` and ``map.html`` (the findings map) side by side; the board links
    to ``map.html?focus=ID``. ``graph`` is a store's read view (:meth:`Store.view`)."""
    from .board import render_board
    from .maps import render_map

    board = _write(folder / "board.html", render_board(graph, report, spc, title,
                                                       progress=progress, effort=effort))
    map_path = _write(folder / "map.html", render_map(graph, "findings", report=report, spc=spc,
                                                      progress=progress))
    return board, map_path


def map_cmd(
    view: Annotated[Literal["system", "unit", "thread", "goal", "findings", "driver"],
                    typer.Option(help="Which map (docs/maps.md).")] = "system",
    unit: Annotated[str | None, typer.Option(help="Unit id (unit view; optional for the "
                                             "findings view).")] = None,
    focus: Annotated[str | None, typer.Option(
        help="Node id (thread view), goal or objective id (goal view), project (driver "
        "view).")] = None,
    depth: Annotated[int | None, typer.Option(
        min=0, help="Layers (system), levels of units below (unit), thread steps (thread, "
        "goal).")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")]
    = Path("map.html"),
    title: Annotated[str | None, typer.Option(help="Page title.")] = None,
    store: StoreOpt = DEFAULT_STORE,
    config: ConfigOpt = None,
) -> None:
    """Write an interactive system map as one self-contained HTML file."""
    from .board_progress import view_progress
    from .maps import render_map

    cfg = read_config(config)
    with opened(store, create=False) as s:
        content = s.map_view(view, focus=focus, unit=unit, depth=depth)
        html = render_map(s.view(), view, report=s.audit(cfg), spc=s.spc_summaries(),
                          title=title, content=content,
                          progress=view_progress(s, content.nodes))
    typer.echo(str(_write(output, html)))


def board_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write; the "
                                         "findings map is written beside it as "
                                         "map.html.")] = Path("board.html"),
    title: Annotated[str | None, typer.Option(help="Page title.")] = None,
    since: Annotated[str | None, typer.Option(
        help="Add 'What changed since' this day (YYYY-MM-DD), against the audit recorded on "
        "or before it.")] = None,
    pdf: Annotated[Path | None, typer.Option(
        help="Also print the page to this PDF (A4 landscape) with headless Chromium.")]
    = None,
    chromium: Annotated[str | None, typer.Option(
        help="The Chromium or Chrome program for --pdf (default: QMSGRAPH_CHROMIUM, else "
        "chromium on the PATH).")] = None,
    record: Annotated[bool, typer.Option(
        help="Keep this audit's record under today's date (QMSGRAPH_TODAY overrides) for "
        "later '--since' questions.")] = True,
    store: StoreOpt = DEFAULT_STORE,
    config: ConfigOpt = None,
) -> None:
    """Write the Board summary page (and the findings map it links to); --pdf prints it."""
    from qmsgraph.cli.alignment import record_and_compare
    from qmsgraph.cli.common import fail
    from qmsgraph.errors import QMSGraphError

    from .board import render_board
    from .maps import render_map

    cfg = read_config(config)
    with opened(store, create=False) as s:
        graph, spc, report = s.view(), s.spc_summaries(), s.audit(cfg)
        changes = record_and_compare(s, report, since, record, graph, spc)
        progress = s.progress()
        board = _write(output, render_board(graph, report, spc, title, changes=changes,
                                            progress=progress, effort=s.effort(cfg)))
        map_path = _write(output.parent / "map.html",
                          render_map(graph, "findings", report=report, spc=spc,
                                     progress=progress))
    typer.echo(str(board))
    typer.echo(str(map_path))
    if pdf is not None:
        from .pdf import print_pdf

        try:
            typer.echo(str(print_pdf(board, pdf, chromium)))
        except QMSGraphError as err:
            fail(err)


def demo_pages(store: Any, report: Any, spc: dict[str, Any], folder: Path) -> None:
    board, map_path = write_pages(store.view(), report, spc, folder,
                                  progress=store.progress(), effort=store.effort())
    console.print(f"Board summary: {board}\nFindings map: {map_path}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``map`` and ``board`` to the ``qmsgraph`` command, the pages to ``demo``."""
    from qmsgraph.cli import data

    app.command("map")(map_cmd)
    app.command("board")(board_cmd)
    if demo_pages not in data.DEMO_OUTPUTS:
        data.DEMO_OUTPUTS.append(demo_pages)
