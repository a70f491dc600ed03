#!/usr/bin/env python3
"""Smoke test for the test Neo4j server started by scripts/neo4j.sh.

    eval "$(scripts/neo4j.sh start)"
    .venv/bin/python scripts/neo4j_smoke.py
    scripts/neo4j.sh stop

Reads QMSGRAPH_NEO4J_URI / QMSGRAPH_NEO4J_USER / QMSGRAPH_NEO4J_PASSWORD.  Checks, over
both bolt:// and neo4j:// (client-side routing) URIs, that the right password works and a
wrong one raises AuthError, and that a write can be read back and deleted.  Exits 0 on
success and prints one line per check.
"""

from __future__ import annotations

import os
import sys
import time
import uuid

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        sys.exit(f"neo4j_smoke: {name} is not set (run: eval \"$(scripts/neo4j.sh start)\")")
    return value


def check_uri(uri: str, user: str, password: str) -> None:
    marker = f"smoke-{uuid.uuid4()}"
    t0 = time.monotonic()
    with GraphDatabase.driver(uri, auth=(user, password)) as driver:
        driver.verify_connectivity()
        records, _, _ = driver.execute_query(
            "CREATE (n:Smoke {x: $x}) RETURN n.x AS x", x=marker, database_="neo4j"
        )
        assert [r["x"] for r in records] == [marker], records
        records, _, _ = driver.execute_query(
            "MATCH (n:Smoke {x: $x}) RETURN count(n) AS c", x=marker, database_="neo4j"
        )
        assert records[0]["c"] == 1, records
        _, summary, _ = driver.execute_query(
            "MATCH (n:Smoke {x: $x}) DELETE n", x=marker, database_="neo4j"
        )
        assert summary.counters.nodes_deleted == 1, summary.counters
        records, _, _ = driver.execute_query(
            "MATCH (n:Smoke {x: $x}) RETURN count(n) AS c", x=marker, database_="neo4j"
        )
        assert records[0]["c"] == 0, records
        server = driver.get_server_info()
    print(f"ok   {uri}: create/read/delete as {user} "
          f"({server.agent}, bolt {server.protocol_version}, {time.monotonic() - t0:.2f}s)")

    wrong = password + "-wrong"
    with GraphDatabase.driver(uri, auth=(user, wrong)) as driver:
        try:
            driver.verify_connectivity()
        except AuthError as exc:
            print(f"ok   {uri}: wrong password refused ({exc.code})")
        else:
            raise AssertionError(f"{uri}: wrong password was accepted")


def main() -> int:
    uri = env("QMSGRAPH_NEO4J_URI")
    user = env("QMSGRAPH_NEO4J_USER")
    password = env("QMSGRAPH_NEO4J_PASSWORD")
    uris = [uri]
    if uri.startswith("bolt://"):
        uris.append("neo4j://" + uri[len("bolt://"):])
    for u in uris:
        check_uri(u, user, password)
    print("neo4j smoke: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
