"""Property-based tests of the app against its own OpenAPI document (schemathesis 4).

Every operation gets a bounded, derandomized set of generated requests (schema examples,
coverage cases and fuzzing) with a valid admin key. The checks: no 5xx, every status code,
content type, header and body as documented. ``positive_data_acceptance`` is kept, with
the statuses the API documents for rejections the schema cannot express (412 and 428 for
If-Match, 422 for ontology rules such as an edge's domain and range or a goal that does not
exist, 415 for a form post without files).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings

from qmsgraph.api.app import create_app
from qmsgraph.api.settings import Settings
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore

from .conftest import DATA, spc_yaml

MAX_EXAMPLES = 25
SEEN: defaultdict[str, Counter[int]] = defaultdict(Counter)

CONFIG = schemathesis.Config.from_dict({
    "seed": 20250106,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
    "checks": {
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "401", "403", "404", "409", "412", "415", "422",
                                  "428"]},
        "missing_required_header": {
            "expected-statuses": ["400", "401", "403", "406", "415", "422", "428"]},
    },
    # drawing a chart takes a fraction of a second: fewer examples for the two charts
    "operations": [
        {"include-path-regex": r"/spc\.(png|svg)$", "generation": {"max-examples": 5}},
        # one body schema per node kind: the coverage phase alone sends ~1,600 requests
        # to each of these; keep its share of them bounded
        {"include-path-regex": r"^/nodes", "include-method-regex": "^(POST|PUT)$",
         "phases": {"coverage": {"enabled": False}}},
    ],
})


def _build() -> tuple[FastAPI, SQLiteStore, Path]:
    """The app over a store of its own, built at import: schemathesis reads the schema at
    collection time and makes one test per operation."""
    folder = Path(tempfile.mkdtemp(prefix="qmsgraph-fuzz-"))
    store = SQLiteStore(folder / "fuzz.qmsdb")
    load_files(store, [DATA / "mini.yaml"])
    (folder / "spc.yaml").write_text(spc_yaml())
    load_files(store, [folder / "spc.yaml"])
    app = create_app(store, Settings(store=str(folder / "fuzz.qmsdb"), max_body=1_000_000))
    return app, store, folder


APP, STORE, FOLDER = _build()
KEY = APP.state.qmsgraph.keys.create("fuzzer", "admin")[1]
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)


@schema.auth()
class AdminKey:
    def get(self, case, ctx):
        return KEY

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


def _cleanup() -> None:
    APP.state.qmsgraph.keys.close()
    STORE.close()
    shutil.rmtree(FOLDER, ignore_errors=True)


atexit.register(_cleanup)  # also when this module's tests are deselected


@schema.parametrize()
@settings(deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case):
    response = case.call_and_validate()
    SEEN[case.operation.label][response.status_code] += 1


def test_the_fuzzer_got_past_auth_and_reached_the_handlers():
    """Guard against a vacuous run: requests were authenticated, and most operations
    answered 2xx at least once."""
    if not SEEN:
        pytest.skip("the fuzzing test did not run")
    for op, statuses in SEEN.items():
        assert set(statuses) - {401, 403}, f"{op} only saw {dict(statuses)}"
    ok = [op for op, statuses in SEEN.items() if any(200 <= c < 300 for c in statuses)]
    assert len(ok) >= 0.7 * len(SEEN), sorted(set(SEEN) - set(ok))


def test_the_fuzzer_never_revoked_its_own_key():
    """Its key is the store's only admin key, and the last admin key cannot be revoked:
    however the fuzzer calls DELETE /keys/{id}, it keeps its key (run after the fuzzing)."""
    if not SEEN:
        pytest.skip("the fuzzing test did not run")
    info = APP.state.qmsgraph.keys.verify(KEY)
    assert info is not None and info.role == "admin"
    assert any(op.startswith("DELETE /keys") for op in SEEN)
