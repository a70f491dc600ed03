"""Alignment commands: audit, thread, check-project, impact, contributors, balance, matrix,
scores."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.table import Table

from ..errors import ValidationError
from .common import (
    DEFAULT_STORE,
    ConfigOpt,
    StoreOpt,
    TextOrJson,
    console,
    fail,
    opened,
    read_config,
    usage_error,
)

if TYPE_CHECKING:
    from ..alignment import AuditReport

SEV_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def print_summary(report: AuditReport) -> None:
    s = report.summary()
    sev = s["by_severity"]
    proj = s["projects"]
    console.print(
        f"[bold]{s['findings']}[/] findings: [bold red]{sev.get('error', 0)} errors[/], "
        f"[yellow]{sev.get('warning', 0)} warnings[/], {sev.get('info', 0)} info. "
        f"Live projects: {proj.get('aligned', 0)} aligned, {proj.get('misaligned', 0)} "
        f"misaligned, {proj.get('locally-aligned', 0)} locally aligned, "
        f"{proj.get('orphaned', 0)} orphaned.")


def findings_table(findings: list, title: str) -> Table:
    t = Table(title=title, show_lines=False, expand=True)
    t.add_column("severity", no_wrap=True)
    t.add_column("rule", no_wrap=True)
    t.add_column("node", no_wrap=True)
    t.add_column("finding", ratio=1)
    from ..io.safe import for_terminal as tty

    for f in findings:
        t.add_row(f"[{SEV_STYLE[f.severity]}]{f.severity}[/]", f.rule, tty(f.node),
                  tty(f.message))
    return t


def audit_cmd(
    store: StoreOpt = DEFAULT_STORE,
    config: ConfigOpt = None,
    fmt: Annotated[Literal["table", "json", "markdown", "csv"],
                   typer.Option("--format", "-f", help="How to print the findings.")]
    = "table",
    rule: Annotated[str | None, typer.Option(help="Only this rule (docs/alignment.md).")]
    = None,
    severity: Annotated[Literal["error", "warning", "info"] | None, typer.Option(
        help="Only this severity or worse.")] = None,
    unit: Annotated[str | None, typer.Option(
        help="Only findings on this unit, the units below it and the work they own, lead, "
        "deliver or monitor.")] = None,
    fail_on: Annotated[Literal["error", "warning"] | None, typer.Option(
        "--fail-on", help="Exit 1 if there is a finding of this severity or worse, for "
        "pipelines.")] = None,
    since: Annotated[str | None, typer.Option(
        help="Show what changed since this day (YYYY-MM-DD): findings new and resolved, "
        "goals newly at risk or recovered, measures whose SPC icon changed, projects "
        "started, stopped or re-aligned - against the audit recorded on or before it.")]
    = None,
    record: Annotated[bool, typer.Option(
        help="Keep this audit's record under today's date (QMSGRAPH_TODAY overrides) for "
        "later '--since' questions.")] = True,
) -> None:
    """Audit the golden thread: orphaned and misaligned work, gaps, risks."""
    from ..alignment import RULES, SEVERITY_ORDER

    if rule is not None and rule not in RULES:
        usage_error(f"unknown rule {rule!r}; rules: {', '.join(RULES)}", "--rule")
    cfg = read_config(config)
    changes = None
    with opened(store, create=False) as s:
        report = s.audit(cfg)
        nodes = None
        if unit:
            units, linked = s.unit_scope(unit)
            nodes = units | linked
        if record or since:
            changes = record_and_compare(s, report, since, record)
    if changes is not None:
        from .changes import print_changes

        print_changes(changes, fmt)
        return
    findings = report.filter(rule=rule, severity=severity, nodes=nodes)
    if fmt == "json":
        out = report.model_copy(update={"findings": findings})
        sys.stdout.write(out.model_dump_json(indent=2) + "\n")
    elif fmt == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(["severity", "rule", "node", "kind", "label", "message"])
        from ..io.safe import csv_row

        for f in findings:  # csv_row: no formula a spreadsheet would run
            w.writerow(csv_row([f.severity, f.rule, f.node, f.kind, f.label, f.message]))
    elif fmt == "markdown":
        sys.stdout.write(audit_markdown(report, findings))
    else:
        console.print(findings_table(findings, f"Alignment audit of {store}"))
        print_summary(report)
    if fail_on and any(SEVERITY_ORDER[f.severity] <= SEVERITY_ORDER[fail_on]
                       for f in report.findings):
        raise typer.Exit(1)


def record_and_compare(s: Any, report: AuditReport, since: str | None, record: bool,
                       view: Any = None, spc: dict[str, Any] | None = None
                       ) -> dict[str, Any] | None:
    """Keep today's record (when asked) and, with ``since``, the changes since that day
    (``audit`` and ``board``)."""
    from ..alignment import history
    from .common import err_console

    day = history.parse_day(since) if since else None
    view = view if view is not None else s.view()
    spc = spc if spc is not None else s.spc_summaries()
    if record:
        now, problem = history.keep(s, view, report, spc)
        if problem:
            err_console.print(f"[yellow]note:[/] {problem}", highlight=False)
    else:
        now = history.record(view, report, spc)
    return history.since(s, day, now) if day else None


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


def thread_cmd(node: Annotated[str, typer.Argument(help="Node id.")],
               store: StoreOpt = DEFAULT_STORE,
               fmt: TextOrJson = "text") -> None:
    """Show a node's golden thread(s) up to the purpose, or where the thread breaks."""
    from ..io.safe import for_terminal as escape

    with opened(store, create=False) as s:
        result = s.thread(node)
        view = s.view()
        on_thread = {st.node for t in result.threads for st in t.path}
        declared = [(x, view.label(x)) for x in view.successors(node, "alignsTo")]
    if fmt == "json":
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return
    console.print(f"[bold]{escape(result.label)}[/] ({result.kind} {escape(result.node)})",
                  highlight=False)
    for t in result.threads:
        chain = " ".join(f"{escape(st.label)} [dim]({st.kind})[/]"
                         + (f" --{st.edge}-->" if st.edge else "") for st in t.path)
        colour = "green" if t.goal_status == "active" else "yellow"
        console.print(f"  [{colour}]{t.goal_status}[/] {chain}", highlight=False)
    if result.broken and result.threads:
        goals = ", ".join(f"{escape(t.goal_label)} ({t.goal_status})" for t in result.threads)
        console.print(f"  [bold red]thread broken[/]: it reaches only goals the Board no "
                      f"longer pursues: {goals}", highlight=False)
    elif result.broken and result.last_reached:
        ends = ", ".join(escape(x) for x in result.last_reached)
        console.print(f"  [bold red]thread broken[/]: no goal reached; it stops at {ends}",
                      highlight=False)
    elif result.broken:
        console.print("  [bold red]thread broken[/]: no goal reached; its thread goes round "
                      "in a cycle", highlight=False)
    for x, label in declared:
        if x not in on_thread:
            console.print(f"  [bold red]declared but not evidenced[/]: it says it serves "
                          f"{escape(label)} ({escape(x)}), which its thread does not reach",
                          highlight=False)


