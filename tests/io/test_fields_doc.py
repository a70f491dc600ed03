"""docs/formats.md lists every column a register may have, per kind, as the code accepts
them: the generated tables match, and an independent walk of the model finds each field,
each named value and each relation the schema allows."""

from __future__ import annotations

import typing
from pathlib import Path

from qmsgraph import schema
from qmsgraph.io.fields import markdown_tables
from qmsgraph.model import NODE_CLASSES

DOC = Path(__file__).parents[2] / "docs" / "formats.md"


def section(kind: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"\n### {kind}\n")
    end = text.find("\n### ", start + 1)
    return text[start: end if end != -1 else None]


def test_generated_tables_are_in_the_docs():
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- columns:start -->")[1].split("<!-- columns:end -->")[0]
    assert block.strip() == markdown_tables().strip(), (
        "docs/formats.md is stale: regenerate with qmsgraph.io.fields.markdown_tables()")


def literals(annotation) -> list[str]:
    out = []
    for arg in typing.get_args(annotation):
        out += literals(arg)
    if typing.get_origin(annotation) is typing.Literal:
        out += [str(a) for a in typing.get_args(annotation)]
    return out


def test_every_field_value_and_relation_is_documented():
    for kind, cls in NODE_CLASSES.items():
        doc = section(kind)
        for name, f in cls.model_fields.items():
            if name in ("provenance", "data"):
                continue
            assert f"| `{name}` |" in doc, (kind, name)
            for value in literals(f.annotation):
                assert f"`{value}`" in doc, (kind, name, value)
        for e in schema.EDGE_KINDS.values():
            starts = any(schema.is_a(kind, d) for d in e.domain)
            column = "declared_priority" if e.name == "alignsTo" else e.name
            assert (f"| `{column}` |" in doc) == starts, (kind, e.name)
            if e.reverse:
                ends = any(schema.is_a(kind, r) for r in e.range)
                assert (f"| `{e.reverse}` |" in doc) == ends, (kind, e.reverse)


def test_rdf_names_are_not_the_column_names_but_are_explained():
    doc = section("ImprovementProject")
    assert "| `aim` |" in doc and "aimStatement" not in doc
    prose = DOC.read_text(encoding="utf-8").split("## Columns per kind")[0]
    assert "`aimStatement` for `aim`" in prose
