"""Column mappings: load a foreign register (a QI platform's project export, an integrated
performance report extract) without editing it.

A mapping is a small YAML file (``docs/formats.md``, "Column mappings"; a worked one is
``examples/mappings/qi-project-register.yaml``)::

    qmsgraph-mapping: 1
    kind: ImprovementProject        # what each row becomes
    dayfirst: true                  # the export writes 01/10/2025
    columns:
      Project ID: {field: id, prefix: "LQI-"}
      Project Title: label
      Status:
        field: status
        values: {In progress: active, On hold: paused, Closed: completed}
      Outcome measure(s): {field: improves, split: ","}
    ignore: [Last updated, Created by]

Every column of the file must be mapped or ignored (``unmapped: ignore`` relaxes that), and
a value missing from a ``values`` table is an error naming the row and column, so nothing
is loaded half-understood. ``qmsgraph load --mapping m.yaml export.csv`` applies it to
every CSV and Excel file of that load.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import ValidationError as QMSValidationError
from ..model import NODE_CLASSES

__all__ = ["ColumnSpec", "ColumnMapping", "load_mapping"]


class ColumnSpec(BaseModel):
    """Where one column of the foreign file goes, and how its values change on the way."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    field: str = Field(description="A column name qmsgraph knows (docs/formats.md).")
    values: dict[str, str] | None = Field(None, description="Value in the file -> value "
                                          "in qmsgraph (matched without regard to case).")
    prefix: str = Field("", description="Put before each value (ids: 1234 -> LQI-1234).")
    split: str | None = Field(None, description="Separator of several values in one cell, "
                              "when it is not ';'.")

    def convert(self, value: Any) -> Any:
        """The cell as qmsgraph reads it; ValueError names what is wrong."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if self.values is None and not self.prefix and self.split is None:
            return value
        text = str(int(value)) if isinstance(value, float) and value.is_integer() \
            else str(value).strip()
        parts = [p.strip() for p in text.split(self.split)] if self.split else [text]
        out = []
        for p in parts:
            if not p:
                continue
            if self.values is not None:
                hit = next((v for k, v in self.values.items() if k.lower() == p.lower()),
                           None)
                if hit is None:
                    raise ValueError(f"'{p}' is not in the mapping's values for this column "
                                     f"({', '.join(self.values)})")
                p = hit
            out.append(self.prefix + p if p else p)
        return ";".join(out)


class ColumnMapping(BaseModel):
    """A whole mapping file."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    version: Literal[1] = Field(1, alias="qmsgraph-mapping")
    kind: str | None = Field(None, description="Node kind of every row (else a column "
                             "mapped to 'kind').")
    dayfirst: bool = False
    columns: dict[str, ColumnSpec]
    ignore: list[str] = Field(default_factory=list)
    unmapped: Literal["error", "ignore"] = "error"
    source: str = ""

    @field_validator("columns", mode="before")
    @classmethod
    def _short_form(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k): {"field": s} if isinstance(s, str) else s for k, s in v.items()}
        return v

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, v: str | None) -> str | None:
        if v is not None and v not in NODE_CLASSES:
            raise ValueError(f"unknown node kind {v!r}; known kinds: "
                             f"{', '.join(NODE_CLASSES)}")
        return v

    def spec(self, header: str) -> ColumnSpec | None | Literal[False]:
        """The spec of a column, None if ignored, False if the mapping does not know it."""
        key = header.strip().lower()
        for name, spec in self.columns.items():
            if name.strip().lower() == key:
                return spec
        if key in (i.strip().lower() for i in self.ignore) or self.unmapped == "ignore":
            return None
        return False


def load_mapping(path: Path) -> ColumnMapping:
    """Read and check a mapping file; errors name the file and the key."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as err:
        raise QMSValidationError(f"cannot read mapping: {err}", location=str(path)) from None
    if not isinstance(doc, dict):
        raise QMSValidationError("a mapping is a YAML mapping with a 'columns' table",
                                 location=str(path))
    try:
        return ColumnMapping.model_validate({**doc, "source": str(path)})
    except ValidationError as err:
        msg = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        raise QMSValidationError(f"invalid mapping: {msg}", location=str(path)) from None
