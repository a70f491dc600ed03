"""The Neo4j store: the same graph and the same answers on a real Neo4j 5 server.

Model in Neo4j (docs/neo4j.md has the whole story):

* every node has the label ``QMSNode``, its kind's label and its superclasses' labels
  (``:QMSNode:Team:OrganisationalUnit``) and the properties ``id`` (unique), ``kind``,
  ``label``, ``description``, ``version``, ``prov_source``/``prov_location``/``prov_agent``/
  ``prov_at``/``prov_reason`` and its kind's attributes under their model names (dates as
  Neo4j ``Date``, the provenance time as a UTC ``DateTime``; empty lists and None are left
  out, which is what the model's defaults give back). A measure's series is two lists,
  ``data_dates`` (Date) and ``data_values`` (Float), with ``data_n`` (always set) and
  ``data_last`` (the last date) for queries;
* every edge is a relationship whose type is the edge kind, with the ``prov_*`` properties;
* ``(:QMSMeta {key: 'graph'})`` holds a revision counter bumped by every write transaction
  (the first thing a write transaction does, so writers queue on it); ``(:QMSLoad)`` is the
  journal of a batched load that has not finished.

Labels and relationship types are taken only from the ontology's lists
(:data:`qmsgraph.schema.NODE_KINDS`, :data:`qmsgraph.schema.EDGE_KINDS`) and checked by
:func:`label` / :func:`rel_type` before they are put into Cypher text; every value is a
query parameter.

Alignment questions run as Cypher on the server: the audit's :class:`~qmsgraph.alignment.
Facts` come from a handful of aggregate queries (pruning variable-length expansions), and
threads, contributors, impact and project checks fetch only the thread neighbourhood they
need and run the library's own functions on that small subgraph, so tie-breaks are identical.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from .. import schema
from ..errors import NotFoundError, QMSGraphError, StoreError, ValidationError
from ..graph import GraphTransaction, QMSGraph
from ..model import (
    EDGE_CLASSES,
    NODE_CLASSES,
    Edge,
    Measure,
    Node,
    Provenance,
    fast_constructor,
    make_edge,
    make_node,
)
from .base import ApplyResult, ChangeSet, Progress, Store, stage_changes

if TYPE_CHECKING:
    from ..alignment import (
        AlignmentConfig,
        AuditReport,
        Contributors,
        Facts,
        Impact,
        ProjectCheck,
        ProjectProposal,
        ThreadResult,
    )

# The driver logs retries and dropped connections as warnings; without a handler of the
# application's they would go to stderr next to the one clear error qmsgraph reports.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

BATCH = 5000            # changes per write transaction for large loads
CLEAR_BATCH = 20000     # nodes per transaction when clearing a large graph
PAGE = 5000             # nodes per page when reading the whole graph
DEFAULT_RETRY_SECONDS = 15.0
ENV_USER = "QMSGRAPH_NEO4J_USER"
ENV_PASSWORD = "QMSGRAPH_NEO4J_PASSWORD"
ENV_DATABASE = "QMSGRAPH_NEO4J_DATABASE"
ENV_RETRY = "QMSGRAPH_NEO4J_RETRY_SECONDS"
ENV_BATCH = "QMSGRAPH_NEO4J_BATCH"
SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")

PROV_FIELDS = ("source", "location", "agent", "at", "reason")
DATA_PROPS = ("data_dates", "data_values")
RESERVED = frozenset({"id", "kind", "label", "description", "version", "data_last", "data_n",
                      "spc_summary",
                      *DATA_PROPS, *(f"prov_{f}" for f in PROV_FIELDS)})
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


# ============================================================================ identifiers

def label(kind: str) -> str:
    """A node label for Cypher text: only a kind of the ontology (or ``QMSNode``)."""
    if kind != "QMSNode" and kind not in schema.NODE_KINDS or not _IDENT.match(kind):
        raise ValidationError(f"unknown node kind {kind!r}", field="kind")
    return f"`{kind}`"


def rel_type(kind: str) -> str:
    """A relationship type for Cypher text: only an edge kind of the ontology."""
    if kind not in schema.EDGE_KINDS or not _IDENT.match(kind):
        raise ValidationError(f"unknown edge kind {kind!r}", field="kind")
    return f"`{kind}`"


def labels_of(kind: str) -> str:
    """``:`QMSNode`:`Team`:`OrganisationalUnit``` for a kind (its ancestors included)."""
    return "".join(":" + label(k) for k in ["QMSNode", *schema.ancestors(kind)])


THREAD = "|".join(rel_type(k) for k in sorted(schema.THREAD_EDGES))
ALL_KIND_LABELS = sorted(schema.NODE_KINDS)
NODE_FIELDS = {k: frozenset(c.model_fields) for k, c in NODE_CLASSES.items()}


# ============================================================================ conversions
#
# Dates are stored as Neo4j ``Date`` and the provenance time as a UTC ``DateTime``. On the
# wire both travel as ISO strings, converted by the server (``date()``/``datetime()`` in
# writes, ``toString()`` in reads): the Python driver's own temporal packing costs more than
# the rest of a load together, and pydantic parses the ISO strings back losslessly.

DATE_ATTRS = tuple(sorted(a for a, (_, t, _) in schema.ATTRIBUTES.items() if t == "date"))


def _iso(v: Any) -> Any:
    if isinstance(v, dt.date):  # datetime is a date too
        return v.isoformat()
    return v


def _prov_props(p: Provenance) -> dict[str, Any]:
    out = {}
    for f in PROV_FIELDS:
        v = getattr(p, f)
        if v is not None:
            out[f"prov_{f}"] = _iso(v)
    return out


def node_props(node: Node, version: int | None = None) -> dict[str, Any]:
    """A node's properties as sent to the server (temporal values as ISO strings; the
    write queries store them as Neo4j dates); no ``version`` when it is None."""
    d: dict[str, Any] = {"id": node.id, "kind": node.kind, "label": node.label}
    if node.description is not None:
        d["description"] = node.description
    d.update(_prov_props(node.provenance))
    for name in type(node).model_fields:
        if name in ("id", "label", "description", "provenance", "data"):
            continue
        v = getattr(node, name)
        if v is None or (isinstance(v, list) and not v):
            continue
        d[name] = list(v) if isinstance(v, list) else _iso(v)
    if isinstance(node, Measure):
        d["data_n"] = len(node.data)
        if node.data:
            d["data_dates"] = [p.date.isoformat() for p in node.data]
            d["data_values"] = [float(p.value) for p in node.data]
            d["data_last"] = node.data[-1].date.isoformat()
    if version is not None:
        d["version"] = version
    return d


def _temporal_sets(v: str, kind: str | None) -> str:
    """``SET`` items turning the ISO strings of a written node (or edge) into dates."""
    items = [f"{v}.prov_at = datetime(pv.prov_at)"]  # pv: the provenance map
    if kind is None:  # an edge
        return items[0]
    fields = NODE_FIELDS[kind]
    items += [f"{v}.{a} = date(p.{a})" for a in DATE_ATTRS if a in fields]
    if kind == "Measure":
        items += [f"{v}.data_dates = [d IN p.data_dates | date(d)]",
                  f"{v}.data_last = date(p.data_last)"]
    return ", ".join(items)


def project(v: str, data: bool = True) -> str:
    """A map projection of node ``v`` with its temporal values as ISO strings (and
    without the data series unless ``data``)."""
    parts = [".*", f"prov_at: toString({v}.prov_at)", f"data_last: toString({v}.data_last)",
             "spc_summary: null"]
    parts += [f"{a}: toString({v}.{a})" for a in DATE_ATTRS]
    parts += ([f"data_dates: [d IN {v}.data_dates | toString(d)]"] if data
              else ["data_dates: null", "data_values: null"])
    return f"{v} {{{', '.join(parts)}}}"


LIGHT_FIELDS = ("id", "kind", "label", "status", "measure_type")
_LIGHT_PROV = Provenance(source="neo4j", at=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))


def project_light(v: str) -> str:
    """What the alignment functions read of a node: id, kind, label, statuses, type."""
    return f"{v} {{{', '.join('.' + f for f in LIGHT_FIELDS)}}}"


def _constructor(cls: type[Any]) -> Callable[[dict[str, Any]], Any]:
    """Build a light model object from a Cypher map: no validation (trusted values read
    back from the store), None and unknown keys dropped, a placeholder provenance."""
    fields = frozenset(cls.model_fields)
    make = fast_constructor(cls, {"provenance": _LIGHT_PROV})

    def construct(kw: dict[str, Any]) -> Any:
        return make(**{k: v for k, v in kw.items() if v is not None and k in fields})

    return construct


_LIGHT_NEW: dict[str, Callable[[dict[str, Any]], Any]] = {}


def light_list(v: str) -> str:
    """:data:`LIGHT_FIELDS` of node ``v`` as a list (cheaper to send than a map)."""
    return "[" + ", ".join(f"{v}.{f}" for f in LIGHT_FIELDS) + "]"


def light_node(p: dict[str, Any]) -> Node:
    """A node for a local working subgraph, built without validation from
    :func:`project_light` (only the fields the alignment functions read are set)."""
    kind = p["kind"]
    make = _LIGHT_NEW.get(kind)
    if make is None:
        make = _LIGHT_NEW[kind] = _constructor(NODE_CLASSES[kind])
    return make(p)


def project_edge(v: str) -> str:
    return f"{v} {{.*, prov_at: toString({v}.prov_at)}}"


def node_from_props(p: dict[str, Any], where: str = "",
                    provs: dict[tuple[Any, ...], Provenance] | None = None) -> Node:
    """The model object of a stored node, from :func:`project` (pydantic parses the
    ISO dates). ``provs`` caches provenance objects, which many nodes share."""
    d: dict[str, Any] = {"kind": p.get("kind"), "id": p.get("id"), "label": p.get("label")}
    if p.get("description") is not None:
        d["description"] = p["description"]
    prov = {f: p[f"prov_{f}"] for f in PROV_FIELDS if p.get(f"prov_{f}") is not None}
    if provs is None:
        d["provenance"] = prov
    else:
        key = tuple(p.get(f"prov_{f}") for f in PROV_FIELDS)
        if key not in provs:
            provs[key] = Provenance.model_validate(prov)
        d["provenance"] = provs[key]
    for k, v in p.items():
        if k not in RESERVED and v is not None:
            d[k] = v
    if d["kind"] == "Measure" and p.get("data_dates"):
        d["data"] = [{"date": a, "value": b}
                     for a, b in zip(p["data_dates"], p["data_values"], strict=True)]
    return make_node(d, location=f"{where} node {p.get('id')}".strip())


def edge_props(edge: Edge) -> dict[str, Any]:
    return _prov_props(edge.provenance)


def edge_from_props(kind: str, s: str, t: str, p: dict[str, Any]) -> Edge:
    prov = Provenance.model_validate({f: p[f"prov_{f}"] for f in PROV_FIELDS
                                      if p.get(f"prov_{f}") is not None})
    return make_edge(kind, s, t, provenance=prov)


def _light_edge(kind: str, s: str, t: str) -> Edge:
    """An edge for a local working subgraph (its provenance is not read)."""
    make = _LIGHT_NEW.get("edge:" + kind)
    if make is None:
        make = _LIGHT_NEW["edge:" + kind] = _constructor(EDGE_CLASSES[kind])
    return make({"source": s, "target": t})


def _one_line(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    return re.sub(r"\s+", " ", text).strip()


# ============================================================================ URIs

def split_uri(url: str) -> tuple[str, str | None, str | None, str | None]:
    """(URI without credentials or ``database=``, user, password, database) of a URI."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise StoreError(f"not a Neo4j URI: {redact(url)!r} (use one of "
                         f"{', '.join(s + '://' for s in SCHEMES)})")
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    query = parse_qsl(parts.query, keep_blank_values=True)
    database = next((v for k, v in query if k == "database"), None)
    rest = urlencode([(k, v) for k, v in query if k != "database"])
    clean = urlunsplit((parts.scheme, netloc, parts.path, rest, ""))
    return clean, user, password, database or None


