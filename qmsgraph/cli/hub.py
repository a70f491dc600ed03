"""The QI hub's commands: ``progress`` (a project's progress level from the evidence) and
``portfolio`` (one row per project, totals per goal and unit)."""

from __future__ import annotations

import csv
import sys
from typing import Annotated, Literal

import typer
from rich.table import Table

from .common import DEFAULT_STORE, ConfigOpt, StoreOpt, console, opened, read_config

Fmt = Annotated[Literal["table", "json", "csv"], typer.Option(
    "--format", "-f", help="table, json or csv.")]


def progress_cmd(project: Annotated[str, typer.Argument(help="Project id.")],
                 store: StoreOpt = DEFAULT_STORE,
                 fmt: Annotated[Literal["table", "json"], typer.Option(
                     "--format", "-f", help="table or json.")] = "table") -> None:
    """A project's progress on the IHI 0.5-5 scale, derived from the evidence in the graph:
    each level's evidence, and what would move it up."""
    from ..io.safe import for_terminal as tty

    with opened(store, create=False) as s:
        p = s.progress(project)[project]
    if fmt == "json":
        sys.stdout.write(p.model_dump_json(indent=2) + "\n")
        return
    console.print(f"[bold]{tty(p.label)}[/] ({tty(p.project)}, {p.status}): progress "
                  f"[bold]{p.level:.1f}[/] {p.name}", highlight=False)
    if p.recorded is not None:
        verdict = "supported by the evidence" if p.supported else "[yellow]not supported " \
            "by the evidence[/] (progress-not-evidenced)"
        console.print(f"Recorded by the team: {p.recorded:.1f}: {verdict}", highlight=False)
    t = Table(show_lines=False, expand=True)
    t.add_column("level", no_wrap=True)
    t.add_column("", no_wrap=True)
    t.add_column("IHI scale", no_wrap=True)
    t.add_column("evidence, or what is missing", ratio=1)
    for c in p.checks:
        mark = "[green]met[/]" if c.met else "[dim]not yet[/]"
        t.add_row(f"{c.level:.1f}", mark, c.name,
                  tty(" ".join(c.evidence) if c.met else c.missing or ""))
    console.print(t)
    if p.next:
        console.print(f"To move up: {tty(p.next)}", highlight=False)


def portfolio_cmd(store: StoreOpt = DEFAULT_STORE, config: ConfigOpt = None, fmt: Fmt = "table",
                  goal: Annotated[str | None, typer.Option(
                      help="Only projects whose thread reaches this goal.")] = None,
                  unit: Annotated[str | None, typer.Option(
                      help="Only projects led by this unit or a unit below it.")] = None,
                  status: Annotated[Literal["proposed", "active", "paused", "completed",
                                            "stopped"] | None, typer.Option(
                      help="Only projects with this status.")] = None) -> None:
    """The QI portfolio: per project its unit, status, progress level and evidence, measure
    family (outcome/process/balancing), alignment verdict and overlaps; totals per goal and
    per unit (with the units below it)."""
    from ..alignment.hub import FAMILY, csv_rows
    from ..io.safe import csv_row
    from ..io.safe import for_terminal as tty

    cfg = read_config(config)
    with opened(store, create=False) as s:
        p = s.portfolio(goal=goal, unit=unit, status=status, config=cfg)
    if fmt == "json":
        sys.stdout.write(p.model_dump_json(indent=2) + "\n")
        return
    if fmt == "csv":
        w = csv.writer(sys.stdout)
        for row in csv_rows(p):  # csv_row: no formula a spreadsheet would run
            w.writerow(csv_row(row))
        return
    t = Table(title=f"QI portfolio ({len(p.rows)} projects)", expand=True)
    for col in ("project", "label", "unit", "status", "progress", "O/P/B", "verdict",
                "overlaps"):
        t.add_column(col, no_wrap=col not in ("label", "overlaps"),
                     ratio=1 if col == "label" else None)
    for r in p.rows:
        fam = "/".join(k[0].upper() if r.family[k] else "-" for k in FAMILY)
        prog = f"{r.progress:.1f}"
        if r.recorded is not None and not r.supported:
            prog += f" [yellow](recorded {r.recorded:.1f})[/]"
        t.add_row(tty(r.project), tty(r.label), tty(", ".join(r.units) or "-"), r.status,
                  prog, fam, r.verdict, tty(", ".join(r.overlaps) or "-"))
    console.print(t)
    console.print("progress: IHI 0.5-5 from the evidence (qmsgraph progress ID explains "
                  "it); O/P/B: outcome, process, balancing measure present", style="dim")
    g = Table(title="Per goal")
    for col in ("goal", "projects", "mean progress", "measures O/P/B/S", "family"):
        g.add_column(col)
    for x in p.goals:
        mt = x.measure_types
        fam = ("[yellow]one type only[/] " if x.one_type_only else "") + (
            f"no {', '.join(x.missing)}" if x.missing else "balanced")
        g.add_row(tty(f"{x.label} ({x.goal})"), str(x.projects),
                  "-" if x.mean_progress is None else f"{x.mean_progress:g}",
                  "/".join(str(mt[k]) for k in ("outcome", "process", "balancing",
                                                "structure")), fam)
    console.print(g)
    u = Table(title="Per unit (with the units below it)")
    for col in ("unit", "projects", "mean progress", "with O/P/B"):
        u.add_column(col)
    for x in p.units:
        u.add_row(tty(f"{x.label} ({x.unit})"), str(x.projects),
                  "-" if x.mean_progress is None else f"{x.mean_progress:g}",
                  "/".join(str(x.family[k]) for k in FAMILY))
    console.print(u)


def register(app: typer.Typer) -> None:
    app.command("progress")(progress_cmd)
    app.command("portfolio")(portfolio_cmd)
