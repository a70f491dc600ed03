"""Options and result types of the run charts and attribute / rare-event control charts
(:mod:`.run`, :mod:`.attribute`), computed the way the R package qicharts2 0.8.1 computes them.

Plain dataclasses, like :mod:`.results` (the Making Data Count XmR engine): numbers are floats
with NaN where R gives NA; ``to_dict()`` gives JSON with ``None`` for NaN. Positions in options
(``freeze``, ``part``, ``exclude``) are 1-based, as in qicharts2 and the reference cases.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..errors import SPCInputError

XMR = "xmr"
"""The Making Data Count XmR chart (:mod:`.xmr`): the default for every measure."""
QI_CHARTS: tuple[str, ...] = ("run", "i", "p", "u", "c", "g", "t", "pp", "up")
"""qicharts2 chart codes offered here: run chart, I (individuals), P (proportions), U (rates),
C (counts), G (opportunities between rare events), T (time between rare events), Laney P', U'."""
CHART_TYPES: tuple[str, ...] = (XMR, *QI_CHARTS)
CHART_LABELS: dict[str, str] = {
    XMR: "XmR chart (Making Data Count)",
    "run": "Run chart",
    "i": "I chart (individuals)",
    "p": "P chart (proportion)",
    "u": "U chart (rate)",
    "c": "C chart (count)",
    "g": "G chart (opportunities between events)",
    "t": "T chart (time between events)",
    "pp": "Laney P' chart (proportion, large denominators)",
    "up": "Laney U' chart (rate, large denominators)",
}
DENOMINATOR_CHARTS = frozenset({"p", "u", "pp", "up"})
"""Charts that need a denominator for every point."""
RULES: tuple[str, ...] = ("anhoej", "bestbox", "cutbox", "ihi")
"""Runs rules: Anhøj (qicharts2's default), its experimental best-box and cut-box variants,
and the IHI run-chart rules (Perla, Provost & Murray 2011)."""

SCREEN_FACTOR = 3.267
"""A moving range is kept by the screening only if strictly below this x the average."""
D2 = 1.128
"""The bias constant d2 for moving ranges of two points (sigma = average MR / d2)."""
T_POWER = 3.6
"""T chart: times are transformed by ``y ** (1 / 3.6)`` (Nelson) before the I chart."""


def _positions(value: Any, what: str) -> tuple[int, ...]:
    if value is None:
        return ()
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = (value,)
    out = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or v != int(v):
            raise SPCInputError(f"{what} must be whole-number positions (1-based); got {v!r}")
        out.append(int(v))
    return tuple(out)


@dataclass(frozen=True)
class QIOptions:
    """How to compute a qicharts2-style chart. Validated on construction.

    chart
        One of :data:`QI_CHARTS`.
    freeze
        The last baseline position: the centre line and limits are computed from points
        ``1..freeze`` and applied to all. Ignored when ``part`` is given (as in qicharts2).
    part
        Positions after which a new part (its own centre line, limits and runs analysis) starts.
    exclude
        Positions left out of the centre line, the limits and the runs analysis.
    multiply
        Multiply ``y`` and the lines by this (e.g. 100 for percentages), after the analysis.
    cl
        A known centre line instead of the computed one (on the scale of ``y``, before
        ``multiply``). For a T chart it is the time between events (see docs/spc.md).
    rules
        ``anhoej`` (default), ``bestbox``, ``cutbox`` or ``ihi`` (the IHI rules are reported in
        addition to the Anhøj figures, which every part always carries).
    screen_mr
        Drop moving ranges >= 3.267 x their average before the I, T, P' and U' sigma
        (qicharts2's ``qic.screenedmr``: TRUE once the package is attached, the usual case).
    """

    chart: str = "run"
    freeze: int | None = None
    part: tuple[int, ...] = ()
    exclude: tuple[int, ...] = ()
    multiply: float = 1.0
    cl: float | None = None
    rules: str = "anhoej"
    screen_mr: bool = True

    def __post_init__(self) -> None:
        if self.chart not in QI_CHARTS:
            raise SPCInputError(
                f"chart must be one of {', '.join(QI_CHARTS)}; got {self.chart!r}")
        if self.rules not in RULES:
            raise SPCInputError(f"rules must be one of {', '.join(RULES)}; got {self.rules!r}")
        if self.freeze is not None:
            (fz,) = _positions(self.freeze, "freeze")
            if fz < 0:
                raise SPCInputError(f"freeze must be a position >= 0; got {self.freeze!r}")
            object.__setattr__(self, "freeze", fz)
        object.__setattr__(self, "part", _positions(self.part, "part"))
        object.__setattr__(self, "exclude", _positions(self.exclude, "exclude"))
        for name in ("multiply", "cl"):
            v = getattr(self, name)
            if v is None and name == "cl":
                continue
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
                raise SPCInputError(f"{name} must be a finite number; got {v!r}")
            object.__setattr__(self, name, float(v))
        if not isinstance(self.screen_mr, bool):
            raise SPCInputError(f"screen_mr must be True or False; got {self.screen_mr!r}")

    @property
    def method(self) -> str:
        """The qicharts2 runs method (the IHI rules use Anhøj's figures alongside)."""
        return "anhoej" if self.rules == "ihi" else self.rules

    def to_dict(self) -> dict[str, Any]:
        return {"chart": self.chart, "freeze": self.freeze, "part": list(self.part),
                "exclude": list(self.exclude), "multiply": self.multiply, "cl": self.cl,
                "rules": self.rules, "screen_mr": self.screen_mr}


def clean(x: float | None) -> float | None:
    """NaN / infinity -> None (R's NA), for JSON."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return x


@dataclass(frozen=True)
class QIPoint:
    """One subgroup (point) of the chart, in x order."""

    x: int | date
    y: float
    """The plotted value (y/n with a denominator; the count for C; after ``multiply``)."""
    n: float | None
    """The denominator, if any."""
    cl: float
    lcl: float
    ucl: float
    lcl_95: float
    ucl_95: float
    sigma_signal: bool
    """Strictly outside the 3-sigma limits (computed for excluded points too, as qicharts2)."""
    part: int
    baseline: bool
    include: bool

    def to_dict(self) -> dict[str, Any]:
        return {"x": self.x if isinstance(self.x, int) else self.x.isoformat(),
                "y": clean(self.y), "n": clean(self.n), "cl": clean(self.cl),
                "lcl": clean(self.lcl), "ucl": clean(self.ucl), "lcl_95": clean(self.lcl_95),
                "ucl_95": clean(self.ucl_95), "sigma_signal": self.sigma_signal,
                "part": self.part, "baseline": self.baseline, "include": self.include}


@dataclass(frozen=True)
class IHIFindings:
    """The IHI run-chart rules on one part (Perla, Provost & Murray 2011).

    ``runs_low``/``runs_high`` are the limits of the published table for ``n_useful`` points
    (``None`` outside the table's 10-60 points: no verdict on the number of runs). The
    astronomical-point rule is a judgement and is never computed.
    """

    shifts: list[tuple[int, int]]
    """(first, last) 1-based positions of each run of 6+ points on one side of the median."""
    trends: list[tuple[int, int]]
    """(first, last) positions of each stretch of 5+ points all rising or all falling."""
    n_runs: int | None
    runs_low: int | None
    runs_high: int | None

    @property
    def too_few_runs(self) -> bool:
        return self.n_runs is not None and self.runs_low is not None and self.n_runs < self.runs_low

    @property
    def too_many_runs(self) -> bool:
        return (self.n_runs is not None and self.runs_high is not None
                and self.n_runs > self.runs_high)

    @property
    def signal(self) -> bool:
        return bool(self.shifts or self.trends or self.too_few_runs or self.too_many_runs)

    def to_dict(self) -> dict[str, Any]:
        return {"shifts": [list(s) for s in self.shifts], "trends": [list(t) for t in self.trends],
                "n_runs": self.n_runs, "runs_low": self.runs_low, "runs_high": self.runs_high,
                "too_few_runs": self.too_few_runs, "too_many_runs": self.too_many_runs,
                "signal": self.signal}


@dataclass(frozen=True)
class QIPart:
    """The runs analysis of one part (Anhøj rules; ``None`` figures when no useful points)."""

    part: int
    start: int
    """1-based position of the part's first point."""
    n_obs: int
    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    n_crossings: int | None
    n_crossings_min: int | None
    runs_signal: bool
    """Anhøj (or best-box / cut-box) verdict: unusually long runs or unusually few crossings."""
    ihi: IHIFindings | None = None
    """The IHI rules' findings, when ``rules="ihi"``."""

    @property
    def signal(self) -> bool:
        """The verdict under the rules asked for (IHI when given, else Anhøj)."""
        return self.ihi.signal if self.ihi is not None else self.runs_signal

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "part": self.part, "n_obs": self.n_obs, "n_useful": self.n_useful,
            "longest_run": self.longest_run, "longest_run_max": self.longest_run_max,
            "n_crossings": self.n_crossings, "n_crossings_min": self.n_crossings_min,
            "runs_signal": self.runs_signal}
        if self.ihi is not None:
            out["ihi"] = self.ihi.to_dict()
        return out


@dataclass(frozen=True)
class QIResult:
    """An analysed run chart or attribute / rare-event chart."""

    points: list[QIPoint]
    parts: list[QIPart]
    options: QIOptions
    warnings: list[str] = field(default_factory=list)

    @property
    def chart(self) -> str:
        return self.options.chart

    @property
    def latest_part(self) -> QIPart:
        return self.parts[-1]

    @property
    def sigma_signals(self) -> list[int]:
        """0-based indices of included points outside the limits."""
        return [i for i, p in enumerate(self.points) if p.sigma_signal and p.include]

    def signals(self) -> list[str]:
        """Plain-words sentences about the latest part, for a Board paper."""
        from .run import plain_signals

        return plain_signals(self)

    def to_dict(self) -> dict[str, Any]:
        """The CLI contract: ``points`` and ``parts``, plus the chart, options and signals."""
        return {"chart": self.chart, "chart_label": CHART_LABELS[self.chart],
                "options": self.options.to_dict(),
                "points": [p.to_dict() for p in self.points],
                "parts": [p.to_dict() for p in self.parts],
                "signals": self.signals(), "warnings": list(self.warnings)}
