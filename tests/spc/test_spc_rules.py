"""Hand-made tests of each SPC rule, its boundaries and its priority, beyond the R cases.

Series are built from a small "noise" block whose figures can be worked out by hand:
NOISE has mean 5 (60 / 12) and moving ranges 1,2,1,1,1,1,2,1,1,2,2 (average 15 / 11), so
its limits are 5 -/+ 2.66 x 15/11, about 1.37 to 8.63.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from qmsgraph.spc import (
    ABOVE_UCL,
    BELOW_LCL,
    COMMON_CAUSE,
    COMMON_CAUSE_LABEL,
    LIMIT,
    LIMIT_CLOSE,
    RUN_ABOVE,
    RUN_BELOW,
    SPECIAL_CAUSE_CONCERN,
    SPECIAL_CAUSE_IMPROVEMENT,
    SPECIAL_CAUSE_NEUTRAL_HIGH,
    SPECIAL_CAUSE_NEUTRAL_LOW,
    TREND_DECREASING,
    TREND_INCREASING,
    TWO_IN_THREE_ABOVE,
    TWO_IN_THREE_BELOW,
    SPCInputError,
    SPCOptions,
    SPCResult,
    analyse,
    assurance_type_of,
    part_of_seven,
    part_of_two_in_three,
    point_type_of,
    seven_point_one_side_mean,
    seven_point_trend,
    two_in_three,
    variation_icon_of,
)

NOISE = [5.0, 6.0, 4.0, 5.0, 6.0, 5.0, 4.0, 6.0, 5.0, 4.0, 6.0, 4.0]


def days(n: int, start: date = date(2023, 1, 1)) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


def run(values: list[float], **options: object) -> SPCResult:
    return analyse(days(len(values)), values, SPCOptions(**options))  # type: ignore[arg-type]


def labels(r: SPCResult) -> list[str]:
    return [p.special_cause_type for p in r.points]


# ------------------------------------------------------------------------------------------
# Upstream helper vectors (literal assertions of test-ptd_calculate_point_type.R, SPEC §9)
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("v", "out"),
    [
        ([], []),
        ([1] * 6, [0] * 6),
        ([1, 1, 1, 1, 1, 1, -1], [0] * 7),
        ([1, 1, 1, 1, 1, 1, 1, 1, -1], [0, 0, 0, 0, 0, 0, 1, 1, 0]),
        ([-1, -1, -1, -1, -1, -1, -1, -1, 1], [0, 0, 0, 0, 0, 0, 1, 1, 0]),
    ],
)
def test_upstream_seven_point_one_side_mean(v: list[int], out: list[int]) -> None:
    assert seven_point_one_side_mean(v) == out


@pytest.mark.parametrize(
    ("v", "out"),
    [
        ([], []),
        ([0] * 6, [0] * 6),
        ([0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 1, 1, 1, 1, 0]),
        ([0, 0, 0, 0, 0, 0, 0, 1, 0], [0, 1, 1, 1, 1, 1, 1, 1, 0]),
        ([0, 0, 0, 0, 0, 0, -1, 0], [1, 1, 1, 1, 1, 1, 1, 0]),
        ([0, 0, 0, 0, 0, 0, 0, -1, 0], [0, 1, 1, 1, 1, 1, 1, 1, 0]),
    ],
)
def test_upstream_part_of_seven_trend(v: list[int], out: list[int]) -> None:
    assert part_of_seven(v) == out


@pytest.mark.parametrize(
    ("y", "out"),
    [
        ([], []),
        ([1, 2, 3, 4, 5, 6], [0] * 6),
        ([1, 2, 3, 3, 4, 5, 6], [0] * 7),
        ([1, 2, 3, 4, 5, 6, 7], [0, 0, 0, 0, 0, 0, 1]),
        ([2, 1, 2, 3, 4, 5, 6, 7, 3], [0, 0, 0, 0, 0, 0, 0, 1, 0]),
        ([7, 6, 5, 4, 3, 2, 1], [0, 0, 0, 0, 0, 0, -1]),
        ([2, 7, 6, 5, 4, 3, 2, 1, 3], [0, 0, 0, 0, 0, 0, 0, -1, 0]),
    ],
)
def test_upstream_seven_point_trend(y: list[float], out: list[int]) -> None:
    assert seven_point_trend(y) == out


@pytest.mark.parametrize(
    ("close", "rtm", "out"),
    [
        ([1, 0, 1], [1, 1, 1], [1, 1, 1]),
        ([0, 1, 1], [1, 1, 1], [1, 1, 1]),
        ([1, 1, 0], [1, 1, 1], [1, 1, 1]),
        ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 1, 1, 0, 0]),
        ([0, 0, 1, 1, 0, 0, 0], [1] * 7, [0, 1, 1, 1, 1, 0, 0]),
        ([1, 0, 1], [1, -1, 1], [0, 0, 0]),
        ([0, 1, 1], [1, -1, 1], [0, 0, 0]),
        ([1, 1, 0], [1, -1, 1], [0, 0, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1], [0] * 7),
        ([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1], [0] * 7),
    ],
)
def test_upstream_two_in_three(close: list[int], rtm: list[int], out: list[int]) -> None:
    assert two_in_three([bool(c) for c in close], rtm) == out


@pytest.mark.parametrize(
    ("close", "rtm", "out"),
    [
        ([1, 0, 1], [1, 1, 1], [1, 0, 1]),
        ([0, 1, 1], [1, 1, 1], [0, 1, 1]),
        ([1, 1, 0], [1, 1, 1], [1, 1, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 0, 1, 0, 0]),
        ([1, 0, 0, 1], [1] * 4, [0, 0, 0, 0]),
        ([1, 0, 0, 1, 1], [1] * 5, [0, 0, 0, 1, 1]),
    ],
)
def test_upstream_part_of_two_in_three(close: list[int], rtm: list[int], out: list[int]) -> None:
    c = [bool(x) for x in close]
    assert part_of_two_in_three(two_in_three(c, rtm), c) == out


# ------------------------------------------------------------------------------------------
# Seven-point trend
# ------------------------------------------------------------------------------------------

RISING7 = [3.8, 4.1, 4.4, 4.7, 5.0, 5.3, 5.6]


def test_trend_of_seven_rising_points_is_flagged() -> None:
    r = run(NOISE + RISING7 + NOISE[:5])
    got = labels(r)
    assert got[12:19] == [TREND_INCREASING] * 7
    assert got[:12] == [COMMON_CAUSE_LABEL] * 12
    assert got[19:] == [COMMON_CAUSE_LABEL] * 5
    # the trend crosses the mean: it is the direction that counts, not the side
    assert {p.relative_to_mean for p in r.points[12:19]} == {-1, 1}
    assert all(p.point_type == SPECIAL_CAUSE_IMPROVEMENT for p in r.points[12:19])


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        ("increase", SPECIAL_CAUSE_IMPROVEMENT),
        ("decrease", SPECIAL_CAUSE_CONCERN),
        ("neutral", SPECIAL_CAUSE_NEUTRAL_HIGH),
    ],
)
def test_rising_trend_verdict_follows_direction(direction: str, expected: str) -> None:
    r = run(NOISE + RISING7 + NOISE[:5], improvement_direction=direction)
    assert [p.point_type for p in r.points[12:19]] == [expected] * 7


def test_six_rising_points_are_not_a_trend() -> None:
    r = run(NOISE + RISING7[:6] + NOISE[:5])
    assert all(p.trend == 0 and not p.part_of_trend for p in r.points)
    assert TREND_INCREASING not in labels(r)


def test_a_tie_breaks_a_trend() -> None:
    # 8 points rising except for one equal pair: no 7 strictly rising points anywhere
    tied = [3.8, 4.1, 4.4, 4.4, 4.7, 5.0, 5.3, 5.6]
    r = run(NOISE + tied + NOISE[:5])
    assert not any(p.part_of_trend for p in r.points)
    assert all(lab == COMMON_CAUSE_LABEL for lab in labels(r))
    # control: the same 8 points strictly rising are all part of the trend
    r2 = run(NOISE + [3.8, 4.1, 4.4, 4.6, 4.7, 5.0, 5.3, 5.6] + NOISE[:5])
    assert labels(r2)[12:20] == [TREND_INCREASING] * 8


def test_tie_between_two_trends_labels_the_joint_point_decreasing_as_r_does() -> None:
    """R quirk, matched on purpose (SPEC §4a, case quirk_adjacent_trends_with_tie): in
    1..7, 7, 8..13 the last point of the first trend (index 6) has a tie to its right and a
    rise to its left; R takes the step to the right (0) and 0 means "Decreasing"."""
    values = [1.0, 2, 3, 4, 5, 6, 7, 7, 8, 9, 10, 11, 12, 13]
    r = run(values)
    p6 = r.points[6]
    assert p6.outside_limits is False
    assert p6.special_cause_type == TREND_DECREASING
    assert p6.point_type == SPECIAL_CAUSE_CONCERN
    assert r.points[5].special_cause_type == TREND_INCREASING
    assert r.points[7].special_cause_type == TREND_INCREASING


def test_falling_trend_of_eight_with_decrease_direction_is_improvement() -> None:
    falling = [5.7, 5.5, 5.3, 5.1, 4.9, 4.7, 4.5, 4.3]
    r = run(NOISE + falling + NOISE[:4], improvement_direction="decrease")
    assert labels(r)[12:20] == [TREND_DECREASING] * 8
    assert [p.point_type for p in r.points[12:20]] == [SPECIAL_CAUSE_IMPROVEMENT] * 8
    assert [p.trend for p in r.points[12:20]] == [0] * 6 + [-1, -1]


def test_point_beyond_a_limit_outranks_a_trend() -> None:
    values = NOISE + [3.8, 4.1, 4.4, 4.7, 5.0, 5.3, 12.0] + NOISE[:5]
    r = run(values)
    last = r.points[18]
    assert last.outside_limits is True and last.part_of_trend is True
    assert last.special_cause_type == ABOVE_UCL
    assert labels(r)[12:18] == [TREND_INCREASING] * 6


def test_trend_does_not_cross_a_rebase() -> None:
    values = NOISE + RISING7 + NOISE[:5]
    d = days(len(values))
    split = analyse(d, values, SPCOptions(rebase=(d[15],)))  # 3 + 4 rising points
    assert not any(p.part_of_trend for p in split.points)
    whole = analyse(d, values, SPCOptions())
    assert sum(p.part_of_trend for p in whole.points) == 7


# ------------------------------------------------------------------------------------------
# Seven points on one side of the mean
# ------------------------------------------------------------------------------------------


def test_seven_points_above_the_mean_are_flagged_and_six_are_not() -> None:
    r7 = run(NOISE + [5.5] * 7 + NOISE[:5])
    assert r7.mean < 5.5
    assert labels(r7)[12:19] == [RUN_ABOVE] * 7
    assert labels(r7)[19:] == [COMMON_CAUSE_LABEL] * 5
    r6 = run(NOISE + [5.5] * 6 + NOISE[:5])
    assert not any(p.part_of_run for p in r6.points)


def test_run_below_the_mean_verdict_follows_direction() -> None:
    values = NOISE + [4.5] * 8 + NOISE[:4]
    inc = run(values)
    assert labels(inc)[12:20] == [RUN_BELOW] * 8
    assert {p.point_type for p in inc.points[12:20]} == {SPECIAL_CAUSE_CONCERN}
    dec = run(values, improvement_direction="decrease")
    assert {p.point_type for p in dec.points[12:20]} == {SPECIAL_CAUSE_IMPROVEMENT}
    neu = run(values, improvement_direction="neutral")
    assert {p.point_type for p in neu.points[12:20]} == {SPECIAL_CAUSE_NEUTRAL_LOW}


# every value is a multiple of 0.25, so the mean below is exactly 85 / 17 = 5.0
_BEFORE = [4.5, 4.5, 4.5, 6.25, 3.75, 4.5, 4.5, 4.5]
_AFTER = [6.25, 3.75]


def test_a_point_exactly_on_the_mean_breaks_a_run() -> None:
    values = _BEFORE + [5.5, 5.5, 5.5, 5.0, 5.5, 5.5, 5.5] + _AFTER
    r = run(values)
    assert r.mean == 5.0
    on_mean = r.points[11]
    assert on_mean.relative_to_mean == 0
    # 3 above, one on the mean, then 3 (+1) above: no 7 in a row
    assert not any(p.part_of_run for p in r.points)
    # control: with that point above the mean too the run of 8 is flagged
    control = run(_BEFORE + [5.5] * 7 + _AFTER)
    assert [p.part_of_run for p in control.points[8:16]] == [True] * 8
    assert labels(control)[8:15] == [RUN_ABOVE] * 7
    # the 8th point of that run is also beyond the upper limit, which takes priority
    assert labels(control)[15] == ABOVE_UCL


def test_a_rebase_splits_a_run() -> None:
    high = [5.75] * 4
    values = NOISE + high + high + NOISE
    d = days(len(values))
    whole = analyse(d, values, SPCOptions())
    assert labels(whole)[12:20] == [RUN_ABOVE] * 8
    split = analyse(d, values, SPCOptions(rebase=(d[16],)))
    assert [g.start_index for g in split.groups] == [0, 16]
    # each half has 4 high points above its own mean: never 7 in a row within a group
    assert all(p.relative_to_mean == 1 for p in split.points[12:20])
    assert not any(p.part_of_run for p in split.points)
    assert split.groups[0].mean == (60 + 23) / 16
    assert split.groups[1].mean == (23 + 60) / 16


# ------------------------------------------------------------------------------------------
# Two of three beyond two sigma
# ------------------------------------------------------------------------------------------

ALT = [4.0, 6.0] * 6  # mean 5, every moving range 2


def test_two_of_three_close_points_on_one_side_are_flagged_but_not_the_third() -> None:
    r = run(ALT + [10.5, 7.0, 10.5] + ALT[:6])
    a, b, c = r.points[12:15]
    # preconditions: the 10.5s are in the band between the 2- and 3-sigma lines, 7 is not
    assert a.close_to_limits and c.close_to_limits and not b.close_to_limits
    assert a.upper_2sigma < 10.5 < a.upl
    assert b.relative_to_mean == 1
    assert [a.special_cause_type, b.special_cause_type, c.special_cause_type] == [
        TWO_IN_THREE_ABOVE,
        COMMON_CAUSE_LABEL,
        TWO_IN_THREE_ABOVE,
    ]
    assert a.point_type == SPECIAL_CAUSE_IMPROVEMENT


def test_two_of_three_needs_the_middle_point_on_the_same_side() -> None:
    r = run(ALT + [10.5, 4.0, 10.5] + ALT[:6])
    a, b, c = r.points[12:15]
    assert a.close_to_limits and c.close_to_limits
    assert b.relative_to_mean == -1
    assert not any(p.part_of_two_in_three for p in r.points)
    assert all(lab == COMMON_CAUSE_LABEL for lab in labels(r))


def test_two_of_three_needs_all_three_on_one_side_not_just_the_close_two() -> None:
    """R requires |sum of relative_to_mean| == 3 over the window (SPEC 4c and 8.3, case
    quirk_two_in_three_needs_all_three_same_side): two adjacent close points whose
    neighbours on both sides are below the mean are not flagged. Matched on purpose."""
    r = run([6.0, 4.0] * 6 + [10.5, 10.5, 4.0] + [6.0, 4.0] * 3)
    a, b = r.points[12:14]
    assert a.close_to_limits and b.close_to_limits and not a.outside_limits
    assert r.points[11].relative_to_mean == r.points[14].relative_to_mean == -1
    assert not any(p.part_of_two_in_three for p in r.points)


def test_two_of_three_window_with_a_point_exactly_on_the_mean_is_not_flagged() -> None:
    # values sum to 125 over 25 points: the mean is exactly 5.0, the value after the two
    # close points; every window holding both close points has a 4.0 or the 5.0 in it
    tail = [2.25] * 4 + [6.0, 4.0] * 3
    r = run([6.0, 4.0] * 6 + [10.5, 10.5, 5.0] + tail)
    assert r.mean == 5.0 and r.points[14].relative_to_mean == 0
    assert r.points[12].close_to_limits and r.points[13].close_to_limits
    assert not any(p.part_of_two_in_three for p in r.points)
    # control: a hair above the mean, the window 10.5, 10.5, 5.25 is all above: flagged
    c = run([6.0, 4.0] * 6 + [10.5, 10.5, 5.25] + tail)
    assert [p.special_cause_type for p in c.points[12:15]] == [
        TWO_IN_THREE_ABOVE,
        TWO_IN_THREE_ABOVE,
        COMMON_CAUSE_LABEL,
    ]


def test_two_of_three_below_with_decrease_is_improvement() -> None:
    r = run(ALT + [0.0, 0.0, 3.0] + ALT[:6], improvement_direction="decrease")
    a, b, c = r.points[12:15]
    assert a.close_to_limits and b.close_to_limits and not c.close_to_limits
    assert c.relative_to_mean == -1
    assert a.lpl < 0.0 < a.lower_2sigma
    assert [a.special_cause_type, b.special_cause_type] == [TWO_IN_THREE_BELOW] * 2
    assert c.special_cause_type == COMMON_CAUSE_LABEL
    assert a.point_type == SPECIAL_CAUSE_IMPROVEMENT


def test_a_point_beyond_the_limit_is_not_close_and_does_not_make_two_of_three() -> None:
    r = run(ALT + [16.0, 10.5, 7.0] + ALT[:6])
    out, close, third = r.points[12:15]
    assert out.outside_limits is True and out.close_to_limits is False
    assert close.close_to_limits is True
    assert third.close_to_limits is False
    assert out.special_cause_type == ABOVE_UCL
    assert close.special_cause_type == COMMON_CAUSE_LABEL  # only one point in the band


# ------------------------------------------------------------------------------------------
# Beyond the limits; degenerate limits
# ------------------------------------------------------------------------------------------


def test_points_beyond_each_limit() -> None:
    r = run(NOISE + [20.0] + NOISE + [-10.0] + NOISE[:3])
    hi, lo = r.points[12], r.points[25]
    assert (hi.special_cause_type, hi.point_type) == (ABOVE_UCL, SPECIAL_CAUSE_IMPROVEMENT)
    assert (lo.special_cause_type, lo.point_type) == (BELOW_LCL, SPECIAL_CAUSE_CONCERN)
    d = run(NOISE + [20.0] + NOISE + [-10.0] + NOISE[:3], improvement_direction="decrease")
    assert (d.points[12].point_type, d.points[25].point_type) == (
        SPECIAL_CAUSE_CONCERN,
        SPECIAL_CAUSE_IMPROVEMENT,
    )


def test_limits_are_strict_a_point_on_the_limit_is_inside() -> None:
    # unscreened constant series: lpl == upl == mean == every value; none is beyond
    r = run([3.0] * 10, screen_outliers=False)
    assert r.lpl == r.upl == r.mean == 3.0
    assert not any(p.outside_limits for p in r.points)
    assert {p.point_type for p in r.points} == {COMMON_CAUSE}


def test_constant_series_screened_has_undefined_limits() -> None:
    r = run([3.0] * 10)
    assert math.isnan(r.lpl) and math.isnan(r.upl) and r.mean == 3.0
    assert all(p.outside_limits is None and p.close_to_limits is None for p in r.points)
    assert {p.point_type for p in r.points} == {COMMON_CAUSE}
    assert any("cannot be calculated" in w for w in r.warnings)


def test_undefined_limits_do_not_stop_run_and_trend_rules() -> None:
    # the first 12 values (the fixed ones) are constant: amr is NaN, limits undefined, but
    # the 8 later values are all above the mean and 7 of them rise strictly
    values = [5.0] * 12 + [6.0, 6.1, 6.2, 6.3, 6.4, 6.5, 6.6, 6.7]
    r = run(values, fix_after_n_points=12)
    assert math.isnan(r.upl)
    assert labels(r)[12:] == [TREND_INCREASING] * 8
    assert all(p.part_of_run for p in r.points[12:])


# ------------------------------------------------------------------------------------------
# Point types and icons
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "direction", "expected"),
    [
        (ABOVE_UCL, "increase", SPECIAL_CAUSE_IMPROVEMENT),
        (ABOVE_UCL, "decrease", SPECIAL_CAUSE_CONCERN),
        (ABOVE_UCL, "neutral", SPECIAL_CAUSE_NEUTRAL_HIGH),
        (TREND_DECREASING, "increase", SPECIAL_CAUSE_CONCERN),
        (TREND_DECREASING, "neutral", SPECIAL_CAUSE_NEUTRAL_LOW),
        (TWO_IN_THREE_BELOW, "decrease", SPECIAL_CAUSE_IMPROVEMENT),
        (RUN_ABOVE, "decrease", SPECIAL_CAUSE_CONCERN),
        (COMMON_CAUSE_LABEL, "increase", COMMON_CAUSE),
        (COMMON_CAUSE_LABEL, "neutral", COMMON_CAUSE),
    ],
)
def test_point_type_of(label: str, direction: str, expected: str) -> None:
    assert point_type_of(label, direction) == expected


@pytest.mark.parametrize(
    ("point_type", "direction", "icon"),
    [
        (COMMON_CAUSE, "increase", "common_cause"),
        (COMMON_CAUSE, "neutral", "common_cause"),
        (SPECIAL_CAUSE_IMPROVEMENT, "increase", "improvement_high"),
        (SPECIAL_CAUSE_IMPROVEMENT, "decrease", "improvement_low"),
        (SPECIAL_CAUSE_CONCERN, "increase", "concern_low"),
        (SPECIAL_CAUSE_CONCERN, "decrease", "concern_high"),
        (SPECIAL_CAUSE_NEUTRAL_HIGH, "neutral", "neutral_high"),
        (SPECIAL_CAUSE_NEUTRAL_LOW, "neutral", "neutral_low"),
    ],
)
def test_variation_icon_of(point_type: str, direction: str, icon: str) -> None:
    assert variation_icon_of(point_type, direction) == icon


def test_variation_icon_uses_only_the_latest_point() -> None:
    high = run(NOISE + [20.0])
    assert high.variation_icon == "improvement_high"
    settled = run(NOISE + [20.0] + NOISE[:3])
    assert settled.points[12].point_type == SPECIAL_CAUSE_IMPROVEMENT
    assert settled.variation_icon == "common_cause"
    low_bad = run(NOISE + [-10.0])
    assert low_bad.variation_icon == "concern_low"


# ------------------------------------------------------------------------------------------
# Assurance
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lpl", "upl", "inc", "dec"),
    [
        (1, 3, "consistent_fail", "consistent_pass"),
        (5, 7, "consistent_pass", "consistent_fail"),
        (1, 5, "inconsistent", "inconsistent"),
        (4, 6, "inconsistent", "inconsistent"),  # a target on a limit is inside (strict)
        (2, 4, "inconsistent", "inconsistent"),
    ],
)
def test_assurance_table(lpl: float, upl: float, inc: str, dec: str) -> None:
    # upstream test-ptd_calculate_assurance_type.R, target 4
    assert assurance_type_of(4.0, lpl, upl, "increase") == inc
    assert assurance_type_of(4.0, lpl, upl, "decrease") == dec
    assert assurance_type_of(4.0, lpl, upl, "neutral") is None
    assert assurance_type_of(None, lpl, upl, "increase") is None


@pytest.mark.parametrize(
    ("target", "direction", "icon"),
    [
        (0.0, "increase", "pass"),
        (0.0, "decrease", "fail"),
        (10.0, "increase", "fail"),
        (10.0, "decrease", "pass"),
        (5.5, "increase", "inconsistent"),
        (5.5, "neutral", None),
    ],
)
def test_assurance_icon_against_the_limits(target: float, direction: str, icon: str) -> None:
    r = run(NOISE, target=target, improvement_direction=direction)
    assert r.lpl == pytest.approx(5 - LIMIT * 15 / 11)
    assert r.upl == pytest.approx(5 + LIMIT * 15 / 11)
    assert r.assurance_icon == icon


def test_assurance_with_undefined_limits_is_hit_and_miss() -> None:
    r = run([3.0] * 10, target=5.0)
    assert math.isnan(r.upl)
    assert (r.assurance_type, r.assurance_icon) == ("inconsistent", "inconsistent")


def test_assurance_after_a_rebase_uses_the_latest_group() -> None:
    before = NOISE  # limits about 1.37 to 8.63: target 9 is above (fail for increase)
    after = [v + 10 for v in NOISE]  # limits about 11.37 to 18.63: target 9 is below (pass)
    values = before + after
    d = days(len(values))
    rebased = analyse(d, values, SPCOptions(target=9.0, rebase=(d[12],)))
    assert rebased.groups[0].upl < 9.0 < rebased.groups[1].lpl
    assert rebased.assurance_icon == "pass"
    assert rebased.assurance_type == "consistent_pass"
    # without the rebase the one wide set of limits straddles the target
    whole = analyse(d, values, SPCOptions(target=9.0))
    assert whole.lpl < 9.0 < whole.upl
    assert whole.assurance_icon == "inconsistent"


# ------------------------------------------------------------------------------------------
# Screening of large moving ranges
# ------------------------------------------------------------------------------------------

SPIKE = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 11.0]
# mean 24/10 = 2.4; moving ranges eight 1s and one 10, average 18/9 = 2;
# 10 >= 3.267 * 2, so screening drops it and the average becomes 1


def test_screening_drops_large_moving_ranges() -> None:
    r = run(SPIKE)
    g = r.groups[0]
    assert g.mean == 2.4
    assert g.average_moving_range == 1.0
    assert g.moving_ranges_screened_out == 1
    assert r.lpl == pytest.approx(2.4 - 2.66) and r.upl == pytest.approx(2.4 + 2.66)
    assert g.lower_2sigma == pytest.approx(2.4 - LIMIT_CLOSE)
    assert r.points[9].moving_range == 10.0 and r.points[9].moving_range_used is False
    assert r.points[8].moving_range_used is True


def test_screening_off_keeps_every_moving_range() -> None:
    r = run(SPIKE, screen_outliers=False)
    g = r.groups[0]
    assert g.average_moving_range == 2.0
    assert g.moving_ranges_screened_out == 0
    assert r.lpl == pytest.approx(2.4 - 2 * 2.66) and r.upl == pytest.approx(2.4 + 2 * 2.66)
    assert all(p.moving_range_used for p in r.points[1:])


def test_screening_changes_the_classification() -> None:
    # moving ranges: eight 1s, 10, 10, 1, 1, 5.5 (average 35.5/13, about 2.73); screening
    # drops both 10s (>= 8.92), the average falls to 15.5/11 and the mean is 34.5/14:
    # upper limit about 6.21 screened, 9.73 unscreened, so 6.5 is beyond only the first
    values = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 11.0, 1.0, 2.0, 1.0, 6.5]
    on, off = run(values), run(values, screen_outliers=False)
    assert on.upl == pytest.approx(34.5 / 14 + 2.66 * 15.5 / 11)
    assert off.upl == pytest.approx(34.5 / 14 + 2.66 * 35.5 / 13)
    assert on.upl < 6.5 < off.upl
    assert on.points[-1].special_cause_type == ABOVE_UCL
    assert off.points[-1].special_cause_type == COMMON_CAUSE_LABEL


def test_screening_is_strict_all_equal_nonzero_ranges_kept_single_large_one_removed() -> None:
    # [1,1,1,1,2]: moving ranges 0,0,0,1, average 0.25; 1 >= 0.81675 so it goes, the
    # average becomes 0 and lpl == upl == mean == 1.2: every point is beyond a limit
    r = run([1.0, 1.0, 1.0, 1.0, 2.0])
    assert r.lpl == r.upl == r.mean == pytest.approx(1.2)
    assert labels(r) == [BELOW_LCL] * 4 + [ABOVE_UCL]


# ------------------------------------------------------------------------------------------
# fix_after_n_points
# ------------------------------------------------------------------------------------------


def test_fix_after_n_points_uses_only_the_first_n() -> None:
    values = NOISE + [7.0] * 8
    r = run(values, fix_after_n_points=12)
    g = r.groups[0]
    assert g.mean == 5.0
    assert g.n_fixed == 12
    assert g.average_moving_range == pytest.approx(15 / 11)
    assert r.upl == pytest.approx(5 + LIMIT * 15 / 11)
    # later points are still classified against the fixed limits: 8 above the mean
    assert labels(r)[12:] == [RUN_ABOVE] * 8
    assert not r.points[12].moving_range_used  # the jump into the unfixed part
    unfixed = run(values)
    assert unfixed.mean == pytest.approx((60 + 56) / 20)
    assert unfixed.upl != r.upl


def test_fix_after_more_points_than_the_series_is_no_fix() -> None:
    values = NOISE + [7.0] * 8
    a, b = run(values, fix_after_n_points=50), run(values)
    assert (a.mean, a.lpl, a.upl) == (b.mean, b.lpl, b.upl)
    assert labels(a) == labels(b)


def test_fix_after_n_points_applies_within_each_rebase_group() -> None:
    values = NOISE + [9.0] + [v + 10 for v in NOISE] + [30.0]
    d = days(len(values))
    r = analyse(d, values, SPCOptions(fix_after_n_points=12, rebase=(d[13],)))
    g0, g1 = r.groups
    assert (g0.n, g0.n_fixed, g0.mean) == (13, 12, 5.0)
    assert (g1.n, g1.n_fixed, g1.mean) == (13, 12, 15.0)
    assert r.points[-1].special_cause_type == ABOVE_UCL


@pytest.mark.parametrize("bad", [11, 0, -3, 11.99, "12", True, math.nan, [12]])
def test_fix_after_n_points_validation(bad: object) -> None:
    with pytest.raises(SPCInputError, match="fix_after_n_points"):
        SPCOptions(fix_after_n_points=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(("ok", "n_fixed"), [(12, 12), (12.0, 12), (12.5, 12), (18, 18),
                                             (math.inf, 20)])  # fmt: skip
def test_fix_after_n_points_accepted(ok: float, n_fixed: int) -> None:
    # as R (row_number() <= N): a fractional N acts as its floor, infinity as "not fixed"
    opts = SPCOptions(fix_after_n_points=ok)  # type: ignore[arg-type]
    assert opts.fix_after_n_points == ok
    r = analyse(days(20), NOISE + [7.0] * 8, opts)
    assert r.groups[0].n_fixed == n_fixed
    assert r.mean == pytest.approx(sum((NOISE + [7.0] * 8)[:n_fixed]) / n_fixed)
