"""Statistical process control: NHS "Making Data Count" XmR charts.

A pure-Python port of the calculations of the NHS-R Community R package NHSRplotthedots 0.2.2
(commit 050b07d7), the reference implementation of NHS England's "Making Data Count" charts.
``docs/spc.md`` explains the method, the names used below and the (few) choices made where R
gives no answer.

Summary of the method, for one series sorted by date:

* The series is split into groups at the ``rebase`` dates; every group is computed on its own.
* Per group: mean of the first ``fix_after_n_points`` values (all if not set); moving ranges of
  those values; moving ranges ``>= 3.267 x`` their average dropped (``screen_outliers``);
  ``limits = mean -/+ 2.66 x average moving range``; the "2-sigma" band is
  ``mean -/+ 2 x 2.66 / 3 x average moving range``.
* Special-cause rules per group, first match wins: a point beyond a process limit; part of a
  7-point strictly monotone trend; part of "2 of 3" points beyond the 2-sigma line (all three of
  the window on the same side of the mean); part of a run of 7 or more points on one side of the
  mean.
* Each point becomes common cause, special cause improvement or concern (or neutral high/low
  when no direction is better); the variation icon is the type of the latest point; the
  assurance icon compares a target with the latest group's limits.

Nothing here draws or touches the graph; see :mod:`qmsgraph.spc_chart` for the chart.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from .errors import SPCInputError

__all__ = [
    "ABOVE_UCL",
    "BELOW_LCL",
    "COMMON_CAUSE",
    "COMMON_CAUSE_LABEL",
    "RUN_ABOVE",
    "RUN_BELOW",
    "SPECIAL_CAUSE_CONCERN",
    "SPECIAL_CAUSE_IMPROVEMENT",
    "SPECIAL_CAUSE_NEUTRAL_HIGH",
    "SPECIAL_CAUSE_NEUTRAL_LOW",
    "TREND_DECREASING",
    "TREND_INCREASING",
    "TWO_IN_THREE_ABOVE",
    "TWO_IN_THREE_BELOW",
    "assurance_type_of",
    "part_of_seven",
    "part_of_two_in_three",
    "point_type_of",
    "seven_point_one_side_mean",
    "seven_point_trend",
    "two_in_three",
    "variation_icon_of",
    "ASSURANCE_ICONS",
    "ASSURANCE_ICON_LABELS",
    "ASSURANCE_TYPES",
    "DIRECTIONS",
    "LIMIT",
    "LIMIT_CLOSE",
    "MIN_FIX_AFTER_N_POINTS",
    "POINT_TYPES",
    "RUN_LENGTH",
    "SCREEN_FACTOR",
    "SHORT_GROUP_THRESHOLD",
    "SPECIAL_CAUSE_TYPES",
    "VARIATION_ICONS",
    "VARIATION_ICON_LABELS",
    "SPCGroup",
    "SPCInputError",
    "SPCOptions",
    "SPCPoint",
    "SPCResult",
    "analyse",
]

# --------------------------------------------------------------------------------------------
# Constants (ptd_spc_standard.R L47-48, L73-77; ptd_add_short_group_warnings.R)
# --------------------------------------------------------------------------------------------

LIMIT = 2.66
"""Process limits are ``mean -/+ LIMIT x average moving range`` (3 sigma)."""
LIMIT_CLOSE = 2 * (LIMIT / 3)
"""The "close to limits" (2 sigma) lines: ``mean -/+ LIMIT_CLOSE x average moving range``."""
SCREEN_FACTOR = 3.267
"""A moving range is kept by the screening only if it is strictly below this x the average."""
RUN_LENGTH = 7
"""Points needed for a trend or a run on one side of the mean (fixed at 7, as in R)."""
SHORT_GROUP_THRESHOLD = 13
"""A group with fewer points than this gets a short-group warning (R's default is 13)."""
MIN_FIX_AFTER_N_POINTS = 12
"""Smallest allowed ``fix_after_n_points``."""

DIRECTIONS: tuple[str, ...] = ("increase", "decrease", "neutral")
_DIRECTION_SIGN = {"increase": 1, "decrease": -1, "neutral": 0}

# point types (ptd_calculate_point_type.R, ptd_point_type)
COMMON_CAUSE = "common_cause"
SPECIAL_CAUSE_IMPROVEMENT = "special_cause_improvement"
SPECIAL_CAUSE_CONCERN = "special_cause_concern"
SPECIAL_CAUSE_NEUTRAL_HIGH = "special_cause_neutral_high"
SPECIAL_CAUSE_NEUTRAL_LOW = "special_cause_neutral_low"
POINT_TYPES: tuple[str, ...] = (
    COMMON_CAUSE,
    SPECIAL_CAUSE_IMPROVEMENT,
    SPECIAL_CAUSE_CONCERN,
    SPECIAL_CAUSE_NEUTRAL_HIGH,
    SPECIAL_CAUSE_NEUTRAL_LOW,
)

# special-cause labels, exactly as R writes them (ptd_special_cause_type)
ABOVE_UCL = "Above UCL"
BELOW_LCL = "Below LCL"
TREND_INCREASING = "7 Point Trend (Increasing)"
TREND_DECREASING = "7 Point Trend (Decreasing)"
TWO_IN_THREE_ABOVE = "2 in 3 Above CL"
TWO_IN_THREE_BELOW = "2 in 3 Below CL"
RUN_ABOVE = "7 Points Above CL"
RUN_BELOW = "7 Points Below CL"
COMMON_CAUSE_LABEL = "Common Cause"
SPECIAL_CAUSE_TYPES: tuple[str, ...] = (
    ABOVE_UCL,
    BELOW_LCL,
    TREND_INCREASING,
    TREND_DECREASING,
    TWO_IN_THREE_ABOVE,
    TWO_IN_THREE_BELOW,
    RUN_ABOVE,
    RUN_BELOW,
    COMMON_CAUSE_LABEL,
)
_LABEL_RULE = {
    ABOVE_UCL: "outside_limits",
    BELOW_LCL: "outside_limits",
    TREND_INCREASING: "trend",
    TREND_DECREASING: "trend",
    TWO_IN_THREE_ABOVE: "two_in_three",
    TWO_IN_THREE_BELOW: "two_in_three",
    RUN_ABOVE: "run",
    RUN_BELOW: "run",
}

# variation icons (geom_ptd_icon.R ptd_get_icons): names of the Making Data Count icon files
VARIATION_ICONS: tuple[str, ...] = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
)
VARIATION_ICON_LABELS: dict[str, str] = {
    "common_cause": "Common cause variation",
    "improvement_high": "Special cause improvement (high)",
    "improvement_low": "Special cause improvement (low)",
    "concern_high": "Special cause concern (high)",
    "concern_low": "Special cause concern (low)",
    "neutral_high": "Special cause variation (high)",
    "neutral_low": "Special cause variation (low)",
}

