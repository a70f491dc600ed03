"""Fixtures for the API tests: a store with the mini model, the app, keys of every role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qmsgraph.api.app import create_app
from qmsgraph.api.settings import Settings
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore

DATA = Path(__file__).resolve().parents[1] / "data"


def spc_yaml(measure: str = "M-spc", n: int = 24) -> str:
    """A YAML model file with a measure of ``n`` monthly points, the last ones a shift."""
    lines = ["qmsgraph: 1", "nodes:", f"  - id: {measure}", "    kind: Measure",
             "    label: Pressure ulcers per 1,000 bed days", "    measure_type: outcome",
             "    direction: decrease", "    unit_of_measure: per 1,000 bed days",
             "    target: 1.0", "    owned_by: ward-7", "    indicates: O1", "    data:"]
    for i in range(n):
        day = dt.date(2022 + i // 12, i % 12 + 1, 1)
        value = 2.0 + (0.3 if i % 2 else -0.2) + (1.5 if i >= n - 8 else 0.0)
        lines.append(f"      - {{date: {day.isoformat()}, value: {value}}}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "api.qmsdb")
    load_files(s, [DATA / "mini.yaml"])
    yield s
    s.close()


@pytest.fixture
def app(store: SQLiteStore, tmp_path: Path) -> Iterator[FastAPI]:
    a = create_app(store, Settings(store=str(tmp_path / "api.qmsdb"), max_body=200_000))
    yield a
    a.state.qmsgraph.keys.close()


@pytest.fixture
def keys(app: FastAPI) -> dict[str, str]:
    ks = app.state.qmsgraph.keys
    return {role: ks.create(f"{role}-key", role)[1] for role in ("viewer", "planner", "admin")}


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def viewer(keys: dict[str, str]) -> dict[str, str]:
    return bearer(keys["viewer"])


@pytest.fixture
def planner(keys: dict[str, str]) -> dict[str, str]:
    return bearer(keys["planner"])


@pytest.fixture
def admin(keys: dict[str, str]) -> dict[str, str]:
    return bearer(keys["admin"])
