"""The qmsgraph ontology (OWL 2 in Turtle) and its SHACL shapes, shipped inside the package.

Installed as ``qmsgraph.ontology``; the ``.ttl`` files travel in the wheel as package data.

``load_ontology()`` and ``load_shapes()`` parse each file once per process and then return
the *same* cached :class:`rdflib.Graph`. Callers must not change these graphs (no ``add``,
``remove``, ``+=`` or ``parse`` into them): every other caller would see the change. Work on
a copy instead, e.g. ``g = rdflib.Graph(); g += load_ontology()``.

Validate data with :func:`validate`, or call pyshacl with exactly these arguments::

    pyshacl.validate(data_graph, shacl_graph=load_shapes(), ont_graph=load_ontology(),
                     inference="none", advanced=False)

Never use ``inference="rdfs"`` here: RDFS would infer a node's kind from the ``rdfs:domain``
and ``rdfs:range`` of the relations it takes part in, so a relation from the wrong kind of
node would pass unnoticed (see the header of ``shapes.ttl``).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

import rdflib

__all__ = ["ONTOLOGY_PATH", "SHAPES_PATH", "load_ontology", "load_shapes", "validate"]

_HERE = Path(str(files(__name__)))
ONTOLOGY_PATH: Path = _HERE / "qms.ttl"
SHAPES_PATH: Path = _HERE / "shapes.ttl"


@cache
def load_ontology() -> rdflib.Graph:
    """The OWL ontology as a graph (cached and shared: do not modify it)."""
    return rdflib.Graph().parse(ONTOLOGY_PATH, format="turtle")


@cache
def load_shapes() -> rdflib.Graph:
    """The SHACL shapes as a graph (cached and shared: do not modify it)."""
    return rdflib.Graph().parse(SHAPES_PATH, format="turtle")


def validate(data_graph: rdflib.Graph) -> tuple[bool, rdflib.Graph, str]:
    """Check ``data_graph`` against the shapes; returns pyshacl's (conforms, report, text).

    The data graph itself is not changed (pyshacl mixes the ontology into a copy).
    """
    import pyshacl  # imported here: it is slow to import and most callers never validate

    conforms, report, text = pyshacl.validate(
        data_graph,
        shacl_graph=load_shapes(),
        ont_graph=load_ontology(),
        inference="none",
        advanced=False,
    )
    return bool(conforms), report, str(text)
