"""Input validation, the result API (to_dict, latest_signals, has_concern) and options."""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from qmsgraph.errors import QMSGraphError
from qmsgraph.spc import (
    ASSURANCE_ICONS,
    POINT_TYPES,
    SHORT_GROUP_THRESHOLD,
    VARIATION_ICON_LABELS,
    VARIATION_ICONS,
    SPCInputError,
    SPCOptions,
    analyse,
)

NOISE = [5.0, 6.0, 4.0, 5.0, 6.0, 5.0, 4.0, 6.0, 5.0, 4.0, 6.0, 4.0]


def days(n: int, start: date = date(2024, 4, 1)) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


# ------------------------------------------------------------------------------------------
# Bad input
# ------------------------------------------------------------------------------------------


def test_error_class_is_part_of_the_qmsgraph_hierarchy() -> None:
    assert issubclass(SPCInputError, QMSGraphError)
    assert issubclass(SPCInputError, ValueError)


def test_duplicate_dates_are_named() -> None:
    d = days(14)
    d[9] = d[3]
    d[12] = d[5]
    with pytest.raises(SPCInputError) as err:
        analyse(d, NOISE + [5.0, 5.0])
    text = str(err.value)
    assert "duplicate dates" in text
    assert "2024-04-04 at indices 3, 9" in text
    assert "2024-04-06 at indices 5, 12" in text


@pytest.mark.parametrize("bad", ["7", "abc", True, [1.0], object(), b"1"])
def test_non_numeric_value_is_refused(bad: object) -> None:
    values: list[object] = list(NOISE)
    values[4] = bad
    with pytest.raises(SPCInputError, match=r"value at index 4 \(date 2024-04-05\) is not numeric"):
        analyse(days(12), values)  # type: ignore[arg-type]


@pytest.mark.parametrize("missing", [None, math.nan, float("nan")])
def test_missing_value_names_the_index_and_date(missing: object) -> None:
    values: list[object] = list(NOISE)
    values[7] = missing
    values[10] = missing
    with pytest.raises(SPCInputError) as err:
        analyse(days(12), values)  # type: ignore[arg-type]
    text = str(err.value)
    assert "missing value" in text
    assert "index 7 (date 2024-04-08)" in text and "index 10 (date 2024-04-11)" in text


def test_missing_date_is_named() -> None:
    d: list[object] = list(days(12))
    d[2] = None
    with pytest.raises(SPCInputError, match="missing date at index 2"):
        analyse(d, NOISE)  # type: ignore[arg-type]


def test_infinite_value_is_refused() -> None:
    with pytest.raises(SPCInputError, match="infinite"):
        analyse(days(3), [1.0, math.inf, 2.0])


def test_empty_series_is_too_few_points() -> None:
    with pytest.raises(SPCInputError, match="too few points.*got 0, need at least 1 point"):
        analyse([], [])


def test_min_points_option_refuses_short_series_and_says_how_many() -> None:
    opts = SPCOptions(min_points=SHORT_GROUP_THRESHOLD)
    with pytest.raises(SPCInputError, match="got 12, need at least 13 points"):
        analyse(days(12), NOISE, opts)
    assert len(analyse(days(13), NOISE + [5.0], opts).points) == 13


def test_length_mismatch() -> None:
    with pytest.raises(SPCInputError, match="12 dates, 11 values"):
        analyse(days(12), NOISE[:11])


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"improvement_direction": "up"}, "improvement_direction"),
        ({"target": "95%"}, "target"),
        ({"target": math.nan}, "target"),
        ({"target": True}, "target"),
        ({"rebase": ("not a date",)}, "rebase date #1"),
        ({"rebase": (20240101,)}, "rebase date #1"),
        ({"screen_outliers": "yes"}, "screen_outliers"),
        ({"screen_outliers": 1}, "screen_outliers"),
        ({"min_points": 0}, "min_points"),
    ],
)
def test_bad_options(kwargs: dict[str, object], pattern: str) -> None:
    with pytest.raises(SPCInputError, match=pattern):
        SPCOptions(**kwargs)  # type: ignore[arg-type]


