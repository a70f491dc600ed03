"""``import qmsgraph``: every public name resolves, and importing it loads nothing heavy."""

from __future__ import annotations

import subprocess
import sys

import qmsgraph


def test_every_name_in_all_resolves_to_an_object():
    for name in qmsgraph.__all__:
        assert getattr(qmsgraph, name) is not None, name
    assert qmsgraph.open_store.__module__ == "qmsgraph.stores.base"
    assert issubclass(qmsgraph.NotFoundError, qmsgraph.QMSGraphError)


def test_unknown_names_are_an_attribute_error():
    try:
        qmsgraph.no_such_thing  # noqa: B018
    except AttributeError as err:
        assert "no_such_thing" in str(err)
    else:
        raise AssertionError("no AttributeError")


def test_import_qmsgraph_and_the_store_interface_load_nothing_heavy():
    code = ("import sys, qmsgraph, qmsgraph.stores; "
            "print(sorted(m for m in ('numpy', 'scipy', 'rdflib', 'neo4j', 'fastapi', "
            "'networkx', 'matplotlib', 'pydantic') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
