"""Shared fixtures: small graphs and stores each test makes for itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from qmsgraph.stores import SQLiteStore

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def mini_yaml() -> Path:
    return DATA / "mini.yaml"


@pytest.fixture
def store(tmp_path: Path):
    s = SQLiteStore(tmp_path / "test.qmsdb")
    yield s
    s.close()
