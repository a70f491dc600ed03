"""The API's side of issue 12: GET /ask, /ask/{id}, /reports/duty-of-quality, and the
/nodes quality-domain and Quadruple Aim filters - in-process and over HTTP against a real
server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qmsgraph.questions import QUESTIONS
from qmsgraph.stores import SQLiteStore

from ..live import Server, make_keys, serve
from ..questions.conftest import EASTBROOK
from .test_no_whole_graph import no_graph  # noqa: F401 - fixture


def test_ask_lists_and_answers(client: TestClient, viewer: dict[str, str],
                               no_graph: list[str]) -> None:  # noqa: F811
    r = client.get("/ask", headers=viewer)
    assert r.status_code == 200
    listed = r.json()
    assert [q["id"] for q in listed] == [q.id for q in QUESTIONS]
    assert {q["id"] for q in listed if not q["answerable"]} == {
        "purpose-change", "skills", "interaction"}
    r = client.get("/ask/quality-domains", headers=viewer)
    assert r.status_code == 200 and r.json()["answer"].startswith("Quality domains with")
    etag = r.headers["etag"]
    assert client.get("/ask/quality-domains", headers={**viewer, "If-None-Match": etag}
                      ).status_code == 304
    every = client.get("/ask?answers=true", headers=viewer).json()
    assert len(every) == len(QUESTIONS) and all(a["answer"] for a in every)
    r = client.get("/ask/no-such", headers=viewer)
    assert r.status_code == 404 and "quality-domains" in r.json()["detail"]
    assert client.get("/ask").status_code == 401
    assert no_graph == []


def test_duty_report_route(client: TestClient, viewer: dict[str, str]) -> None:
    r = client.get("/reports/duty-of-quality?period=2024-04-01:2025-03-31", headers=viewer)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Duty of Quality report" in r.text and 'href="../map?' in r.text
    r = client.get("/reports/duty-of-quality?format=md", headers=viewer)
    assert r.text.startswith("# Duty of Quality report")
    r = client.get("/reports/duty-of-quality?period=2025", headers=viewer)
    assert r.status_code == 422 and r.json()["field"] == "period"


def test_nodes_filter_by_quality_domain(client: TestClient, viewer: dict[str, str],
                                        store: SQLiteStore) -> None:
    view = store.view()
    for domain in ("safe", "timely", "equitable"):
        r = client.get(f"/nodes?quality_domain={domain}&limit=500", headers=viewer)
        assert r.status_code == 200
        got = [i["id"] for i in r.json()["items"]]
        want = sorted(n.id for kind in ("StrategicGoal", "Objective", "Measure")
                      for n in view.nodes(kind) if domain in (n.quality_domains or []))
        assert got == want
        assert len(got) < r.json()["total"] + 1
    everything = client.get("/nodes?limit=500", headers=viewer).json()["total"]
    assert client.get("/nodes?quality_domain=safe", headers=viewer).json()["total"] < everything
    r = client.get("/nodes?quality_domain=fair", headers=viewer)
    assert r.status_code == 422 and "equitable" in r.json()["detail"]
    r = client.get("/nodes?quadruple_aim=value&kind=Measure", headers=viewer)
    assert r.status_code == 200


@pytest.fixture(scope="module")
def eastbrook_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from qmsgraph.io.readers import load_files

    folder = tmp_path_factory.mktemp("eb")  # short: the key message wraps at 80 columns
    path = folder / "e.qmsdb"
    s = SQLiteStore(path)
    load_files(s, [EASTBROOK])
    s.close()
    with serve(path, make_keys(path), folder / "server.log") as srv:
        yield srv


def test_over_http(eastbrook_server: Server) -> None:
    with eastbrook_server.client("viewer") as c:
        a = c.get("/ask/quality-domains").json()
        assert "with no measure: efficient, equitable" in a["answer"]
        assert [i["id"] for i in c.get("/nodes?quality_domain=equitable").json()["items"]] \
            == ["G-ACCESS"]
        r = c.get("/reports/duty-of-quality", params={"period": "2024-04-01:2025-03-31"})
        assert r.status_code == 200 and "Eastbrook NHS Foundation Trust" in r.text
        assert "QI-RESTRAINT" in r.text


def test_store_filter_refuses_unknown_values(tmp_path: Path) -> None:
    s = SQLiteStore(tmp_path / "x.qmsdb")
    with pytest.raises(Exception, match="unknown quality domain 'fair'"):
        s.find_nodes(quality_domain="fair")
    s.close()