def redact(url: str) -> str:
    """The URI with any ``user:password@`` removed (for messages)."""
    return re.sub(r"(://)[^/@]*@", r"\1", url)


# ============================================================================ write plans

class Op:
    """One write operation of a plan: a Cypher statement over many rows.

    Rows are short lists (fewer objects for the driver to pack): ``[source, target]`` to
    delete an edge, ``[id]`` to delete a node, ``[properties, provenance index]`` to write a
    node and ``[source, target, provenance index]`` to add an edge; the distinct provenance
    maps of the operation are sent once, as ``$provs``.
    """

    __slots__ = ("what", "kind", "rows", "provs", "_index")

    def __init__(self, what: str, kind: str) -> None:
        self.what = what    # delete_edge, delete_node, update_node, add_node, add_edge
        self.kind = kind    # node kind or edge kind ("" for delete_node)
        self.rows: list[list[Any]] = []
        self.provs: list[dict[str, Any]] = []
        self._index: dict[tuple[Any, ...], int] = {}

    def prov(self, p: Provenance) -> int:
        props = _prov_props(p)
        key = tuple(sorted(props.items()))
        i = self._index.get(key)
        if i is None:
            i = self._index[key] = len(self.provs)
            self.provs.append(props)
        return i


def _query(op: Op) -> str:
    if op.what == "delete_edge":
        return (f"UNWIND $rows AS row MATCH (s:QMSNode {{id: row[0]}})-[r:{rel_type(op.kind)}]->"
                "(t:QMSNode {id: row[1]}) DELETE r")
    if op.what == "delete_node":
        return "UNWIND $rows AS row MATCH (n:QMSNode {id: row[0]}) DETACH DELETE n"
    if op.what in ("add_node", "update_node"):
        keep = set(schema.ancestors(op.kind))
        others = "".join(":" + label(k) for k in ALL_KIND_LABELS if k not in keep)
        remove = f" REMOVE n{others}" if op.what == "update_node" else ""
        return ("UNWIND $rows AS row WITH row[0] AS p, $provs[row[1]] AS pv "
                f"MERGE (n:QMSNode {{id: p.id}}){remove} "
                f"SET n = p, n += pv, n{labels_of(op.kind)} SET {_temporal_sets('n', op.kind)}")
    if op.what == "add_edge":
        return ("UNWIND $rows AS row MATCH (s:QMSNode {id: row[0]}) "
                "MATCH (t:QMSNode {id: row[1]}) WITH s, t, $provs[row[2]] AS pv "
                f"MERGE (s)-[r:{rel_type(op.kind)}]->(t) "
                f"SET r = pv, {_temporal_sets('r', None)}")
    raise ValueError(op.what)


