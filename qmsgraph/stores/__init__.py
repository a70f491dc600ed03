"""Stores: where a QMS graph lives, behind one interface of questions.

* :mod:`.base` - the interface (:class:`Store`), change sets and :func:`open_store`;
* :mod:`.sqlite` - the embedded default (SQLite rows + the columnar core of :mod:`._core`);
* :mod:`.neo4j` - a Neo4j server through the official driver (imported only when used).
"""

from .base import (
    DEFAULT_STORE,
    ApplyResult,
    ChangeSet,
    Progress,
    Store,
    changes_from_graph,
    open_store,
)

__all__ = ["DEFAULT_STORE", "ApplyResult", "ChangeSet", "Progress", "Store", "changes_from_graph",
           "open_store", "SQLiteStore"]


def __getattr__(name: str) -> object:
    if name == "SQLiteStore":  # numpy loads with the embedded store, not with the interface
        from .sqlite import SQLiteStore

        return SQLiteStore
    raise AttributeError(name)
