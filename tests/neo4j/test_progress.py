"""Progress from the evidence on Neo4j (issue 20): the same levels, evidence and
progress-not-evidenced findings as the embedded store, for both example organisations, from
the projects' neighbourhood only."""

from __future__ import annotations

from pathlib import Path

import pytest

from qmsgraph.cli import example_files
from qmsgraph.graph import QMSGraph
from qmsgraph.io.readers import read_files
from qmsgraph.stores import SQLiteStore
from qmsgraph.stores.neo4j import Neo4jStore

pytestmark = pytest.mark.neo4j


@pytest.mark.parametrize("example", ["northvale", "eastbrook"])
def test_same_progress_and_findings(neo: Neo4jStore, lite: SQLiteStore, example: str):
    files = example_files() if example == "northvale" else [
        Path(example_files()[0]).with_name("eastbrook.yaml")]
    changes = read_files(files, QMSGraph(), agent="tester")
    lite.apply(changes)
    neo.apply(changes)
    whole = lite.progress()
    assert neo.progress() == whole
    for pid in ("QI-007", "QI-P01", "QI-P02") if example == "northvale" else (
            "EB-QI-P01", "EB-QI-P02", "QI-CAMHS"):
        assert neo.progress(pid) == {pid: whole[pid]}, pid
    found = [(f.node, f.evidence.details) for f in neo.audit().findings
             if f.rule == "progress-not-evidenced"]
    assert found == [(f.node, f.evidence.details) for f in lite.audit().findings
                     if f.rule == "progress-not-evidenced"]
    assert len(found) == 1
