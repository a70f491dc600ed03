"""The store interface: what every store (embedded SQLite, Neo4j) offers.

A store holds one QMS graph. Writes go through :meth:`Store.apply` with a
:class:`ChangeSet`: every change is checked against the ontology and the graph, every
problem is reported with its location, and either all of it is committed or none.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import ConflictError, NotFoundError, StoreError

if TYPE_CHECKING:  # annotations only: the interface loads no networkx or pydantic
    from ..alignment import (
        AlignmentConfig,
        AuditReport,
        Contributors,
        Impact,
        ProjectCheck,
        ProjectProposal,
        ThreadResult,
        XMatrix,
    )
    from ..alignment.hub import Portfolio
    from ..alignment.progress import ProjectProgress
    from ..alignment.views import MapView
    from ..graph import GraphTransaction, QMSGraph
    from ..model import Edge, Node
    from ..spc import SPCResult

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

    def view(self) -> Any:
        """A read view of the graph for the questions below (``QMSGraph``'s read methods).

        The embedded store answers from its columnar core and reads node bodies on demand;
        the default is the whole graph."""
        return self.graph()

    def get_node(self, node_id: str) -> Node:
        return self.view().node(node_id)

    # Listing and filtering (see :mod:`.queries`).
    def find_nodes(self, *, kind: str | None = None, unit: str | None = None,
                   status: str | None = None, q: str | None = None,
                   quality_domain: str | None = None,
                   quadruple_aim: str | None = None) -> list[str]:
        """Ids of the nodes matching every filter given, sorted: ``kind`` (subclasses
        included), ``unit`` (linked to the unit, a unit below it or a person in them),
        ``status``, ``q`` (case-insensitive text in id, label, description),
        ``quality_domain`` / ``quadruple_aim`` (goals, objectives and measures naming it)."""
        from .queries import select_nodes

        return select_nodes(self.view(), kind=kind, unit=unit, status=status, q=q,
                            quality_domain=quality_domain, quadruple_aim=quadruple_aim)

    def find_edges(self, *, kind: str | None = None, source: str | None = None,
                   target: str | None = None, node: str | None = None) -> list[Edge]:
        """Edges matching every filter given, sorted by (source, kind, target)."""
        from .queries import select_edges

        return select_edges(self.view(), kind=kind, source=source, target=target, node=node)

    def unit_scope(self, unit: str) -> tuple[set[str], set[str]]:
        """(the units at and below ``unit``, the nodes linked to them)."""
        from .queries import unit_scope

        return unit_scope(self.view(), unit)

    def map_view(self, view: str, *, focus: str | None = None, unit: str | None = None,
                 depth: int | None = None) -> MapView:
        """The nodes and edges of a map view (:mod:`qmsgraph.alignment.views`)."""
        from ..alignment.views import build_view

        return build_view(self.view(), view, focus=focus, unit=unit, depth=depth)

    @contextmanager
    def snapshot(self) -> Iterator[Any]:
        """Hold one state of the store for the calling thread: the questions asked inside
        answer from the same revision (so a page drawn from several never mixes two).
        The embedded store pins its view and an SQLite read transaction; a server store
        (Neo4j) answers each question as the server stands, and this is a no-op."""
        yield None

    def node_version(self, node_id: str) -> tuple[Node, int]:
        """The node and its version, read together (what an ETag and a read-modify-write
        need: the version of the very body returned). Stores override this to read both in
        one query; this fallback reads the version on both sides of the body and retries
        until they agree."""
        for _ in range(10):
            before = self.version(node_id)
            node = self.get_node(node_id)
            if self.version(node_id) == before:
                return node, before
        raise ConflictError(f"node {node_id!r} keeps changing; try again")

    def node_versions(self, ids: list[str]) -> dict[str, tuple[Node, int]]:
        """:meth:`node_version` of each id, in the order given (ids not found left out)."""
        out = {}
        for nid in ids:
            try:
                out[nid] = self.node_version(nid)
            except NotFoundError:
                pass
        return out

    def revision(self) -> int:
        """A number that changes with every committed write (to any client)."""
        return self.view().revision

    def health(self) -> dict[str, Any]:
        """What the store knows without asking anything (no query, no lock): ``nodes`` and
        ``revision`` of the snapshot in memory, None where it keeps none."""
        return {"nodes": None, "revision": None}

    def stats(self) -> dict[str, Any]:
        return self.view().stats()

    # Alignment questions. The embedded engine answers them in memory; a server store
    # (Neo4j) overrides them to run on the server. Same answers on every store.
    # SPC: summaries (icons, limits, point types) of every measure long enough to judge,
    # and the full analysis of one measure.
    def spc_summaries(self) -> dict[str, dict[str, Any]]:
        from ..spc.graph import all_summaries

        return all_summaries(self.view(), self)

    def measure_spc(self, measure_id: str, overrides: dict[str, Any] | None = None
                    ) -> SPCResult:
        from ..spc.graph import spc_of

        return spc_of(self.get_node(measure_id), overrides)

    def concern_measures(self, window: int = 6) -> set[str]:
        from ..spc.graph import has_concern

        return {m for m, s in self.spc_summaries().items() if has_concern(s, window)}

    def audit(self, config: AlignmentConfig | None = None) -> AuditReport:
        from ..alignment import AlignmentConfig, audit

        cfg = config or AlignmentConfig()
        return audit(self.view(), cfg, self.concern_measures(cfg.concern_window),
                     self.progress_facts())

    # Progress of improvement projects (qmsgraph.alignment.progress).
    def node_fields(self, kind: str, names: tuple[str, ...], ids: list[str] | None = None
                    ) -> dict[str, dict[str, Any]]:
        """Some fields of the nodes of ``kind`` (all of them, or ``ids``): id -> name ->
        value, dates as ISO strings, a measure's ``data`` as its points' dates."""
        from ..alignment.progress import graph_fields

        return graph_fields(self.view())(kind, names, ids)

    def progress(self, project_id: str | None = None) -> dict[str, ProjectProgress]:
        """Progress of every project (or of one) on the IHI 0.5-5 scale, from the evidence."""
        from ..alignment.progress import assess
        from ..errors import ValidationError

        view = self.view()
        if project_id is not None and view.kind(project_id) != "ImprovementProject":
            raise ValidationError(f"{project_id!r} is a {view.kind(project_id)}, not an "
                                  "ImprovementProject", field="project")
        return assess(view, None if project_id is None else [project_id],
                      self.spc_summaries(), self.node_fields)

    def portfolio(self, *, goal: str | None = None, unit: str | None = None,
                  status: str | None = None, config: AlignmentConfig | None = None
                  ) -> Portfolio:
        """The QI hub's portfolio (:mod:`qmsgraph.alignment.hub`), filtered."""
        from ..alignment.hub import portfolio

        types = {k: v["measure_type"] for k, v in self.node_fields(
            "Measure", ("measure_type",)).items()}
        return portfolio(self.view(), self.progress(), self.audit(config), types, goal=goal,
                         unit=unit, status=status)

    def recorded_progress(self) -> list[str]:
        """Ids of the projects with a recorded progress level, sorted."""
        return sorted(k for k, v in self.node_fields(
            "ImprovementProject", ("progress_recorded",)).items()
            if v["progress_recorded"] is not None)

    def progress_facts(self) -> list[tuple[str, float, float, str]]:
        """The recorded progress levels the evidence does not support."""
        from ..alignment.progress import assess, unsupported

        recorded = self.recorded_progress()
        if not recorded:
            return []
        return unsupported(assess(self.view(), recorded, self.spc_summaries(),
                                  self.node_fields))

    def thread(self, node_id: str) -> ThreadResult:
        from ..alignment import thread

        return thread(self.view(), node_id)

    def contributors(self, goal_id: str) -> Contributors:
        from ..alignment import contributors

        return contributors(self.view(), goal_id)

    def check_project(self, proposal: ProjectProposal,
                      config: AlignmentConfig | None = None) -> ProjectCheck:
        from ..alignment import check_project
        from ..alignment.overlap import (
            find_overlaps,
            proposal_text,
            text_matches,
            with_overlaps,
        )

        g = self.view()
        check = check_project(g, proposal, config)
        index = self.text_index()
        hits = text_matches(index, proposal_text(proposal))
        return with_overlaps(check, find_overlaps(g, proposal, hits, index,
                                                  self.measure_spc))

    def project_texts(self) -> tuple[list[str], list[str]]:
        """(ids, texts) of every improvement project, sorted by id: label, aim and
        description in one text (what check-project compares)."""
        from ..alignment.text import project_text

        g = self.view()
        nodes = sorted(g.nodes("ImprovementProject"), key=lambda n: n.id)
        return ([n.id for n in nodes],
                [project_text(n.label, n.aim, n.description) for n in nodes])

    def text_index(self) -> Any:
        """The TF-IDF index of :meth:`project_texts`, kept per store revision; a new
        revision whose project texts are unchanged keeps the index it has."""
        from ..alignment.text import TextIndex, texts_digest

        # A server store's revision can start again when its database is wiped by other
        # means than this store (a reset server), so only a store that owns its revision
        # clock trusts it; the others compare the project texts themselves.
        rev = self.revision() if self.owns_revision_clock else None
        hit = getattr(self, "_text_index_cache", None)
        if hit is not None and rev is not None and hit[0] == rev:
            return hit[1]
        sig = self.project_signature()
        if hit is not None and sig is not None and hit[2] == sig:
            self._text_index_cache = (rev, hit[1], sig)
            return hit[1]
        ids, texts = self.project_texts()
        digest = texts_digest(ids, texts)
        if hit is None:
            ix = TextIndex.build(ids, texts, digest=digest)
        elif hit[1].digest == digest:
            ix = hit[1]
        else:  # only the rows that changed are vectorised again (TextIndex.updated)
            ix = hit[1].updated(ids, texts, digest)
        self._text_index_cache = (rev, ix, sig)
        return ix

    owns_revision_clock = False  # True: revision() never repeats for this store's data

    def project_signature(self) -> Any:
        """Something that changes whenever a project is added, changed or deleted (cheaper
        than reading every text), or None where the store has nothing so cheap."""
        return None

    def impact(self, node_id: str) -> Impact:
        from ..alignment import impact

        return impact(self.view(), node_id)

    def matrix(self, config: AlignmentConfig | None = None) -> XMatrix:
        from ..alignment import matrix

        return matrix(self.view(), config)

    def balance(self, config: AlignmentConfig | None = None) -> dict[str, dict[str, int]]:
        from ..alignment import balance

        return balance(self.view(), config)

    def goals_reached(self, ids: list[str]) -> dict[str, int]:
        """How many active strategic goals the golden thread of each node reaches."""
        import numpy as np

        from ..alignment import index_of

        ix = index_of(self.view())
        known = [i for i in ids if i in ix.pos]
        if not known:
            return {}
        pos = np.array([ix.pos[i] for i in known])
        reach = np.bitwise_count(ix.masks[pos] & ix.active_bits[ix.comp[pos]]).sum(axis=1)
        return dict(zip(known, map(int, reach), strict=True))

    def effort(self, config: AlignmentConfig | None = None) -> Any:
        """Balance of effort weighted by cadence, per unit and per level
        (:mod:`qmsgraph.alignment.effort`)."""
        from ..alignment.effort import effort

        return effort(self.view(), config, self.node_fields)

    def scores(self, config: AlignmentConfig | None = None) -> dict[str, Any]:
        from ..alignment import scores

        return scores(self.view(), config, self.audit(config))

    # audit records by day (qmsgraph.alignment.history); the embedded store keeps them
    keeps_history = False

    def put_history(self, day: str, body: dict[str, Any]) -> None:
        raise StoreError(f"{type(self).__name__} keeps no audit history (use the embedded "
                         "store for 'audit --since' and the Board's changes)")

    def history_days(self) -> list[str]:
        return []

    def get_history(self, day: str) -> dict[str, Any]:
        raise KeyError(day)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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


def changes_from_graph(graph: QMSGraph, source: str | None = None) -> ChangeSet:
    """A ChangeSet that adds every node and edge of ``graph`` (for copying graphs)."""
    cs = ChangeSet(source=source)
    cs.add_nodes = [(n, None) for n in graph.nodes()]
    cs.add_edges = [(e, None) for e in graph.edges()]
    return cs


def open_store(url: str | os.PathLike[str] | None = None, *, create: bool = True,
               lock_timeout: float | None = None) -> Store:
    """Open a store by URL: a file path (embedded SQLite) or a ``bolt://``/``neo4j://`` URI.

    ``lock_timeout``: seconds an embedded store's write waits for another process's write
    lock (default ``QMSGRAPH_LOCK_TIMEOUT`` or 30), then raises StoreBusyError."""
    url = str(url or os.environ.get("QMSGRAPH_STORE") or DEFAULT_STORE)
    if url.split("://", 1)[0] in ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s",
                                  "neo4j+ssc"):
        from .neo4j import Neo4jStore  # imported lazily: the driver loads only for Neo4j

        return Neo4jStore(url)
    if url.startswith("sqlite://"):
        url = url[len("sqlite://"):]
    from .sqlite import SQLiteStore

    return SQLiteStore(url, create=create, lock_timeout=lock_timeout)

