"""``qmsgraph spc``: the chart of a stored measure (on the chart type it states, annotated from
the graph) or of a CSV file, on any chart type (every option of the older XmR-only command
still works).

One contract for every chart, which the tests use::

    qmsgraph spc --input FILE --chart run|i|p|u|c|g|t|pp|up [--freeze K] [--part K,...]
        [--exclude K,...] [--multiply M] [--cl V] [--rules anhoej|bestbox|cutbox|ihi]
        [--screen-mr|--no-screen-mr] --format json

FILE is a CSV with the header ``x,y`` or ``x,y,n`` (x a date or an integer; positions are
1-based), or ``date,value`` (the XmR form). ``--chart xmr`` (the default for a file) is the
Making Data Count XmR chart. For a stored measure the chart is the measure's ``chart_type``.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from ..errors import QMSGraphError, ValidationError
from .common import DEFAULT_STORE, StoreOpt, TextOrJson, console, err_console, fail, usage_error

__all__ = ["read_xy_csv", "register", "spc_cmd"]

_IMAGE_SUFFIXES = (".png", ".svg")


def _positions(text: str | None, what: str) -> tuple[int, ...]:
    if not text:
        return ()
    try:
        return tuple(int(v) for v in text.replace(" ", "").split(",") if v)
    except ValueError:
        raise ValidationError(f"--{what} takes whole-number positions separated by commas, "
                              f"e.g. 12 or 8,16; got {text!r}") from None


def read_xy_csv(path: Path) -> tuple[str, list[str], list[str], list[str] | None]:
    """A CSV with header ``x,y``, ``x,y,n`` or ``date,value``: (form, x, y, n); errors name the
    file and row. ``y`` and ``n`` cells may be empty or NA (a missing value)."""
    try:
        from ..io.safe import read_text

        rows = list(csv.reader(read_text(path).lstrip("\ufeff").splitlines()))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise ValidationError(f"cannot read: {err}", location=str(path)) from None
    header = [h.strip().lower() for h in rows[0]] if rows else []
    if header not in (["x", "y"], ["x", "y", "n"], ["date", "value"]):
        raise ValidationError("expected a header row 'x,y', 'x,y,n' or 'date,value'",
                              location=f"{path} row 1")
    xs: list[str] = []
    ys: list[str] = []
    ns: list[str] = []
    for i, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise ValidationError(f"has {len(row)} fields, expected {','.join(header)}",
                                  location=f"{path} row {i}")
        cells = [c.strip() for c in row]
        for name, cell in zip(header[1:], cells[1:], strict=True):
            if cell and cell.upper() not in ("NA", "NAN"):
                try:
                    float(cell)
                except ValueError:
                    raise ValidationError(f"{name} {cell!r} is not a number",
                                          location=f"{path} row {i}") from None
        xs.append(cells[0])
        ys.append(cells[1])
        if len(cells) == 3:
            ns.append(cells[2])
    if not xs:
        raise ValidationError("no data rows", location=str(path))
    form = "date,value" if header[0] == "date" else ",".join(header)
    return form, xs, ys, (ns if len(header) == 3 else None)


def _qi_options(chart: str, freeze: int | None, part: str | None, exclude: str | None,
                multiply: float | None, cl: float | None, rules: str, screen_mr: bool
                ) -> dict[str, Any]:
    return {"chart": chart, "freeze": freeze, "part": _positions(part, "part"),
            "exclude": _positions(exclude, "exclude"), "multiply": multiply, "cl": cl,
            "rules": rules, "screen_mr": screen_mr}


def _print_text(name: str, d: dict[str, Any]) -> None:
    from ..io.safe import for_terminal as tty
    from ..spc.qiresults import CHART_LABELS

    label = CHART_LABELS[d.get("chart_type") or d.get("chart") or "xmr"]
    console.print(f"[bold]{tty(name)}[/]: {label}, {len(d['points'])} points",
                  highlight=False)
    if "groups" in d:  # XmR
        num = [("n/a" if d[k] is None else f"{d[k]:.4g}") for k in ("mean", "lpl", "upl")]
        console.print(f"  mean {num[0]}, process limits {num[1]} to {num[2]}", highlight=False)
    if d.get("variation_label") or d.get("variation_icon"):
        console.print(f"  variation: {d.get('variation_label') or d['variation_icon']}",
                      highlight=False)
    if d.get("assurance_label") or d.get("assurance_icon"):
        console.print(f"  assurance: {d.get('assurance_label') or d['assurance_icon']}",
                      highlight=False)
    for sig in d.get("signals") or []:
        console.print(f"  - {tty(sig)}", highlight=False)
    for a in d.get("annotations") or []:
        console.print(f"  * {a['date']} {a['kind_label']}: {tty(a['label'])}", highlight=False)
    prompt = d.get("rebase_prompt")
    if prompt:
        console.print(f"  rebase? {tty(prompt['message'])}", highlight=False)


def spc_cmd(
    measure: Annotated[str | None, typer.Argument(help="Measure id in the store.")] = None,
    input_file: Annotated[Path | None, typer.Option(
        "--input", "-i", help="A CSV with header x,y or x,y,n (or date,value) instead of a "
        "stored measure.")] = None,
    store: StoreOpt = DEFAULT_STORE,
    chart: Annotated[str | None, typer.Option(
        "--chart", "-c", help="xmr (Making Data Count, the default), run, i, p, u, c, g, t, "
        "pp or up; default for a measure: its chart_type. (A path ending .png/.svg is still "
        "read as --out, as before.)")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Where to write the chart (.png or .svg). Default with --format "
        "text, for a measure or an XmR chart: spc-<name>.png; otherwise only when given.")]
    = None,
    freeze: Annotated[int | None, typer.Option(
        help="Last baseline position: limits from points 1..K (ignored with --part).")] = None,
    part: Annotated[str | None, typer.Option(
        help="Positions after which a new part starts, e.g. 12 or 8,16.")] = None,
    exclude: Annotated[str | None, typer.Option(
        help="Positions left out of the centre line, limits and runs, e.g. 5,13.")] = None,
    multiply: Annotated[float | None, typer.Option(
        help="Multiply y and the lines (100 for percentages).")] = None,
    cl: Annotated[float | None, typer.Option(help="A known centre line.")] = None,
    rules: Annotated[Literal["anhoej", "bestbox", "cutbox", "ihi"], typer.Option(
        help="Runs rules.")] = "anhoej",
    screen_mr: Annotated[bool, typer.Option(
        "--screen-mr/--no-screen-mr", help="Screen out moving ranges >= 3.267 x their average "
        "(I, T, P', U'; qicharts2's qic.screenedmr).")] = True,
    suggest_rebase: Annotated[bool, typer.Option(
        "--suggest-rebase", help="Propose a rebase where a recorded change explains a "
        "sustained shift (never applied).")] = False,
    direction: Annotated[Literal["increase", "decrease", "neutral"] | None, typer.Option(
        help="Which way is better (default: the measure's; for --input: increase).")]
    = None,
    target: Annotated[float | None, typer.Option(help="Target for the assurance icon.")]
    = None,
    rebase: Annotated[list[str] | None, typer.Option(
        help="Date (YYYY-MM-DD) at which a new centre line and limits start; repeatable.")]
    = None,
    fix_after: Annotated[int | None, typer.Option(
        "--fix-after", help="XmR: fix mean and limits after the first N points (N >= 12).")]
    = None,
    no_screen: Annotated[bool, typer.Option(
        "--no-screen", help="XmR: do not screen out large moving ranges.")] = False,
    fmt: TextOrJson = "text",
    title: Annotated[str | None, typer.Option(help="Chart title.")] = None,
) -> None:
    """The SPC chart of a measure or a CSV: XmR (Making Data Count), run, I, P, U, C, G, T,
    P' or U', with its signals, icons and (for a measure) annotations from the graph."""
    try:
        _run(measure, input_file, store, chart, out, fmt, title, suggest_rebase,
             _qi_options(chart or "run", freeze, part, exclude, multiply, cl, rules,
                         screen_mr),
             {"improvement_direction": direction, "target": target,
              "rebase": tuple(rebase or ()), "fix_after_n_points": fix_after,
              "screen_outliers": not no_screen and screen_mr})
    except QMSGraphError as err:
        fail(err)


def _run(measure: str | None, input_file: Path | None, store: str, chart: str | None,
         out: Path | None, fmt: str, title: str | None, suggest_rebase: bool,
         qi: dict[str, Any], xmr: dict[str, Any]) -> None:
    from ..spc.qiresults import CHART_TYPES, XMR

    if (measure is None) == (input_file is None):
        usage_error("give a MEASURE id or --input FILE.csv (one of the two)")
    if chart is not None and Path(chart).suffix.lower() in _IMAGE_SUFFIXES:
        out, chart = out or Path(chart), None  # the older --chart PATH
    if chart is not None and chart not in CHART_TYPES:
        usage_error(f"must be one of {', '.join(CHART_TYPES)} (or a .png/.svg path); got "
                    f"{chart!r}", "--chart")
    if out is not None and out.suffix.lower() not in _IMAGE_SUFFIXES:
        usage_error(f"{out}: the chart is written as .png or .svg", "--out")
    if out is not None and not out.parent.is_dir():
        raise ValidationError(f"cannot write the chart: folder {out.parent} does not exist",
                              field="out")
    xmr = {k: v for k, v in xmr.items() if v is not None}
    if input_file is not None:
        if suggest_rebase:
            raise ValidationError("--suggest-rebase needs a stored measure (the changes that "
                                  "explain a shift are in the graph)")
        d, draw, name = _from_file(input_file, chart or XMR, qi, xmr, title)
        default_out = Path(f"spc-{input_file.stem}.png") if (chart or XMR) == XMR else None
        default_out = default_out if fmt == "text" else None  # json: a chart only if asked
    else:
        d, draw, name = _from_store(measure or "", store, chart, qi, xmr, title, suggest_rebase)
        default_out = Path(f"spc-{measure}.png") if fmt == "text" else None
    target = out or default_out
    if target is not None:
        from ..spc.qichart import render_figure

        body = render_figure(draw, "svg" if target.suffix.lower() == ".svg" else "png")
        try:
            if isinstance(body, str):
                target.write_text(body, encoding="utf-8")
            else:
                target.write_bytes(body)
        except OSError as err:
            raise ValidationError(f"cannot write the chart: {err}", location=str(target)) \
                from None
    if fmt == "json":
        sys.stdout.write(json.dumps(d, indent=2) + "\n")
    else:
        _print_text(name, d)
    if target is not None:
        err_console.print(f"chart written to {target}", highlight=False)


def _from_file(path: Path, chart: str, qi: dict[str, Any], xmr: dict[str, Any],
               title: str | None) -> tuple[dict[str, Any], Any, str]:
    from ..io.safe import for_terminal
    from ..spc.attribute import qic
    from ..spc.chart import _build
    from ..spc.measures import qi_icons
    from ..spc.qichart import build_qi_figure
    from ..spc.qiresults import QIOptions
    from ..spc.results import SPCOptions
    from ..spc.xmr import analyse

    form, xs, ys, ns = read_xy_csv(path)
    name = for_terminal(title or path.stem, markup=False)  # drawn in the chart too
    if chart == "xmr":
        if ns is not None:
            raise ValidationError("an XmR chart has no denominator: drop the n column or "
                                  "choose --chart p, u, pp or up", location=str(path))
        if any(y == "" or y.upper() in ("NA", "NAN") for y in ys):
            raise ValidationError("an XmR chart needs a value on every row",
                                  location=str(path))
        result = analyse(xs, [float(y) for y in ys], SPCOptions(**xmr))
        return result.to_dict(), lambda: _build(result, name, None), name
    r = qic(xs, ys, ns, QIOptions(**{**qi, "chart": chart,
                                     "multiply": qi["multiply"] or 1.0}))
    direction = xmr.get("improvement_direction", "neutral")
    target = xmr.get("target")
    icons = qi_icons(r, direction, target)
    d = r.to_dict()
    d["variation_icon"], d["assurance_icon"] = icons
    return d, lambda: build_qi_figure(r, name, None, direction, target, icons), name


def _from_store(measure: str, store: str, chart: str | None, qi: dict[str, Any],
                xmr: dict[str, Any], title: str | None, suggest_rebase: bool
                ) -> tuple[dict[str, Any], Any, str]:
    from ..spc.measures import measure_chart
    from ..spc.qichart import measure_figure
    from ..stores import open_store

    s = open_store(store, create=False)
    try:
        graph = s.view()
        kind = chart or graph.node(measure).__dict__.get("chart_type", "xmr")
        overrides = dict(xmr) if kind == "xmr" else {
            **{k: v for k, v in qi.items() if k != "chart"}, "rebase": xmr.get("rebase", ())}
        if kind != "xmr" and "target" in xmr:
            raise ValidationError("--target applies to the XmR chart; set the measure's target")
        mc = measure_chart(graph, measure, overrides, chart=chart, suggest_rebase=suggest_rebase)
    finally:
        s.close()
    from ..io.safe import for_terminal

    name = for_terminal(title or mc.measure.label, markup=False)
    return mc.to_dict(), lambda: measure_figure(mc, name), name


def register(app: typer.Typer) -> None:
    app.command("spc")(spc_cmd)
