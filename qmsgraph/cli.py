"""The ``qmsgraph`` command: a thin layer over the library."""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Annotated

import typer
import yaml
from pydantic import ValidationError as PydanticValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__
from .alignment import (
    RULES,
    SEVERITY_ORDER,
    AlignmentConfig,
    AuditReport,
    ProjectProposal,
    load_config,
)
from .errors import QMSGraphError, StoreBusyError, ValidationError
from .io.export import FORMATS, export
from .io.readers import load_files
from .spc import SPCOptions, analyse
from .spc.chart import render_png, render_svg
from .spc.graph import all_summaries, has_concern, measure_spc
from .stores import DEFAULT_STORE, Store, open_store

app = typer.Typer(help="qmsgraph: your Quality Management System as a knowledge graph.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
console = Console()
err_console = Console(stderr=True)

StoreOpt = Annotated[str, typer.Option(
    "--store", "-s", envvar="QMSGRAPH_STORE",
    help="Store: a file path (embedded SQLite) or a bolt:// / neo4j:// URI.")]


EXIT_BUSY = 75  # EX_TEMPFAIL: the store was busy; the same command can be run again


def _fail(err: Exception) -> None:
    err_console.print(f"[bold red]error:[/] {err}", highlight=False, soft_wrap=True)
    if isinstance(err, StoreBusyError):
        raise typer.Exit(EXIT_BUSY)
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
        n = s.stats()["nodes"]
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
        _print_stats(s.stats(), f"qmsgraph store {store}")


@app.command()
def backup(source: Annotated[str, typer.Argument(help="The store to copy (a file).")],
           dest: Annotated[Path, typer.Argument(help="The new file to write.")]) -> None:
    """Copy a live embedded store into one file, every committed change included (SQLite's
    online backup: safe while servers and loads use the store)."""
    from .stores.sqlite import SQLiteStore

    with _open(source, create=False) as s:
        if not isinstance(s, SQLiteStore):
            _fail(QMSGraphError("backup copies an embedded store; for Neo4j use "
                                "'qmsgraph pull' or neo4j-admin"))
        path = s.backup(dest)
    console.print(f"backed up {source} to {path}")


def example_files() -> list[Path]:
    root = files("qmsgraph.examples")
    return [Path(str(root / name)) for name in
            ("northvale.yaml", "measures.csv", "projects.csv", "measure_data.csv")]


@app.command()
def demo(store: Annotated[str, typer.Option("--store", "-s", help="Where to build the demo.")]
         = "qmsgraph-demo.qmsdb",
         output: Annotated[Path, typer.Option(help="Folder for the map, board page and "
                                              "charts.")] = Path("qmsgraph-demo")) -> None:
    """Build the example health board into the embedded store, audit it and show the result."""
    with _open(store) as s:
        s.clear()
        with progress_bar("loading the example organisation") as cb:
            load_files(s, example_files(), agent="qmsgraph demo",
                       reason="example organisation", progress=cb)
        g = s.view()
        _print_stats(g.stats(), f"Example organisation in {store}")
        cfg = AlignmentConfig()
        summaries = all_summaries(g, s)
        concern = sorted(m for m, x in summaries.items() if has_concern(x, cfg.concern_window))
        special = sorted(m for m, x in summaries.items()
                         if x["variation_type"] != "common_cause")
        console.print(f"SPC: {len(summaries)} measures analysed; {len(special)} show special-"
                      f"cause variation at their latest point, {len(concern)} with concern in "
                      f"the last {cfg.concern_window} months.")
        report = s.audit(cfg)
        errors = report.filter(severity="error")
        console.print(_findings_table(errors, "Errors in the golden thread"))
        _print_summary(report)
        output.mkdir(parents=True, exist_ok=True)
        chart_id = concern[0] if concern else (special[0] if special else None)
        if chart_id:
            node = g.node(chart_id)
            path = render_png(measure_spc(g, chart_id), output / f"spc-{chart_id}.png",
                              node.label, node.unit_of_measure)
            console.print(f"SPC chart of '{node.label}': {path}", highlight=False)
        for extra in DEMO_OUTPUTS:  # maps and the Board page draw from the whole graph
            extra(s.graph(), report, summaries, output)
        console.print("Next: [bold]qmsgraph audit --store " + store + "[/], "
                      "[bold]qmsgraph thread ID --store " + store + "[/], "
                      "[bold]qmsgraph serve --store " + store + "[/]")


# Layers that add to the demo (the map) append a callable(graph, report, spc, folder).
DEMO_OUTPUTS: list = []

# ---------------------------------------------------------------------------- alignment

ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", "-c", envvar="QMSGRAPH_CONFIG",
    help="TOML file with an [alignment] table of rule thresholds (docs/alignment.md).")]
