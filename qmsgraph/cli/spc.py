"""``qmsgraph spc``: the SPC summary and chart of a stored measure or of a CSV series."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from ..errors import QMSGraphError, ValidationError
from .common import (
    DEFAULT_STORE,
    StoreOpt,
    TextOrJson,
    console,
    err_console,
    fail,
    opened,
    usage_error,
)


def spc_cmd(
    measure: Annotated[str | None, typer.Argument(help="Measure id in the store.")] = None,
    input_file: Annotated[Path | None, typer.Option(
        "--input", "-i", help="A CSV with columns date,value instead of a stored measure.")]
    = None,
    store: StoreOpt = DEFAULT_STORE,
    direction: Annotated[Literal["increase", "decrease", "neutral"] | None, typer.Option(
        help="Which way is better (default: the measure's; for --input: increase).")]
    = None,
    target: Annotated[float | None, typer.Option(help="Target for the assurance icon.")]
    = None,
    rebase: Annotated[list[str] | None, typer.Option(
        help="Date (YYYY-MM-DD) at which a new mean and limits start; repeatable.")] = None,
    fix_after: Annotated[int | None, typer.Option(
        "--fix-after", help="Fix mean and limits after the first N points (N >= 12).")]
    = None,
    no_screen: Annotated[bool, typer.Option(
        "--no-screen", help="Do not screen out large moving ranges.")] = False,
    fmt: TextOrJson = "text",
    chart: Annotated[Path | None, typer.Option(
        "--chart", help="Where to write the chart (.png or .svg); with --format text the "
        "default is spc-<measure>.png, with --format json no chart unless asked.")] = None,
    title: Annotated[str | None, typer.Option(help="Chart title.")] = None,
) -> None:
    """XmR chart of a measure, the NHS Making Data Count way: summary, icons, chart."""
    from ..spc import SPCOptions, analyse
    from ..spc.chart import render_png, render_svg

    if (measure is None) == (input_file is None):
        usage_error("give a MEASURE id or --input FILE.csv (one of the two)")
    if chart is not None and chart.suffix.lower() not in (".png", ".svg"):
        usage_error(f"{chart}: the chart is written as .png or .svg", "--chart")
    if chart is not None and not chart.parent.is_dir():
        fail(ValidationError(f"cannot write the chart: folder {chart.parent} does not exist",
                             field="chart"))
    opts: dict = {"rebase": tuple(rebase or ()), "fix_after_n_points": fix_after,
                  "screen_outliers": not no_screen}
    if direction is not None:
        opts["improvement_direction"] = direction
    if target is not None:
        opts["target"] = target
    try:
        if input_file is not None:
            dates, values = read_series_csv(input_file)
            result = analyse(dates, values, SPCOptions(**opts))
            name, unit = title or input_file.stem, None
            stem = input_file.stem
        else:
            with opened(store, create=False) as s:
                result = s.measure_spc(measure, opts)
                node = s.get_node(measure)
                name, unit = title or node.label, node.unit_of_measure
            stem = measure
    except QMSGraphError as err:
        fail(err)
    out = chart or (None if fmt == "json" else Path(f"spc-{stem}.png"))
    if out is not None and out.suffix.lower() == ".svg":
        out.write_text(render_svg(result, name, unit), encoding="utf-8")
    elif out is not None:
        render_png(result, out, name, unit)
    if fmt == "json":
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
        if out is not None:
            err_console.print(f"chart written to {out}")
        return
    d = result.to_dict()
    console.print(f"[bold]{name}[/]: {len(result.points)} points", highlight=False)
    console.print(f"  mean {_num(d['mean'])}, process limits {_num(d['lpl'])} to "
                  f"{_num(d['upl'])}")
    console.print(f"  variation: {d['variation_label']}")
    if d["assurance_label"]:
        console.print(f"  assurance: {d['assurance_label']}")
    for sig in d["signals"]:
        console.print(f"  - {sig}", highlight=False)
    console.print(f"chart written to {out}")


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.4g}"


def read_series_csv(path: Path) -> tuple[list[str], list[str]]:
    """A plain date,value CSV for `qmsgraph spc --input`; errors name the row."""
    try:
        rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise ValidationError(f"cannot read: {err}", location=str(path)) from None
    if not rows or [h.strip().lower() for h in rows[0]] != ["date", "value"]:
        raise ValidationError("expected a header row 'date,value'", location=f"{path} row 1")
    dates, values = [], []
    for i, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != 2:
            raise ValidationError(f"has {len(row)} fields, expected date,value",
                                  location=f"{path} row {i}")
        try:
            values.append(float(row[1]))
        except ValueError:
            raise ValidationError(f"value {row[1]!r} is not a number",
                                  location=f"{path} row {i}") from None
        dates.append(row[0].strip())
    return dates, values


def register(app: typer.Typer) -> None:
    app.command("spc")(spc_cmd)
