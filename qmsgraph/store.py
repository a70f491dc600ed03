"""The store interface and the embedded default: one SQLite file, every write a transaction.

A store holds one QMS graph. Writes go through :meth:`Store.apply` with a
:class:`ChangeSet`: every change is checked against the ontology and the graph, every
problem is reported with its location, and either all of it is committed or none.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConflictError, NotFoundError, StoreError
from .graph import GraphTransaction, QMSGraph
from .model import Edge, Node, Provenance, make_edge, make_node

if TYPE_CHECKING:
    from .alignment import (
        AlignmentConfig,
        AuditReport,
        Contributors,
        Impact,
        ProjectCheck,
        ProjectProposal,
        ThreadResult,
        XMatrix,
    )

DEFAULT_STORE = "qmsgraph.qmsdb"
Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class ChangeSet:
    """A batch of changes applied as one transaction. ``*_at`` lists carry locations."""

    add_nodes: list[tuple[Node, str | None]] = field(default_factory=list)
    update_nodes: list[tuple[Node, int | None, str | None]] = field(default_factory=list)
    delete_nodes: list[tuple[str, int | None, str | None]] = field(default_factory=list)
    add_edges: list[tuple[Edge, str | None]] = field(default_factory=list)
    delete_edges: list[tuple[tuple[str, str, str], str | None]] = field(default_factory=list)
    source: str | None = None  # file name, for messages

    def node(self, node: Node, location: str | None = None) -> ChangeSet:
        self.add_nodes.append((node, location))
        return self

    def edge(self, edge: Edge, location: str | None = None) -> ChangeSet:
        self.add_edges.append((edge, location))
        return self

    def __len__(self) -> int:
        return (len(self.add_nodes) + len(self.update_nodes) + len(self.delete_nodes)
                + len(self.add_edges) + len(self.delete_edges))


@dataclass
class ApplyResult:
    nodes_added: int = 0
    nodes_updated: int = 0
    nodes_deleted: int = 0
    edges_added: int = 0
    edges_deleted: int = 0
    versions: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Store(ABC):
    """What every store offers. Reads return model objects; writes are transactional."""

    url: str

    @abstractmethod
    def graph(self) -> QMSGraph:
        """The whole graph as it stands (embedded: the live in-memory copy; read only)."""

    @abstractmethod
    def apply(self, changes: ChangeSet, *, dry_run: bool = False,
              progress: Progress | None = None) -> ApplyResult:
        """Validate and commit ``changes`` in one transaction, or raise and change nothing."""

    @abstractmethod
    def version(self, node_id: str) -> int:
        """The node's version for optimistic concurrency: it changes on every write of the
        node and is never reused, not even after the node is deleted and created again."""

    @abstractmethod
    def clear(self) -> None:
        """Remove everything (one transaction)."""

    @abstractmethod
    def close(self) -> None: ...

    def get_node(self, node_id: str) -> Node:
        return self.graph().node(node_id)

    def stats(self) -> dict[str, Any]:
        return self.graph().stats()

    # Alignment questions. The embedded engine answers them in memory; a server store
    # (Neo4j) overrides them to run on the server. Same answers on every store.
    def concern_measures(self, window: int = 6) -> set[str]:
        from .spc_graph import concern_measures

        return concern_measures(self.graph(), window, self)

    def audit(self, config: AlignmentConfig | None = None) -> AuditReport:
        from .alignment import AlignmentConfig, audit

        cfg = config or AlignmentConfig()
        return audit(self.graph(), cfg, self.concern_measures(cfg.concern_window))

    def thread(self, node_id: str) -> ThreadResult:
        from .alignment import thread

        return thread(self.graph(), node_id)

    def contributors(self, goal_id: str) -> Contributors:
        from .alignment import contributors

        return contributors(self.graph(), goal_id)

    def check_project(self, proposal: ProjectProposal,
                      config: AlignmentConfig | None = None) -> ProjectCheck:
        from .alignment import check_project

        return check_project(self.graph(), proposal, config)

    def impact(self, node_id: str) -> Impact:
        from .alignment import impact

        return impact(self.graph(), node_id)

    def matrix(self, config: AlignmentConfig | None = None) -> XMatrix:
        from .alignment import matrix

        return matrix(self.graph(), config)

    def balance(self, config: AlignmentConfig | None = None) -> dict[str, dict[str, int]]:
        from .alignment import balance

        return balance(self.graph(), config)

    def scores(self, config: AlignmentConfig | None = None) -> dict[str, Any]:
        from .alignment import scores

        return scores(self.graph(), config, self.audit(config))

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS edges (
    source TEXT NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (source, kind, target));
CREATE INDEX IF NOT EXISTS edges_target ON edges (target);
CREATE TABLE IF NOT EXISTS derived (
    node_id TEXT NOT NULL, name TEXT NOT NULL, input_hash TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (node_id, name));
"""
FORMAT_VERSION = "1"
BATCH = 5000