SEV_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _config(path: Path | None) -> AlignmentConfig:
    try:
        return load_config(path)
    except QMSGraphError as err:
        _fail(err)
        raise  # unreachable: _fail exits


def _print_summary(report: AuditReport) -> None:
    s = report.summary()
    sev = s["by_severity"]
    proj = s["projects"]
    console.print(
        f"[bold]{s['findings']}[/] findings: [bold red]{sev.get('error', 0)} errors[/], "
        f"[yellow]{sev.get('warning', 0)} warnings[/], {sev.get('info', 0)} info. "
        f"Live projects: {proj.get('aligned', 0)} aligned, {proj.get('misaligned', 0)} "
        f"misaligned, {proj.get('orphaned', 0)} orphaned.")


def _findings_table(findings: list, title: str) -> Table:
    t = Table(title=title, show_lines=False, expand=True)
    t.add_column("severity", no_wrap=True)
    t.add_column("rule", no_wrap=True)
    t.add_column("node", no_wrap=True)
    t.add_column("finding", ratio=1)
    for f in findings:
        t.add_row(f"[{SEV_STYLE[f.severity]}]{f.severity}[/]", f.rule, f.node, f.message)
    return t


@app.command("audit")
def audit_cmd(
    store: StoreOpt = DEFAULT_STORE,
    config: ConfigOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json, markdown or csv.")]
    = "table",
    rule: Annotated[str | None, typer.Option(help="Only this rule.")] = None,
    severity: Annotated[str | None, typer.Option(help="Only this severity or worse: error, "
                                                 "warning, info.")] = None,
    fail_on: Annotated[str | None, typer.Option(
        "--fail-on", help="Exit 1 if there is a finding of this severity or worse "
        "(error or warning), for pipelines.")] = None,
) -> None:
    """Audit the golden thread: orphaned and misaligned work, gaps, risks."""
    for name, value, allowed in (("format", fmt, ("table", "json", "markdown", "csv")),
                                 ("severity", severity, (None, "error", "warning", "info")),
                                 ("fail-on", fail_on, (None, "error", "warning"))):
        if value not in allowed:
            _fail(ValidationError(f"--{name} must be one of "
                                  f"{', '.join(a for a in allowed if a)}", field=name))
    if rule is not None and rule not in RULES:
        _fail(ValidationError(f"unknown rule {rule!r}; rules: {', '.join(RULES)}",
                              field="rule"))
    cfg = _config(config)
    with _open(store, create=False) as s:
        report = s.audit(cfg)
    findings = report.filter(rule=rule, severity=severity)
    if fmt == "json":
        out = report.model_copy(update={"findings": findings})
        sys.stdout.write(out.model_dump_json(indent=2) + "\n")
    elif fmt == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(["severity", "rule", "node", "kind", "label", "message"])
        for f in findings:
            w.writerow([f.severity, f.rule, f.node, f.kind, f.label, f.message])
    elif fmt == "markdown":
        sys.stdout.write(audit_markdown(report, findings))
    else:
        console.print(_findings_table(findings, f"Alignment audit of {store}"))
        _print_summary(report)
    if fail_on and any(SEVERITY_ORDER[f.severity] <= SEVERITY_ORDER[fail_on]
                       for f in report.findings):
        raise typer.Exit(1)


def audit_markdown(report: AuditReport, findings: list) -> str:
    s = report.summary()
    lines = ["# Alignment audit", "",
             f"{s['findings']} findings; by severity: "
             + ", ".join(f"{k} {v}" for k, v in sorted(s["by_severity"].items())), "",
             "| severity | rule | node | finding |", "|---|---|---|---|"]
    for f in findings:
        msg = f.message.replace("|", "\\|")
        lines.append(f"| {f.severity} | {f.rule} | `{f.node}` | {msg} |")
    return "\n".join(lines) + "\n"


@app.command("thread")
def thread_cmd(node: Annotated[str, typer.Argument(help="Node id.")],
               store: StoreOpt = DEFAULT_STORE,
               fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")]
               = "text") -> None:
    """Show a node's golden thread(s) up to the purpose, or where the thread breaks."""
    with _open(store, create=False) as s:
        result = s.thread(node)
    if fmt == "json":
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return
    console.print(f"[bold]{result.label}[/] ({result.kind} {result.node})", highlight=False)
    for t in result.threads:
        chain = " ".join(f"{st.label} [dim]({st.kind})[/]" + (f" --{st.edge}-->"
                                                            if st.edge else "")
                         for st in t.path)
        colour = "green" if t.goal_status == "active" else "yellow"
        console.print(f"  [{colour}]{t.goal_status}[/] {chain}", highlight=False)
    if result.broken:
        ends = ", ".join(result.last_reached) or result.node
        console.print(f"  [bold red]thread broken[/]: no active goal reached; it stops at "
                      f"{ends}", highlight=False)


