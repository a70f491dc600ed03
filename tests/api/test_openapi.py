"""The OpenAPI document: every operation described, secured, typed, with examples."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from qmsgraph import schema as ontology


@pytest.fixture
def doc(client: TestClient) -> dict:
    return client.get("/openapi.json").json()


def operations(doc: dict):
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            yield path, method, op


def test_every_operation_is_documented(doc: dict):
    assert doc["openapi"].startswith("3.")
    assert set(doc["components"]["securitySchemes"]) == {"bearer", "apiKey"}
    for path, method, op in operations(doc):
        where = f"{method.upper()} {path}"
        assert op.get("summary") and op.get("tags"), where
        responses = op["responses"]
        ok = [c for c in responses if c.startswith("2")]
        assert ok, where
        for code, resp in responses.items():
            assert resp.get("description"), (where, code)
            if code.startswith("2") and code != "204":
                assert resp.get("content"), (where, code)
            if int(code) >= 400:
                assert list(resp["content"]) == ["application/problem+json"], (where, code)
        if path in ("/health", "/ready"):
            assert "security" not in op and "401" not in responses
        else:
            assert op["security"] == [{"bearer": []}, {"apiKey": []}], where
            assert {"401", "403"} <= set(responses), where
        body = op.get("requestBody")
        if body:
            for media in body["content"].values():
                schema = media["schema"]
                ref = schema.get("$ref", "")
                if ref:
                    named = doc["components"]["schemas"][ref.rsplit("/", 1)[-1]]
                    assert "examples" in named or "examples" in media, where
                else:
                    assert "examples" in media or schema.get("type") == "object" \
                        or "oneOf" in schema, where


def test_node_bodies_follow_the_ontology(doc: dict):
    schemas = doc["components"]["schemas"]
    for kind in ontology.NODE_KINDS:
        create = schemas[f"{kind}Create"]
        assert create["properties"]["kind"]["const"] == kind
        assert "provenance" not in create["properties"]
        assert create["additionalProperties"] is False
    assert set(schemas["MeasureCreate"]["required"]) >= {"id", "kind", "label",
                                                         "measure_type"}
    measure_type = schemas["MeasureCreate"]["properties"]["measure_type"]
    assert measure_type["enum"] == ["outcome", "process", "balancing", "structure"]
    post = doc["paths"]["/nodes"]["post"]["requestBody"]["content"]["application/json"]
    assert len(post["schema"]["oneOf"]) == len(ontology.NODE_KINDS)
    assert post["schema"]["discriminator"]["propertyName"] == "kind"
    edge_kinds = schemas["EdgeCreate"]["properties"]["kind"]["enum"]
    assert edge_kinds == list(ontology.EDGE_KINDS)


def test_concurrency_and_media_types_are_documented(doc: dict):
    put = doc["paths"]["/nodes/{node_id}"]["put"]
    params = {p["name"]: p for p in put["parameters"]}
    assert params["If-Match"]["in"] == "header" and {"412", "428"} <= set(put["responses"])
    assert "ETag" in doc["paths"]["/nodes/{node_id}"]["get"]["responses"]["200"]["headers"]
    patch = doc["paths"]["/nodes/{node_id}"]["patch"]["requestBody"]["content"]
    assert list(patch) == ["application/merge-patch+json"]
    export = doc["paths"]["/export/{fmt}"]["get"]["responses"]["200"]["content"]
    assert set(export) == {"text/turtle", "application/ld+json", "application/graphml+xml",
                           "application/gexf+xml", "application/json", "application/yaml"}
    assert list(doc["paths"]["/measures/{measure_id}/spc.png"]["get"]["responses"]["200"]
                ["content"]) == ["image/png"]
    upload = doc["paths"]["/import/upload"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