def test_dates_and_rebase_must_be_of_one_kind() -> None:
    mixed: list[date] = [*days(3), datetime(2024, 5, 1, 12, 0)]
    with pytest.raises(SPCInputError, match="mix"):
        analyse(mixed, [1.0, 2.0, 3.0, 4.0])
    with pytest.raises(SPCInputError, match="give the same kind"):
        analyse(days(4), [1.0, 2.0, 3.0, 4.0], SPCOptions(rebase=(datetime(2024, 4, 2, 0, 0),)))


def test_bad_date_value() -> None:
    with pytest.raises(SPCInputError, match="date at index 1"):
        analyse(["2024-01-01", "January"], [1.0, 2.0])  # type: ignore[list-item]


# ------------------------------------------------------------------------------------------
# Accepted input
# ------------------------------------------------------------------------------------------


def test_iso_strings_decimals_and_numpy_like_numbers_are_accepted() -> None:
    import numpy as np

    r1 = analyse([d.isoformat() for d in days(12)], [Decimal(str(v)) for v in NOISE],
                 SPCOptions(rebase=("2024-04-07",)))  # fmt: skip
    r2 = analyse(days(12), np.array(NOISE), SPCOptions(rebase=(date(2024, 4, 7),)))
    assert [p.date for p in r1.points] == days(12)
    assert [g.start_index for g in r1.groups] == [g.start_index for g in r2.groups] == [0, 6]
    assert (r1.mean, r1.upl) == (r2.mean, r2.upl)


def test_unsorted_input_is_sorted_like_r_with_a_warning() -> None:
    d = days(12)
    order = [5, 0, 11, 3, 1, 2, 4, 10, 6, 7, 8, 9]
    r = analyse([d[i] for i in order], [NOISE[i] for i in order])
    assert [p.date for p in r.points] == d
    assert [p.value for p in r.points] == NOISE
    assert r.points[0].input_index == 1 and r.points[11].input_index == 2
    assert any("sorted by date" in w for w in r.warnings)
    assert r.mean == analyse(d, NOISE).mean


def test_rebase_dates_that_do_not_split_are_reported() -> None:
    d = days(12)
    r = analyse(d, NOISE, SPCOptions(rebase=(date(2020, 1, 1), d[0])))
    assert len(r.groups) == 1
    assert any("2020-01-01 matches no point" in w for w in r.warnings)
    assert any("is the first point" in w for w in r.warnings)
    # like R's cumsum(rebase): a rebase on the first point numbers the only group 1
    assert r.groups[0].group == 1


def test_datetimes_work() -> None:
    d = [datetime(2024, 1, 1, 9, 30) + timedelta(hours=6 * i) for i in range(12)]
    r = analyse(d, NOISE, SPCOptions(rebase=(d[6],)))
    assert [g.start_index for g in r.groups] == [0, 6]
    assert r.to_dict()["points"][0]["date"] == "2024-01-01T09:30:00"


def test_single_point_has_undefined_limits_and_a_warning() -> None:
    r = analyse([date(2024, 1, 1)], [5.0])
    assert r.mean == 5.0 and math.isnan(r.lpl) and math.isnan(r.upl)
    assert r.points[0].point_type == "common_cause"
    assert r.short_group_warning is True
    assert any("single point" in w for w in r.warnings)


def test_options_are_immutable_and_rebase_is_normalised() -> None:
    o = SPCOptions(rebase=["2024-04-03"], target=Decimal("92.5"))  # type: ignore[arg-type]
    assert o.rebase == (date(2024, 4, 3),)
    assert o.target == 92.5 and isinstance(o.target, float)
    with pytest.raises(dataclasses.FrozenInstanceError):
        o.target = 3.0  # type: ignore[misc]


# ------------------------------------------------------------------------------------------
# Result API
# ------------------------------------------------------------------------------------------