# assurance (ptd_calculate_assurance_type.R) and its icon names
ASSURANCE_TYPES: tuple[str, ...] = ("consistent_pass", "consistent_fail", "inconsistent")
ASSURANCE_ICONS: tuple[str, ...] = ("pass", "fail", "inconsistent")
_ASSURANCE_ICON = {
    "consistent_pass": "pass",
    "consistent_fail": "fail",
    "inconsistent": "inconsistent",
}
ASSURANCE_ICON_LABELS: dict[str, str] = {
    "pass": "Assurance: pass (target consistently met)",
    "fail": "Assurance: fail (target consistently missed)",
    "inconsistent": "Assurance: hit and miss",
}

RuleName = Literal["outside_limits", "trend", "two_in_three", "run"]

# --------------------------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------------------------

DateLike = date | datetime | str


def _parse_date(value: object, what: str) -> date:
    """A ``date``/``datetime`` as is; an ISO string parsed; anything else is an error."""
    if isinstance(value, date):  # datetime is a subclass of date
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) <= 10:
                return date.fromisoformat(text)
            return datetime.fromisoformat(text)
        except ValueError:
            raise SPCInputError(f"{what}: {value!r} is not an ISO date (YYYY-MM-DD)") from None
    if value is None:
        raise SPCInputError(f"{what} is missing")
    raise SPCInputError(
        f"{what}: expected a date (datetime.date or an ISO 'YYYY-MM-DD' string), "
        f"got {type(value).__name__} {value!r}"
    )


