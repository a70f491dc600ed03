"""The hostile corpus through the ``qmsgraph`` command, each run a subprocess with bounded
memory (2 GB address space), CPU and wall time: a clear error naming the file, exit 1, no
traceback, nothing fetched or read, no escape sequence echoed, no store left behind."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .corpus import ACCEPTED, HOSTILE, REFUSED, SECRET, limit_resources, materialise

BIN = Path(sys.executable).parent / "qmsgraph"
MINI = Path(__file__).resolve().parents[1] / "data" / "mini.yaml"


def qmsgraph(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None
             ) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("QMSGRAPH_")}
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=120,
                          preexec_fn=limit_resources, env={**base, **(env or {})}, cwd=cwd)


def assert_clean_failure(r: subprocess.CompletedProcess[str]) -> None:
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    out = r.stdout + r.stderr
    assert "Traceback" not in out and "MemoryError" not in out, out
    assert "\x1b" not in out and "\x00" not in out and "\u202e" not in out, repr(out)
    assert SECRET not in out


def test_the_corpus_is_complete():
    assert {p.name for p in HOSTILE.iterdir()} == set(REFUSED) | set(ACCEPTED)


def test_every_hostile_file_in_one_load_is_reported_by_name(tmp_path, listener, secret_file):
    """One load of the whole refused corpus: every file's problem is listed, none is
    written, and the store the load would have created does not exist afterwards."""
    files = materialise(tmp_path / "in", listener.url, secret_file)
    store = tmp_path / "typo.qmsdb"
    r = qmsgraph("load", "--store", str(store), *(str(files[n]) for n in REFUSED),
                 cwd=tmp_path)
    assert_clean_failure(r)
    for name, words in REFUSED.items():
        lines = [ln for ln in r.stderr.splitlines() if name in ln]
        assert lines, f"{name} not named in:\n{r.stderr}"
        for w in words:
            assert any(w in ln for ln in lines), (name, w, lines)
    assert str(tmp_path) not in r.stderr.replace(str(tmp_path / "in"), "")  # no cwd leak
    assert not listener.contacted()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("typo.qmsdb")]


@pytest.mark.parametrize("name", ["alias_bomb.yaml", "entity_bomb.rdf", "deep.yaml",
                                  "deep.jsonld", "remote_context.jsonld"])
def test_bombs_alone_end_in_a_clear_error(tmp_path, listener, secret_file, name):
    files = materialise(tmp_path / "in", listener.url, secret_file)
    r = qmsgraph("load", "--dry-run", "--store", str(tmp_path / "s.qmsdb"), str(files[name]))
    assert_clean_failure(r)
    assert name in r.stderr and all(w in r.stderr for w in REFUSED[name]), r.stderr
    assert not listener.contacted()


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "w") as fh:
        fh.write("measure_id,date,value\n")
        fh.writelines(f"M1,2024-01-01,{i}\n" for i in range(150_000))  # ~3 MB
    r = qmsgraph("load", "--dry-run", "--store", str(tmp_path / "s.qmsdb"), str(big),
                 env={"QMSGRAPH_MAX_INPUT_MB": "1"})
    assert_clean_failure(r)
    assert "big.csv" in r.stderr and "the limit is 1 MB" in r.stderr, r.stderr


def test_a_csv_field_over_the_field_limit_names_the_file(tmp_path):
    wide = tmp_path / "wide_projects.csv"
    wide.write_text("id,label,aim\nQI-1,Wide," + "x" * 200_000 + "\n")
    r = qmsgraph("load", "--dry-run", "--store", str(tmp_path / "s.qmsdb"), str(wide))
    assert_clean_failure(r)
    assert "wide_projects.csv" in r.stderr and "field larger than field limit" in r.stderr


def test_formula_cells_load_and_leave_the_audit_csv_neutralised(tmp_path, listener,
                                                                 secret_file):
    files = materialise(tmp_path / "in", listener.url, secret_file)
    store = str(tmp_path / "s.qmsdb")
    r = qmsgraph("load", "--store", store, str(MINI), str(files["formula_projects.csv"]))
    assert r.returncode == 0, r.stderr
    assert "added 16 nodes" in r.stdout  # 12 in mini.yaml + 4
    r = qmsgraph("audit", "--store", store, "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(io.StringIO(r.stdout)))
    labels = {row[2]: row[4] for row in rows[1:]}
    assert labels["QI-F1"].startswith("'=HYPERLINK(")
    assert labels["QI-F2"] == "'+1+cmd|' /C calc'!A0"
    assert labels["QI-F3"] == "'-2+3" and labels["QI-F4"] == "'@SUM(1+1)"
    for row in rows:
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                float(cell)  # only a plain number may start like a formula


def test_terminal_output_carries_no_escape_sequences(tmp_path):
    """Text from the command line and from files reaches the terminal stripped: an unknown
    node id, a chart title and a proposal's label full of escapes."""
    store = str(tmp_path / "s.qmsdb")
    assert qmsgraph("load", "--store", store, str(MINI)).returncode == 0
    r = qmsgraph("thread", "\x1b]0;owned\x07\x1b[2J[red]QI-1", "--store", store)
    assert_clean_failure(r)
    assert "owned" in r.stderr and "[red]QI-1" in r.stderr  # shown, defused
    series = tmp_path / "series.csv"
    series.write_text("date,value\n" + "".join(f"2024-{m:02d}-01,{m % 3}\n"
                                                for m in range(1, 13)))
    r = qmsgraph("spc", "--input", str(series), "--title", "Falls \x1b[31mred\x1b[0m \u202eok",
                 "--chart", str(tmp_path / "c.svg"))
    assert r.returncode == 0, r.stderr
    assert "Falls red ok" in r.stdout and "\x1b" not in r.stdout + r.stderr
    import xml.etree.ElementTree as ET

    ET.parse(tmp_path / "c.svg")  # well-formed although the title held escapes
    proposal = tmp_path / "p.yaml"
    proposal.write_text('label: "\\e[2JNew \\e]8;;https://evil.example\\e\\\\link"\n'
                        "measures: [M1]\n")
    r = qmsgraph("check-project", str(proposal), "--store", store)
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout + r.stderr and "Verdict" in r.stdout


