"""Staging a write over the columnar core: what a transaction adds, replaces and removes,
checked against the ontology and the graph with the changes so far, without copying it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ConflictError, NotFoundError
from ..graph import QMSGraph
from ._core import CoreGraph, NodeFacts

if TYPE_CHECKING:
    from ..model import Edge, Node


class Overlay:
    """The mutable side of a graph, for :class:`~qmsgraph.graph.GraphTransaction`: staged
    changes over a :class:`Core`, checked against the ontology and the graph with the changes
    so far. Nothing is copied: the overlay records what the write touches."""

    def __init__(self, view: CoreGraph) -> None:
        self.view = view
        self.core = view.core
        self.nodes: dict[str, Node | None] = {}  # staged bodies; None = deleted
        self.added: dict[tuple[str, str, str], Edge] = {}
        self.removed: set[tuple[str, str, str]] = set()
        # edges of the core removed and added again in this write: written as a removal
        # and an addition, since the addition carries new provenance
        self.readded: set[tuple[str, str, str]] = set()

    # ------------------------------------------------------------------ reading
    def __contains__(self, node_id: object) -> bool:
        if node_id in self.nodes:
            return self.nodes[node_id] is not None  # type: ignore[index]
        return node_id in self.core

    def get(self, node_id: str) -> Node | None:
        if node_id in self.nodes:
            return self.nodes[node_id]
        return self.view.get(node_id)

    def node(self, node_id: str) -> Node:
        got = self.get(node_id)
        if got is None:
            raise NotFoundError(f"no node with id {node_id!r}")
        return got

    def kind(self, node_id: str) -> str:
        if node_id in self.nodes:
            n = self.nodes[node_id]
            if n is None:
                raise NotFoundError(f"no node with id {node_id!r}")
            return n.kind
        return self.core.kind_of(node_id)

    def _incident(self, node_id: str) -> list[tuple[str, str, str]]:
        keys: list[tuple[str, str, str]] = []
        if node_id in self.core and self.nodes.get(node_id, True) is not None:
            keys += [(node_id, k, t) for k, t in self.view.out_keys(node_id)]
            keys += [(s, k, node_id) for k, s in self.view.in_keys(node_id)]
        keys = [k for k in keys if k not in self.removed]
        keys += [k for k in self.added if node_id in (k[0], k[2])]
        return list(dict.fromkeys(keys))

    def has_edge(self, source: str, kind: str, target: str) -> bool:
        key = (source, kind, target)
        if key in self.added:
            return True
        if key in self.removed:
            return False
        if self.nodes.get(source, True) is None or self.nodes.get(target, True) is None:
            return False
        return self.view.has_edge(source, kind, target)

    # ------------------------------------------------------------------ writing
    def add_node(self, node: Node, *, replace: bool = False) -> None:
        exists = node.id in self
        if not replace and exists:
            old = self.node(node.id)
            raise ConflictError(f"duplicate id {node.id!r}: already used by {old.kind} "
                                f"{old.label!r}")
        if replace and exists and self.kind(node.id) != node.kind:
            for s, k, t in self._incident(node.id):
                sk = node.kind if s == node.id else self.kind(s)
                tk = node.kind if t == node.id else self.kind(t)
                QMSGraph._check_allowed(k, s, sk, t, tk)
        self.nodes[node.id] = node

    def remove_node(self, node_id: str) -> list[tuple[str, str, str]]:
        if node_id not in self:
            raise NotFoundError(f"no node with id {node_id!r}")
        removed = self._incident(node_id)
        for key in removed:
            self._drop_edge(key)
        self.nodes[node_id] = None
        return removed

    def check_edge(self, kind: str, source: str, target: str) -> None:
        for end, nid in (("source", source), ("target", target)):
            if nid not in self:
                raise NotFoundError(f"edge {source!r} -{kind}-> {target!r}: {end} node "
                                    f"{nid!r} does not exist")
        QMSGraph._check_allowed(kind, source, self.kind(source), target,
                                 self.kind(target))

    def add_edge(self, edge: Edge, *, replace: bool = False) -> None:
        self.check_edge(edge.kind, edge.source, edge.target)
        key = (edge.source, edge.kind, edge.target)
        if not replace and self.has_edge(*key):
            raise ConflictError(f"duplicate edge {edge.source!r} -{edge.kind}-> "
                                f"{edge.target!r}")
        if key in self.removed:
            self.removed.discard(key)
            self.added[key] = edge  # re-added: its provenance is new
            self.readded.add(key)
        else:
            self.added[key] = edge

    def _drop_edge(self, key: tuple[str, str, str]) -> None:
        if key in self.added and key not in self.readded:
            del self.added[key]
        else:
            self.added.pop(key, None)
            self.removed.add(key)

    def remove_edge(self, source: str, kind: str, target: str) -> tuple[str, str, str]:
        key = (source, kind, target)
        if not self.has_edge(*key):
            raise NotFoundError(f"no edge {source!r} -{kind}-> {target!r}")
        self._drop_edge(key)
        return key

    # ------------------------------------------------------------------ the delta
    def delta(self) -> tuple[dict[str, NodeFacts], list[str], list[tuple[str, str, str]],
                             list[tuple[str, str, str]]]:
        """(node upserts, deleted ids, edges added, edges removed) for :meth:`Core.evolve`.
        An edge removed and added again in one write is in both lists."""
        upserts = {nid: NodeFacts.of(n) for nid, n in self.nodes.items() if n is not None}
        deleted = [nid for nid, n in self.nodes.items() if n is None and nid in self.core]
        return upserts, deleted, list(self.added), sorted(
            self.removed | {k for k in self.readded if k in self.added})

