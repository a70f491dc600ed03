"""qmsgraph: a health and care organisation's Quality Management System as a knowledge graph.

The library's parts: :mod:`qmsgraph.schema` (kinds), :mod:`qmsgraph.model` (typed nodes and
edges), :mod:`qmsgraph.graph` (the graph), :mod:`qmsgraph.store` (embedded and Neo4j stores),
:mod:`qmsgraph.importers` / :mod:`qmsgraph.exporters` / :mod:`qmsgraph.rdf` (exchange).
"""

__version__ = "0.1.0"