@dataclass(frozen=True)
class SPCOptions:
    """How to compute the chart. Validated on construction (bad values raise SPCInputError).

    improvement_direction
        ``"increase"`` (higher is better), ``"decrease"`` (lower is better) or ``"neutral"``.
    target
        A number, used only for the assurance icon (never for the limits).
    rebase
        Dates at which a new group (new mean and limits) starts. A date that matches no point,
        or the first point's date, does not split the series. ISO strings are accepted.
    fix_after_n_points
        Mean and limits of each group use only its first N points (N >= 12). ``None``: all.
    screen_outliers
        Drop moving ranges >= 3.267 x their average before computing the limits (R's default;
        the Making Data Count Excel tool does not screen: set ``False`` to reproduce it).
    min_points
        Fewest points accepted; fewer raise :class:`SPCInputError`. The default, 1, accepts
        anything NHSRplotthedots accepts (a group of 1 point has undefined limits and groups
        under 13 points carry a warning). Set 13 (or more) to refuse short series outright.
    """

    improvement_direction: str = "increase"
    target: float | None = None
    rebase: tuple[date, ...] = ()
    fix_after_n_points: int | None = None
    screen_outliers: bool = True
    min_points: int = 1

    def __post_init__(self) -> None:
        if self.improvement_direction not in DIRECTIONS:
            raise SPCInputError(
                f"improvement_direction must be one of {', '.join(DIRECTIONS)}; "
                f"got {self.improvement_direction!r}"
            )
        if self.target is not None:
            if isinstance(self.target, bool) or not isinstance(self.target, numbers.Real | Decimal):
                raise SPCInputError(f"target must be a number or None; got {self.target!r}")
            target = float(self.target)
            if not math.isfinite(target):
                raise SPCInputError(f"target must be a finite number; got {self.target!r}")
            object.__setattr__(self, "target", target)
        rebase: Any = self.rebase
        if rebase is None:
            rebase = ()
        elif isinstance(rebase, date | str):
            rebase = (rebase,)
        try:
            items = tuple(rebase)
        except TypeError:
            raise SPCInputError(f"rebase must be a sequence of dates; got {rebase!r}") from None
        parsed = tuple(_parse_date(d, f"rebase date #{i + 1}") for i, d in enumerate(items))
        object.__setattr__(self, "rebase", parsed)
        n = self.fix_after_n_points
        if n is not None:
            # R: "fix_after_n_points must be a single numeric that is greater than or equal
            # to 12" (ptd_spc_options.R L60-70). Non-integers act like their floor, as in R.
            if isinstance(n, bool) or not isinstance(n, numbers.Real) or math.isnan(n):
                raise SPCInputError(
                    f"fix_after_n_points must be a single number >= {MIN_FIX_AFTER_N_POINTS} "
                    f"or None; got {n!r}"
                )
            if n < MIN_FIX_AFTER_N_POINTS:
                raise SPCInputError(
                    f"fix_after_n_points must be >= {MIN_FIX_AFTER_N_POINTS} (Making Data Count "
                    f"needs at least {MIN_FIX_AFTER_N_POINTS} points for fixed limits); got {n!r}"
                )
        if not isinstance(self.screen_outliers, bool):
            raise SPCInputError(
                f"screen_outliers must be True or False; got {self.screen_outliers!r}"
            )
        if (
            isinstance(self.min_points, bool)
            or not isinstance(self.min_points, int)
            or self.min_points < 1
        ):
            raise SPCInputError(f"min_points must be an integer >= 1; got {self.min_points!r}")

    @property
    def direction_sign(self) -> int:
        """+1 for increase, -1 for decrease, 0 for neutral."""
        return _DIRECTION_SIGN[self.improvement_direction]

    def to_dict(self) -> dict[str, Any]:
        return {
            "improvement_direction": self.improvement_direction,
            "target": self.target,
            "rebase": [d.isoformat() for d in self.rebase],
            "fix_after_n_points": self.fix_after_n_points,
            "screen_outliers": self.screen_outliers,
            "min_points": self.min_points,
        }


# --------------------------------------------------------------------------------------------
# Result records
# --------------------------------------------------------------------------------------------


def _clean(x: float | None) -> float | None:
    """NaN (R's NA/NaN) -> None, for JSON."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return x


@dataclass(frozen=True)
class SPCPoint:
    """One point of the chart, in date order.

    ``lower_2sigma``/``upper_2sigma`` are R's ``nlpl``/``nupl``. ``outside_limits`` and
    ``close_to_limits`` are ``None`` where R gives NA (the group's limits are undefined).
    ``part_of_*`` flags say which rules the point belongs to, whatever their priority;
    ``special_cause_type`` is the winning rule's R label and ``point_type`` its verdict.
    """

    index: int
    """Position in the date-sorted series (0-based)."""
    input_index: int
    """Position in the sequences given to :func:`analyse`."""
    date: date
    value: float
    group: int
    """Rebase group number: the count of rebase points at or before this one (as R)."""
    position_in_group: int
    mean: float
    lpl: float
    upl: float
    lower_2sigma: float
    upper_2sigma: float
    moving_range: float | None
    """``|value - previous value|`` within the group; ``None`` for a group's first point."""
    moving_range_used: bool
    """Whether that moving range went into the average (not past N, not screened out)."""
    relative_to_mean: int
    outside_limits: bool | None
    close_to_limits: bool | None
    trend: int
    """+1/-1 on the last point of a window of 7 strictly rising/falling points, else 0."""
    part_of_trend: bool
    part_of_two_in_three: bool
    part_of_run: bool
    special_cause_type: str
    special_cause_flag: bool
    point_type: str
    short_group_warning: bool

    @property
    def rule(self) -> RuleName | None:
        """The winning rule: outside_limits, trend, two_in_three, run, or None."""
        return _LABEL_RULE.get(self.special_cause_type)  # type: ignore[return-value]

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "input_index": self.input_index,
            "date": self.date.isoformat(),
            "value": self.value,
            "group": self.group,
            "position_in_group": self.position_in_group,
            "mean": _clean(self.mean),
            "lpl": _clean(self.lpl),
            "upl": _clean(self.upl),
            "lower_2sigma": _clean(self.lower_2sigma),
            "upper_2sigma": _clean(self.upper_2sigma),
            "moving_range": _clean(self.moving_range),
            "moving_range_used": self.moving_range_used,
            "relative_to_mean": self.relative_to_mean,
            "outside_limits": self.outside_limits,
            "close_to_limits": self.close_to_limits,
            "trend": self.trend,
            "part_of_trend": self.part_of_trend,
            "part_of_two_in_three": self.part_of_two_in_three,
            "part_of_run": self.part_of_run,
            "special_cause_type": self.special_cause_type,
            "special_cause_flag": self.special_cause_flag,
            "rule": self.rule,
            "point_type": self.point_type,
            "short_group_warning": self.short_group_warning,
        }


