"""``qmsgraph ask`` (the QMS frameworks' questions answered from the graph) and ``qmsgraph
report duty-of-quality`` (the yearly Duty of Quality report, HTML or Markdown)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from ..errors import QMSGraphError
from .common import DEFAULT_STORE, ConfigOpt, StoreOpt, console, fail, opened, read_config

report_app = typer.Typer(help="Reports written from the graph.", no_args_is_help=True,
                         rich_markup_mode=None)


def ask_cmd(
    question: Annotated[str | None, typer.Argument(help=(
        "The question's id (see --list), e.g. escalate or quality-domains; none: every "
        "question."))] = None,
    list_: Annotated[bool, typer.Option("--list", help=(
        "List the questions, their sources and whether the graph can answer them."))] = False,
    fmt: Annotated[Literal["table", "json"], typer.Option(
        "--format", "-f", help="table for people, json for programs.")] = "table",
    limit: Annotated[int, typer.Option(min=1, help=(
        "Evidence rows shown per answer in the table (json: all)."))] = 10,
    store: StoreOpt = DEFAULT_STORE,
    config: ConfigOpt = None,
) -> None:
    """Answer NHS Wales's "where to start" and building-a-QMS questions from the graph: a
    plain answer, its evidence and what is missing to answer it better."""
    from ..io.safe import for_terminal as tty
    from ..questions import ask, list_questions
    from ..questions import question as find

    if list_:
        qs = list_questions()
        if fmt == "json":
            sys.stdout.write(json.dumps([q.model_dump() for q in qs], indent=2) + "\n")
            return
        t = Table(title="Questions (qmsgraph ask ID)", expand=True)
        t.add_column("id", no_wrap=True)
        t.add_column("question", ratio=1)
        t.add_column("answered", no_wrap=True)
        for q in qs:
            t.add_row(q.id, f"{q.number}: {q.text}", "yes" if q.answerable else "no")
        console.print(t)
        for q in qs:
            if not q.answerable:
                console.print(f"[bold]{q.id}[/] cannot be answered; record: "
                              + "; ".join(q.needs), highlight=False)
        return
    if question is not None:
        try:
            find(question)
        except QMSGraphError as err:
            fail(err)
    cfg = read_config(config)
    with opened(store, create=False) as s:
        answers = ask(s, question, cfg)
    if fmt == "json":
        data = [a.model_dump() for a in answers]
        sys.stdout.write(json.dumps(data[0] if question else data, indent=2) + "\n")
        return
    for a in answers:
        console.print(f"\n[bold]{tty(a.number)}. {tty(a.text)}[/] [dim]({a.id})[/]",
                      highlight=False)
        console.print(("  " if a.answerable else "  [yellow]cannot answer:[/] ")
                      + tty(a.answer), highlight=False)
        if a.evidence:
            t = Table(show_header=True, box=None, padding=(0, 1), expand=True)
            t.add_column("id", no_wrap=True)
            t.add_column("kind", no_wrap=True)
            t.add_column("label", ratio=1)
            t.add_column("note", ratio=2)
            for e in a.evidence[:limit]:
                t.add_row(tty(e.id), e.kind, tty(e.label), tty(e.note))
            console.print(t)
            if len(a.evidence) > limit:
                console.print(f"  ... and {len(a.evidence) - limit} more (--limit, or "
                              "--format json)", highlight=False)
        for m in a.missing:
            console.print(f"  [dim]missing:[/] {tty(m)}", highlight=False)


def duty_cmd(
    period: Annotated[str | None, typer.Option(help=(
        "START:END with ISO dates, e.g. 2025-04-01:2026-03-31 (default: the April-March "
        "year holding the latest data point)."))] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=(
        "File to write (default: print to standard output)."))] = None,
    fmt: Annotated[Literal["html", "md", "json"], typer.Option(
        "--format", "-f", help="html (self-contained page), md (Markdown) or json.")]
    = "html",
    write_map: Annotated[bool, typer.Option("--map/--no-map", help=(
        "With HTML to a file: write the findings map beside it as map.html (the report's "
        "links open it at each node)."))] = True,
    store: StoreOpt = DEFAULT_STORE,
    config: ConfigOpt = None,
) -> None:
    """The Duty of Quality report for a period: per quality domain and per enabler the goals,
    measures with their SPC icons, improvement completed and whether it shifted its measure,
    assurance done and the gaps; the four aspects' activity; the "where to start" answers."""
    from ..questions.duty import duty_markdown, duty_report, parse_period

    try:
        span = parse_period(period) if period else None
    except QMSGraphError as err:
        fail(err)
    cfg = read_config(config)
    with opened(store, create=False) as s:
        report = duty_report(s, span, cfg)
        if fmt == "json":
            text = json.dumps(report, indent=2) + "\n"
        elif fmt == "md":
            text = duty_markdown(report)
        else:
            from ..visualisations.duty import render_duty

            text = render_duty(s.view(), report)
            if output is not None and write_map:
                from ..visualisations.maps import render_map

                output.parent.mkdir(parents=True, exist_ok=True)
                (output.parent / "map.html").write_text(render_map(
                    s.view(), "findings", report=s.audit(cfg), spc=s.spc_summaries()),
                    encoding="utf-8")
    if output is None:
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    typer.echo(str(output))


def register(app: typer.Typer) -> None:
    app.command("ask")(ask_cmd)
    report_app.command("duty-of-quality")(duty_cmd)
    app.add_typer(report_app, name="report")
