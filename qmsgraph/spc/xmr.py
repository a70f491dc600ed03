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

Nothing here draws or touches the graph; see :mod:`qmsgraph.spc.chart` for the chart.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from ..errors import SPCInputError
from .results import (
    _ASSURANCE_ICON,
    _DIRECTION_SIGN,
    ABOVE_UCL,
    BELOW_LCL,
    COMMON_CAUSE,
    COMMON_CAUSE_LABEL,
    LIMIT,
    LIMIT_CLOSE,
    RUN_LENGTH,
    SCREEN_FACTOR,
    SHORT_GROUP_THRESHOLD,
    SPECIAL_CAUSE_CONCERN,
    SPECIAL_CAUSE_IMPROVEMENT,
    SPECIAL_CAUSE_NEUTRAL_HIGH,
    SPECIAL_CAUSE_NEUTRAL_LOW,
    TREND_DECREASING,
    TREND_INCREASING,
    SPCGroup,
    SPCOptions,
    SPCPoint,
    SPCResult,
    _parse_date,
    _sign,
)

# --------------------------------------------------------------------------------------------
# Numerics
# --------------------------------------------------------------------------------------------


def _mean(xs: Sequence[float]) -> float:
    """Arithmetic mean, correctly rounded (R's ``mean()`` sums in long double with a correction
    pass, which all but always gives this same double). NaN for an empty sequence, as R."""
    if not xs:
        return math.nan
    return float(sum((Fraction(x) for x in xs), Fraction(0)) / len(xs))


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
