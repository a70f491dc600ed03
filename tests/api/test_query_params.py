"""A mistyped filter is refused, not ignored: unknown query parameters are a problem+json 400
naming them (issue 15), on every route, in-process and over HTTP."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_unknown_query_parameters_are_named(client: TestClient, viewer) -> None:
    for path in ("/nodes?kidn=Measure", "/edges?sorce=QI-1", "/alignment/audit?rul=x",
                 "/alignment/thread/QI-1?depth=2", "/map?veiw=unit", "/board?x=1"):
        r = client.get(path, headers=viewer)
        assert r.status_code == 400, (path, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        body = r.json()
        bad = path.split("?")[1].split("=")[0]
        assert body["field"] == bad and bad in body["detail"]
        assert [e["field"] for e in body["errors"]] == [bad]
    # known parameters still work, and say which ones are known when one is wrong
    assert client.get("/nodes?kind=Measure&limit=5", headers=viewer).status_code == 200
    detail = client.get("/nodes?kidn=Measure", headers=viewer).json()["detail"]
    assert "kind" in detail and "limit" in detail


def test_the_400_is_documented(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert "400" in doc["paths"]["/nodes"]["get"]["responses"]


def test_every_get_route_refuses_an_unknown_parameter(client: TestClient, admin) -> None:
    """Walks the OpenAPI document's GET routes (and the HTML pages), so a route added later
    is covered without a change here."""
    import re

    paths = [p for p, ops in client.get("/openapi.json").json()["paths"].items()
             if "get" in ops]
    assert len(paths) >= 15
    for route in [*paths, "/map", "/board"]:
        path = re.sub(r"\{[^}]+\}", "X1", route)
        r = client.get(path + "?no_such_filter=1", headers=admin)
        assert r.status_code == 400, (route, r.status_code, r.text[:200])
        assert r.json()["field"] == "no_such_filter", route
