"""Run-chart rules beyond the executed cases: the IHI rules on QI-SPEC §11's hand-worked cases,
the Anhøj thresholds of §7.1 against an independent binomial quantile, input errors, and the
documented deviation for a T chart's known centre line."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom

from qmsgraph.errors import SPCInputError
from qmsgraph.spc.attribute import qic
from qmsgraph.spc.qiresults import QI_CHARTS, RULES
from qmsgraph.spc.run import IHI_RUNS_TABLE, crossings_min, longest_run_max

IHI = {  # name: (series, median, shifts, trends, too_few, too_many, anhoej signal)
    "IHI-1 shift over a median point": (
        "3 7 2 8 4 6 9 5 7 8 6 7 3 9 1 2 4 3 8 2 4", 5, [(6, 12)], [], False, False, False),
    "IHI-2 trend with a repeated value": (
        "5 3 4 6 6 8 9 2 5 4 7 3", 5, [], [(2, 7)], False, False, False),
    "IHI-3 too few runs": (
        "4 3 5 2 4 3 5 4 2 3 8 9 7 8 9 7 8 9 8 7", 6, [(1, 10), (11, 20)], [], True, False,
        True),
    "IHI-4 too many runs": (
        "3 8 2 9 4 7 3 8 2 9 4 7 3 8 2 9 4 7 3 8", 5.5, [], [], False, True, False),
    "IHI-5 nothing to see": (
        "12 15 11 13 16 17 12 11 14 16 15 13 11 17 12", 13, [], [], False, False, False),
    "IHI-6 astronomical point is a judgement": (
        "21 19 23 20 22 24 58 21 20 23 19 22", 21.5, [], [], False, False, False),
}


@pytest.mark.parametrize("name", list(IHI))
def test_ihi_hand_worked_cases(name: str) -> None:
    series, median, shifts, trends, few, many, anhoej = IHI[name]
    r = qic(None, [float(v) for v in series.split()], chart="run", rules="ihi")
    part = r.parts[0]
    assert r.points[0].cl == median
    assert part.ihi is not None
    assert part.ihi.shifts == shifts
    assert part.ihi.trends == trends
    assert (part.ihi.too_few_runs, part.ihi.too_many_runs) == (few, many)
    assert part.ihi.signal == bool(shifts or trends or few or many)
    assert part.runs_signal is anhoej  # the Anhøj verdict is reported alongside
    words = " ".join(r.signals())
    assert ("No sign of a change" in words) is not part.ihi.signal


def test_ihi_median_point_neither_breaks_nor_counts() -> None:
    # nine below, nine above, one on the median (5): five above, the median, one more above
    y = [1, 2, 1, 2, 1, 9, 9, 9, 9, 9, 5, 9, 1, 2, 1, 2, 9, 9, 9]
    r = qic(None, y, chart="run", rules="ihi")
    assert r.points[0].cl == 5
    assert r.parts[0].ihi is not None and r.parts[0].ihi.shifts == [(6, 12)]
    y[11], y[12] = y[12], y[11]  # the sixth off-median point now falls below: five in a row
    r = qic(None, y, chart="run", rules="ihi")
    assert r.points[0].cl == 5 and r.parts[0].ihi.shifts == []


def test_ihi_runs_table_is_monotone_and_bounded() -> None:
    assert sorted(IHI_RUNS_TABLE) == list(range(10, 61))
    for n, (low, high) in IHI_RUNS_TABLE.items():
        assert 2 <= low < high <= n
        if n > 10:
            pl, ph = IHI_RUNS_TABLE[n - 1]
            assert low >= pl and high >= ph


def test_ihi_no_runs_verdict_outside_the_table() -> None:
    r = qic(None, [1, 3, 1, 3, 1, 3, 1, 3], chart="run", rules="ihi")
    f = r.parts[0].ihi
    assert f is not None and f.runs_low is None and not f.too_many_runs
    assert any("only 8 points" in w for w in r.warnings)


@pytest.mark.parametrize("n, longest, crossings", [
    (10, 6, 2), (12, 7, 3), (16, 7, 4), (20, 7, 6), (24, 8, 8), (30, 8, 10), (40, 8, 14),
    (60, 9, 23)])
def test_anhoej_thresholds(n: int, longest: int, crossings: int) -> None:
    assert longest_run_max(n) == longest
    assert crossings_min(n) == crossings


def test_crossings_min_is_the_binomial_fifth_percentile() -> None:
    for n in range(1, 400):
        assert crossings_min(n) == int(binom.ppf(0.05, n - 1, 0.5)), n


def test_bad_input_is_refused_with_a_clear_message() -> None:
    with pytest.raises(SPCInputError, match="p chart needs a denominator"):
        qic(None, [1, 2, 3], chart="p")
    with pytest.raises(SPCInputError, match="greater than zero"):
        qic(None, [3, 0, 4], chart="t")
    with pytest.raises(SPCInputError, match="row 2, n: a denominator cannot be negative"):
        qic(None, [1, 2], [5, -1], chart="u")
    with pytest.raises(SPCInputError, match="row 3, y: 'x' is not a number"):
        qic(None, [1, 2, "x"], chart="c")
    with pytest.raises(SPCInputError, match="mixes dates and integers"):
        qic(["2024-01-01", 2], [1, 2], chart="run")
    with pytest.raises(SPCInputError, match="chart must be one of"):
        qic(None, [1, 2], chart="xbar")
    with pytest.raises(SPCInputError, match="rules must be one of"):
        qic(None, [1, 2], chart="run", rules="nelson")


def test_t_chart_known_centre_line_is_on_the_data_scale() -> None:
    """QI-SPEC §9.3: qicharts2 would draw cl = 10 at 10**3.6 = 3981; qmsgraph draws 10."""
    r = qic(None, [4.0, 9.0, 12.0, 7.0, 15.0, 6.0, 11.0, 8.0], chart="t", cl=10.0)
    assert all(math.isclose(p.cl, 10.0) for p in r.points)
    assert r.points[0].lcl < 10.0 < r.points[0].ucl


def test_rows_with_the_same_x_are_one_subgroup() -> None:
    r = qic([1, 1, 2, 3], [2, 3, 4, 1], [10, 10, 20, 10], chart="p")
    assert [p.x for p in r.points] == [1, 2, 3]
    assert r.points[0].y == 0.25 and r.points[0].n == 20


finite = st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False),
                   st.sampled_from([0.0, 1.0, 1e-300, 1e300]))


@settings(max_examples=300, deadline=None)
@given(chart=st.sampled_from(QI_CHARTS), y=st.lists(finite, min_size=1, max_size=30),
       use_n=st.booleans(), data=st.data(), rules=st.sampled_from(RULES),
       screen=st.booleans(), multiply=st.sampled_from([1.0, 100.0, -1.0]),
       cl=st.sampled_from([None, 0.5, 10.0]))
def test_any_input_gives_a_chart_or_a_clear_error(chart, y, use_n, data, rules, screen,
                                                 multiply, cl) -> None:
    n = data.draw(st.lists(st.one_of(st.none(), st.floats(0, 1e6)), min_size=len(y),
                           max_size=len(y))) if use_n else None
    part = data.draw(st.lists(st.integers(-2, len(y) + 2), max_size=3))
    exclude = data.draw(st.lists(st.integers(0, len(y) + 2), max_size=3))
    try:
        r = qic(None, y, n, chart=chart, part=part, exclude=exclude, rules=rules,
                screen_mr=screen, multiply=multiply, cl=cl)
    except SPCInputError as err:
        assert str(err)
        return
    assert len(r.points) == len(y) and [p.part for p in r.parts] == sorted(
        {p.part for p in r.points})
    for p in r.points:
        outside = (p.y > p.ucl) or (p.y < p.lcl)  # NaN compares false
        assert p.sigma_signal == outside
    for part in r.parts:
        assert 0 <= part.n_useful <= part.n_obs
        if part.n_useful:
            assert part.n_crossings is not None and part.n_crossings < part.n_useful