def _node_row(node: Node, version: int) -> tuple[str, str, int, str]:
    body = node.model_dump(mode="json", exclude_none=True, exclude={"id"})
    return (node.id, node.kind, version, json.dumps(body, separators=(",", ":")))


def _edge_row(edge: Edge) -> tuple[str, str, str, str]:
    body = edge.provenance.model_dump(mode="json", exclude_none=True)
    return (edge.source, edge.kind, edge.target, json.dumps(body, separators=(",", ":")))


def check_version(versions: dict[str, int], nid: str, expected: int | None,
                  loc: str | None) -> None:
    """The node must exist, at the version the caller edited (when one is given)."""
    current = versions.get(nid)
    if current is None:
        where = f"{loc}: " if loc else ""
        raise NotFoundError(f"{where}no node with id {nid!r}")
    if expected is not None and current != expected:
        raise ConflictError(f"node {nid!r} has changed: it is at version {current}, "
                            f"the change was made to version {expected}")


def stage_changes(changes: ChangeSet, tx: GraphTransaction, versions: dict[str, int],
                  clock: int) -> ApplyResult:
    """Apply ``changes`` to the transaction's graph in order (deletions, updates, additions),
    checking versions first; every node written gets the version ``clock``. Shared by every
    store so that validation and its errors are the same everywhere."""
    result = ApplyResult()
    for (s, k, t), loc in changes.delete_edges:
        result.edges_deleted += tx.remove_edge(s, k, t, loc)
    for nid, expected, loc in changes.delete_nodes:
        check_version(versions, nid, expected, loc)
        result.nodes_deleted += tx.remove_node(nid, loc)
    for node, expected, loc in changes.update_nodes:
        check_version(versions, node.id, expected, loc)
        if tx.replace_node(node, loc):
            result.nodes_updated += 1
            result.versions[node.id] = clock
    for node, loc in changes.add_nodes:
        if tx.add_node(node, loc):
            result.nodes_added += 1
            result.versions[node.id] = clock
    for edge, loc in changes.add_edges:
        result.edges_added += tx.add_edge(edge, loc)
    return result


