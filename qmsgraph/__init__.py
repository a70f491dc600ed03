"""qmsgraph: a health and care organisation's Quality Management System as a knowledge graph.

The public API is the names in ``__all__``; they load on first use, so ``import qmsgraph``
stays cheap (no numpy, scipy, rdflib or neo4j until a store or a question needs them)::

    import qmsgraph
    with qmsgraph.open_store("qmsgraph.qmsdb") as store:
        report = store.audit()

The library's parts: :mod:`qmsgraph.stores` (the store interface; the embedded SQLite store
with its columnar core; Neo4j), :mod:`qmsgraph.alignment` (threads, rules, portfolio views,
check-project, impact), :mod:`qmsgraph.spc` (Making Data Count SPC), :mod:`qmsgraph.schema`
and :mod:`qmsgraph.model` (kinds, typed nodes and edges), :mod:`qmsgraph.graph` (the graph as
model objects, for interchange), :mod:`qmsgraph.io.readers` / :mod:`qmsgraph.io.export` /
:mod:`qmsgraph.io.rdf` (exchange).
"""

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    # stores
    "open_store": "qmsgraph.stores", "Store": "qmsgraph.stores",
    "ChangeSet": "qmsgraph.stores", "ApplyResult": "qmsgraph.stores",
    "SQLiteStore": "qmsgraph.stores",
    # the model
    "QMSGraph": "qmsgraph.graph", "Node": "qmsgraph.model", "Edge": "qmsgraph.model",
    "Provenance": "qmsgraph.model", "make_node": "qmsgraph.model",
    "make_edge": "qmsgraph.model",
    # questions and their results
    "AlignmentConfig": "qmsgraph.alignment", "ProjectProposal": "qmsgraph.alignment",
    "AuditReport": "qmsgraph.alignment", "Finding": "qmsgraph.alignment",
    "ThreadResult": "qmsgraph.alignment", "Contributors": "qmsgraph.alignment",
    "Impact": "qmsgraph.alignment", "ProjectCheck": "qmsgraph.alignment",
    "XMatrix": "qmsgraph.alignment", "SPCOptions": "qmsgraph.spc",
    "SPCResult": "qmsgraph.spc",
    # errors
    "QMSGraphError": "qmsgraph.errors", "ValidationError": "qmsgraph.errors",
    "EdgeNotAllowedError": "qmsgraph.errors", "NotFoundError": "qmsgraph.errors",
    "ConflictError": "qmsgraph.errors", "StoreError": "qmsgraph.errors",
    "StoreBusyError": "qmsgraph.errors",
    "SPCInputError": "qmsgraph.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'qmsgraph' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