@dataclass(frozen=True)
class SPCGroup:
    """One rebase group: its own mean and limits (NaN where undefined)."""

    group: int
    start_index: int
    n: int
    start_date: date
    end_date: date
    mean: float
    lpl: float
    upl: float
    lower_2sigma: float
    upper_2sigma: float
    average_moving_range: float
    n_fixed: int
    """Points that the mean and limits were computed from (``min(n, fix_after_n_points)``)."""
    moving_ranges_screened_out: int
    common_cause: int
    special_cause_improvement: int
    special_cause_concern: int
    special_cause_neutral: int
    short_group_warning: bool
    variation_type: str
    """point_type of the group's last point (R's ``summary()``)."""

    @property
    def end_index(self) -> int:
        """Index of the group's last point (inclusive)."""
        return self.start_index + self.n - 1

    @property
    def limits_defined(self) -> bool:
        return not (math.isnan(self.lpl) or math.isnan(self.upl))

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "start_index": self.start_index,
            "end_index": self.end_index,
            "n": self.n,
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "mean": _clean(self.mean),
            "lpl": _clean(self.lpl),
            "upl": _clean(self.upl),
            "lower_2sigma": _clean(self.lower_2sigma),
            "upper_2sigma": _clean(self.upper_2sigma),
            "average_moving_range": _clean(self.average_moving_range),
            "n_fixed": self.n_fixed,
            "moving_ranges_screened_out": self.moving_ranges_screened_out,
            "common_cause": self.common_cause,
            "special_cause_improvement": self.special_cause_improvement,
            "special_cause_concern": self.special_cause_concern,
            "special_cause_neutral": self.special_cause_neutral,
            "short_group_warning": self.short_group_warning,
            "variation_type": self.variation_type,
        }


