"""`qmsgraph ask` and the Duty of Quality report give the same answers on Neo4j as on the
embedded store (Eastbrook, which uses every issue-12 kind)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from qmsgraph.graph import QMSGraph
from qmsgraph.io.readers import read_files
from qmsgraph.questions import ask
from qmsgraph.questions.duty import duty_report
from qmsgraph.stores import SQLiteStore
from qmsgraph.stores.neo4j import Neo4jStore

EASTBROOK = Path(__file__).resolve().parents[2] / "examples" / "eastbrook.yaml"


def test_same_answers_on_both_stores(neo: Neo4jStore, lite: SQLiteStore) -> None:
    changes = read_files([EASTBROOK], QMSGraph(), agent="tester")
    lite.apply(changes)
    neo.apply(changes)
    assert [a.model_dump() for a in ask(neo)] == [a.model_dump() for a in ask(lite)]
    period = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    assert duty_report(neo, period) == duty_report(lite, period)
