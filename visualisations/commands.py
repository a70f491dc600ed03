"""``qmsgraph map`` and ``qmsgraph board``: write the pages to files.

``register(app)`` is called from the bottom of :mod:`qmsgraph.cli`; it also adds the map and
the Board page to ``qmsgraph demo``'s outputs. The CLI module is imported lazily here, so
importing this module first does not make a cycle. (No ``from __future__ import
annotations`` here: typer reads the option annotations, which name the lazily imported
``cli`` module, when the commands are defined.)
"""

from pathlib import Path
from typing import Annotated, Any

import typer

from qmsgraph.errors import ValidationError
from qmsgraph.stores import DEFAULT_STORE

from .board import render_board
from .maps import render_map
from .views import VIEWS


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_pages(graph: Any, report: Any, spc: dict[str, Any], folder: Path,
                title: str | None = None) -> tuple[Path, Path]:
    """Write ``board.html`` and ``map.html`` (the findings map) side by side; the board links
    to ``map.html?focus=ID``."""
    board = _write(folder / "board.html", render_board(graph, report, spc, title))
    map_path = _write(folder / "map.html", render_map(graph, "findings", report=report, spc=spc))
    return board, map_path


def register(app: typer.Typer) -> None:
    """Add ``map`` and ``board`` to the ``qmsgraph`` command."""
    from qmsgraph import cli
    from qmsgraph.spc.graph import all_summaries

    @app.command("map")
    def map_cmd(
        view: Annotated[str, typer.Option(help="system, unit, thread, goal or findings.")]
        = "system",
        unit: Annotated[str | None, typer.Option(help="Unit id (unit view; optional for the "
                                                 "findings view).")] = None,
        focus: Annotated[str | None, typer.Option(help="Node id (thread view), goal or "
                                                  "objective id (goal view).")] = None,
        depth: Annotated[int | None, typer.Option(
            min=0, help="Layers (system), levels of units below (unit), thread steps (thread, "
            "goal).")] = None,
        output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")]
        = Path("map.html"),
        title: Annotated[str | None, typer.Option(help="Page title.")] = None,
        store: cli.StoreOpt = DEFAULT_STORE,
        config: cli.ConfigOpt = None,
    ) -> None:
        """Write an interactive system map as one self-contained HTML file."""
        if view not in VIEWS:
            cli._fail(ValidationError(f"--view must be one of {', '.join(VIEWS)}",
                                          field="view"))
        cfg = cli._config(config)
        with cli._open(store, create=False) as s:
            graph = s.graph()
            spc = all_summaries(graph, s)
            html = render_map(graph, view, focus=focus, unit=unit, depth=depth,
                              report=s.audit(cfg), spc=spc, title=title)
        typer.echo(str(_write(output, html)))

    @app.command("board")
    def board_cmd(
        output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write; the "
                                             "findings map is written beside it as "
                                             "map.html.")] = Path("board.html"),
        title: Annotated[str | None, typer.Option(help="Page title.")] = None,
        store: cli.StoreOpt = DEFAULT_STORE,
        config: cli.ConfigOpt = None,
    ) -> None:
        """Write the Board summary page (and the findings map it links to)."""
        cfg = cli._config(config)
        with cli._open(store, create=False) as s:
            graph = s.graph()
            spc = all_summaries(graph, s)
            report = s.audit(cfg)
            board = _write(output, render_board(graph, report, spc, title))
            map_path = _write(output.parent / "map.html",
                              render_map(graph, "findings", report=report, spc=spc))
        typer.echo(str(board))
        typer.echo(str(map_path))

    def demo_pages(graph: Any, report: Any, spc: dict[str, Any], folder: Path) -> None:
        board, map_path = write_pages(graph, report, spc, folder)
        cli.console.print(f"Board summary: {board}\nFindings map: {map_path}",
                          highlight=False)

    demo_pages.qmsgraph_maps = True  # type: ignore[attr-defined]
    if not any(getattr(f, "qmsgraph_maps", False) for f in cli.DEMO_OUTPUTS):
        cli.DEMO_OUTPUTS.append(demo_pages)
