"""The OpenAPI document, read by openapi-spec-validator and openapi-python-client.

A client is generated from the document the running server publishes, and used against that
server: list nodes, read one, run the audit and check-project, PATCH with If-Match.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import typing
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from ..live import Server as Live

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "qmsgraph_interop_client"


@pytest.fixture(scope="module")
def document(live: Live) -> dict[str, Any]:
    return httpx.get(live.url + "/openapi.json", timeout=30).json()


@pytest.fixture(scope="module")
def client_pkg(live: Live, document, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("client")
    out = subprocess.run([str(GENERATOR), "generate", "--url", live.url + "/openapi.json",
                          "--meta", "none", "--output-path", str(folder / PACKAGE)],
                         capture_output=True, text=True, timeout=300, cwd=folder)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    sys.path.insert(0, str(folder))
    try:
        yield folder / PACKAGE, out.stdout + out.stderr
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m.startswith(PACKAGE)]:
            del sys.modules[name]


def _mod(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def _operations(document) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in document["paths"].items()
            for method, op in ops.items()]


def test_document_is_valid_openapi(document):
    validate(document)


def test_no_two_schemas_share_a_title(document):
    """Generators name a model by its title: components and inline request bodies alike."""
    titles = Counter(s.get("title", name) for name, s in document["components"]["schemas"].items())
    for _, _, op in _operations(document):
        for media in op.get("requestBody", {}).get("content", {}).values():
            if "title" in media["schema"]:
                titles[media["schema"]["title"]] += 1
    assert [t for t, n in titles.items() if n > 1] == []


def test_no_operation_is_listed_twice(document, client_pkg):
    ids = Counter(op["operationId"] for _, _, op in _operations(document))
    assert [i for i, n in ids.items() if n > 1] == []
    repeated_tags = [(p, m, op["tags"]) for p, m, op in _operations(document)
                     if len(op.get("tags", [])) != len(set(op.get("tags", [])))]
    assert repeated_tags == []
    folder, _ = client_pkg
    modules = Counter(f.name for f in (folder / "api").glob("*/*.py") if f.name != "__init__.py")
    assert modules and [m for m, n in modules.items() if n > 1] == []


def test_if_match_is_required_where_the_server_answers_428(document, live: Live):
    guarded = [(p, m, op) for p, m, op in _operations(document) if "428" in op["responses"]]
    assert {(p, m) for p, m, _ in guarded} >= {("/nodes/{node_id}", "put"),
                                               ("/nodes/{node_id}", "patch"),
                                               ("/nodes/{node_id}", "delete")}
    for path, method, op in guarded:
        params = {p["name"]: p for p in op["parameters"] if p["in"] == "header"}
        assert params["If-Match"].get("required") is True, (path, method)
    # and the server does answer 428 without it
    r = httpx.patch(live.url + "/nodes/G1", json={"label": "x"}, timeout=30,
                    headers={"Authorization": f"Bearer {live.keys['planner']}",
                             "Content-Type": "application/merge-patch+json"})
    assert r.status_code == 428


def test_412_declares_the_etag_header_the_server_sends(document, live: Live):
    with_412 = [(p, m, op) for p, m, op in _operations(document) if "412" in op["responses"]]
    assert with_412
    for path, method, op in with_412:
        assert "ETag" in op["responses"]["412"].get("headers", {}), (path, method)
    r = httpx.patch(live.url + "/nodes/G1", json={"label": "x"}, timeout=30,
                    headers={"Authorization": f"Bearer {live.keys['planner']}",
                             "Content-Type": "application/merge-patch+json",
                             "If-Match": '"999"'})
    assert r.status_code == 412 and r.headers["ETag"].strip('"').isdigit()


def test_generated_client_lists_reads_audits_checks_and_patches(client_pkg, live: Live):
    client_mod = _mod("client")
    models = _mod("models")
    nodes = _mod("api.nodes")
    alignment = _mod("api.alignment")
    viewer = client_mod.AuthenticatedClient(base_url=live.url, token=live.keys["viewer"])
    planner = client_mod.AuthenticatedClient(base_url=live.url, token=live.keys["planner"])

    page = importlib.import_module(nodes.__name__ + ".list_nodes_nodes_get").sync(
        client=viewer, kind=models.ListNodesNodesGetKindType0("StrategicGoal"))
    assert isinstance(page, models.NodePage) and page.total == len(page.items) > 0
    goal = page.items[0]
    assert isinstance(goal, models.StrategicGoalOut)

    read = importlib.import_module(nodes.__name__ + ".read_node_nodes_node_id_get")
    got = read.sync_detailed(goal.id, client=viewer)
    assert got.status_code == 200 and isinstance(got.parsed, models.StrategicGoalOut)
    assert got.parsed.label == goal.label
    etag = got.headers["etag"]

    audit = importlib.import_module(alignment.__name__ + ".audit_alignment_audit_get").sync(
        client=viewer)
    assert isinstance(audit, models.AlignmentAuditOut)
    assert audit.total == len(audit.findings) > 0
    assert {f.rule for f in audit.findings} >= {"orphaned-work", "goal-without-measure"}

    check = importlib.import_module(alignment.__name__ + ".check_project_check_project_post")
    verdict = check.sync(client=viewer, body=models.ProjectProposal.from_dict(
        {"label": "Reduce falls again", "declared_priority": goal.id}))
    assert isinstance(verdict, models.ProjectCheck)
    assert verdict.verdict.value in ("aligned", "weak", "misaligned", "orphaned")

    patch = importlib.import_module(nodes.__name__ + ".patch_node_nodes_node_id_patch")
    body_type = typing.get_type_hints(patch.sync_detailed)["body"]  # the merge-patch model
    body = body_type.from_dict({"label": goal.label + " (v2)"})
    changed = patch.sync_detailed(goal.id, client=planner, body=body, if_match=etag)
    assert changed.status_code == 200, changed.content
    assert isinstance(changed.parsed, models.StrategicGoalOut)
    assert changed.parsed.label == goal.label + " (v2)"
    assert changed.parsed.version == got.parsed.version + 1
    stale = patch.sync_detailed(goal.id, client=planner, body=body, if_match=etag)
    assert stale.status_code == 412 and isinstance(stale.parsed, models.Problem)


def test_openapi_generator_python_client_has_one_model_and_one_method_each(
        tools, document, tmp_path):
    """openapi-generator (-g python): no mangled model names (``AuditOut1``), no operation
    generated twice, If-Match a required ``str`` on the node writes."""
    import json
    import re

    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(document))
    out = subprocess.run(["java", "-jar", tools.openapi_generator, "generate", "-g", "python",
                          "-i", str(spec), "-o", str(tmp_path / "gen"),
                          "--package-name", "qmsc"], capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stdout[-3000:]
    models = {p.stem for p in (tmp_path / "gen" / "qmsc" / "models").glob("*.py")}
    mangled = [m for m in models if re.search(r"\d$", m) and m.rstrip("0123456789") in
               {x.rstrip("0123456789") for x in models - {m}}]
    assert mangled == []
    assert "alignment_audit_out" in models and "audit_out" in models
    methods = Counter()
    for f in (tmp_path / "gen" / "qmsc" / "api").glob("*_api.py"):
        methods.update(re.findall(r"^    def ([a-z]\w*)\(", f.read_text(), re.M))
    assert methods["check_project_check_project_post"] == 1
    assert [m for m, n in methods.items() if n > 1 and m != "__init__"] == []
    nodes_api = (tmp_path / "gen" / "qmsc" / "api" / "nodes_api.py").read_text()
    for op in ("patch_node_nodes_node_id_patch", "replace_node_nodes_node_id_put",
               "delete_node_nodes_node_id_delete"):
        signature = nodes_api.split(f"    def {op}(", 1)[1].split(") ->", 1)[0]
        if_match = re.search(r"if_match: (.*)", signature).group(1)
        assert "Optional" not in if_match and "str" in if_match, (op, if_match)
