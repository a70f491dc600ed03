"""Fixtures for the tests against a real Neo4j server (scripts/test.sh starts one).

The server comes from QMSGRAPH_NEO4J_URI / QMSGRAPH_NEO4J_USER / QMSGRAPH_NEO4J_PASSWORD.
Without them the tests are skipped locally, and fail under CI (CI set), so that CI cannot
pass by skipping them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from qmsgraph.stores import SQLiteStore
from qmsgraph.stores.neo4j import Neo4jStore

ENV = ("QMSGRAPH_NEO4J_URI", "QMSGRAPH_NEO4J_USER", "QMSGRAPH_NEO4J_PASSWORD")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.neo4j)


@pytest.fixture(scope="session")
def neo4j_env() -> dict[str, str]:
    missing = [n for n in ENV if not os.environ.get(n)]
    if missing:
        msg = (f"no Neo4j server: {', '.join(missing)} not set (scripts/test.sh starts one; "
               "or: neo4j_env=$(bash scripts/neo4j.sh start) && eval \"$neo4j_env\")")
        if os.environ.get("CI"):
            pytest.fail(msg + " -- under CI the Neo4j tests must run, not be skipped")
        pytest.skip(msg)
    return {n: os.environ[n] for n in ENV}


@pytest.fixture(scope="session")
def neo4j_session_store(neo4j_env: dict[str, str]) -> Iterator[Neo4jStore]:
    s = Neo4jStore(neo4j_env["QMSGRAPH_NEO4J_URI"], user=neo4j_env["QMSGRAPH_NEO4J_USER"],
                   password=neo4j_env["QMSGRAPH_NEO4J_PASSWORD"], retry_seconds=5)
    yield s
    s.clear()
    s.close()


@pytest.fixture
def neo(neo4j_session_store: Neo4jStore) -> Iterator[Neo4jStore]:
    """The Neo4j store, emptied for this test."""
    s = neo4j_session_store
    s.clear()
    s.batch_size = 5000
    yield s


@pytest.fixture
def lite(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "peer.qmsdb")
    yield s
    s.close()