def test_to_dict_is_strict_json_with_nan_as_none() -> None:
    d = days(22)
    values = [3.0] * 10 + NOISE
    r = analyse(d, values, SPCOptions(rebase=(d[10],), target=9.0))
    out = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    assert out["groups"][0]["lpl"] is None and out["groups"][0]["upl"] is None
    assert out["points"][0]["outside_limits"] is None
    assert out["points"][0]["date"] == "2024-04-01"
    assert out["options"]["rebase"] == ["2024-04-11"]
    assert out["upl"] == pytest.approx(5 + 2.66 * 15 / 11)
    assert out["variation_icon"] in VARIATION_ICONS
    assert out["assurance_icon"] == "fail"
    assert out["assurance_label"].startswith("Assurance: fail")
    assert out["signals"] == r.latest_signals()
    assert len(out["points"]) == 22 and out["points"][21]["group"] == 1


def test_mean_and_limits_are_those_of_the_latest_group() -> None:
    d = days(24)
    r = analyse(d, NOISE + [v + 10 for v in NOISE], SPCOptions(rebase=(d[12],)))
    assert (r.mean, r.lpl, r.upl) == (r.groups[1].mean, r.groups[1].lpl, r.groups[1].upl)
    assert r.mean == 15.0 and r.groups[0].mean == 5.0
    assert r.groups[1].start_date == d[12] and r.groups[1].end_index == 23


def test_latest_signals_run_above_the_mean() -> None:
    r = analyse(days(19), NOISE + [5.5] * 7)
    signals = r.latest_signals()
    assert signals[0] == "The last 7 points are above the mean (5.184): special cause improvement."


def test_latest_signals_beyond_a_limit_and_concern() -> None:
    r = analyse(days(13), NOISE + [-10.0])
    assert r.latest_signals()[0].startswith(
        "The latest point (-10 on 2024-04-13) is below the lower process limit"
    )
    assert r.latest_signals()[0].endswith("special cause concern.")
    assert r.has_concern() and r.has_concern(last_n=1)


def test_latest_signals_common_cause_and_target() -> None:
    r = analyse(days(12), NOISE, SPCOptions(target=9.0))
    s = r.latest_signals()
    assert s[0].startswith("The latest point (4 on 2024-04-12) shows common cause variation")
    assert "consistently miss the target" in s[1] and "(assurance: fail)" in s[1]
    assert s[2].startswith("The current limits are based on only 12 points")
    assert not r.has_concern()


def test_latest_signals_trend_and_neutral_wording() -> None:
    r = analyse(days(19), NOISE + [3.8, 4.1, 4.4, 4.7, 5.0, 5.3, 5.6],
                SPCOptions(improvement_direction="neutral", target=1.0))  # fmt: skip
    s = r.latest_signals()
    assert s[0].startswith("Each of the last 7 points is higher than the one before")
    assert "neither direction is better" in s[0]
    assert any("No assurance" in x for x in s)
    assert not r.has_concern()  # neutral: nothing is a concern


def test_has_concern_last_n_window() -> None:
    r = analyse(days(16), NOISE + [-10.0] + [5.0, 4.0, 5.0])
    assert r.points[12].point_type == "special_cause_concern"
    assert r.has_concern() is True
    assert r.has_concern(last_n=3) is False
    assert r.has_concern(last_n=4) is True
    with pytest.raises(SPCInputError):
        r.has_concern(last_n=0)


def test_documented_names_cover_what_analyse_produces() -> None:
    assert set(VARIATION_ICON_LABELS) == set(VARIATION_ICONS)
    assert ASSURANCE_ICONS == ("pass", "fail", "inconsistent")
    r = analyse(days(26), NOISE + [20.0] + NOISE + [-10.0])
    assert {p.point_type for p in r.points} <= set(POINT_TYPES)
    assert {p.point_type for p in r.points} == {
        "common_cause",
        "special_cause_improvement",
        "special_cause_concern",
    }
