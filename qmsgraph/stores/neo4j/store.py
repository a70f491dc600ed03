"""The Neo4j store: connection, schema, revision, reads and transactional (batched, resumable)
writes.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ... import schema
from ...errors import NotFoundError, QMSGraphError, StoreError
from ...graph import GraphTransaction, QMSGraph
from ...model import (
    Node,
    Provenance,
    make_edge,
)
from ..base import ApplyResult, ChangeSet, Progress, Store, stage_changes

if TYPE_CHECKING:
    pass

from .mapping import (
    BATCH,
    CLEAR_BATCH,
    DEFAULT_RETRY_SECONDS,
    ENV_BATCH,
    ENV_DATABASE,
    ENV_PASSWORD,
    ENV_RETRY,
    ENV_USER,
    PAGE,
    PROV_FIELDS,
    _light_edge,
    _one_line,
    light_node,
    node_from_props,
    project,
    project_light,
    split_uri,
)
from .maps import ServerMaps
from .plan import Op, _query, _remaining, fingerprint, plan, set_versions
from .portfolio import ServerPortfolio
from .questions import ServerQuestions
from .view import ServerView

# The driver logs retries and dropped connections as warnings; without a handler of the
# application's they would go to stderr next to the one clear error qmsgraph reports.
logging.getLogger("neo4j").addHandler(logging.NullHandler())


class Neo4jStore(ServerMaps, ServerPortfolio, ServerQuestions, Store):
    """A store on a Neo4j 5 server (``bolt://`` or ``neo4j://``, so clusters and Aura too).

    Credentials come from the arguments, else from ``user:password@`` in the URI, else from
    ``QMSGRAPH_NEO4J_USER`` / ``QMSGRAPH_NEO4J_PASSWORD``; the database from the argument,
    ``?database=NAME`` in the URI or ``QMSGRAPH_NEO4J_DATABASE`` (default: the user's home
    database). ``url`` is the URI without credentials, safe to print.
    """

    def __init__(self, url: str, *, user: str | None = None, password: str | None = None,
                 database: str | None = None, batch_size: int | None = None,
                 retry_seconds: float | None = None, connect_timeout: float = 10.0) -> None:
        try:
            import neo4j
        except ImportError:  # pragma: no cover - a dependency
            raise StoreError("the 'neo4j' driver is not installed (pip install neo4j)"
                             ) from None
        self._neo4j = neo4j
        clean, uri_user, uri_password, uri_db = split_uri(url)
        self.url = clean
        self.user = user or uri_user or os.environ.get(ENV_USER) or "neo4j"
        secret = password or uri_password or os.environ.get(ENV_PASSWORD)
        self.database = database or uri_db or os.environ.get(ENV_DATABASE) or None
        self.batch_size = max(1, int(batch_size or os.environ.get(ENV_BATCH) or BATCH))
        if retry_seconds is None:
            retry_seconds = float(os.environ.get(ENV_RETRY, DEFAULT_RETRY_SECONDS))
        self._lock = threading.RLock()
        self._graph: QMSGraph | None = None
        self._graph_rev: int | None = None
        self._schema_ready = False
        self.driver = None
        if secret is None:
            raise StoreError(f"no password for Neo4j at {self.url}: set {ENV_PASSWORD} or "
                             "put user:password@ in the URI")
        try:
            self.driver = neo4j.GraphDatabase.driver(
                clean, auth=(self.user, secret), max_transaction_retry_time=retry_seconds,
                connection_timeout=connect_timeout, user_agent="qmsgraph",
                notifications_min_severity="OFF")
        except (neo4j.exceptions.ConfigurationError, ValueError) as err:
            raise StoreError(f"bad Neo4j URI {self.url}: {_one_line(err)}") from None
        # One bookmark manager per store: every session of this client starts after the
        # writes this client committed, so on a cluster a read routed to a follower sees
        # them (causal consistency; a no-op on one server).
        self.bookmarks = neo4j.GraphDatabase.bookmark_manager()
        try:
            with self._errors():
                self.driver.verify_connectivity()
            self._ensure_schema()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------- plumbing
    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Driver errors as one clear StoreError naming the server (never a traceback)."""
        ex = self._neo4j.exceptions
        try:
            yield
        except QMSGraphError:
            raise
        except ex.AuthError as err:
            raise StoreError(f"Neo4j at {self.url} refused the credentials of user "
                             f"{self.user!r}: {_one_line(err)}") from None
        except (ex.ServiceUnavailable, ex.SessionExpired) as err:
            raise StoreError(f"cannot reach Neo4j at {self.url}: {_one_line(err)}") from None
        except ex.Neo4jError as err:
            raise StoreError(f"Neo4j at {self.url} failed: {_one_line(err)}") from None
        except ex.DriverError as err:
            raise StoreError(f"cannot reach Neo4j at {self.url}: {_one_line(err)}") from None
        except OSError as err:
            raise StoreError(f"cannot reach Neo4j at {self.url}: {_one_line(err)}") from None

    def _session(self, mode: str | None = None) -> Any:
        if self.driver is None:
            raise StoreError(f"the store at {self.url} is closed")
        access = self._neo4j.READ_ACCESS if mode == "r" else self._neo4j.WRITE_ACCESS
        return self.driver.session(database=self.database, bookmark_manager=self.bookmarks,
                                   default_access_mode=access)

    def read(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(tx, *args)`` in a managed read transaction: routed to a reader (a
        follower or read replica) under ``neo4j://``, after this client's own writes
        (bookmarks), retried on transient errors and failover."""
        with self._errors(), self._session("r") as s:
            return s.execute_read(fn, *args)

    def write(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(tx, *args)`` in a managed write transaction (routed to the leader,
        retried on transient errors and leader switches)."""
        with self._errors(), self._session() as s:
            return s.execute_write(fn, *args)

    def query(self, cypher: str, **params: Any) -> list[Any]:
        """Records of one read query (for tools and tests)."""
        return self.read(lambda tx: list(tx.run(cypher, params)))

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        statements = [
            "CREATE CONSTRAINT qmsgraph_node_id IF NOT EXISTS "
            "FOR (n:QMSNode) REQUIRE n.id IS UNIQUE",
            "CREATE INDEX qmsgraph_node_kind IF NOT EXISTS FOR (n:QMSNode) ON (n.kind)",
            "CREATE INDEX qmsgraph_node_status IF NOT EXISTS FOR (n:QMSNode) ON (n.status)",
            "CREATE CONSTRAINT qmsgraph_meta_key IF NOT EXISTS "
            "FOR (m:QMSMeta) REQUIRE m.key IS UNIQUE",
            "CREATE CONSTRAINT qmsgraph_load_id IF NOT EXISTS "
            "FOR (j:QMSLoad) REQUIRE j.id IS UNIQUE",
        ]
        names = {"qmsgraph_node_id", "qmsgraph_node_kind", "qmsgraph_node_status",
                 "qmsgraph_meta_key", "qmsgraph_load_id"}

        def existing(tx: Any) -> set[str]:
            return {r["name"] for r in tx.run("SHOW INDEXES YIELD name RETURN name")}

        try:
            have = self.read(existing)
            if not names <= have:
                for st in statements:
                    with self._errors(), self._session() as s:
                        s.run(st).consume()
                with self._errors(), self._session() as s:
                    s.run("CALL db.awaitIndexes(300)").consume()
        except StoreError as err:
            if "Forbidden" not in str(err) and "permission" not in str(err).lower():
                raise
            # A user without schema rights: work without (an admin creates them once).
        self._schema_ready = True

    @staticmethod
    def _bump(tx: Any) -> int:
        """Take the store's write lock (the meta node) and bump the revision."""
        rec = tx.run("MERGE (m:QMSMeta {key: 'graph'}) ON CREATE SET m.revision = 0 "
                     "SET m.revision = m.revision + 1 RETURN m.revision AS r").single()
        return int(rec["r"])

    @staticmethod
    def _revision(tx: Any) -> int:
        rec = tx.run("OPTIONAL MATCH (m:QMSMeta {key: 'graph'}) RETURN m.revision AS r"
                     ).single()
        return int(rec["r"] or 0)

    # ------------------------------------------------------------- reading
    def revision(self) -> int:
        """A counter bumped by every committed write (to any client)."""
        return self.read(self._revision)

    def view(self) -> ServerView:
        """A read view that asks the server for what is read (a node, its edges, a kind's
        ids), never the whole graph unless every node is asked for (see :mod:`.view`)."""
        return ServerView(self)

    def graph(self, progress: Progress | None = None) -> QMSGraph:
        """The whole graph (pulled from the server; cached until the next write anywhere)."""
        with self._lock:
            for _ in range(3):
                rev = self.revision()
                if self._graph is not None and rev == self._graph_rev:
                    return self._graph
                g = self._pull(progress)
                if self.revision() == rev:
                    self._graph, self._graph_rev = g, rev
                    return g
            return g

    def _pull(self, progress: Progress | None) -> QMSGraph:
        """Every node and edge, in pages of ``PAGE`` (ordered by id through the unique
        index; one record per page, which the driver decodes far faster than a record per
        node), in one read transaction."""
        kinds = sorted(schema.EDGE_KINDS)

        def work(tx: Any) -> QMSGraph:
            counts = tx.run("RETURN COUNT { (:QMSNode) } AS n, "
                            "COUNT { (:QMSNode)-[]->(:QMSNode) } AS e").single()
            total = int(counts["n"]) + int(counts["e"])
            done = 0
            provs: dict[tuple[Any, ...], Provenance] = {}
            g = QMSGraph()
            after = ""
            while True:
                rows = tx.run(f"MATCH (n:QMSNode) WHERE n.id > $after WITH n ORDER BY n.id "
                              f"LIMIT $n RETURN collect({project('n')}) AS rows",
                              after=after, n=PAGE).single()["rows"]
                if not rows:
                    break
                for p in rows:
                    g.g.add_node(p["id"], node=node_from_props(p, self.url, provs))
                after = rows[-1]["id"]
                done += len(rows)
                if progress:
                    progress(done, total)
            after = ""
            prov_fields = ", ".join(f"r.prov_{f}" if f != "at" else "toString(r.prov_at)"
                                    for f in PROV_FIELDS)
            while True:
                rec = tx.run(
                    "MATCH (a:QMSNode) WHERE a.id > $after WITH a ORDER BY a.id LIMIT $n "
                    "WITH collect(a) AS page RETURN page[-1].id AS last, "
                    "[a IN page | [(a)-[r]->(b:QMSNode) WHERE type(r) IN $kinds | "
                    f"[a.id, type(r), b.id, {prov_fields}]]] AS e",
                    after=after, n=PAGE, kinds=kinds).single()
                if rec["last"] is None:
                    break
                for out in rec["e"]:
                    for s, k, t, *pv in out:
                        if t not in g.g:
                            continue
                        prov = provs.get(tuple(pv))
                        if prov is None:
                            prov = provs[tuple(pv)] = Provenance.model_validate(
                                {f: v for f, v in zip(PROV_FIELDS, pv, strict=True)
                                 if v is not None})
                        g.g.add_edge(s, t, key=k, edge=make_edge(k, s, t, provenance=prov))
                        done += 1
                after = rec["last"]
                if progress:
                    progress(done, total)
            if progress:
                progress(total, total)
            return g

        return self.read(work)

    def get_node(self, node_id: str) -> Node:
        def work(tx: Any) -> dict[str, Any] | None:
            rec = tx.run(f"MATCH (n:QMSNode {{id: $id}}) RETURN {project('n')} AS p",
                         id=node_id).single()
            return rec["p"] if rec else None

        p = self.read(work)
        if p is None:
            raise NotFoundError(f"no node with id {node_id!r}")
        return node_from_props(p, self.url)

    def node_version(self, node_id: str) -> tuple[Node, int]:
        """The node and its version from one read of the server."""
        def work(tx: Any) -> tuple[dict[str, Any], int] | None:
            rec = tx.run(f"MATCH (n:QMSNode {{id: $id}}) RETURN {project('n')} AS p, "
                         "n.version AS v", id=node_id).single()
            return None if rec is None else (rec["p"], int(rec["v"] or 1))

        got = self.read(work)
        if got is None:
            raise NotFoundError(f"no node with id {node_id!r}")
        return node_from_props(got[0], self.url), got[1]

    def version(self, node_id: str) -> int:
        def work(tx: Any) -> int | None:
            rec = tx.run("MATCH (n:QMSNode {id: $id}) RETURN n.version AS v", id=node_id
                         ).single()
            return None if rec is None else int(rec["v"] or 1)

        v = self.read(work)
        if v is None:
            raise NotFoundError(f"no node with id {node_id!r}")
        return v

    def stats(self) -> dict[str, Any]:
        """Counts by kind, computed on the server."""
        def work(tx: Any) -> dict[str, Any]:
            kinds = {r["k"]: r["c"] for r in tx.run(
                "MATCH (n:QMSNode) RETURN n.kind AS k, count(*) AS c")}
            edges = {r["k"]: r["c"] for r in tx.run(
                "MATCH (:QMSNode)-[r]->(:QMSNode) RETURN type(r) AS k, count(*) AS c")}
            pts = tx.run("MATCH (m:Measure) RETURN sum(m.data_n) AS p").single()["p"] or 0
            return {"nodes": sum(kinds.values()), "edges": sum(edges.values()),
                    "data_points": int(pts), "node_kinds": dict(sorted(kinds.items())),
                    "edge_kinds": dict(sorted(edges.items()))}

        return self.read(work)

    # ------------------------------------------------------------- validation
    def _stage(self, tx: Any, changes: ChangeSet, clock: int
               ) -> tuple[GraphTransaction, ApplyResult, dict[str, int]]:
        """Stage ``changes`` on a small local graph of the nodes and edges they touch.

        Fetches only what the changes refer to: those nodes (kind, label, version), the
        edges of updated and deleted nodes with their other ends, and the edges being
        added or deleted if they exist. The same checks as the embedded store then run on
        that graph with :class:`GraphTransaction`, so the errors are the same.
        """
        ids: set[str] = set()
        ids.update(n.id for n, _ in changes.add_nodes)
        ids.update(n.id for n, _, _ in changes.update_nodes)
        ids.update(n for n, _, _ in changes.delete_nodes)
        for e, _ in changes.add_edges:
            ids.update((e.source, e.target))
        for (s, _, t), _ in changes.delete_edges:
            ids.update((s, t))
        touched = sorted({n.id for n, _, _ in changes.update_nodes}
                         | {n for n, _, _ in changes.delete_nodes})
        g = QMSGraph()
        versions: dict[str, int] = {}
        for rec in tx.run(f"UNWIND $ids AS id MATCH (n:QMSNode {{id: id}}) "
                          f"RETURN {project_light('n')} AS p, n.version AS v",
                          ids=sorted(ids)):
            p = rec["p"]
            g.g.add_node(p["id"], node=light_node(p))
            versions[p["id"]] = int(rec["v"] or 1)
        edges: set[tuple[str, str, str]] = set()
        kinds = sorted(schema.EDGE_KINDS)
        if touched:
            for rec in tx.run(
                    f"UNWIND $ids AS id MATCH (n:QMSNode {{id: id}})-[r]-(m:QMSNode) "
                    f"WHERE type(r) IN $kinds "
                    f"RETURN startNode(r).id AS s, type(r) AS k, endNode(r).id AS t, "
                    f"m.id AS mid, {project_light('m')} AS p", ids=touched, kinds=kinds):
                if rec["mid"] not in g.g:
                    g.g.add_node(rec["mid"], node=light_node(rec["p"]))
                edges.add((rec["s"], rec["k"], rec["t"]))
        keys = [[s, k, t] for (s, k, t) in
                [e.key for e, _ in changes.add_edges] + [k for k, _ in changes.delete_edges]
                if s in g.g and t in g.g and (s, k, t) not in edges]
        if keys:
            for rec in tx.run(
                    "UNWIND $keys AS key MATCH (s:QMSNode {id: key[0]})-[r]->"
                    "(t:QMSNode {id: key[2]}) WHERE type(r) = key[1] "
                    "RETURN DISTINCT key[0] AS s, key[1] AS k, key[2] AS t", keys=keys):
                edges.add((rec["s"], rec["k"], rec["t"]))
        for s, k, t in edges:
            g.g.add_edge(s, t, key=k, edge=_light_edge(k, s, t))
        g.touch()
        gtx = GraphTransaction(g)
        result = stage_changes(changes, gtx, versions, clock)
        return gtx, result, versions

    # ------------------------------------------------------------- writing
    def apply(self, changes: ChangeSet, *, dry_run: bool = False,
              progress: Progress | None = None) -> ApplyResult:
        """Validate and write ``changes``.

        Up to one batch (``batch_size`` changes): one write transaction that takes the
        store's write lock, validates and writes, so it is all or nothing. Larger loads:
        validated in a read transaction, then written one batch per transaction; each batch
        is all or nothing and idempotent (MERGE), and a journal on the server records the
        batches done, so applying the same changes again after a failure writes only the
        batches that are missing (see docs/neo4j.md).
        """
        self._ensure_schema()
        if dry_run:
            def check(tx: Any) -> ApplyResult:
                gtx, result, _ = self._stage(tx, changes, self._revision(tx) + 1)
                gtx.raise_problems(changes.source)
                result.dry_run = True
                return result

            return self.read(check)
        if len(changes) <= self.batch_size:
            return self._apply_one(changes, progress)
        return self._apply_batched(changes, progress)

    def _run_ops(self, tx: Any, ops: list[Op], tick: Callable[[int], None] | None) -> None:
        for op in ops:
            tx.run(_query(op), rows=op.rows, provs=op.provs).consume()
            if tick:
                tick(len(op.rows))

    def _apply_one(self, changes: ChangeSet, progress: Progress | None) -> ApplyResult:
        total = len(changes)

        def work(tx: Any) -> ApplyResult:
            clock = self._bump(tx)  # the store-wide clock: versions are never reused
            gtx, result, _ = self._stage(tx, changes, clock)
            gtx.raise_problems(changes.source)
            versions = dict(result.versions)
            done = 0

            def tick(n: int) -> None:
                nonlocal done
                done += n
                if progress:
                    progress(done, total)

            for ops in plan(changes, versions, batch=max(total, 1)):
                self._run_ops(tx, ops, tick)
            return result

        with self._lock:
            self._graph = None
            return self.write(work)

    def _apply_batched(self, changes: ChangeSet, progress: Progress | None) -> ApplyResult:
        total = len(changes)
        draft = plan(changes, {}, self.batch_size)
        fp = fingerprint(draft)

        def journal(tx: Any) -> list[int] | None:
            rec = tx.run("MATCH (j:QMSLoad {id: $id}) RETURN j.done AS done", id=fp).single()
            return None if rec is None else [int(x) for x in rec["done"] or []]

        done_before = self.read(journal)
        todo = changes
        if done_before:
            # Resume: validate only what the batches done so far did not write.
            todo = _remaining(changes, draft, set(done_before))

        def check(tx: Any) -> ApplyResult:
            gtx, result, _ = self._stage(tx, todo, 0)
            gtx.raise_problems(todo.source)
            return result

        result = self.read(check)

        def start(tx: Any) -> tuple[int, list[int]]:
            """Create (or find) the journal; a new load reserves a clock value: the version
            of every node it writes, whichever batch writes it."""
            rev = self._bump(tx)
            rec = tx.run("MERGE (j:QMSLoad {id: $id}) ON CREATE SET j.done = [], "
                         "j.started = datetime(), j.clock = $rev "
                         "SET j.batches = $n, j.source = $source "
                         "RETURN j.done AS done, j.clock AS clock", id=fp, rev=rev,
                         n=len(draft), source=changes.source or "").single()
            return int(rec["clock"]), [int(x) for x in rec["done"] or []]

        clock, done = self.write(start)
        if done_before:
            result.nodes_added = len(changes.add_nodes)
            result.nodes_updated = len(changes.update_nodes)
            result.nodes_deleted = len(changes.delete_nodes)
            result.edges_added = len(changes.add_edges)
            result.edges_deleted = len(changes.delete_edges)
        result.versions = {n.id: clock for n, *_ in [*changes.update_nodes, *changes.add_nodes]}
        batches = draft  # the same cut: only the versions change
        set_versions(batches, result.versions)

        done_set = set(done)
        written = sum(sum(len(op.rows) for op in b) for i, b in enumerate(batches)
                      if i in done_set)
        if progress:
            progress(written, total)

        def run_batch(tx: Any, i: int, ops: list[Op], last: bool) -> bool:
            rec = tx.run("MATCH (j:QMSLoad {id: $id}) RETURN j.done AS done", id=fp).single()
            if rec is None or i in (rec["done"] or []):
                return False  # done by an earlier attempt whose answer was lost
            self._bump(tx)
            self._run_ops(tx, ops, None)
            if last:
                tx.run("MATCH (j:QMSLoad {id: $id}) DELETE j", id=fp).consume()
            else:
                tx.run("MATCH (j:QMSLoad {id: $id}) SET j.done = j.done + $i", id=fp, i=i
                       ).consume()
            return True

        with self._lock:
            self._graph = None
            remaining = [i for i in range(len(batches)) if i not in done_set]
            for n, i in enumerate(remaining):
                ops = batches[i]
                try:
                    self.write(run_batch, i, ops, n == len(remaining) - 1)
                except StoreError as err:
                    committed = len(done_set)
                    raise StoreError(
                        f"{err}; {committed} of {len(batches)} batches of this load are "
                        "committed and none is half-written: apply the same changes again "
                        "(e.g. run the same 'qmsgraph push' again) to write the rest"
                        ) from None
                done_set.add(i)
                written += sum(len(op.rows) for op in ops)
                if progress:
                    progress(written, total)
            if not remaining:
                self.write(lambda tx: tx.run("MATCH (j:QMSLoad {id: $id}) DELETE j", id=fp
                                             ).consume())
        return result

    def pending_loads(self) -> list[dict[str, Any]]:
        """Journals of batched loads that did not finish (id, batches, done, source)."""
        return [dict(r) for r in self.query(
            "MATCH (j:QMSLoad) RETURN j.id AS id, j.batches AS batches, j.done AS done, "
            "j.source AS source, j.started AS started ORDER BY j.started")]

    def clear(self) -> None:
        """Remove every node, edge and load journal: one transaction up to
        ``CLEAR_BATCH`` nodes; a larger graph goes in transactions of that many nodes
        (one transaction would exceed the server's transaction memory), so if that fails
        midway part of the graph is gone: clear again."""
        self._ensure_schema()

        def step(tx: Any, limit: int | None) -> int:
            self._bump(tx)
            if limit is None:
                tx.run("MATCH (n:QMSNode) DETACH DELETE n").consume()
                n = 0
            else:
                n = tx.run("MATCH (n:QMSNode) WITH n LIMIT $n DETACH DELETE n "
                           "RETURN count(*) AS c", n=limit).single()["c"]
            if n < (limit or 1):
                tx.run("MATCH (j:QMSLoad) DELETE j").consume()
            return int(n)

        with self._lock:
            self._graph = None
            total = self.read(lambda tx: tx.run("MATCH (n:QMSNode) RETURN count(n) AS c"
                                                ).single()["c"])
            if total <= CLEAR_BATCH:
                self.write(step, None)
                return
            while self.write(step, CLEAR_BATCH) >= CLEAR_BATCH:
                pass

    def close(self) -> None:
        with self._lock:
            if self.driver is not None:
                self.driver.close()
                self.driver = None



def wait_for(store: Neo4jStore, seconds: float = 30.0) -> None:
    """Wait until the server answers (for scripts that start one)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            store.revision()
            return
        except StoreError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)

