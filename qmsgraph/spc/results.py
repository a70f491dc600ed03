"""SPC constants and result types (points, groups, the analysis result) and their plain-English
explanation. The arithmetic is in :mod:`qmsgraph.spc.xmr`."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ..errors import SPCInputError


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


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
