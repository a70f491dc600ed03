"""Provenance names a file as it was given, never by an absolute path of the loading machine."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qmsgraph.cli import app
from qmsgraph.errors import ValidationError
from qmsgraph.io.export import TEXT_FORMATS, export
from qmsgraph.io.names import source_name
from qmsgraph.io.readers import read_files
from qmsgraph.stores import SQLiteStore

runner = CliRunner()


def test_a_relative_path_stays_as_given():
    assert source_name("data/model.yaml", "x") == "data/model.yaml"
    assert source_name("../shared/model.yaml", "x") == "../shared/model.yaml"


def test_an_absolute_path_inside_the_working_directory_becomes_relative(tmp_path):
    f = tmp_path / "sub" / "model.yaml"
    assert source_name(f, "x", cwd=tmp_path) == "sub/model.yaml"


def test_any_other_absolute_path_becomes_name_and_content_hash(tmp_path):
    text = "qmsgraph: 1\n"
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    name = source_name(tmp_path / "model.yaml", text, cwd=tmp_path / "elsewhere")
    assert name == f"model.yaml@sha256:{digest}"
    assert str(tmp_path) not in name


@pytest.fixture
def outside(tmp_path: Path, mini_yaml: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The model file in a folder that is not the working directory."""
    folder = tmp_path / "secret-home" / "alice"
    folder.mkdir(parents=True)
    shutil.copy(mini_yaml, folder / "mini.yaml")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return folder / "mini.yaml"


def test_no_export_carries_the_loading_machines_path(outside: Path, tmp_path: Path):
    store = tmp_path / "work" / "s.qmsdb"
    result = runner.invoke(app, ["load", "--store", str(store), str(outside)])
    assert result.exit_code == 0, result.output
    with SQLiteStore(store) as s:
        graph = s.graph()
    assert {n.provenance.source for n in graph.nodes()} == {
        source_name(outside, outside.read_text(encoding="utf-8"))}
    for fmt in TEXT_FORMATS:
        assert "secret-home" not in export(graph, fmt), fmt


def test_source_name_overrides(outside: Path, tmp_path: Path):
    store = tmp_path / "work" / "s.qmsdb"
    result = runner.invoke(app, ["load", "--store", str(store), str(outside),
                                 "--source-name", "board-pack/model.yaml"])
    assert result.exit_code == 0, result.output
    with SQLiteStore(store) as s:
        sources = {n.provenance.source for n in s.graph().nodes()}
        sources |= {e.provenance.source for e in s.graph().edges()}
    assert sources == {"board-pack/model.yaml"}


def test_one_source_name_per_file(mini_yaml: Path, tmp_path: Path):
    with SQLiteStore(tmp_path / "s.qmsdb") as s, pytest.raises(ValidationError,
                                                               match="one per file"):
        read_files([mini_yaml], s.view(), source_names=["a.yaml", "b.yaml"])
