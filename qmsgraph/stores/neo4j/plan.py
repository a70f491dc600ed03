"""Planning a batched write: operations grouped into batches, their fingerprint for resuming an
interrupted load.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from ... import schema
from ...model import (
    Provenance,
)
from ..base import ChangeSet

if TYPE_CHECKING:
    pass

from .mapping import (
    ALL_KIND_LABELS,
    BATCH,
    PROV_FIELDS,
    _prov_props,
    _temporal_sets,
    label,
    labels_of,
    node_props,
    rel_type,
)


class Op:
    """One write operation of a plan: a Cypher statement over many rows.

    Rows are short lists (fewer objects for the driver to pack): ``[source, target]`` to
    delete an edge, ``[id]`` to delete a node, ``[properties, provenance index]`` to write a
    node and ``[source, target, provenance index]`` to add an edge; the distinct provenance
    maps of the operation are sent once, as ``$provs``.
    """

    __slots__ = ("what", "kind", "rows", "provs", "_index", "_seen")

    def __init__(self, what: str, kind: str) -> None:
        self.what = what    # delete_edge, delete_node, update_node, add_node, add_edge
        self.kind = kind    # node kind or edge kind ("" for delete_node)
        self.rows: list[list[Any]] = []
        self.provs: list[dict[str, Any]] = []
        self._index: dict[tuple[Any, ...], int] = {}
        self._seen: dict[int, tuple[Provenance, int]] = {}  # id(p) -> (p, index)

    def prov(self, p: Provenance) -> int:
        seen = self._seen.get(id(p))  # a load shares provenance objects: convert each once
        if seen is not None and seen[0] is p:
            return seen[1]
        props = _prov_props(p)
        key = tuple(sorted(props.items()))
        i = self._index.get(key)
        if i is None:
            i = self._index[key] = len(self.provs)
            self.provs.append(props)
        self._seen[id(p)] = (p, i)
        return i


# The distinct provenance maps of an operation, their time converted once (not per row).
PROVS = "WITH [x IN $provs | x {.*, prov_at: datetime(x.prov_at)}] AS provs"


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
        dates = _temporal_sets("n", op.kind).split(", ")[1:]  # prov_at: converted once
        return (f"{PROVS} UNWIND $rows AS row WITH row[0] AS p, provs[row[1]] AS pv "
                f"MERGE (n:QMSNode {{id: p.id}}){remove} "
                f"SET n = p, n += pv, n{labels_of(op.kind)}"
                + (f" SET {', '.join(dates)}" if dates else ""))
    if op.what == "add_edge":
        return (f"{PROVS} UNWIND $rows AS row MATCH (s:QMSNode {{id: row[0]}}) "
                "MATCH (t:QMSNode {id: row[1]}) WITH s, t, provs[row[2]] AS pv "
                f"MERGE (s)-[r:{rel_type(op.kind)}]->(t) SET r = pv")
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


def set_versions(batches: list[list[Op]], versions: dict[str, int]) -> None:
    """Give the nodes a plan writes the versions in ``versions`` (in place)."""
    for ops in batches:
        for op in ops:
            if op.what in ("add_node", "update_node"):
                for row in op.rows:
                    v = versions.get(row[0]["id"])
                    if v is not None:
                        row[0]["version"] = v


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

