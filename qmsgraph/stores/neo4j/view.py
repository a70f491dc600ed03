"""A read view of a Neo4j store that asks the server (``Neo4jStore.view()``).

It offers the read methods of :class:`~qmsgraph.graph.QMSGraph` that the API, the command
line, the maps and the Board page call on a store's view (as the embedded store's columnar
view does), each answered by a parameterised query when first asked and kept for the life of
the view (one request, one command): a node's body, its kind and label, its edges in and out.
Nothing here reads the whole graph except what is asked for by name: ``nodes()`` and
``edges()`` without a kind (an export) read every node and edge, page by page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ... import schema
from ...errors import NotFoundError
from .mapping import PAGE, node_from_props, project

if TYPE_CHECKING:
    from ...model import Edge, Node
    from .store import Neo4jStore


class ServerView:
    """Read-through view of a :class:`Neo4jStore` (see the module docstring)."""

    def __init__(self, store: Neo4jStore) -> None:
        self.store = store
        self.revision = store.revision()
        self._info: dict[str, tuple[str, str] | None] = {}  # id -> (kind, label) or None
        self._bodies: dict[str, Node] = {}
        self._adj: dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]]]] = {}
        self._cache: dict[str, Any] = {}

    # ------------------------------------------------------------- fetching
    def _fetch_info(self, ids: Iterable[str]) -> None:
        want = sorted({i for i in ids if i not in self._info})
        if not want:
            return
        rows = self.store.query("UNWIND $ids AS id MATCH (n:QMSNode {id: id}) "
                                "RETURN n.id AS id, n.kind AS k, n.label AS l", ids=want)
        for i in want:
            self._info[i] = None
        for r in rows:
            self._info[r["id"]] = (r["k"], r["l"])

    def prefetch(self, node_ids: Iterable[str]) -> None:
        """Read the bodies of these nodes in one query (those not read yet)."""
        want = sorted({i for i in node_ids if i not in self._bodies
                       and self._info.get(i, ()) is not None})
        for start in range(0, len(want), PAGE):
            chunk = want[start:start + PAGE]
            for r in self.store.query(f"UNWIND $ids AS id MATCH (n:QMSNode {{id: id}}) "
                                      f"RETURN {project('n')} AS p", ids=chunk):
                node = node_from_props(r["p"], self.store.url)
                self._bodies[node.id] = node
                self._info[node.id] = (node.kind, node.label)
            for i in chunk:
                self._info.setdefault(i, None)

    def _adjacency(self, node_id: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        got = self._adj.get(node_id)
        if got is None:
            rows = self.store.query(
                "MATCH (n:QMSNode {id: $id}) RETURN n.kind AS k, n.label AS l, "
                "[(n)-[r]->(m:QMSNode) WHERE type(r) IN $kinds | [type(r), m.id]] AS o, "
                "[(m:QMSNode)-[r]->(n) WHERE type(r) IN $kinds | [type(r), m.id]] AS i",
                id=node_id, kinds=sorted(schema.EDGE_KINDS))
            if rows:
                self._info[node_id] = (rows[0]["k"], rows[0]["l"])
                got = ([(k, m) for k, m in sorted(rows[0]["o"])],
                       [(k, m) for k, m in sorted(rows[0]["i"])])
            else:
                self._info[node_id] = None
                got = ([], [])
            self._adj[node_id] = got
        return got

    def _need(self, node_id: str) -> tuple[str, str]:
        self._fetch_info([node_id])
        info = self._info[node_id]
        if info is None:
            raise NotFoundError(f"no node with id {node_id!r}")
        return info

    # ------------------------------------------------------------- nodes
    def cached(self, name: str, build: Callable[[Any], Any]) -> Any:
        if name not in self._cache:
            self._cache[name] = build(self)
        return self._cache[name]

    def __contains__(self, node_id: object) -> bool:
        if not isinstance(node_id, str):
            return False
        self._fetch_info([node_id])
        return self._info[node_id] is not None

    def __len__(self) -> int:
        return int(self.store.query("MATCH (n:QMSNode) RETURN count(n) AS c")[0]["c"])

    def __bool__(self) -> bool:
        return True

    def node(self, node_id: str) -> Node:
        if node_id not in self._bodies:
            self.prefetch([node_id])
        if node_id not in self._bodies:
            raise NotFoundError(f"no node with id {node_id!r}")
        return self._bodies[node_id]

    def get(self, node_id: str) -> Node | None:
        try:
            return self.node(node_id)
        except NotFoundError:
            return None

    def kind(self, node_id: str) -> str:
        return self._need(node_id)[0]

    def label(self, node_id: str) -> str:
        return self._need(node_id)[1]

    def ids(self, kind: str | None = None) -> list[str]:
        return self.store.find_nodes(kind=kind)

    def nodes(self, kind: str | None = None) -> Iterator[Node]:
        ids = self.ids(kind)
        for start in range(0, len(ids), PAGE):
            chunk = ids[start:start + PAGE]
            self.prefetch(chunk)
            for i in chunk:
                if i in self._bodies:
                    yield self._bodies[i]

    # ------------------------------------------------------------- edges
    def out_keys(self, node_id: str) -> list[tuple[str, str]]:
        return list(self._adjacency(node_id)[0])

    def in_keys(self, node_id: str) -> list[tuple[str, str]]:
        return list(self._adjacency(node_id)[1])

    def successors(self, node_id: str, kind: str) -> list[str]:
        return [t for k, t in self._adjacency(node_id)[0] if k == kind]

    def predecessors(self, node_id: str, kind: str) -> list[str]:
        return [s for k, s in self._adjacency(node_id)[1] if k == kind]

    def thread_out(self, node_id: str) -> list[tuple[str, str]]:
        return [(k, t) for k, t in self._adjacency(node_id)[0] if k in schema.THREAD_EDGES]

    def thread_in(self, node_id: str) -> list[tuple[str, str]]:
        return [(k, s) for k, s in self._adjacency(node_id)[1] if k in schema.THREAD_EDGES]

    def has_edge(self, source: str, kind: str, target: str) -> bool:
        return bool(self.store.find_edges(kind=kind, source=source, target=target))

    def edge(self, source: str, kind: str, target: str) -> Edge:
        found = self.store.find_edges(kind=kind, source=source, target=target)
        if not found:
            raise NotFoundError(f"no edge {source!r} -{kind}-> {target!r}")
        return found[0]

    def edges(self, kind: str | None = None) -> Iterator[Edge]:
        yield from self.store.find_edges(kind=kind)

    def edge_keys(self, kind: str | None = None) -> list[tuple[str, str, str]]:
        return [e.key for e in self.store.find_edges(kind=kind)]

    def out_edges(self, node_id: str, kind: str | None = None) -> list[Edge]:
        return self.store.find_edges(source=node_id, kind=kind)

    def in_edges(self, node_id: str, kind: str | None = None) -> list[Edge]:
        return self.store.find_edges(target=node_id, kind=kind)

    def stats(self) -> dict[str, Any]:
        return self.store.stats()
