"""Both example organisations, each loaded once into its own store, and a small builder for
graphs that make one question's answer change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from qmsgraph.cli import example_files
from qmsgraph.io.readers import load_files
from qmsgraph.model import make_edge, make_node
from qmsgraph.stores import ChangeSet, SQLiteStore

from ..visualisations.conftest import open_page  # noqa: F401 - Chromium pages

ROOT = Path(__file__).resolve().parents[2]
EASTBROOK = ROOT / "examples" / "eastbrook.yaml"


def _store(folder: Path, files: list[Path]) -> SQLiteStore:
    s = SQLiteStore(folder / "org.qmsdb")
    load_files(s, files)
    return s


@pytest.fixture(scope="module")
def northvale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    s = _store(tmp_path_factory.mktemp("northvale"), example_files())
    yield s
    s.close()


@pytest.fixture(scope="module")
def eastbrook(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    s = _store(tmp_path_factory.mktemp("eastbrook"), [EASTBROOK])
    yield s
    s.close()


def monthly(values: list[float], start: dt.date = dt.date(2023, 1, 1)) -> list[dict]:
    out, y, m = [], start.year, start.month
    for v in values:
        out.append({"date": dt.date(y, m, 1).isoformat(), "value": v})
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# 12 months around 10, then 12 months around 6: a run below the mean from January 2024
SHIFTED = [10, 11, 9, 10, 11, 10, 9, 10, 11, 10, 9, 10, 6, 5, 6, 7, 6, 5, 6, 6, 5, 6, 7, 6]


def apply(store: SQLiteStore, nodes: list[dict], edges: list[tuple[str, str, str]]) -> None:
    cs = ChangeSet(source="test")
    for n in nodes:
        cs.node(make_node(n))
    for s, k, t in edges:
        cs.edge(make_edge(k, s, t))
    store.apply(cs)


BASE_NODES = [
    {"kind": "Mission", "id": "PUR", "label": "Better health"},
    {"kind": "Organisation", "id": "ORG", "label": "Testshire Health Board"},
    {"kind": "Team", "id": "WARD", "label": "Ward 1"},
    {"kind": "StrategicGoal", "id": "G1", "label": "Safer care", "status": "active",
     "quality_domains": ["safe"]},
    {"kind": "Measure", "id": "M1", "label": "Falls", "measure_type": "outcome",
     "direction": "decrease", "quality_domains": ["safe"], "data": monthly(SHIFTED)},
]
BASE_EDGES = [("G1", "serves", "PUR"), ("WARD", "unitOf", "ORG"), ("M1", "indicates", "G1"),
              ("WARD", "owns", "M1"), ("WARD", "monitors", "M1")]


@pytest.fixture
def small(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "small.qmsdb")
    apply(s, BASE_NODES, BASE_EDGES)
    yield s
    s.close()
