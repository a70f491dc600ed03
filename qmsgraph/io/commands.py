"""CLI pieces of the exchange formats: ``qmsgraph template`` and the file-writing side of
``qmsgraph export`` for csv, xlsx, kumu and archimate (registered by :mod:`qmsgraph.cli.main`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from ..graph import QMSGraph

__all__ = ["register", "run_export", "FILE_FORMATS"]

# Formats written here; "csv" writes three files into a folder.
FILE_FORMATS = ("csv", "xlsx", "kumu", "archimate")


def run_export(graph: QMSGraph, fmt: str, output: Path | None) -> list[Path] | str:
    """Write ``fmt`` to ``output``; returns the paths written, or the content when
    ``output`` is None (text formats only)."""
    if fmt == "csv":
        from .tables_out import to_csv_files

        if output is None:
            raise typer.BadParameter("csv export writes nodes.csv, edges.csv and "
                                     "measure_data.csv: give --output FOLDER",
                                     param_hint="--output")
        output.mkdir(parents=True, exist_ok=True)
        written = []
        for name, text in to_csv_files(graph).items():
            (output / name).write_text(text, encoding="utf-8", newline="")
            written.append(output / name)
        return written
    if fmt == "xlsx":
        from .xlsx import to_xlsx

        if output is None:
            raise typer.BadParameter("an Excel workbook is binary: give --output FILE.xlsx",
                                     param_hint="--output")
        try:
            data = to_xlsx(graph)
        except ValueError as err:
            raise typer.BadParameter(str(err), param_hint="--format") from None
        output.write_bytes(data)
        return [output]
    if fmt == "kumu":
        from .tables_out import to_kumu

        content = to_kumu(graph)
    elif fmt == "archimate":
        from .archimate_out import to_archimate

        content = to_archimate(graph)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    if output is None:
        return content
    output.write_text(content, encoding="utf-8")
    return [output]


def register(app: typer.Typer) -> None:
    from ..stores import DEFAULT_STORE

    @app.command("xmatrix")
    def xmatrix_cmd(
        output: Annotated[Path, typer.Option("--output", "-o", help="Workbook to write.")]
        = Path("xmatrix.xlsx"),
        store: Annotated[str, typer.Option("--store", "-s", envvar="QMSGRAPH_STORE",
                                           help="Store: a file path or a bolt:// URI.")]
        = DEFAULT_STORE,
        config: Annotated[Path | None, typer.Option("--config", "-c",
                                                    envvar="QMSGRAPH_CONFIG",
                                                    help="Alignment thresholds (TOML).")]
        = None,
    ) -> None:
        """Write the X-matrix (goals, objectives, projects, measures), the audit findings
        and the gaps as one Excel workbook for a strategy-deployment team."""
        from ..alignment import load_config
        from ..errors import QMSGraphError
        from ..stores import open_store
        from .xmatrix import xmatrix_workbook

        try:
            cfg = load_config(config)
            s = open_store(store, create=False)
            try:
                data = xmatrix_workbook(s.view(), s.matrix(cfg), s.audit(cfg))
            finally:
                s.close()
        except QMSGraphError as err:
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(1) from None
        output.write_bytes(data)
        typer.echo(f"wrote {output}")

    @app.command("template")
    def template_cmd(
        output: Annotated[Path, typer.Argument(help="The workbook to write (*.xlsx).")]
        = Path("model.xlsx"),
        force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")]
        = False,
    ) -> None:
        """Write an empty Excel register workbook: one sheet per kind, documented columns,
        drop-down lists. Fill it in, then `qmsgraph load model.xlsx`."""
        from .template import write_template

        if output.exists() and not force:
            typer.echo(f"error: {output} exists (use --force to overwrite)", err=True)
            raise typer.Exit(1)
        try:
            write_template(output)
        except (ValueError, OSError) as err:
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"wrote {output}: fill it in, then: qmsgraph load {output}")