def plan(changes: ChangeSet, versions: dict[str, int], batch: int = BATCH
         ) -> list[list[Op]]:
    """The writes of ``changes`` cut into batches of at most ``batch`` changes.

    Deterministic for a change set (items sorted by id within each step, the steps in the
    embedded store's order: edge deletions, node deletions, updates, additions of nodes then
    edges), so a load that is run again is cut the same way. ``versions`` gives the version
    each updated or added node gets.
    """
    items: list[tuple[str, str, Any]] = []
    for (s, k, t), _ in sorted(changes.delete_edges, key=lambda x: x[0]):
        items.append(("delete_edge", k, (s, t)))
    for nid, _, _ in sorted(changes.delete_nodes, key=lambda x: x[0]):
        items.append(("delete_node", "", nid))
    for node, _, _ in sorted(changes.update_nodes, key=lambda x: x[0].id):
        items.append(("update_node", node.kind, node))
    for node, _ in sorted(changes.add_nodes, key=lambda x: x[0].id):
        items.append(("add_node", node.kind, node))
    for edge, _ in sorted(changes.add_edges, key=lambda x: x[0].key):
        items.append(("add_edge", edge.kind, edge))
    batches: list[list[Op]] = []
    for i in range(0, len(items), batch):
        ops: dict[tuple[str, str], Op] = {}
        for what, kind, item in items[i:i + batch]:
            op = ops.get((what, kind))
            if op is None:
                op = ops[(what, kind)] = Op(what, kind)
            if what == "delete_edge":
                op.rows.append(list(item))
            elif what == "delete_node":
                op.rows.append([item])
            elif what == "add_edge":
                op.rows.append([item.source, item.target, op.prov(item.provenance)])
            else:
                props = node_props(item, versions.get(item.id, 1))
                for f in PROV_FIELDS:
                    props.pop(f"prov_{f}", None)
                op.rows.append([props, op.prov(item.provenance)])
        batches.append(list(ops.values()))
    return batches


