"""Every command that prints data has ``--format json`` (issue 15), found by walking the
typer application: a command added later is checked without a change here, unless it only
writes files, serves or copies (the short list below, each with its reason).

Each data command is also run with ``--format json`` on the demo's store, and its standard
output must be one JSON document; with the default format it must be text for people.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from qmsgraph.cli import app

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()

# commands that print no data of their own: what they do is a file, a server or a copy
NOT_DATA = {
    "init": "creates a store and says so",
    "export": "its --format names the export format (jsonld is JSON)",
    "backup": "writes a copy of the store",
    "demo": "builds the demo and writes its folder",
    "xmatrix": "writes a workbook",
    "template": "writes a workbook",
    "serve": "runs the HTTP API",
    "map": "writes HTML",
    "board": "writes HTML",
    "push": "copies to Neo4j",
    "pull": "copies from Neo4j",
    "keys revoke": "revokes a key and says so",
}

# example values for required arguments and options, by parameter name (ids from Northvale)
EXAMPLE = {"node": "QI-001", "project": "QI-007",
           "goal": "G1", "measure": "M-FALLS", "unit": "DIR-MED",
           "file": str(REPO / "examples" / "proposal.yaml"), "name": "ci-walk",
           "paths": str(REPO / "examples" / "changes.yaml")}
# commands whose data needs an argument that is optional on the command line
EXTRA = {"spc": ["M-FALLS"], "load": ["--dry-run"]}


def commands() -> Iterator[tuple[str, object]]:
    def walk(cmd: object, path: list[str]) -> Iterator[tuple[str, object]]:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, [*path, name])
        else:
            yield " ".join(path), cmd
    yield from walk(typer.main.get_command(app), [])


ALL = dict(commands())
DATA = sorted(name for name in ALL if name not in NOT_DATA)


def format_choices(cmd: object) -> tuple[str, ...]:
    for p in getattr(cmd, "params", []):
        if "--format" in getattr(p, "opts", []):
            return tuple(getattr(p.type, "choices", ()) or ())
    return ()


def test_the_walk_finds_the_commands():
    assert {"stats", "audit", "thread", "impact", "keys list", "keys create"} <= set(DATA)
    assert set(NOT_DATA) <= set(ALL), set(NOT_DATA) - set(ALL)  # no stale exemptions


@pytest.mark.parametrize("name", DATA)
def test_every_data_command_offers_json(name: str):
    assert "json" in format_choices(ALL[name]), (
        f"'qmsgraph {name}' prints data but has no --format json; add it, or list it in "
        "NOT_DATA with the reason it prints none")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("walk")
    r = runner.invoke(app, ["demo", "--store", str(folder / "d.qmsdb"), "--output",
                            str(folder / "out")])
    assert r.exit_code == 0, r.output
    return folder


def _args(name: str, folder: Path, keys: Path) -> list[str]:
    cmd = ALL[name]
    args = name.split()
    for p in getattr(cmd, "params", []):
        if not p.required:
            continue
        assert p.name in EXAMPLE, f"add an example value for '{p.name}' of 'qmsgraph {name}'"
        if getattr(p, "opts", [""])[0].startswith("-"):
            args += [p.opts[0], EXAMPLE[p.name]]
        else:
            args.append(EXAMPLE[p.name])
    args += EXTRA.get(name, [])
    opts = {o for p in getattr(cmd, "params", []) for o in getattr(p, "opts", [])}
    if "--store" in opts:
        args += ["--store", str(folder / "d.qmsdb")]
    if "--keys" in opts:
        args += ["--keys", str(keys)]
    return args


@pytest.mark.parametrize("name", DATA)
def test_json_is_one_document_and_text_is_for_people(name: str, demo: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # a command that would write a chart by mistake writes here
    r = runner.invoke(app, [*_args(name, demo, tmp_path / "a.keys"), "--format", "json"])
    assert r.exit_code == 0, r.output
    json.loads(r.stdout)
    assert list(work.iterdir()) == [], "--format json wrote files"
    r = runner.invoke(app, _args(name, demo, tmp_path / "b.keys"))
    assert r.exit_code == 0, r.output
    text = r.stdout.strip()
    assert text, f"'qmsgraph {name}' printed nothing by default"
    with pytest.raises(ValueError):
        json.loads(text)  # the default is for people, not JSON


def test_load_json_lists_every_problem_and_writes_nothing(demo: Path, tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("nodes:\n  - {id: X1, kind: Measure, label: x}\n"
                   "  - {id: X2, kind: Nonsense, label: y}\n", encoding="utf-8")
    store = str(demo / "d.qmsdb")
    before = json.loads(runner.invoke(app, ["stats", "-f", "json", "--store", store]).stdout)
    r = runner.invoke(app, ["load", str(bad), "--store", store, "--format", "json"])
    assert r.exit_code == 1
    out = json.loads(r.stdout)
    assert out["valid"] is False and len(out["problems"]) == 2, out
    assert all(p.startswith(f"{bad}:") for p in out["problems"]), out
    after = json.loads(runner.invoke(app, ["stats", "-f", "json", "--store", store]).stdout)
    assert after == before