@app.command("check-project")
def check_project_cmd(
    file: Annotated[Path, typer.Argument(help="YAML or JSON file describing the proposal: "
                                         "label, aim, unit, measures, processes, "
                                         "declared_priority, sponsor.")],
    store: StoreOpt = DEFAULT_STORE,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Check a proposed project against the strategic priorities (for QI hubs)."""
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        proposal = ProjectProposal.model_validate(data)
    except (OSError, yaml.YAMLError) as err:
        _fail(ValidationError(f"cannot read proposal: {err}", location=str(file)))
    except PydanticValidationError as err:
        _fail(ValidationError("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                        for e in err.errors()), location=str(file)))
    with _open(store, create=False) as s:
        result = s.check_project(proposal)
    if fmt == "json":
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return
    colour = {"aligned": "green", "weak": "yellow", "misaligned": "red",
              "orphaned": "red"}[result.verdict]
    console.print(f"Verdict: [bold {colour}]{result.verdict}[/]")
    for r in result.reasons:
        console.print(f"  - {r}", highlight=False)
    for t in result.threads[:3]:
        console.print("  thread: " + " -> ".join(st.label for st in t.path), highlight=False)
    if result.lacks:
        console.print("  lacks: " + "; ".join(result.lacks), highlight=False)
    for a in result.alternatives:
        console.print(f"  could align to: {a.label} ({a.goal}), score {a.score:g}",
                      highlight=False)
    for d in result.duplicates:
        console.print(f"  would duplicate: {d.label} ({d.project}) in "
                      f"{', '.join(d.units) or 'no unit'}", highlight=False)


@app.command("impact")
def impact_cmd(node: Annotated[str, typer.Argument(help="Node id.")],
               store: StoreOpt = DEFAULT_STORE) -> None:
    """What loses support if a project, process or measure is stopped or removed."""
    with _open(store, create=False) as s:
        result = s.impact(node)
    sys.stdout.write(result.model_dump_json(indent=2) + "\n")


# ---------------------------------------------------------------------------- SPC

@app.command("spc")
def spc_cmd(
    measure: Annotated[str | None, typer.Argument(help="Measure id in the store.")] = None,
    input_file: Annotated[Path | None, typer.Option(
        "--input", "-i", help="A CSV with columns date,value instead of a stored measure.")]
    = None,
    store: StoreOpt = DEFAULT_STORE,
    direction: Annotated[str | None, typer.Option(
        help="increase, decrease or neutral (default: the measure's; for --input: "
        "increase).")] = None,
    target: Annotated[float | None, typer.Option(help="Target for the assurance icon.")]
    = None,
    rebase: Annotated[list[str] | None, typer.Option(
        help="Date (YYYY-MM-DD) at which a new mean and limits start; repeatable.")] = None,
    fix_after: Annotated[int | None, typer.Option(
        "--fix-after", help="Fix mean and limits after the first N points (N >= 12).")]
    = None,
    no_screen: Annotated[bool, typer.Option(
        "--no-screen", help="Do not screen out large moving ranges.")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    chart: Annotated[Path | None, typer.Option(
        "--chart", help="Where to write the chart (.png or .svg); default "
        "spc-<measure>.png.")] = None,
    title: Annotated[str | None, typer.Option(help="Chart title.")] = None,
) -> None:
    """XmR chart of a measure, the NHS Making Data Count way: summary, icons, chart."""
    if (measure is None) == (input_file is None):
        _fail(ValidationError("give a MEASURE id or --input FILE.csv (one of the two)"))
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
            with _open(store, create=False) as s:
                g = s.view()
                result = measure_spc(g, measure, opts)
                node = g.node(measure)
                name, unit = title or node.label, node.unit_of_measure
            stem = measure
    except QMSGraphError as err:
        _fail(err)
    out = chart or Path(f"spc-{stem}.png")
    if out.suffix.lower() == ".svg":
        out.write_text(render_svg(result, name, unit), encoding="utf-8")
    else:
        render_png(result, out, name, unit)
    if fmt == "json":
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
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


# Commands that live with their layer (thin wrappers registered here).
# -- registered commands: keep one line per module --
from qmsgraph.api.commands import register as _register_api  # noqa: E402, I001
_register_api(app)
from qmsgraph.visualisations.commands import register as _register_maps  # noqa: E402, I001
_register_maps(app)
from qmsgraph.neo4j_commands import register as _register_neo4j  # noqa: E402, I001
_register_neo4j(app)


if __name__ == "__main__":  # pragma: no cover
    app()