def fingerprint(batches: list[list[Op]]) -> str:
    """A hash of a plan's content (without versions): the same load gets the same one."""
    h = hashlib.sha256()
    for ops in batches:
        for op in ops:
            h.update(f"{op.what}|{op.kind}|".encode())
            h.update(json.dumps(op.provs, sort_keys=True, separators=(",", ":")).encode())
            for row in op.rows:
                if isinstance(row[0], dict):
                    row = [{k: v for k, v in row[0].items() if k != "version"}, *row[1:]]
                h.update(json.dumps(row, sort_keys=True, separators=(",", ":")).encode())
        h.update(b"#")
    return h.hexdigest()[:40]


def batch_contents(ops: list[Op]) -> tuple[set[str], set[tuple[str, str, str]]]:
    """Node ids added and edge keys added by a batch (for checks after a failure)."""
    nodes = {r[0]["id"] for op in ops if op.what == "add_node" for r in op.rows}
    edges = {(r[0], op.kind, r[1]) for op in ops if op.what == "add_edge" for r in op.rows}
    return nodes, edges


# ============================================================================ the store

class Neo4jStore(Store):
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

    def _session(self) -> Any:
        if self.driver is None:
            raise StoreError(f"the store at {self.url} is closed")
        return self.driver.session(database=self.database)

    def read(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(tx, *args)`` in a managed read transaction (retried on failover)."""
        with self._errors(), self._session() as s:
            return s.execute_read(fn, *args)

    def write(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(tx, *args)`` in a managed write transaction (retried on failover)."""
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
        batches = plan(changes, result.versions, self.batch_size)

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

    # ------------------------------------------------------------- subgraphs
    def _subgraph(self, tx: Any, ids: Iterable[str], *, forward: bool = True,
                  depth: int | None = None, into: QMSGraph | None = None) -> QMSGraph:
        """The thread closure of ``ids`` (forward: what they reach; else what reaches them)
        with every thread edge out of (forward) or into (reverse) its nodes, so that the
        library's breadth-first searches from ``ids`` give what they give on the whole
        graph. ``depth`` bounds a reverse closure (BFS levels up to it stay exact)."""
        g = into if into is not None else QMSGraph()
        rng = "*0.." if depth is None else f"*0..{int(depth)}"
        # The closure is a subquery returning DISTINCT endpoints, so the planner prunes the
        # expansion per start node (VarLengthExpand(Pruning,BFS)); written inline before
        # collect() it did 150 times the database hits.
        if forward:
            q = (f"UNWIND $ids AS id MATCH (s:QMSNode {{id: id}}) "
                 f"CALL (s) {{ MATCH (s)-[:{THREAD}{rng}]->(x:QMSNode) RETURN DISTINCT x }} "
                 f"WITH DISTINCT x RETURN collect([{light_list('x')}, "
                 f"[(x)-[r:{THREAD}]->(y:QMSNode) | [x.id, type(r), y.id]]]) AS rows")
        else:
            q = (f"UNWIND $ids AS id MATCH (s:QMSNode {{id: id}}) "
                 f"CALL (s) {{ MATCH (x:QMSNode)-[:{THREAD}{rng}]->(s) RETURN DISTINCT x }} "
                 f"WITH DISTINCT x RETURN collect([{light_list('x')}, "
                 f"[(y:QMSNode)-[r:{THREAD}]->(x) | [y.id, type(r), x.id]]]) AS rows")
        edges: list[list[str]] = []
        for p, e in tx.run(q, ids=sorted(set(ids))).single()["rows"]:
            if p[0] not in g.g:
                g.g.add_node(p[0], node=light_node(dict(zip(LIGHT_FIELDS, p, strict=True))))
            edges.extend(e)
        for s, k, t in edges:
            if s in g.g and t in g.g and not g.g.has_edge(s, t, k):
                g.g.add_edge(s, t, key=k, edge=_light_edge(k, s, t))
        g.touch()
        return g

    def _nodes(self, tx: Any, ids: Iterable[str], g: QMSGraph) -> None:
        """Add these nodes (those that exist) to ``g``."""
        want = sorted(set(ids) - set(g.g.nodes))
        if not want:
            return
        for rec in tx.run(f"UNWIND $ids AS id MATCH (n:QMSNode {{id: id}}) "
                          f"RETURN {project_light('n')} AS p", ids=want):
            p = rec["p"]
            g.g.add_node(p["id"], node=light_node(p))
        g.touch()

    def _require(self, g: QMSGraph, node_id: str) -> None:
        if node_id not in g.g:
            raise NotFoundError(f"no node with id {node_id!r}")

    # ------------------------------------------------------------- alignment on the server
    def concern_measures(self, window: int = 6) -> set[str]:
        """Measures with special-cause concern. Only the series of measures long enough to
        judge are pulled, and :mod:`qmsgraph.spc.graph` computes each summary as it does
        for the embedded store. Summaries are cached on the measure (``spc_summary``, JSON):
        any write of the node replaces all its properties and so drops the cache, and a
        summary is stored only if the node's version is still the one it was computed
        from."""
        import json

        from ..spc.graph import MIN_POINTS, has_concern, summary

        def work(tx: Any) -> tuple[QMSGraph, dict[str, Any], dict[str, int]]:
            g = QMSGraph()
            cached: dict[str, Any] = {}
            versions: dict[str, int] = {}
            rows = tx.run(
                "MATCH (m:Measure) WHERE m.data_n >= $min RETURN collect([m.id, "
                "m.spc_summary, m.version, CASE WHEN m.spc_summary IS NULL THEN [m.label, "
                "m.measure_type, m.direction, m.target, [d IN m.data_dates | toString(d)], "
                "m.data_values] END]) AS rows", min=MIN_POINTS).single()["rows"]
            for mid, body, version, series in rows:
                if body is not None:
                    cached[mid] = json.loads(body)
                    continue
                label_, mt, direction, target, dates, vals = series
                node = make_node({
                    "kind": "Measure", "id": mid, "label": label_, "measure_type": mt,
                    "direction": direction, "target": target,
                    "data": [{"date": d, "value": v} for d, v in zip(dates, vals, strict=True)]},
                    location=f"{self.url} node {mid}")
                g.g.add_node(mid, node=node)
                versions[mid] = int(version or 1)
            g.touch()
            return g, cached, versions

        g, summaries, versions = self.read(work)
        fresh = []
        for m in g.nodes():
            out = summary(g, m.id, None)
            summaries[m.id] = out
            fresh.append([m.id, versions[m.id], json.dumps(out)])
        if fresh:
            try:
                self.write(lambda tx: tx.run(
                    "UNWIND $rows AS row MATCH (m:QMSNode {id: row[0]}) "
                    "WHERE m:Measure AND m.version = row[1] SET m.spc_summary = row[2]",
                    rows=fresh).consume())
            except StoreError:
                pass  # a read-only user: no cache, same answer
        return {mid for mid, x in summaries.items() if has_concern(x, window)}

    def facts(self, cfg: AlignmentConfig, concern: set[str]) -> Facts:
        """The audit's facts, computed with Cypher on the server."""
        return self.read(_facts, cfg, sorted(concern))

    def audit(self, config: AlignmentConfig | None = None) -> AuditReport:
        from ..alignment import AlignmentConfig, findings_from_facts

        cfg = config or AlignmentConfig()
        facts = self.facts(cfg, self.concern_measures(cfg.concern_window))
        lookup = Neo4jLookup(self)
        lookup.prepare(facts)
        return findings_from_facts(facts, cfg, lookup)

    def thread(self, node_id: str) -> ThreadResult:
        from ..alignment import thread

        g = self.read(lambda tx: self._subgraph(tx, [node_id]))
        self._require(g, node_id)
        return thread(g, node_id)

    def contributors(self, goal_id: str) -> Contributors:
        from ..alignment import contributors

        g = self.read(lambda tx: self._subgraph(tx, [goal_id], forward=False))
        self._require(g, goal_id)
        return contributors(g, goal_id)

    def impact(self, node_id: str) -> Impact:
        """What loses support if a node goes: the library's :func:`~qmsgraph.alignment.
        impact` on the forward closure of everything that reaches the node, plus the
        reverse closure of the active goals it reaches."""
        from ..alignment import _bfs, impact

        def work(tx: Any) -> QMSGraph:
            g = QMSGraph()
            up = [r["id"] for r in tx.run(
                f"MATCH (n:QMSNode {{id: $id}}) MATCH (a:QMSNode)-[:{THREAD}*0..]->(n) "
                "RETURN DISTINCT a.id AS id", id=node_id)]
            if not up:
                return g
            self._subgraph(tx, up, into=g)
            goals = [x for x in _bfs(g, node_id) if g.kind(x) == "StrategicGoal"
                     and g.node(x).status == "active"]
            if goals:
                self._subgraph(tx, goals, forward=False, into=g)
            return g

        g = self.read(work)
        self._require(g, node_id)
        return impact(g, node_id)

    def check_project(self, proposal: ProjectProposal,
                      config: AlignmentConfig | None = None) -> ProjectCheck:
        """The library's :func:`~qmsgraph.alignment.check_project` on the part of the graph
        it reads: the proposal's nodes, the thread closure of its measures and processes and
        of what they share with goals, the unit's work and the projects it would duplicate."""
        from ..alignment import AlignmentConfig, check_project

        dup_statuses = (config or AlignmentConfig()).duplicate_statuses
        refs = [*proposal.measures, *proposal.processes,
                *[x for x in (proposal.unit, proposal.declared_priority, proposal.sponsor) if x]]

        def work(tx: Any) -> QMSGraph:
            g = QMSGraph()
            self._nodes(tx, refs, g)
            near = [r["id"] for r in tx.run(
                "UNWIND $ids AS id MATCH (p:QMSNode {id: id})<-[:measures]-(m:QMSNode) "
                "RETURN DISTINCT m.id AS id", ids=proposal.processes)]
            unit_edges = []
            if proposal.unit:
                unit_edges = [(r["k"], r["t"]) for r in tx.run(
                    "MATCH (u:QMSNode {id: $id})-[r]->(t:QMSNode) WHERE type(r) IN $kinds "
                    "RETURN type(r) AS k, t.id AS t", id=proposal.unit,
                    kinds=sorted(schema.EDGE_KINDS))]
            dups = [(r["p"], r["m"], r["units"]) for r in tx.run(
                "UNWIND $ids AS id MATCH (p:ImprovementProject)-[:improves]->"
                "(m:QMSNode {id: id}) WHERE m:Measure AND p.status IN $st "
                "RETURN p.id AS p, m.id AS m, "
                "[(x:QMSNode)-[:leads]->(p) | x.id] AS units",
                ids=proposal.measures, st=list(dup_statuses))]
            start = {*proposal.measures, *proposal.processes, *near,
                     *(t for _, t in unit_edges)}
            self._subgraph(tx, start, into=g)
            self._nodes(tx, [p for p, _, _ in dups] + [u for *_, us in dups for u in us], g)
            extra = [(proposal.unit, k, t) for k, t in unit_edges]
            extra += [(p, "improves", m) for p, m, _ in dups]
            extra += [(u, "leads", p) for p, _, us in dups for u in us]
            for s, k, t in extra:
                if s in g.g and t in g.g and not g.g.has_edge(s, t, k):
                    g.g.add_edge(s, t, key=k, edge=_light_edge(k, s, t))
            g.touch()
            return g

        return check_project(self.read(work), proposal, config)


def _remaining(changes: ChangeSet, draft: list[list[Op]], done: set[int]) -> ChangeSet:
    """The part of ``changes`` that the batches not in ``done`` write."""
    nodes: set[str] = set()
    deleted_nodes: set[str] = set()
    updated: set[str] = set()
    edges: set[tuple[str, str, str]] = set()
    deleted_edges: set[tuple[str, str, str]] = set()
    for i, ops in enumerate(draft):
        if i in done:
            continue
        for op in ops:
            for r in op.rows:
                if op.what == "add_node":
                    nodes.add(r[0]["id"])
                elif op.what == "update_node":
                    updated.add(r[0]["id"])
                elif op.what == "delete_node":
                    deleted_nodes.add(r[0])
                elif op.what == "add_edge":
                    edges.add((r[0], op.kind, r[1]))
                else:
                    deleted_edges.add((r[0], op.kind, r[1]))
    return ChangeSet(
        add_nodes=[x for x in changes.add_nodes if x[0].id in nodes],
        update_nodes=[x for x in changes.update_nodes if x[0].id in updated],
        delete_nodes=[x for x in changes.delete_nodes if x[0] in deleted_nodes],
        add_edges=[x for x in changes.add_edges if x[0].key in edges],
        delete_edges=[x for x in changes.delete_edges if x[0] in deleted_edges],
        source=changes.source)


# ============================================================================ the audit's facts

def _facts(tx: Any, cfg: AlignmentConfig, concern: list[str]) -> Facts:
    """Every fact the rules need, by Cypher (definitions: :func:`alignment.index_facts`)."""
    from ..alignment import Facts

    work = list(cfg.work_statuses)
    live = "(w:ImprovementProject AND w.status IN $work)"
    is_work = f"(w:Process OR w:Measure OR {live})"

    # Reach of work: forward closure of each work node (short: towards the purpose), with
    # DISTINCT endpoints so the planner prunes the expansion.
    not_active: dict[str, bool] = {}
    for r in tx.run(
            f"MATCH (w:QMSNode) WHERE {is_work} "
            f"WITH w, COLLECT {{ MATCH (w)-[:{THREAD}*1..]->(g:StrategicGoal) "
            f"RETURN DISTINCT g.status AS s }} AS sts "
            "WHERE NOT 'active' IN sts RETURN w.id AS id, size(sts) > 0 AS reaches",
            work=work):
        not_active[r["id"]] = r["reaches"]
    orphaned = sorted(i for i, reaches in not_active.items() if not reaches)
    inactive_only = sorted(i for i, reaches in not_active.items() if reaches)

    # Declared priorities (alignsTo) not reached on the thread, or inactive goals.
    declared_bad: dict[str, list[str]] = {}
    for r in tx.run(
            f"MATCH (w:QMSNode)-[:alignsTo]->(d:QMSNode) WHERE {is_work} "
            "WITH w, d, (d:StrategicGoal AND d.status <> 'active') AS inactive "
            f"WITH w, d, inactive OR NOT d IN COLLECT {{ MATCH (w)-[:{THREAD}*1..]->(x) "
            "RETURN DISTINCT x } AS bad WHERE bad "
            "RETURN w.id AS w, collect(d.id) AS ds", work=work):
        declared_bad[r["w"]] = sorted(r["ds"])

    classification: dict[str, str] = {}
    live_ids = tx.run("MATCH (w:ImprovementProject) WHERE w.status IN $work "
                      "RETURN collect(w.id) AS ids", work=work).single()["ids"]
    for i in live_ids:
        classification[i] = ("orphaned" if not_active.get(i) is False else "misaligned"
                             if (i in not_active or i in declared_bad) else "aligned")

    # Active goals: measured? worked on? serving a purpose? (reverse closure, pruned)
    active_goals = []
    for r in tx.run(
            f"MATCH (g:StrategicGoal) WHERE g.status = 'active' "
            f"CALL (g) {{ MATCH (x:QMSNode)-[:{THREAD}*1..]->(g) WITH DISTINCT x "
            "RETURN count(CASE WHEN x:Measure THEN 1 END) > 0 AS measured, "
            "count(CASE WHEN x:Process OR (x:ImprovementProject AND x.status IN $work) "
            "THEN 1 END) > 0 AS worked } "
            "RETURN g.id AS id, measured, worked, EXISTS { (g)-[:serves]->() } AS serves",
            work=work):
        active_goals.append((r["id"], bool(r["measured"]), bool(r["worked"]),
                             bool(r["serves"])))
    purpose_goals = {r["p"]: sorted(r["gs"]) for r in tx.run(
        "MATCH (g:StrategicGoal)-[:serves]->(p:QMSNode) WHERE g.status = 'active' "
        "RETURN p.id AS p, collect(DISTINCT g.id) AS gs")}

    # Measures: owners, data, staleness, assurance without control.
    unowned = sorted(r["id"] for r in tx.run(
        "MATCH (m:Measure) WHERE NOT EXISTS { (:QMSNode)-[:owns]->(m) } RETURN m.id AS id"))
    no_data = sorted(r["id"] for r in tx.run(
        "MATCH (m:Measure) WHERE coalesce(m.data_n, 0) = 0 RETURN m.id AS id"))
    as_of = cfg.as_of
    if as_of is None:
        last = tx.run("MATCH (m:Measure) WHERE m.data_n > 0 RETURN max(m.data_last) AS d"
                      ).single()["d"]
        as_of = dt.date(last.year, last.month, 1) if last is not None else None
    stale: list[tuple[str, dt.date]] = []
    if as_of is not None:
        limit = as_of.year * 12 + as_of.month - 1 - cfg.stale_periods
        stale = sorted((r["id"], dt.date(r["y"], r["m"], 1)) for r in tx.run(
            "MATCH (m:Measure) WHERE m.data_n > 0 "
            "AND m.data_last.year * 12 + m.data_last.month - 1 < $limit "
            "RETURN m.id AS id, m.data_last.year AS y, m.data_last.month AS m", limit=limit))
    anc = sorted((r["id"], sorted(r["by"])) for r in tx.run(
        "MATCH (m:Measure) WHERE EXISTS { (:QMSNode)-[:assures]->(m) } "
        "AND NOT EXISTS { (:QMSNode)-[:monitors]->(m) } "
        "AND NOT EXISTS { (m)-[:measures]->(:QMSNode) } "
        "RETURN m.id AS id, [(a:QMSNode)-[:assures]->(m) | a.id] AS by"))

    # Duplicated effort: measures improved by two or more projects in the duplicate statuses
    # that are led by at least duplicate_min_units distinct units (as index_facts counts them).
    duplicates = []
    for r in tx.run(
            "MATCH (p:ImprovementProject)-[:improves]->(m:Measure) WHERE p.status IN $st "
            "WITH m, collect(p) AS ps "
            "WITH m, [p IN ps | [p.id, [(u:OrganisationalUnit)-[:leads]->(p) | u.id]]] AS pl "
            "WITH m, pl, reduce(acc = [], x IN pl | acc + [u IN x[1] WHERE NOT u IN acc]) AS us "
            "WHERE size(pl) >= 2 AND size(us) >= $min RETURN m.id AS m, pl",
            st=list(cfg.duplicate_statuses), min=cfg.duplicate_min_units):
        projects = sorted(p for p, _ in r["pl"])
        leads = {p: sorted(us) for p, us in r["pl"]}
        units: dict[str, list[str]] = {}
        for p in projects:
            for u in leads[p]:
                units.setdefault(u, []).append(p)
        duplicates.append((r["m"], projects, units))
    duplicates.sort()

    # Balance per unit (alignment.balance): own counts per unit, summed over each unit and
    # the units below it (unitOf, distinct members), keeping QI > 0 and QC == 0.
    unbalanced = []
    for r in tx.run(
            "MATCH (m:OrganisationalUnit) "
            "WITH m, COUNT { (m)-[:delivers]->(:QMSNode) } "
            "+ COUNT { (m)-[:owns]->(x:Process) WHERE x.process_type = 'driver' } AS qp, "
            "COUNT { (m)-[:monitors]->(x:QMSNode) WHERE x:Measure OR x:Process } "
            "+ COUNT { (m)-[:owns]->(x:QMSNode) WHERE x:Measure "
            "OR (x:Process AND x.process_type <> 'driver') } AS qc, "
            "COUNT { (m)-[:leads]->(:AssuranceActivity) } AS qa, "
            "COUNT { (m)-[:leads]->(x:ImprovementProject) WHERE x.status IN $work } AS qi "
            "WHERE qp + qc + qa + qi > 0 "
            "MATCH (m)-[:unitOf*0..]->(u:OrganisationalUnit) "
            "WITH DISTINCT u, m, qp, qc, qa, qi "
            "WITH u, sum(qp) AS qp, sum(qc) AS qc, sum(qa) AS qa, sum(qi) AS qi "
            "WHERE qi > 0 AND qc = 0 "
            "RETURN u.id AS u, qp, qc, qa, qi ORDER BY u", work=work):
        unbalanced.append((r["u"], {"QP": r["qp"], "QC": r["qc"], "QA": r["qa"],
                                    "QI": r["qi"]}))
    unbalanced.sort(key=lambda x: x[0])

    # At-risk goals: active goals reached by a measure of concern.
    at_risk: dict[str, list[str]] = {}
    if concern:
        for r in tx.run(
                f"UNWIND $ids AS id MATCH (m:QMSNode {{id: id}}) "
                f"MATCH (m)-[:{THREAD}*1..]->(g:StrategicGoal) WHERE g.status = 'active' "
                "WITH DISTINCT g, m RETURN g.id AS g, collect(m.id) AS ms", ids=concern):
            at_risk[r["g"]] = sorted(r["ms"])

    c = tx.run(
        "CALL () { MATCH (n:QMSNode) RETURN count(n) AS nodes } "
        "CALL () { MATCH ()-[r]->() RETURN count(r) AS edges } "
        "CALL () { MATCH (p:ImprovementProject) WHERE p.status IN $work "
        "RETURN count(p) AS live } "
        "CALL () { MATCH (g:StrategicGoal) WHERE g.status = 'active' RETURN count(g) AS ag } "
        "RETURN nodes, edges, live, ag", work=work).single()
    return Facts(
        orphaned=orphaned, inactive_only=inactive_only, declared_bad=declared_bad,
        classification=classification, active_goals=sorted(active_goals),
        purpose_goals=purpose_goals, unowned_measures=unowned, measures_without_data=no_data,
        stale_measures=stale, as_of=as_of, assurance_not_control=anc, duplicates=duplicates,
        unbalanced=unbalanced, at_risk=dict(sorted(at_risk.items())),
        counts={"nodes": int(c["nodes"]), "edges": int(c["edges"]),
                "live_projects": int(c["live"]), "active_goals": int(c["ag"])})


# ============================================================================ the lookup

class Neo4jLookup:
    """The findings phase's reads (labels, kinds, threads, paths) answered from Neo4j.

    Threads run the library's :func:`~qmsgraph.alignment.thread` on the forward thread
    closure of the nodes asked about, fetched in one query; paths to a goal run the same
    reverse breadth-first search on the union of the shortest paths from the sources.
    """

    def __init__(self, store: Neo4jStore) -> None:
        from ..alignment import Lookup

        self.store = store
        self.info: dict[str, tuple[str, str]] = {}
        self.forward = QMSGraph()
        self.reverse: dict[str, QMSGraph] = {}
        self.reached: dict[str, list[str]] = {}
        self._forward_lookup: Any = None
        self._lookup = Lookup

    def prepare(self, facts: Facts) -> None:
        """Fetch at once what the findings will ask for: labels and kinds, the forward
        closure of the work whose thread is shown, and the shortest paths from the
        concerning measures to the at-risk goals."""
        need_threads = {*facts.orphaned, *facts.inactive_only, *facts.declared_bad}
        ids = set(need_threads)
        ids.update(g for g, *_ in facts.active_goals)
        ids.update(facts.purpose_goals)
        ids.update(facts.unowned_measures)
        ids.update(facts.measures_without_data)
        ids.update(m for m, _ in facts.stale_measures)
        ids.update(m for m, _ in facts.assurance_not_control)
        for m, _, units in facts.duplicates:
            ids.add(m)
            ids.update(units)
        ids.update(u for u, _ in facts.unbalanced)
        for g, ms in facts.at_risk.items():
            ids.add(g)
            ids.update(ms)
        for targets in facts.declared_bad.values():
            ids.update(targets)

        def work(tx: Any) -> None:
            if need_threads:
                self.store._subgraph(tx, need_threads, into=self.forward)
            self._fetch(tx, ids)
            if facts.at_risk:
                self._reverse(tx, facts.at_risk)

        self.store.read(work)

    def _reverse(self, tx: Any, pairs: dict[str, list[str]]) -> None:
        """For each goal, the nodes and edges of every shortest thread path from its
        sources to it (``allShortestPaths``). A breadth-first search back from the goal on
        that small graph gives each source the same parent chain as on the whole graph:
        a node on a shortest path has all its candidate parents (its successors one level
        nearer the goal) on shortest paths too, and so, level by level, the same order."""
        light = light_list("x")
        for r in tx.run(
                "UNWIND $pairs AS pr MATCH (g:QMSNode {id: pr[0]}) UNWIND pr[1] AS mid "
                f"MATCH (m:QMSNode {{id: mid}}) "
                f"MATCH p = allShortestPaths((m)-[:{THREAD}*1..]->(g)) "
                "UNWIND relationships(p) AS r WITH g, collect(DISTINCT r) AS rels "
                "WITH g, rels, reduce(ns = [], r IN rels | ns + [startNode(r), endNode(r)]) "
                "AS ends UNWIND ends AS x WITH g, rels, collect(DISTINCT x) AS xs "
                f"RETURN g.id AS g, [x IN xs | {light}] AS nodes, "
                "[r IN rels | [startNode(r).id, type(r), endNode(r).id]] AS edges",
                pairs=[[g, ms] for g, ms in sorted(pairs.items())]):
            sub = QMSGraph()
            for p in r["nodes"]:
                sub.g.add_node(p[0], node=light_node(dict(zip(LIGHT_FIELDS, p, strict=True))))
            for a, k, b in r["edges"]:
                sub.g.add_edge(a, b, key=k, edge=_light_edge(k, a, b))
            sub.touch()
            self.reverse[r["g"]] = sub
        self.reached.update(pairs)

    def _fetch(self, tx: Any, ids: Iterable[str]) -> None:
        want = sorted(set(ids) - set(self.info))
        for n in self.forward.nodes():
            self.info.setdefault(n.id, (n.kind, n.label))
        want = [i for i in want if i not in self.info]
        if want:
            for r in tx.run("UNWIND $ids AS id MATCH (n:QMSNode {id: id}) "
                            "RETURN n.id AS id, n.kind AS k, n.label AS l", ids=want):
                self.info[r["id"]] = (r["k"], r["l"])

    def _get(self, node_id: str) -> tuple[str, str]:
        if node_id not in self.info:
            self.store.read(self._fetch, [node_id])
        if node_id not in self.info:
            raise NotFoundError(f"no node with id {node_id!r}")
        return self.info[node_id]

    def label(self, node_id: str) -> str:
        return self._get(node_id)[1]

    def kind(self, node_id: str) -> str:
        return self._get(node_id)[0]

    def thread(self, node_id: str) -> ThreadResult:
        if node_id not in self.forward.g:
            self.store.read(lambda tx: self.store._subgraph(tx, [node_id], into=self.forward))
        if self._forward_lookup is None:
            self._forward_lookup = self._lookup(self.forward)
        return self._forward_lookup.thread(node_id)

    def paths_to(self, goal_id: str, sources: list[str]) -> list[list[Any]]:
        if not set(sources) <= set(self.reached.get(goal_id, ())):
            self.store.read(self._reverse, {goal_id: sources})
        return self._lookup(self.reverse[goal_id]).paths_to(goal_id, sources)


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
