"""The qmsgraph command, run in-process with typer's runner and once as a real process."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qmsgraph.cli import app

runner = CliRunner()


def run(*args: str, ok: bool = True):
    result = runner.invoke(app, list(args))
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def store(tmp_path: Path, mini_yaml: Path) -> str:
    path = str(tmp_path / "cli.qmsdb")
    run("init", "--store", path)
    run("load", str(mini_yaml), "--store", path)
    return path


def test_help_everywhere():
    out = run("--help").output
    for cmd in ("init", "load", "export", "stats", "demo", "audit", "thread",
                "check-project", "spc", "impact"):
        assert cmd in out
        assert "Usage" in run(cmd, "--help").output


def test_load_stats_and_export(store, tmp_path):
    out = run("stats", "--store", store).output
    assert "12 nodes, 16 edges, 2 measure data points" in " ".join(out.split())
    ttl = tmp_path / "out.ttl"
    run("export", "--format", "ttl", "-o", str(ttl), "--store", store)
    assert "qms:StrategicGoal" in ttl.read_text()
    bad = run("export", "--format", "pdf", "--store", store, ok=False)
    assert bad.exit_code == 2 and "unknown format 'pdf'" in bad.output  # a usage error


def test_load_errors_exit_1_and_name_the_line(store, tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("nodes:\n  - id: X\n    kind: Gaol\n    label: x\n")
    r = run("load", str(f), "--store", store, ok=False)
    assert r.exit_code == 1
    assert "bad.yaml:2" in r.output and "unknown node kind 'Gaol'" in r.output
    assert "Traceback" not in r.output


def test_dry_run_and_update(store, tmp_path):
    f = tmp_path / "more.yaml"
    f.write_text("nodes:\n  - {id: G1, kind: StrategicGoal, label: Renamed goal}\n")
    assert run("load", str(f), "--store", store, ok=False).exit_code == 1  # duplicate id
    out = run("load", str(f), "--store", store, "--update", "--dry-run").output
    assert "updated 1 nodes" in out
    run("load", str(f), "--store", store, "--update")
    out = run("export", "--format", "yaml", "--store", store).output
    assert "Renamed goal" in out


def test_audit_formats_and_fail_on(store, tmp_path):
    f = tmp_path / "orphan.yaml"
    f.write_text("nodes:\n  - {id: QI-9, kind: ImprovementProject, label: Lonely project}\n")
    run("load", str(f), "--store", store)
    table = run("audit", "--store", store).output
    assert "orphaned-work" in table and "QI-9" in table
    data = json.loads(run("audit", "--format", "json", "--store", store).stdout)
    assert data["classification"]["QI-9"] == "orphaned"
    rows = list(csv.DictReader(io.StringIO(run("audit", "--format", "csv",
                                               "--store", store).stdout)))
    assert {"rule": "orphaned-work", "node": "QI-9"}.items() <= rows[0].items()
    md = run("audit", "--format", "markdown", "--store", store).output
    assert md.startswith("# Alignment audit") and "| error | orphaned-work | `QI-9` |" in md
    assert run("audit", "--fail-on", "error", "--store", store, ok=False).exit_code == 1
    only = json.loads(run("audit", "--format", "json", "--rule", "goal-without-work",
                          "--store", store).stdout)
    assert only["findings"] == []
    assert run("audit", "--rule", "nope", "--store", store, ok=False).exit_code == 2


def test_audit_fail_on_passes_when_clean(store):
    assert run("audit", "--fail-on", "error", "--store", store).exit_code == 0


def test_audit_config_file(store, tmp_path):
    cfg = tmp_path / "q.toml"
    cfg.write_text('[alignment]\nseverities = { "measure-without-owner" = "error" }\n'
                   "max_active_goals = 0\n")
    r = run("audit", "--config", str(cfg), "--store", store, ok=False)
    assert r.exit_code == 1 and "q.toml" in r.output and "max_active_goals" in r.output


def test_thread_and_impact(store):
    out = " ".join(run("thread", "QI-1", "--store", store).output.split())
    assert "Falls collaborative (ImprovementProject) --improves-->" in out
    assert "Healthier lives in Minitown" in out
    data = json.loads(run("thread", "QI-1", "--format", "json", "--store", store).stdout)
    assert data["threads"][0]["goal"] == "G1"
    r = run("thread", "nope", "--store", store, ok=False)
    assert r.exit_code == 1 and "no node with id 'nope'" in r.output
    imp = json.loads(run("impact", "M1", "--format", "json", "--store", store).stdout)
    assert imp["loses_thread"] == ["QI-1"]


def test_check_project(store, tmp_path):
    p = tmp_path / "proposal.yaml"
    p.write_text("label: Falls on Ward 9\naim: Reduce falls by 20%\nmeasures: [M1]\n"
                 "declared_priority: G1\nsponsor: dr-a\nunit: ward-7\n")
    out = run("check-project", str(p), "--store", store).output
    assert "Verdict: aligned" in out and "would duplicate: Falls collaborative" in out
    data = json.loads(run("check-project", str(p), "--format", "json", "--store",
                          store).stdout)
    assert data["verdict"] == "aligned"
    bad = tmp_path / "bad.yaml"
    bad.write_text("label: x\nmeasures: [M404]\n")
    r = run("check-project", str(bad), "--store", store, ok=False)
    assert r.exit_code == 1 and "M404" in r.output


def test_spc_on_a_csv_file(tmp_path):
    f = tmp_path / "series.csv"
    values = [10, 11, 10, 9, 10, 11, 10, 9, 10, 11, 10, 9, 14, 15, 14, 15, 14, 15, 14, 15]
    f.write_text("date,value\n" + "".join(f"2024-{(i % 12) + 1:02d}-01,{v}\n".replace(
        "2024", str(2024 + i // 12)) for i, v in enumerate(values)))
    chart = tmp_path / "chart.svg"
    out = run("spc", "--input", str(f), "--target", "12", "--chart", str(chart)).output
    assert "variation: Special cause improvement (high)" in out
    assert chart.read_text().lstrip().startswith(("<?xml", "<svg"))
    data = json.loads(run("spc", "--input", str(f), "--format", "json", "--chart",
                          str(tmp_path / "c.png")).stdout)
    assert len(data["points"]) == 20 and data["variation_icon"] == "improvement_high"
    reb = json.loads(run("spc", "--input", str(f), "--format", "json", "--rebase",
                         "2025-01-01", "--chart", str(tmp_path / "d.png")).stdout)
    assert len(reb["groups"]) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("date,value\n2024-01-01,ten\n")
    r = run("spc", "--input", str(bad), ok=False)
    assert r.exit_code == 1 and "bad.csv row 2" in r.output
    r = run("spc", "--input", str(f), "--fix-after", "3", ok=False)
    assert r.exit_code == 1 and "fix_after_n_points" in r.output


def test_spc_of_a_stored_measure(store, tmp_path):
    chart = tmp_path / "m1.png"
    out = run("spc", "M1", "--store", store, "--chart", str(chart)).output
    assert "Falls per 1,000 bed days" in out and chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = run("spc", "G1", "--store", store, ok=False)
    assert r.exit_code == 1 and "not a Measure" in r.output


def test_demo_builds_the_example_and_reports(tmp_path):
    """As a newcomer runs it: a real process, in a fresh folder."""
    out = subprocess.run([sys.executable, "-m", "qmsgraph.cli", "demo"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert "SPC: 51 measures analysed" in text
    assert "Live projects:" in text and "errors" in text
    assert (tmp_path / "qmsgraph-demo.qmsdb").exists()
    assert list((tmp_path / "qmsgraph-demo").glob("spc-*.png"))
