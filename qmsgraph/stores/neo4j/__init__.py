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

Layout: :mod:`.mapping` (labels, properties, URIs), :mod:`.plan` (batched writes),
:mod:`.store` (:class:`Neo4jStore`), :mod:`.questions` (alignment on the server).
"""

from .mapping import BATCH, SCHEMES, label, redact, rel_type, split_uri
from .plan import batch_contents, plan
from .store import Neo4jStore, wait_for

__all__ = ["BATCH", "SCHEMES", "Neo4jStore", "batch_contents", "label", "plan", "redact",
           "rel_type", "split_uri", "wait_for"]