class SQLiteStore(Store):
    """The embedded default: networkx in memory, persisted to one SQLite file.

    Safe for several threads (one lock) and several processes (SQLite's locking; another
    process's commit is noticed through ``PRAGMA data_version`` and the graph reloaded).
    """

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_STORE, *,
                 create: bool = True) -> None:
        self.path = Path(path)
        self.url = str(self.path)
        if not create and not self.path.exists():
            raise StoreError(f"no store at {self.path} (run 'qmsgraph init' first)")
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None,
                                        check_same_thread=False, timeout=30)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.executescript(_SCHEMA)
            self.conn.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)",
                              (FORMAT_VERSION,))
            fmt = self.conn.execute("SELECT value FROM meta WHERE key='format'").fetchone()[0]
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{self.path} is not a qmsgraph store: {err}") from None
        if fmt != FORMAT_VERSION:
            raise StoreError(f"{self.path} has store format {fmt}; this qmsgraph reads "
                             f"{FORMAT_VERSION}")
        self._lock = threading.RLock()
        self._graph = QMSGraph()
        self._versions: dict[str, int] = {}
        self._clock = 0  # store-wide counter: a node's version is the clock of its last write
        self._data_version = -1
        self._refresh()

    # ------------------------------------------------------------- reading
    def _current_data_version(self) -> int:
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def _refresh(self, force: bool = False) -> None:
        dv = self._current_data_version()
        if dv == self._data_version and not force:
            return
        g = QMSGraph()
        versions: dict[str, int] = {}
        for nid, kind, version, body in self.conn.execute(
                "SELECT id, kind, version, body FROM nodes"):
            data = json.loads(body)
            data["id"] = nid
            data["kind"] = kind
            g.g.add_node(nid, node=make_node(data, location=f"{self.path} node {nid}"))
            versions[nid] = version
        for s, k, t, body in self.conn.execute("SELECT source, kind, target, body FROM edges"):
            e = make_edge(k, s, t, provenance=Provenance.model_validate(json.loads(body)))
            g.g.add_edge(s, t, key=k, edge=e)
        clock = self.conn.execute("SELECT value FROM meta WHERE key='clock'").fetchone()
        self._clock = int(clock[0]) if clock else max(versions.values(), default=0)
        self._graph = g
        self._versions = versions
        self._data_version = dv

    def graph(self) -> QMSGraph:
        with self._lock:
            self._refresh()
            return self._graph

    def version(self, node_id: str) -> int:
        with self._lock:
            self._refresh()
            if node_id not in self._versions:
                raise NotFoundError(f"no node with id {node_id!r}")
            return self._versions[node_id]

    # ------------------------------------------------------------- writing
    def apply(self, changes: ChangeSet, *, dry_run: bool = False,
              progress: Progress | None = None) -> ApplyResult:
        """Stage on a copy of the graph, write in one SQLite transaction, then swap.

        Readers holding the graph from :meth:`graph` keep a consistent snapshot: they never
        see a change that is staged, rolled back or not yet committed.
        """
        with self._lock:
            if not dry_run:
                self.conn.execute("BEGIN IMMEDIATE")  # take the write lock before reading
            try:
                self._refresh()
                staged = self._graph.copy()
                tx = GraphTransaction(staged)
                clock = self._clock + 1
                result = stage_changes(changes, tx, self._versions, clock)
                tx.raise_problems(changes.source)
                if dry_run:
                    result.dry_run = True
                    return result
                self._write(changes, tx, result, progress)
                self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('clock', ?)",
                                  (str(clock),))
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            self._graph = staged
            self._clock = clock
            for nid in tx.deleted:
                self._versions.pop(nid, None)
            self._versions.update(result.versions)
            self._data_version = self._current_data_version()
            return result

    def _write(self, changes: ChangeSet, tx: GraphTransaction, result: ApplyResult,
               progress: Progress | None) -> None:
        c = self.conn
        total = len(changes)
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress(done, total)

        if changes.delete_edges:
            c.executemany("DELETE FROM edges WHERE source=? AND kind=? AND target=?",
                          [k for k, _ in changes.delete_edges])
            tick(len(changes.delete_edges))
        if changes.delete_nodes:
            ids = [(n,) for n, _, _ in changes.delete_nodes]
            c.executemany("DELETE FROM edges WHERE source=? OR target=?",
                          [(n, n) for (n,) in ids])
            c.executemany("DELETE FROM nodes WHERE id=?", ids)
            c.executemany("DELETE FROM derived WHERE node_id=?", ids)
            tick(len(ids))
        if changes.update_nodes:
            c.executemany("INSERT OR REPLACE INTO nodes VALUES (?,?,?,?)",
                          [_node_row(n, result.versions[n.id])
                           for n, _, _ in changes.update_nodes])
            tick(len(changes.update_nodes))
        for i in range(0, len(changes.add_nodes), BATCH):
            chunk = changes.add_nodes[i:i + BATCH]
            c.executemany("INSERT INTO nodes VALUES (?,?,?,?)",
                          [_node_row(n, result.versions[n.id]) for n, _ in chunk])
            tick(len(chunk))
        for i in range(0, len(changes.add_edges), BATCH):
            chunk = changes.add_edges[i:i + BATCH]
            c.executemany("INSERT INTO edges VALUES (?,?,?,?)", [_edge_row(e) for e, _ in chunk])
            tick(len(chunk))

    def clear(self) -> None:
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                for table in ("edges", "nodes", "derived"):
                    self.conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self._refresh(force=True)

    # ------------------------------------------------------------- derived data
    def get_derived(self, node_id: str, name: str, input_hash: str) -> Any | None:
        """A cached result computed from a node (e.g. its SPC), if its input is unchanged."""
        with self._lock:
            row = self.conn.execute(
                "SELECT input_hash, body FROM derived WHERE node_id=? AND name=?",
                (node_id, name)).fetchone()
        if row and row[0] == input_hash:
            return json.loads(row[1])
        return None

    def put_derived(self, node_id: str, name: str, input_hash: str, body: Any) -> None:
        with self._lock:
            self.conn.execute("INSERT OR REPLACE INTO derived VALUES (?,?,?,?)",
                              (node_id, name, input_hash, json.dumps(body)))

    def close(self) -> None:
        with self._lock:
            self.conn.close()


def changes_from_graph(graph: QMSGraph, source: str | None = None) -> ChangeSet:
    """A ChangeSet that adds every node and edge of ``graph`` (for copying graphs)."""
    cs = ChangeSet(source=source)
    cs.add_nodes = [(n, None) for n in graph.nodes()]
    cs.add_edges = [(e, None) for e in graph.edges()]
    return cs


def open_store(url: str | os.PathLike[str] | None = None, *, create: bool = True) -> Store:
    """Open a store by URL: a file path (embedded SQLite) or a ``bolt://``/``neo4j://`` URI."""
    url = str(url or os.environ.get("QMSGRAPH_STORE") or DEFAULT_STORE)
    if url.split("://", 1)[0] in ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s",
                                  "neo4j+ssc"):
        from .neo4j_store import Neo4jStore  # imported lazily: the driver is optional at run

        return Neo4jStore(url)
    if url.startswith("sqlite://"):
        url = url[len("sqlite://"):]
    return SQLiteStore(url, create=create)