def check_project_cmd(
    file: Annotated[Path, typer.Argument(help="YAML or JSON file describing the proposal: "
                                         "label, aim, unit, measures, processes, "
                                         "declared_priority, sponsor.")],
    store: StoreOpt = DEFAULT_STORE,
    fmt: TextOrJson = "text",
) -> None:
    """Check a proposed project against the strategic priorities (for QI hubs)."""
    from pydantic import ValidationError as PydanticValidationError

    from ..alignment import ProjectProposal
    from ..io.readers import load_yaml
    from ..io.safe import for_terminal as tty

    try:
        proposal = ProjectProposal.model_validate(load_yaml(file))  # bounded, JSON too
    except ValidationError as err:
        fail(err)
    except PydanticValidationError as err:
        fail(ValidationError("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                        for e in err.errors()), location=str(file)))
    with opened(store, create=False) as s:
        result = s.check_project(proposal)
    if fmt == "json":
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return
    colour = {"aligned": "green", "weak": "yellow", "misaligned": "red",
              "locally-aligned": "cyan", "orphaned": "red"}[result.verdict]
    console.print(f"Verdict: [bold {colour}]{result.verdict}[/]")
    for r in result.reasons:
        console.print(f"  - {tty(r)}", highlight=False)
    for t in result.threads[:3]:
        console.print("  thread: " + tty(" -> ".join(st.label for st in t.path)),
                      highlight=False)
    if result.lacks:
        console.print("  lacks: " + tty("; ".join(result.lacks)), highlight=False)
    for a in result.alternatives:
        if a.goal == proposal.declared_priority:
            continue  # the goal it declares is not an alternative to itself
        console.print(f"  could align to: {tty(a.label)} ({tty(a.goal)}), score {a.score:g}",
                      highlight=False)
    for d in result.duplicates:
        console.print(f"  would duplicate: {tty(d.label)} ({tty(d.project)}) in "
                      f"{tty(', '.join(d.units)) or 'no unit'}", highlight=False)
    for o in result.overlaps:
        console.print(f"  like: {tty(o.label)} ({tty(o.project)}, {tty(o.status)}"
                      f"{', ' + tty(', '.join(o.units)) if o.units else ''}), score "
                      f"{o.score:.2f}: {tty('; '.join(o.why))}", highlight=False)
        for m in o.results:
            console.print(f"      result on {tty(m.label)}: {tty(m.summary)}", highlight=False)
        for les in o.lessons:
            console.print(f"      lesson: {tty(les.label)}", highlight=False)


def impact_cmd(node: Annotated[str, typer.Argument(help="Node id.")],
               store: StoreOpt = DEFAULT_STORE, fmt: TextOrJson = "text") -> None:
    """What loses support if a project, process or measure is stopped or removed."""
    with opened(store, create=False) as s:
        r = s.impact(node)
        names = {x: s.view().label(x) for x in {*r.loses_thread, *r.goals_supported,
                                                  *r.goals_left_without_measure,
                                                  *r.goals_left_without_work}}
    if fmt == "json":
        sys.stdout.write(r.model_dump_json(indent=2) + "\n")
        return

    def listing(ids: list[str]) -> str:
        return "; ".join(f"{names[x]} ({x})" for x in ids) or "none"

    console.print(f"[bold]{r.label}[/] ({r.kind} {r.node})", highlight=False)
    console.print(f"  supports active goals: {listing(r.goals_supported)}", highlight=False)
    console.print(f"  if it stops, these lose their thread to an active goal: "
                  f"{listing(r.loses_thread)}", highlight=False)
    console.print(f"  goals left without a measure: {listing(r.goals_left_without_measure)}",
                  highlight=False)
    console.print(f"  goals left without work: {listing(r.goals_left_without_work)}",
                  highlight=False)


def contributors_cmd(goal: Annotated[str, typer.Argument(help="Goal or objective id.")],
                     store: StoreOpt = DEFAULT_STORE, fmt: TextOrJson = "text") -> None:
    """Everything that contributes to a goal, each with its path to the goal."""
    with opened(store, create=False) as s:
        c = s.contributors(goal)
    if fmt == "json":
        sys.stdout.write(c.model_dump_json(indent=2) + "\n")
        return
    console.print(f"[bold]{c.label}[/] ({c.goal}, {c.status})", highlight=False)
    for group in ("projects", "processes", "measures", "units", "other"):
        items = getattr(c, group)
        if items:
            console.print(f"  {group} ({len(items)}):", highlight=False)
            for x in items:
                console.print("    " + " -> ".join(st.label for st in x.path), highlight=False)


def _json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")




def scores_cmd(store: StoreOpt = DEFAULT_STORE, config: ConfigOpt = None,
               fmt: TextOrJson = "text") -> None:
    """Alignment score per unit and overall (aligned work items / work items)."""
    cfg = read_config(config)
    with opened(store, create=False) as s:
        r = s.scores(cfg)
    if fmt == "json":
        _json({"overall": r["overall"].model_dump(), "formula": r["formula"],
               "units": [u.model_dump() for u in r["units"]]})
        return
    t = Table(title="Alignment scores")
    for col in ("unit", "aligned", "work items", "score"):
        t.add_column(col, justify="left" if col == "unit" else "right")
    for sc in [r["overall"], *r["units"]]:
        t.add_row(f"{sc.label} ({sc.unit})", str(sc.aligned), str(sc.total),
                  "-" if sc.score is None else f"{sc.score:g}")
    console.print(t)
    console.print(r["formula"], highlight=False)


def matrix_cmd(store: StoreOpt = DEFAULT_STORE, config: ConfigOpt = None,
               fmt: TextOrJson = "text") -> None:
    """The strategy deployment X-matrix: goals x live projects and goals x measures."""
    cfg = read_config(config)
    with opened(store, create=False) as s:
        m = s.matrix(cfg)
    if fmt == "json":
        sys.stdout.write(m.model_dump_json(indent=2) + "\n")
        return
    t = Table(title="X-matrix: goals")
    for col in ("goal", "status", "projects", "measures"):
        t.add_column(col, justify="left" if col in ("goal", "status") else "right")
    for g in m.goals:
        t.add_row(f"{g['label']} ({g['id']})", g["status"], str(g["projects"]),
                  str(g["measures"]))
    console.print(t)
    for name, ids in m.gaps.items():
        if ids:
            console.print(f"  {name.replace('_', ' ')}: {', '.join(ids)}", highlight=False)


LEVELS = ("HealthSystem", "Organisation", "Directorate", "OrganisationalUnit", "Team")


def balance_cmd(store: StoreOpt = DEFAULT_STORE, config: ConfigOpt = None,
                fmt: Annotated[Literal["table", "json"],
                               typer.Option("--format", "-f", help="table or json.")]
                = "table") -> None:
    """Balance of effort per unit (with the units below it) across planning, control,
    assurance and improvement, Board to floor, and each level's average share."""
    import json

    from ..alignment import ASPECTS

    with opened(store, create=False) as s:
        cfg = read_config(config)
        rows = s.balance(cfg)
        by_cadence = s.effort(cfg)
        view = s.view()
        units = [(LEVELS.index(view.kind(u)), u, view.label(u), view.kind(u), c)
                 for u, c in rows.items()]
    units.sort()
    levels: dict[str, dict[str, float]] = {}
    for kind in LEVELS:
        mine = [c for _, _, _, k, c in units if k == kind and sum(c.values())]
        if mine:
            levels[kind] = {a: round(100 * sum(c[a] / sum(c.values()) for c in mine)
                                     / len(mine), 1) for a in ASPECTS}
    if fmt == "json":
        sys.stdout.write(json.dumps({"units": {u: {"kind": k, "label": lab, **c}
                                               for _, u, lab, k, c in units},
                                     "levels_percent": levels,
                                     "by_cadence": by_cadence.model_dump(mode="json")},
                                    indent=2) + "\n")
        return
    per_year = {r.unit: r for r in by_cadence.units}
    table = Table(title="Balance of effort (items, with the units below; and % of the "
                  "occasions a year, by cadence)")
    for col in ("level", "unit", *ASPECTS, "% by cadence QP/QC/QA/QI", "no cadence"):
        table.add_column(col)
    for _, u, lab, k, c in units:
        share = per_year[u].share
        table.add_row(k, f"{lab} ({u})", *(str(c[a]) for a in ASPECTS),
                      "/".join("-" if share[a] is None else f"{share[a]:g}" for a in ASPECTS),
                      str(per_year[u].no_cadence))
    console.print(table)
    lv = Table(title="Average share per level (%): Board, middle management, microsystem")
    for col in ("level", *ASPECTS):
        lv.add_column(col)
    for k, shares in levels.items():
        lv.add_row(k, *(f"{shares[a]:g}" for a in ASPECTS))
    console.print(lv)
    cad = Table(title="Occasions a year by level (each unit's own items, weighted by "
                "cadence), % of the level's total")
    for col in ("level", "units", *ASPECTS):
        cad.add_column(col)
    for row in by_cadence.levels:
        cad.add_row(row.level, str(row.units), *(
            "-" if row.share[a] is None else f"{row.share[a]:g} ({row.per_year[a]:g}/yr)"
            for a in ASPECTS))
    console.print(cad)
    console.print(by_cadence.note, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("audit")(audit_cmd)
    app.command("thread")(thread_cmd)
    app.command("check-project")(check_project_cmd)
    app.command("impact")(impact_cmd)
    app.command("contributors")(contributors_cmd)
    app.command("balance")(balance_cmd)
    app.command("scores")(scores_cmd)
    app.command("matrix")(matrix_cmd)
