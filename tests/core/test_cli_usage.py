"""The CLI as people use it: usage errors exit 2 with the choices, every command that prints
data has --format json (and says the same as the store), help text keeps its brackets, and
a missing output folder is a one-line error, not a traceback (issue 15)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qmsgraph.cli import app
from qmsgraph.stores import open_store

runner = CliRunner()


def run(*args: str, code: int = 0) -> str:
    r = runner.invoke(app, list(args))
    assert r.exit_code == code, r.output
    return r.output


@pytest.fixture
def store(tmp_path: Path, mini_yaml: Path) -> str:
    path = str(tmp_path / "cli.qmsdb")
    run("load", str(mini_yaml), "--store", path)
    return path


@pytest.mark.parametrize("args,choices", [
    (["audit", "--format", "xml"], "'table', 'json', 'markdown', 'csv'"),
    (["audit", "--severity", "fatal"], "'error', 'warning', 'info'"),
    (["audit", "--fail-on", "info"], "'error', 'warning'"),
    (["audit", "--rule", "no-such-rule"], "orphaned-work"),
    (["thread", "QI-1", "--format", "yaml"], "'text', 'json'"),
    (["stats", "--format", "csv"], "'text', 'json'"),
    (["export", "--format", "pdf"], "ttl"),
    (["spc", "M1", "--direction", "up"], "'increase', 'decrease', 'neutral'"),
    (["spc"], "MEASURE"),
    (["map", "--view", "everything", "-o", "m.html"], "system"),
    (["impact", "M1", "--format", "yaml"], "'text', 'json'"),
    (["keys", "list", "--format", "csv"], "'text', 'json'"),
    (["keys", "create", "--name", "x", "--role", "owner"], "'viewer', 'planner', 'admin'"),
])
def test_usage_errors_exit_2_and_list_the_choices(store: str, args: list[str],
                                                  choices: str) -> None:
    out = run(*args, "--store", store, code=2)
    assert choices in out


def test_every_data_command_has_json_that_matches_the_store(store: str) -> None:
    s = open_store(store, create=False)
    try:
        assert json.loads(run("stats", "-f", "json", "--store", store)) == s.stats()
        assert json.loads(run("impact", "M1", "-f", "json", "--store", store)) == \
            s.impact("M1").model_dump(mode="json")
        assert json.loads(run("contributors", "G1", "-f", "json", "--store", store)) == \
            s.contributors("G1").model_dump(mode="json")
        units = json.loads(run("balance", "-f", "json", "--store", store))["units"]
        assert {u: {a: c[a] for a in ("QP", "QC", "QA", "QI")} for u, c in units.items()} \
            == s.balance()
        assert json.loads(run("matrix", "-f", "json", "--store", store)) == \
            s.matrix().model_dump(mode="json")
        scores = json.loads(run("scores", "-f", "json", "--store", store))
        assert scores["overall"] == s.scores()["overall"].model_dump(mode="json")
        assert len(scores["units"]) == len(s.scores()["units"])
        # the text forms name what they are about
        assert "M1" in run("impact", "M1", "--store", store)
        assert "G1" in run("contributors", "G1", "--store", store)
    finally:
        s.close()


def test_audit_unit_keeps_the_units_findings_only(tmp_path: Path) -> None:
    from qmsgraph.cli import example_files

    store = str(tmp_path / "example.qmsdb")
    run("load", *map(str, example_files()), "--store", store)
    every = json.loads(run("audit", "-f", "json", "--store", store))
    unit = json.loads(run("audit", "-f", "json", "--unit", "DIR-MED", "--store", store))
    s = open_store(store, create=False)
    try:
        units, linked = s.unit_scope("DIR-MED")
    finally:
        s.close()
    keep = units | linked
    assert unit["findings"] == [f for f in every["findings"] if f["node"] in keep]
    assert 0 < len(unit["findings"]) < len(every["findings"])
    assert "no node with id 'nowhere'" in run("audit", "--unit", "nowhere", "--store", store,
                                              code=1)


def test_help_keeps_bracketed_text() -> None:
    assert "[alignment]" in run("audit", "--help")
    assert "[env QMSGRAPH_PORT; default 8000]" in " ".join(run("serve", "--help").split())
    for cmd in (["keys", "list"], ["keys", "create"], ["keys", "revoke"]):
        text = " ".join(run(*cmd, "--help").split())
        assert "[env QMSGRAPH_STORE; default qmsgraph.qmsdb]" in text, cmd
        assert "URI ." not in text


def test_shell_completion_is_offered() -> None:
    proc = subprocess.run([sys.executable, "-m", "qmsgraph.cli", "--show-completion", "bash"],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "SHELL": "/bin/bash"})
    assert proc.returncode == 0, proc.stderr
    assert "complete" in proc.stdout and "qmsgraph" in proc.stdout.lower()


def test_missing_output_folder_is_one_clear_line(store: str, tmp_path: Path) -> None:
    for args in (["spc", "M1", "--chart", str(tmp_path / "no" / "x.png")],
                 ["export", "-f", "ttl", "-o", str(tmp_path / "no" / "x.ttl")]):
        proc = subprocess.run([sys.executable, "-m", "qmsgraph.cli", *args, "--store", store],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1, proc
        assert "does not exist" in proc.stderr and "Traceback" not in proc.stderr


def test_spc_json_writes_no_chart_unless_asked(store: str, tmp_path: Path) -> None:
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        data = json.loads(run("spc", "M1", "-f", "json", "--store", store))
        assert data["points"] and not list(tmp_path.glob("*.png"))
        run("spc", "M1", "-f", "json", "--chart", "m1.svg", "--store", store)
        assert (tmp_path / "m1.svg").read_text(encoding="utf-8").startswith("<?xml")
    finally:
        os.chdir(here)
