"""Alignment commands: audit, thread, check-project, impact, balance."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ..errors import ValidationError
from .common import DEFAULT_STORE, ConfigOpt, StoreOpt, console, fail, opened, read_config

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
        f"misaligned, {proj.get('orphaned', 0)} orphaned.")


def findings_table(findings: list, title: str) -> Table:
    t = Table(title=title, show_lines=False, expand=True)
    t.add_column("severity", no_wrap=True)
    t.add_column("rule", no_wrap=True)
    t.add_column("node", no_wrap=True)
    t.add_column("finding", ratio=1)
    for f in findings:
        t.add_row(f"[{SEV_STYLE[f.severity]}]{f.severity}[/]", f.rule, f.node, f.message)
    return t


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
    from ..alignment import RULES, SEVERITY_ORDER

    for name, value, allowed in (("format", fmt, ("table", "json", "markdown", "csv")),
                                 ("severity", severity, (None, "error", "warning", "info")),
                                 ("fail-on", fail_on, (None, "error", "warning"))):
        if value not in allowed:
            fail(ValidationError(f"--{name} must be one of "
                                  f"{', '.join(a for a in allowed if a)}", field=name))
    if rule is not None and rule not in RULES:
        fail(ValidationError(f"unknown rule {rule!r}; rules: {', '.join(RULES)}",
                              field="rule"))
    cfg = read_config(config)
    with opened(store, create=False) as s:
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
        console.print(findings_table(findings, f"Alignment audit of {store}"))
        print_summary(report)
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


def thread_cmd(node: Annotated[str, typer.Argument(help="Node id.")],
               store: StoreOpt = DEFAULT_STORE,
               fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")]
               = "text") -> None:
    """Show a node's golden thread(s) up to the purpose, or where the thread breaks."""
    with opened(store, create=False) as s:
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


def check_project_cmd(
    file: Annotated[Path, typer.Argument(help="YAML or JSON file describing the proposal: "
                                         "label, aim, unit, measures, processes, "
                                         "declared_priority, sponsor.")],
    store: StoreOpt = DEFAULT_STORE,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Check a proposed project against the strategic priorities (for QI hubs)."""
    import yaml
    from pydantic import ValidationError as PydanticValidationError

    from ..alignment import ProjectProposal

    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        proposal = ProjectProposal.model_validate(data)
    except (OSError, yaml.YAMLError) as err:
        fail(ValidationError(f"cannot read proposal: {err}", location=str(file)))
    except PydanticValidationError as err:
        fail(ValidationError("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                        for e in err.errors()), location=str(file)))
    with opened(store, create=False) as s:
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


def impact_cmd(node: Annotated[str, typer.Argument(help="Node id.")],
               store: StoreOpt = DEFAULT_STORE) -> None:
    """What loses support if a project, process or measure is stopped or removed."""
    with opened(store, create=False) as s:
        result = s.impact(node)
    sys.stdout.write(result.model_dump_json(indent=2) + "\n")


LEVELS = ("HealthSystem", "Organisation", "Directorate", "OrganisationalUnit", "Team")


def balance_cmd(store: StoreOpt = DEFAULT_STORE, config: ConfigOpt = None,
                fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")]
                = "table") -> None:
    """Balance of effort per unit (with the units below it) across planning, control,
    assurance and improvement, Board to floor, and each level's average share."""
    import json

    from ..alignment import ASPECTS

    if fmt not in ("table", "json"):
        fail(ValidationError(f"unknown format {fmt!r}: use table or json", field="format"))
    with opened(store, create=False) as s:
        rows = s.balance(read_config(config))
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
                                     "levels_percent": levels}, indent=2) + "\n")
        return
    table = Table(title="Balance of effort (counts, with the units below)")
    for col in ("level", "unit", *ASPECTS):
        table.add_column(col)
    for _, u, lab, k, c in units:
        table.add_row(k, f"{lab} ({u})", *(str(c[a]) for a in ASPECTS))
    console.print(table)
    lv = Table(title="Average share per level (%): Board, middle management, microsystem")
    for col in ("level", *ASPECTS):
        lv.add_column(col)
    for k, shares in levels.items():
        lv.add_row(k, *(f"{shares[a]:g}" for a in ASPECTS))
    console.print(lv)


def register(app: typer.Typer) -> None:
    app.command("balance")(balance_cmd)
    app.command("audit")(audit_cmd)
    app.command("thread")(thread_cmd)
    app.command("check-project")(check_project_cmd)
    app.command("impact")(impact_cmd)