@dataclass(frozen=True)
class SPCResult:
    """The analysed chart. ``points`` are in date order; ``groups`` in order of their start."""

    points: list[SPCPoint]
    groups: list[SPCGroup]
    options: SPCOptions
    variation_type: str
    variation_icon: str
    assurance_type: str | None
    assurance_icon: str | None
    warnings: list[str] = field(default_factory=list)

    # -- the latest group's figures -----------------------------------------------------------
    @property
    def latest_group(self) -> SPCGroup:
        return self.groups[-1]

    @property
    def mean(self) -> float:
        return self.latest_group.mean

    @property
    def lpl(self) -> float:
        return self.latest_group.lpl

    @property
    def upl(self) -> float:
        return self.latest_group.upl

    @property
    def short_group_warning(self) -> bool:
        """True if any group has fewer than :data:`SHORT_GROUP_THRESHOLD` points."""
        return any(g.short_group_warning for g in self.groups)

    @property
    def target(self) -> float | None:
        return self.options.target

    # -- questions --------------------------------------------------------------------------
    def has_concern(self, last_n: int | None = None) -> bool:
        """Whether any of the last ``last_n`` points (all points if None) is a special cause
        concern. Always False when the improvement direction is neutral."""
        if last_n is None:
            pts = self.points
        else:
            if isinstance(last_n, bool) or not isinstance(last_n, int) or last_n < 1:
                raise SPCInputError(f"last_n must be a positive integer or None; got {last_n!r}")
            pts = self.points[-last_n:]
        return any(p.point_type == SPECIAL_CAUSE_CONCERN for p in pts)

    def latest_signals(self) -> list[str]:
        """Plain-English sentences about the latest point and the target, for a Board paper.

        The first sentence(s) describe every special-cause rule the latest point is part of
        (or say there is none); then one sentence on the assurance against the target, if one
        is set; then a caution if the latest limits are provisional or undefined.
        """
        return _latest_signals(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable: dates as ISO strings, NaN as None."""
        return {
            "options": self.options.to_dict(),
            "mean": _clean(self.mean),
            "lpl": _clean(self.lpl),
            "upl": _clean(self.upl),
            "variation_type": self.variation_type,
            "variation_icon": self.variation_icon,
            "variation_label": VARIATION_ICON_LABELS[self.variation_icon],
            "assurance_type": self.assurance_type,
            "assurance_icon": self.assurance_icon,
            "assurance_label": (
                ASSURANCE_ICON_LABELS[self.assurance_icon] if self.assurance_icon else None
            ),
            "short_group_warning": self.short_group_warning,
            "warnings": list(self.warnings),
            "signals": self.latest_signals(),
            "groups": [g.to_dict() for g in self.groups],
            "points": [p.to_dict() for p in self.points],
        }


# --------------------------------------------------------------------------------------------
# Numerics
# --------------------------------------------------------------------------------------------


def _mean(xs: Sequence[float]) -> float:
    """Arithmetic mean, correctly rounded (R's ``mean()`` sums in long double with a correction
    pass, which all but always gives this same double). NaN for an empty sequence, as R."""
    if not xs:
        return math.nan
    return float(sum((Fraction(x) for x in xs), Fraction(0)) / len(xs))


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


# --------------------------------------------------------------------------------------------
# Rule helpers (ptd_calculate_point_type.R). Each works on one group. Names follow R.
# --------------------------------------------------------------------------------------------


def seven_point_one_side_mean(rtm: Sequence[int]) -> list[int]:
    """1 where this point and the 6 before it are all on the same (non-zero) side."""
    out = []
    for i, r in enumerate(rtm):
        hit = r != 0 and i >= RUN_LENGTH - 1 and all(rtm[i - k] == r for k in range(1, RUN_LENGTH))
        out.append(int(hit))
    return out


def part_of_seven(v: Sequence[int]) -> list[int]:
    """1 where this point or one of the next 6 carries a +/-1 (the point is in a window of 7)."""
    n = len(v)
    return [int(any(abs(v[j]) == 1 for j in range(i, min(i + RUN_LENGTH, n)))) for i in range(n)]


def seven_point_trend(y: Sequence[float]) -> list[int]:
    """+1/-1 at the last point of 7 strictly rising/falling points (6 differences), else 0."""
    n = len(y)
    if n < RUN_LENGTH:
        return [0] * n
    out = [0] * (RUN_LENGTH - 1)
    for i in range(RUN_LENGTH - 1, n):
        d = [_sign(y[i - k] - y[i - k - 1]) for k in range(RUN_LENGTH - 1)]
        if all(s == 1 for s in d):
            out.append(1)
        elif all(s == -1 for s in d):
            out.append(-1)
        else:
            out.append(0)
    return out


def two_in_three(close: Sequence[bool | None], rtm: Sequence[int]) -> list[int]:
    """1 where a window of 3 containing the point has >= 2 close points and all three points
    strictly on one side of the mean. Positions outside the group count as 0; NA (None) close
    flags count as not close (R would give NA, which its ``case_when`` then treats as FALSE)."""
    n = len(close)
    c = [0, 0, *(1 if x else 0 for x in close), 0, 0]
    r = [0, 0, *rtm, 0, 0]
    out = []
    for i in range(n):
        hit = any(
            sum(c[i + o : i + o + 3]) >= 2 and abs(sum(r[i + o : i + o + 3])) == 3 for o in range(3)
        )
        out.append(int(hit))
    return out


def part_of_two_in_three(flags: Sequence[int], close: Sequence[bool | None]) -> list[int]:
    """Only the close points of a flagged window are part of it."""
    return [int(f == 1 and bool(c)) for f, c in zip(flags, close, strict=True)]


def _special_cause_types(
    y: Sequence[float],
    rtm: Sequence[int],
    outside: Sequence[bool | None],
    part_trend: Sequence[int],
    part_2in3: Sequence[int],
    part_run: Sequence[int],
) -> list[str]:
    """R's ``ptd_special_cause_type``: the first matching rule's label for each point."""
    n = len(y)
    sdy = [_sign(y[i + 1] - y[i]) for i in range(n - 1)]
    labels = []
    for i in range(n):
        # if the point and the next are both in a trend use the step to the right, else the
        # step from the left (0 for the first point); sign 0 ends up "Decreasing" (R quirk)
        if part_trend[i] and i + 1 < n and part_trend[i + 1]:
            step = sdy[i]
        else:
            step = sdy[i - 1] if i > 0 else 0
        side = "Above" if rtm[i] > 0 else "Below"
        if outside[i]:
            labels.append(ABOVE_UCL if rtm[i] == 1 else BELOW_LCL)
        elif part_trend[i]:
            labels.append(TREND_INCREASING if step == 1 else TREND_DECREASING)
        elif part_2in3[i]:
            labels.append(f"2 in 3 {side} CL")
        elif part_run[i]:
            labels.append(f"7 Points {side} CL")
        else:
            labels.append(COMMON_CAUSE_LABEL)
    return labels


def _label_sign(label: str) -> int:
    if "Above" in label or "Increasing" in label:
        return 1
    if "Below" in label or "Decreasing" in label:
        return -1
    return 0


def point_type_of(label: str, direction: str) -> str:
    """R's ``ptd_point_type``: a special-cause label and a direction -> the point type."""
    v = _label_sign(label)
    if direction == "neutral":
        if v > 0:
            return SPECIAL_CAUSE_NEUTRAL_HIGH
        if v < 0:
            return SPECIAL_CAUSE_NEUTRAL_LOW
        return COMMON_CAUSE
    v *= _DIRECTION_SIGN[direction]
    if v > 0:
        return SPECIAL_CAUSE_IMPROVEMENT
    if v < 0:
        return SPECIAL_CAUSE_CONCERN
    return COMMON_CAUSE


def variation_icon_of(point_type: str, direction: str) -> str:
    """The variation icon for the latest point's type (geom_ptd_icon.R ``ptd_get_icons``)."""
    if point_type == COMMON_CAUSE:
        return "common_cause"
    if point_type == SPECIAL_CAUSE_NEUTRAL_HIGH:
        return "neutral_high"
    if point_type == SPECIAL_CAUSE_NEUTRAL_LOW:
        return "neutral_low"
    high = direction == "increase"
    if point_type == SPECIAL_CAUSE_IMPROVEMENT:
        return "improvement_high" if high else "improvement_low"
    if point_type == SPECIAL_CAUSE_CONCERN:
        return "concern_low" if high else "concern_high"
    raise ValueError(f"unknown point type {point_type!r}")


def assurance_type_of(target: float | None, lpl: float, upl: float, direction: str) -> str | None:
    """R's ``ptd_calculate_assurance_type`` on the latest limits; None without a target or
    for a neutral direction. NaN limits fall through to ``inconsistent``, as in R."""
    if target is None or direction == "neutral":
        return None
    increasing = direction == "increase"
    if target > upl:
        return "consistent_fail" if increasing else "consistent_pass"
    if target < lpl:
        return "consistent_pass" if increasing else "consistent_fail"
    return "inconsistent"


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------


def _describe(i: int, d: object) -> str:
    if isinstance(d, date):
        return f"index {i} (date {d.isoformat()})"
    return f"index {i}"


def _check_values(values: Sequence[object], dates: Sequence[object]) -> list[float]:
    out: list[float] = []
    missing: list[str] = []
    for i, v in enumerate(values):
        where = _describe(i, dates[i])
        if v is None:
            missing.append(where)
            continue
        if isinstance(v, bool) or not isinstance(v, numbers.Real | Decimal):
            raise SPCInputError(
                f"value at {where} is not numeric: {v!r} ({type(v).__name__}); "
                "values must be numbers"
            )
        try:
            x = float(v)
        except (OverflowError, ValueError) as exc:
            raise SPCInputError(f"value at {where} cannot be used: {v!r} ({exc})") from None
        if math.isnan(x):
            missing.append(where)
            continue
        if math.isinf(x):
            raise SPCInputError(f"value at {where} is infinite: {v!r}")
        out.append(x)
    if missing:
        raise SPCInputError(
            f"missing value (None/NaN) at {', '.join(missing)}; an SPC chart needs a value for "
            "every date (drop the date or fill in the value)"
        )
    return out


def _check_dates(dates: Sequence[object]) -> list[date]:
    parsed: list[date] = []
    for i, d in enumerate(dates):
        if d is None:
            raise SPCInputError(f"missing date at index {i}")
        parsed.append(_parse_date(d, f"date at index {i}"))
    kinds = {isinstance(d, datetime) for d in parsed}
    if len(kinds) > 1:
        raise SPCInputError("dates mix datetime.date and datetime.datetime; use one kind")
    seen: dict[date, int] = {}
    dups: dict[date, list[int]] = {}
    for i, d in enumerate(parsed):
        if d in seen:
            dups.setdefault(d, [seen[d]]).append(i)
        else:
            seen[d] = i
    if dups:
        text = "; ".join(
            f"{d.isoformat()} at indices {', '.join(map(str, idx))}" for d, idx in dups.items()
        )
        raise SPCInputError(f"duplicate dates: {text}; each date may appear only once")
    return parsed


# --------------------------------------------------------------------------------------------
# The analysis
# --------------------------------------------------------------------------------------------


def analyse(
    dates: Sequence[date],
    values: Sequence[float],
    options: SPCOptions = SPCOptions(),
) -> SPCResult:
    """Analyse one series as an XmR chart, exactly as NHSRplotthedots 0.2.2 does.

    ``dates`` (``datetime.date``, ``datetime`` or ISO strings) and ``values`` (numbers) must be
    the same length, with unique dates and no missing values. Points are sorted by date
    (as R does); ``SPCPoint.input_index`` keeps the original position.

    Raises :class:`SPCInputError` for bad input.
    """
    if not isinstance(options, SPCOptions):
        raise SPCInputError(f"options must be an SPCOptions; got {type(options).__name__}")
    if isinstance(dates, str | bytes) or isinstance(values, str | bytes):
        raise SPCInputError("dates and values must be sequences, not strings")
    try:
        dates = list(dates)
        values = list(values)
    except TypeError:
        raise SPCInputError("dates and values must be sequences") from None
    if len(dates) != len(values):
        raise SPCInputError(
            f"dates and values differ in length ({len(dates)} dates, {len(values)} values)"
        )
    n_total = len(values)
    if n_total < options.min_points:
        need = options.min_points
        raise SPCInputError(
            f"too few points for an SPC chart: got {n_total}, need at least {need} "
            f"point{'s' if need != 1 else ''}"
            + (
                f" (limits need 2; Making Data Count recommends at least "
                f"{SHORT_GROUP_THRESHOLD - 1}-20)"
                if need < SHORT_GROUP_THRESHOLD
                else ""
            )
        )
    parsed_dates = _check_dates(dates)
    ys = _check_values(values, parsed_dates)

    warnings: list[str] = []
    order = sorted(range(n_total), key=lambda i: parsed_dates[i])
    if order != list(range(n_total)):
        warnings.append("The points were not in date order; they have been sorted by date.")
    sdates = [parsed_dates[i] for i in order]
    sy = [ys[i] for i in order]

    # rebase groups: a point whose date is a rebase date starts a new group; group number is
    # the running count of such points (R: rebase_group = cumsum(rebase))
    series_is_datetime = isinstance(sdates[0], datetime)
    rebase_set = set()
    for d in options.rebase:
        if isinstance(d, datetime) != series_is_datetime:
            raise SPCInputError(
                f"rebase date {d.isoformat()} is a "
                f"{'datetime' if isinstance(d, datetime) else 'date'} but the series dates are "
                f"{'datetimes' if series_is_datetime else 'dates'}; give the same kind"
            )
        rebase_set.add(d)
    date_set = set(sdates)
    for d in sorted(rebase_set):
        if d not in date_set:
            warnings.append(f"Rebase date {d.isoformat()} matches no point and has been ignored.")
        elif d == sdates[0]:
            warnings.append(
                f"Rebase date {d.isoformat()} is the first point; it does not split the series."
            )
    group_no: list[int] = []
    g = 0
    for d in sdates:
        if d in rebase_set:
            g += 1
        group_no.append(g)

    # split into runs of equal group numbers
    bounds: list[tuple[int, int]] = []
    start = 0
    for i in range(1, n_total + 1):
        if i == n_total or group_no[i] != group_no[start]:
            bounds.append((start, i))
            start = i

    direction = options.improvement_direction
    fix_n = options.fix_after_n_points
    points: list[SPCPoint] = []
    groups: list[SPCGroup] = []
    for start, stop in bounds:
        y = sy[start:stop]
        n = len(y)
        n_fixed = n if fix_n is None or fix_n >= n else int(math.floor(fix_n))
        fixed = y[:n_fixed]
        mean = _mean(fixed)
        raw_mr: list[float | None] = [None] + [abs(y[i] - y[i - 1]) for i in range(1, n)]
        mr = [abs(fixed[i] - fixed[i - 1]) for i in range(1, n_fixed)]  # mr[k] is point k+1
        amr = _mean(mr)
        if options.screen_outliers:
            # strict <; with amr NaN every comparison is False and every mr goes (as in R)
            kept = [m < SCREEN_FACTOR * amr for m in mr]
        else:
            kept = [True] * len(mr)
        used = [m for m, k in zip(mr, kept, strict=True) if k]
        amr = _mean(used)
        lpl = mean - (LIMIT * amr)
        upl = mean + (LIMIT * amr)
        nlpl = mean - (LIMIT_CLOSE * amr)
        nupl = mean + (LIMIT_CLOSE * amr)
        limits_nan = math.isnan(lpl) or math.isnan(upl)

        rtm = [_sign(v - mean) for v in y]
        outside: list[bool | None]
        close: list[bool | None]
        if limits_nan:
            outside = [None] * n
            close = [None] * n
        else:
            outside = [v > upl or v < lpl for v in y]
            close = [(not o) and (v < nlpl or v > nupl) for v, o in zip(y, outside, strict=True)]

        trend = seven_point_trend(y)
        part_trend = part_of_seven(trend)
        part_2in3 = part_of_two_in_three(two_in_three(close, rtm), close)
        part_run = part_of_seven(seven_point_one_side_mean(rtm))
        labels = _special_cause_types(y, rtm, outside, part_trend, part_2in3, part_run)
        types = [point_type_of(lab, direction) for lab in labels]
        short = n < SHORT_GROUP_THRESHOLD

        for k in range(n):
            idx = start + k
            used_k = k >= 1 and k < n_fixed and kept[k - 1]
            points.append(
                SPCPoint(
                    index=idx,
                    input_index=order[idx],
                    date=sdates[idx],
                    value=y[k],
                    group=group_no[idx],
                    position_in_group=k,
                    mean=mean,
                    lpl=lpl,
                    upl=upl,
                    lower_2sigma=nlpl,
                    upper_2sigma=nupl,
                    moving_range=raw_mr[k],
                    moving_range_used=used_k,
                    relative_to_mean=rtm[k],
                    outside_limits=outside[k],
                    close_to_limits=close[k],
                    trend=trend[k],
                    part_of_trend=bool(part_trend[k]),
                    part_of_two_in_three=bool(part_2in3[k]),
                    part_of_run=bool(part_run[k]),
                    special_cause_type=labels[k],
                    special_cause_flag=labels[k] != COMMON_CAUSE_LABEL,
                    point_type=types[k],
                    short_group_warning=short,
                )
            )
        groups.append(
            SPCGroup(
                group=group_no[start],
                start_index=start,
                n=n,
                start_date=sdates[start],
                end_date=sdates[stop - 1],
                mean=mean,
                lpl=lpl,
                upl=upl,
                lower_2sigma=nlpl,
                upper_2sigma=nupl,
                average_moving_range=amr,
                n_fixed=n_fixed,
                moving_ranges_screened_out=len(mr) - len(used),
                common_cause=types.count(COMMON_CAUSE),
                special_cause_improvement=types.count(SPECIAL_CAUSE_IMPROVEMENT),
                special_cause_concern=types.count(SPECIAL_CAUSE_CONCERN),
                special_cause_neutral=(
                    types.count(SPECIAL_CAUSE_NEUTRAL_HIGH) + types.count(SPECIAL_CAUSE_NEUTRAL_LOW)
                ),
                short_group_warning=short,
                variation_type=types[-1],
            )
        )
        span = f"from {sdates[start].isoformat()} to {sdates[stop - 1].isoformat()}"
        if limits_nan:
            why = (
                "it has a single point"
                if n_fixed < 2
                else "every moving range is zero (the values do not vary)"
            )
            warnings.append(
                f"Group {group_no[start]} ({span}): the process limits cannot be calculated "
                f"because {why}; no point can be beyond a limit."
            )
        if short:
            warnings.append(
                f"Group {group_no[start]} ({span}) has only {n} point{'s' if n != 1 else ''} "
                f"(fewer than {SHORT_GROUP_THRESHOLD}): its limits are provisional."
            )

    last = points[-1]
    variation_type = last.point_type
    assurance_type = assurance_type_of(options.target, last.lpl, last.upl, direction)
    return SPCResult(
        points=points,
        groups=groups,
        options=options,
        variation_type=variation_type,
        variation_icon=variation_icon_of(variation_type, direction),
        assurance_type=assurance_type,
        assurance_icon=_ASSURANCE_ICON[assurance_type] if assurance_type else None,
        warnings=warnings,
    )


# --------------------------------------------------------------------------------------------
# Plain English
# --------------------------------------------------------------------------------------------


def _fmt(x: float) -> str:
    """A number for a sentence: about 3-4 significant figures, thousands separated."""
    if math.isnan(x):
        return "undefined"
    a = abs(x)
    if a >= 1000 or a == 0:
        decimals = 0 if a >= 1000 or x == int(x) else 2
    else:
        decimals = max(0, 3 - int(math.floor(math.log10(a))))
    text = f"{x:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _verdict(sign: int, direction: str) -> str:
    if direction == "neutral":
        return "special cause variation (neither direction is better)"
    return (
        "special cause improvement"
        if sign * _DIRECTION_SIGN[direction] > 0
        else ("special cause concern")
    )


def _latest_signals(result: SPCResult) -> list[str]:
    pts = result.points
    last = pts[-1]
    group = result.latest_group
    gpts = pts[group.start_index :]
    direction = result.options.improvement_direction
    when = f"{_fmt(last.value)} on {last.date.isoformat()}"
    out: list[str] = []

    if last.outside_limits:
        if last.relative_to_mean > 0:
            out.append(
                f"The latest point ({when}) is above the upper process limit "
                f"({_fmt(last.upl)}): {_verdict(1, direction)}."
            )
        else:
            out.append(
                f"The latest point ({when}) is below the lower process limit "
                f"({_fmt(last.lpl)}): {_verdict(-1, direction)}."
            )
    if last.part_of_trend:
        step = _sign(gpts[-1].value - gpts[-2].value)
        length = 1
        for i in range(len(gpts) - 1, 0, -1):
            if _sign(gpts[i].value - gpts[i - 1].value) == step:
                length += 1
            else:
                break
        word = "higher" if step > 0 else "lower"
        kind = "rising" if step > 0 else "falling"
        out.append(
            f"Each of the last {length} points is {word} than the one before (a {kind} trend): "
            f"{_verdict(step, direction)}."
        )
    if last.part_of_two_in_three:
        side = last.relative_to_mean
        n_close = sum(1 for p in gpts[-3:] if p.close_to_limits)
        where = "upper" if side > 0 else "lower"
        out.append(
            f"{n_close} of the last 3 points are close to the {where} process limit (beyond two "
            f"sigma, all three {'above' if side > 0 else 'below'} the mean): "
            f"{_verdict(side, direction)}."
        )
    if last.part_of_run:
        side = last.relative_to_mean
        length = 0
        for p in reversed(gpts):
            if p.relative_to_mean == side:
                length += 1
            else:
                break
        out.append(
            f"The last {length} points are {'above' if side > 0 else 'below'} the mean "
            f"({_fmt(last.mean)}): {_verdict(side, direction)}."
        )
    if not out:
        out.append(
            f"The latest point ({when}) shows common cause variation: no sign of a change "
            f"since {group.start_date.isoformat()}."
        )

    target = result.options.target
    if result.assurance_type is not None and target is not None:
        t = _fmt(target)
        if not group.limits_defined:
            out.append(
                f"The process limits cannot be calculated, so it is not known whether the "
                f"target ({t}) will be met (assurance: hit and miss)."
            )
        elif result.assurance_type == "inconsistent":
            out.append(
                f"The target ({t}) lies between the process limits ({_fmt(group.lpl)} to "
                f"{_fmt(group.upl)}): the process will sometimes meet it and sometimes miss it "
                "(assurance: hit and miss)."
            )
        else:
            beyond = (
                f"above the upper process limit ({_fmt(group.upl)})"
                if target > group.upl
                else f"below the lower process limit ({_fmt(group.lpl)})"
            )
            if result.assurance_type == "consistent_pass":
                verdict = "the process will consistently meet the target (assurance: pass)"
            else:
                verdict = (
                    "the process will consistently miss the target unless something changes "
                    "(assurance: fail)"
                )
            out.append(f"The target ({t}) is {beyond}: {verdict}.")
    elif target is not None and direction == "neutral":
        out.append("No assurance is given against the target because neither direction is better.")

    if not group.limits_defined:
        out.append(
            "The current process limits cannot be calculated (too few points or no variation)."
        )
    elif group.short_group_warning:
        out.append(
            f"The current limits are based on only {group.n} points (fewer than "
            f"{SHORT_GROUP_THRESHOLD}), so treat them as provisional."
        )
    return out