def test_export_into_a_missing_folder_is_a_clear_error(tmp_path):
    store = str(tmp_path / "s.qmsdb")
    assert qmsgraph("load", "--store", store, str(MINI)).returncode == 0
    target = tmp_path / "missing" / "dir" / "x.ttl"
    r = qmsgraph("export", "--store", store, "-o", str(target))
    assert_clean_failure(r)
    assert str(target) in r.stderr and "cannot write" in r.stderr
    r = qmsgraph("spc", "M1", "--store", store, "--chart", str(target.with_suffix(".png")))
    assert_clean_failure(r)
    assert "cannot write" in r.stderr


def test_store_and_snapshot_are_readable_by_their_owner_only(tmp_path):
    store = tmp_path / "s.qmsdb"
    old = os.umask(0o022)
    try:
        assert qmsgraph("load", "--store", str(store), str(MINI)).returncode == 0
    finally:
        os.umask(old)
    for p in tmp_path.iterdir():
        if p.name.startswith("s.qmsdb"):
            assert p.stat().st_mode & 0o777 == 0o600, (p.name, oct(p.stat().st_mode))
    assert (tmp_path / "s.qmsdb-core.npz").exists()


def test_a_proposal_bomb_is_refused_by_check_project(tmp_path):
    store = str(tmp_path / "s.qmsdb")
    assert qmsgraph("load", "--store", store, str(MINI)).returncode == 0
    bomb = tmp_path / "proposal.yaml"
    bomb.write_text((HOSTILE / "alias_bomb.yaml").read_text().replace(
        "nodes:", "label: x\nmeasures: *a9\nnodes:"))
    r = qmsgraph("check-project", str(bomb), "--store", store)
    assert_clean_failure(r)
    assert "proposal.yaml:1" in r.stderr and "aliases expand" in r.stderr, r.stderr
    deep = tmp_path / "series.csv"
    deep.write_text("date,value\n" + "2024-01-01,1\n" * 100_000)
    r = qmsgraph("spc", "--input", str(deep), env={"QMSGRAPH_MAX_INPUT_MB": "1"})
    assert_clean_failure(r)
    assert "series.csv" in r.stderr and "the limit is 1 MB" in r.stderr
