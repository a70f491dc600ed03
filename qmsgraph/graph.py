"""The typed property graph: networkx underneath, the ontology's rules on top."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

import networkx as nx

from . import schema
from .errors import ConflictError, EdgeNotAllowedError, NotFoundError, ValidationError
from .model import Edge, Node, Provenance, make_edge


class QMSGraph:
    """A QMS as a directed multigraph whose node and edge kinds come from the ontology.

    Nodes are :class:`~qmsgraph.model.Node` objects keyed by id; between two nodes there is
    at most one edge of each kind (the networkx edge key is the edge kind).
    """

    def __init__(self) -> None:
        self.g: nx.MultiDiGraph = nx.MultiDiGraph()
        self.revision = 0  # bumped on every change; derived indexes are keyed on it
        self.cache: dict[str, tuple[int, Any]] = {}

    def cached(self, name: str, build: Any) -> Any:
        """A value derived from the graph, rebuilt only when the graph has changed."""
        hit = self.cache.get(name)
        if hit is not None and hit[0] == self.revision:
            return hit[1]
        value = build(self)
        self.cache[name] = (self.revision, value)
        return value

    # ------------------------------------------------------------------ nodes
    def __contains__(self, node_id: object) -> bool:
        return node_id in self.g

    def __len__(self) -> int:
        return self.g.number_of_nodes()

    def __bool__(self) -> bool:  # an empty graph is still a graph (``g or default`` bugs)
        return True

    def node(self, node_id: str) -> Node:
        try:
            return self.g.nodes[node_id]["node"]
        except KeyError:
            raise NotFoundError(f"no node with id {node_id!r}") from None

    def get(self, node_id: str) -> Node | None:
        data = self.g.nodes.get(node_id)
        return data["node"] if data else None

    def kind(self, node_id: str) -> str:
        return self.node(node_id).kind

    def label(self, node_id: str) -> str:
        return self.node(node_id).label

    def ids(self, kind: str | None = None) -> list[str]:
        """Ids of every node, or of every node of ``kind`` (subclasses included)."""
        return [n.id for n in self.nodes(kind)]

    def nodes(self, kind: str | None = None) -> Iterator[Node]:
        """Every node, or every node of ``kind`` (subclasses included)."""
        for _, data in self.g.nodes(data="node"):
            if kind is None or schema.is_a(data.kind, kind):
                yield data

    def add_node(self, node: Node, *, replace: bool = False) -> None:
        if not replace and node.id in self.g:
            old = self.node(node.id)
            raise ConflictError(f"duplicate id {node.id!r}: already used by {old.kind} "
                                f"{old.label!r}")
        if replace and node.id in self.g and self.node(node.id).kind != node.kind:
            self._check_incident_edges(node)
        self.g.add_node(node.id, node=node)
        self.revision += 1

    def _check_incident_edges(self, node: Node) -> None:
        for s, t, k in list(self.g.in_edges(node.id, keys=True)) + list(
                self.g.out_edges(node.id, keys=True)):
            sk = node.kind if s == node.id else self.kind(s)
            tk = node.kind if t == node.id else self.kind(t)
            self._check_allowed(k, s, sk, t, tk)

    def remove_node(self, node_id: str) -> list[Edge]:
        """Remove a node and its edges; return the edges removed."""
        if node_id not in self.g:
            raise NotFoundError(f"no node with id {node_id!r}")
        removed = [d["edge"] for *_, d in self.g.in_edges(node_id, keys=True, data=True)]
        removed += [d["edge"] for *_, d in self.g.out_edges(node_id, keys=True, data=True)]
        self.g.remove_node(node_id)
        self.revision += 1
        return removed

    # ------------------------------------------------------------------ edges
    @staticmethod
    def _check_allowed(kind: str, s: str, sk: str, t: str, tk: str) -> None:
        if kind not in schema.EDGE_KINDS:
            raise EdgeNotAllowedError(
                f"unknown edge kind {kind!r}; known kinds: {', '.join(sorted(schema.EDGE_KINDS))}",
                field="kind")
        if not schema.allowed(kind, sk, tk):
            e = schema.EDGE_KINDS[kind]
            raise EdgeNotAllowedError(
                f"edge {s!r} ({sk}) -{kind}-> {t!r} ({tk}) is not allowed: "
                f"'{kind}' goes from {' or '.join(e.domain)} to {' or '.join(e.range)}",
                field="kind")

    def check_edge(self, kind: str, source: str, target: str) -> None:
        """Raise unless an edge of ``kind`` may join these two existing nodes."""
        for end, nid in (("source", source), ("target", target)):
            if nid not in self.g:
                raise NotFoundError(f"edge {source!r} -{kind}-> {target!r}: {end} node "
                                    f"{nid!r} does not exist")
        self._check_allowed(kind, source, self.kind(source), target, self.kind(target))

    def add_edge(self, edge: Edge, *, replace: bool = False) -> None:
        self.check_edge(edge.kind, edge.source, edge.target)
        if not replace and self.g.has_edge(edge.source, edge.target, edge.kind):
            raise ConflictError(f"duplicate edge {edge.source!r} -{edge.kind}-> {edge.target!r}")
        self.g.add_edge(edge.source, edge.target, key=edge.kind, edge=edge)
        self.revision += 1

    def connect(self, source: str, kind: str, target: str,
                provenance: Provenance | None = None) -> Edge:
        """Convenience: build, check and add an edge."""
        edge = make_edge(kind, source, target, provenance=provenance)
        self.add_edge(edge)
        return edge

    def has_edge(self, source: str, kind: str, target: str) -> bool:
        return self.g.has_edge(source, target, kind)

    def edge(self, source: str, kind: str, target: str) -> Edge:
        try:
            return self.g.edges[source, target, kind]["edge"]
        except KeyError:
            raise NotFoundError(f"no edge {source!r} -{kind}-> {target!r}") from None

    def remove_edge(self, source: str, kind: str, target: str) -> Edge:
        e = self.edge(source, kind, target)
        self.g.remove_edge(source, target, kind)
        self.revision += 1
        return e

    def edges(self, kind: str | None = None) -> Iterator[Edge]:
        for *_, k, e in self.g.edges(keys=True, data="edge"):
            if kind is None or k == kind:
                yield e

    def out_edges(self, node_id: str, kind: str | None = None) -> list[Edge]:
        return [d for _, _, k, d in self.g.out_edges(node_id, keys=True, data="edge")
                if kind is None or k == kind]

    def in_edges(self, node_id: str, kind: str | None = None) -> list[Edge]:
        return [d for _, _, k, d in self.g.in_edges(node_id, keys=True, data="edge")
                if kind is None or k == kind]

    def out_keys(self, node_id: str) -> list[tuple[str, str]]:
        """(edge kind, target) of every edge out of the node."""
        return [(k, t) for _, t, k in self.g.out_edges(node_id, keys=True)]

    def in_keys(self, node_id: str) -> list[tuple[str, str]]:
        """(edge kind, source) of every edge into the node."""
        return [(k, s) for s, _, k in self.g.in_edges(node_id, keys=True)]

    def thread_out(self, node_id: str) -> list[tuple[str, str]]:
        """Thread edges out of a node as sorted (edge kind, target) pairs."""
        return sorted((k, t) for _, t, k in self.g.out_edges(node_id, keys=True)
                      if k in schema.THREAD_EDGES)

    def thread_in(self, node_id: str) -> list[tuple[str, str]]:
        """Thread edges into a node as sorted (edge kind, source) pairs."""
        return sorted((k, s) for s, _, k in self.g.in_edges(node_id, keys=True)
                      if k in schema.THREAD_EDGES)

    def edge_keys(self, kind: str | None = None) -> list[tuple[str, str, str]]:
        """(source, kind, target) of every edge, or of every edge of ``kind``."""
        return [(s, k, t) for s, t, k in self.g.edges(keys=True) if kind is None or k == kind]

    def successors(self, node_id: str, kind: str) -> list[str]:
        return [e.target for e in self.out_edges(node_id, kind)]

    def predecessors(self, node_id: str, kind: str) -> list[str]:
        return [e.source for e in self.in_edges(node_id, kind)]

    # ------------------------------------------------------------------ bulk
    def update(self, nodes: Iterable[Node], edges: Iterable[Edge]) -> None:
        for n in nodes:
            self.add_node(n)
        for e in edges:
            self.add_edge(e)

    def copy(self) -> QMSGraph:
        other = QMSGraph()
        other.g = self.g.copy()
        other.revision = self.revision
        return other

    def touch(self) -> None:
        """Mark the graph changed after editing ``self.g`` directly."""
        self.revision += 1

    def stats(self) -> dict[str, Any]:
        node_kinds = Counter(n.kind for n in self.nodes())
        edge_kinds = Counter(k for *_, k in self.g.edges(keys=True))
        points = sum(len(getattr(n, "data", ())) for n in self.nodes("Measure"))
        return {
            "nodes": self.g.number_of_nodes(),
            "edges": self.g.number_of_edges(),
            "data_points": points,
            "node_kinds": dict(sorted(node_kinds.items())),
            "edge_kinds": dict(sorted(edge_kinds.items())),
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QMSGraph):
            return NotImplemented
        return (dict(self.g.nodes(data="node")) == dict(other.g.nodes(data="node"))
                and {(s, k, t): e for s, t, k, e in self.g.edges(keys=True, data="edge")}
                == {(s, k, t): e for s, t, k, e in other.g.edges(keys=True, data="edge")})

    __hash__ = None  # type: ignore[assignment]


class GraphTransaction:
    """Apply changes to a graph with an undo log, so that a failed batch leaves no trace.

    Every operation is checked against the ontology and the graph as it stands *with the
    changes so far*; a failure is recorded with its location and the operation skipped, so
    one pass reports every problem. :meth:`rollback` undoes everything applied.
    """

    def __init__(self, graph: QMSGraph) -> None:
        self.graph = graph
        self._undo: list[tuple[str, Any]] = []
        self.problems: list[str] = []
        self.conflicts = 0  # how many of the problems are clashes (duplicate id or edge)
        self.first_field: str | None = None
        self.touched: set[str] = set()
        self.deleted: set[str] = set()

    def _fail(self, err: Exception, location: str | None) -> None:
        msg = str(getattr(err, "args", [err])[0]) if isinstance(err, NotFoundError) else str(err)
        loc = getattr(err, "location", None) or location
        if loc and not msg.startswith(loc):
            msg = f"{loc}: {msg}"
        self.problems.append(msg)
        self.first_field = self.first_field or getattr(err, "field", None)

    def raise_problems(self, source: str | None = None) -> None:
        """Raise ConflictError if every problem is a clash, else ValidationError."""
        if not self.problems:
            return
        text = (f"{len(self.problems)} problem(s)" + (f" in {source}" if source else "")
                + ": " + "; ".join(self.problems[:5])
                + (" ..." if len(self.problems) > 5 else ""))
        if self.conflicts == len(self.problems):
            raise ConflictError(text)
        raise ValidationError(text, problems=self.problems, field=self.first_field)

    def add_node(self, node: Node, location: str | None = None) -> bool:
        try:
            self.graph.add_node(node)
        except ConflictError as err:
            self.conflicts += 1
            self._fail(err, location)
            return False
        self._undo.append(("remove_node", node.id))
        self.touched.add(node.id)
        return True

    def replace_node(self, node: Node, location: str | None = None) -> bool:
        old = self.graph.get(node.id)
        if old is None:
            self._fail(NotFoundError(f"no node with id {node.id!r}"), location)
            return False
        try:
            self.graph.add_node(node, replace=True)
        except EdgeNotAllowedError as err:
            self._fail(err, location)
            return False
        self._undo.append(("restore_node", old))
        self.touched.add(node.id)
        return True

    def remove_node(self, node_id: str, location: str | None = None) -> bool:
        old = self.graph.get(node_id)
        if old is None:
            self._fail(NotFoundError(f"no node with id {node_id!r}"), location)
            return False
        edges = self.graph.remove_node(node_id)
        self._undo.append(("readd_node", (old, edges)))
        self.deleted.add(node_id)
        return True

    def add_edge(self, edge: Edge, location: str | None = None) -> bool:
        try:
            self.graph.add_edge(edge)
        except ConflictError as err:
            self.conflicts += 1
            self._fail(err, location)
            return False
        except (EdgeNotAllowedError, NotFoundError) as err:
            self._fail(err, location)
            return False
        self._undo.append(("remove_edge", edge.key))
        return True

    def remove_edge(self, source: str, kind: str, target: str,
                    location: str | None = None) -> bool:
        try:
            old = self.graph.remove_edge(source, kind, target)
        except NotFoundError as err:
            self._fail(err, location)
            return False
        self._undo.append(("readd_edge", old))
        return True

    def rollback(self) -> None:
        g = self.graph
        for op, arg in reversed(self._undo):
            if op == "remove_node":
                g.g.remove_node(arg)
            elif op == "restore_node":
                g.g.nodes[arg.id]["node"] = arg
            elif op == "readd_node":
                node, edges = arg
                g.g.add_node(node.id, node=node)
                for e in edges:
                    g.g.add_edge(e.source, e.target, key=e.kind, edge=e)
            elif op == "remove_edge":
                s, k, t = arg
                g.g.remove_edge(s, t, k)
            elif op == "readd_edge":
                g.g.add_edge(arg.source, arg.target, key=arg.kind, edge=arg)
        self._undo.clear()
        g.touch()
