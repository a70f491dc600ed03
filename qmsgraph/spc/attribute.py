"""Run charts and the control charts QI teams use beside XmR: I, P, U, C, G, T and Laney's
P' and U', computed as the R package qicharts2 0.8.1 computes them (``/shared/spc/QI-SPEC.md``
explains every rule; ``tests/spc/test_qi_cases.py`` checks every executed reference case).

:func:`qic` is the pipeline: aggregate rows by x, split into parts, mark baseline and included
points, then per part the chart's centre line and limits and the runs analysis
(:mod:`.run`), then ``multiply``, then the sigma signals. The Making Data Count XmR chart
(:mod:`.xmr`) is separate and stays the default for measures.

One deliberate difference from qicharts2 (QI-SPEC §9.3, a plain bug): a known centre line
given to a T chart is read as a time between events, on the scale of the data; qicharts2 reads
it on the transformed scale, so ``cl = 10`` was drawn at 3,981.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import numpy as np

from ..errors import SPCInputError
from .qiresults import (
    D2,
    DENOMINATOR_CHARTS,
    SCREEN_FACTOR,
    T_POWER,
    QIOptions,
    QIPart,
    QIPoint,
    QIResult,
)
from .run import anhoej, ihi_rules

__all__ = ["make_parts", "qic"]

_Lines = dict[str, np.ndarray]


def _fsum(a: np.ndarray) -> float:
    """An exactly rounded sum (R sums in long double); inf when it overflows."""
    try:
        return math.fsum(a)
    except (OverflowError, ValueError):  # inf (or inf - inf) in the data: IEEE, as R
        return float(np.sum(a))


def _nanmean(a: np.ndarray) -> float:
    a = a[~np.isnan(a)]
    return float(_fsum(a) / a.size) if a.size else math.nan


def _nansum(a: np.ndarray) -> float:
    return _fsum(a[~np.isnan(a)])


def _median(a: np.ndarray) -> float:
    a = a[~np.isnan(a)]
    return float(statistics.median(a.tolist())) if a.size else math.nan


def _amr(d: np.ndarray, screen: bool) -> float:
    """Average moving range of the sequence ``d`` (a missing value makes its two moving
    ranges missing), then optionally screened: only MRs strictly below 3.267 x AMR kept."""
    mr = np.abs(np.diff(d))
    amr = _nanmean(mr)
    if screen:
        with np.errstate(invalid="ignore"):
            amr = _nanmean(mr[mr < SCREEN_FACTOR * amr])
    return amr


def _limits(cl: np.ndarray, sd: np.ndarray | float) -> _Lines:
    return {"cl": cl, "lcl": cl - 3 * sd, "ucl": cl + 3 * sd,
            "lcl_95": cl - 2 * sd, "ucl_95": cl + 2 * sd}


def _clamp(lines: _Lines, lower: bool = True, upper: bool = False) -> _Lines:
    """Clamp finite lower lines at 0 (and finite upper lines at 1, for proportions)."""
    for key in ("lcl", "lcl_95") if lower else ():
        v = lines[key]
        lines[key] = np.where(np.isfinite(v) & (v < 0), 0.0, v)
    for key in ("ucl", "ucl_95") if upper else ():
        v = lines[key]
        lines[key] = np.where(np.isfinite(v) & (v > 1), 1.0, v)
    return lines


def _centre(value: float | None, default: float, size: int) -> np.ndarray:
    return np.full(size, default if value is None else value)


# -- chart functions: (y, y_sum, n, base, options) -> y plotted, lines ------------------------

def _run(y: np.ndarray, ys: np.ndarray, n: np.ndarray, base: np.ndarray, o: QIOptions):
    cl = _centre(o.cl, _median(y[base]), y.size)
    nan = np.full(y.size, math.nan)
    return y, {"cl": cl, "lcl": nan, "ucl": nan, "lcl_95": nan, "ucl_95": nan}


def _i(y: np.ndarray, ys: np.ndarray, n: np.ndarray, base: np.ndarray, o: QIOptions,
       cl_value: float | None = None):
    cl_value = o.cl if cl_value is None else cl_value
    cl = _centre(cl_value, _nanmean(y[base]), y.size)
    sd = _amr(y[base] - cl[base], o.screen_mr) / D2
    return y, _limits(cl, sd)


def _t(y: np.ndarray, ys: np.ndarray, n: np.ndarray, base: np.ndarray, o: QIOptions):
    known = None if o.cl is None else o.cl ** (1 / T_POWER)  # on the data's scale (see above)
    yt, lines = _i(y ** (1 / T_POWER), ys, n, base, o, known)
    with np.errstate(invalid="ignore"):
        out = {k: v ** T_POWER for k, v in lines.items()}  # negative ** 3.6 -> NaN, as R
    lcl = out["lcl"]
    out["lcl"] = np.where(np.isnan(lcl) | (lcl < 0), 0.0, lcl)
    return yt ** T_POWER, out


def _ratio_cl(ys: np.ndarray, n: np.ndarray, base: np.ndarray, o: QIOptions) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.float64(_nansum(ys[base])) / np.float64(_nansum(n[base]))
    return _centre(o.cl, float(value), ys.size)


def _laney(y: np.ndarray, cl: np.ndarray, sd: np.ndarray, base: np.ndarray,
           o: QIOptions) -> np.ndarray:
    """Laney's sigma_z: the screened average moving range of the z-scores / 1.128."""
    z = (y[base] - cl[base]) / sd[base]
    return sd * (_amr(z, o.screen_mr) / D2)


def _p(y, ys, n, base, o, laney: bool = False):
    cl = _ratio_cl(ys, n, base, o)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(cl * (1 - cl) / n)
        if laney:
            sd = _laney(y, cl, sd, base, o)
        return y, _clamp(_limits(cl, sd), lower=True, upper=True)


def _u(y, ys, n, base, o, laney: bool = False):
    cl = _ratio_cl(ys, n, base, o)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(cl / n)
        if laney:
            sd = _laney(y, cl, sd, base, o)
        return y, _clamp(_limits(cl, sd))


def _c(y, ys, n, base, o):
    cl = _centre(o.cl, _nanmean(ys[base]), ys.size)
    with np.errstate(invalid="ignore"):
        return ys, _clamp(_limits(cl, np.sqrt(cl)))


def _g(y, ys, n, base, o):
    m = _centre(o.cl, _nanmean(y[base]), y.size)
    with np.errstate(invalid="ignore"):
        lines = _limits(m, np.sqrt(m * (m + 1)))
    for key in ("lcl", "lcl_95"):
        lines[key] = np.where(lines[key] < 0, 0.0, lines[key])
    # plotted centre line: the median of the data, or the theoretical median 0.693 x a known mean
    lines["cl"] = _centre(None if o.cl is None else 0.693 * o.cl, _median(y[base]), y.size)
    return y, lines


_CHARTS: dict[str, Any] = {
    "run": _run, "i": _i, "t": _t, "c": _c, "g": _g,
    "p": _p, "pp": lambda *a: _p(*a, laney=True),
    "u": _u, "up": lambda *a: _u(*a, laney=True),
}


# -- the pipeline -------------------------------------------------------------------------------

def make_parts(part: Sequence[int], size: int) -> list[int]:
    """Part number (1-based) of each of ``size`` points; a new part starts after each position
    in ``part`` (positions outside 0..size-1 are dropped, duplicates merged)."""
    cuts = sorted({0, *(p for p in part if 0 <= p < size)})
    out: list[int] = []
    for k, start in enumerate(cuts):
        end = cuts[k + 1] if k + 1 < len(cuts) else size
        out.extend([k + 1] * (end - start))
    return out


def _x_key(value: Any, where: str) -> int | date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and value == int(value):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            pass
    raise SPCInputError(f"{where}: x {value!r} is neither a date (YYYY-MM-DD) nor an integer")


def _number(value: Any, where: str) -> float:
    if value is None or (isinstance(value, str) and value.strip().upper() in ("", "NA", "NAN")):
        return math.nan
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise SPCInputError(f"{where}: {value!r} is not a number") from None
    if math.isinf(v):
        raise SPCInputError(f"{where}: {value!r} is not a finite number")
    return v


def _aggregate(x: Sequence[Any], y: Sequence[Any], n: Sequence[Any] | None):
    """Group rows by x (sorted): y_sum, n (sums) and the plotted y (y_sum/n, or the mean)."""
    if len(x) != len(y) or (n is not None and len(n) != len(y)):
        raise SPCInputError(
            f"x, y{' and n' if n is not None else ''} must have the same length; got "
            f"{len(x)}, {len(y)}{f' and {len(n)}' if n is not None else ''}")
    if not y:
        raise SPCInputError("no data: a chart needs at least one point")
    keys = [_x_key(v, f"row {i + 1}") for i, v in enumerate(x)]
    if len({type(k) for k in keys}) > 1:
        raise SPCInputError("x mixes dates and integers; use one or the other")
    groups: dict[Any, list[tuple[float, float]]] = {}
    for i, k in enumerate(keys):
        yv = _number(y[i], f"row {i + 1}, y")
        nv = _number(n[i], f"row {i + 1}, n") if n is not None else math.nan
        if n is not None:
            if nv < 0:
                raise SPCInputError(f"row {i + 1}, n: a denominator cannot be negative ({nv:g})")
            if math.isnan(yv) or math.isnan(nv):
                yv = nv = math.nan
        groups.setdefault(k, []).append((yv, nv))
    xs = sorted(groups)
    ys, ns, yplot = [], [], []
    for k in xs:
        rows = groups[k]
        yv = np.array([r[0] for r in rows])
        nv = np.array([r[1] for r in rows])
        y_sum = _nansum(yv) if len(rows) > 1 else float(yv[0])
        if n is not None:
            ys.append(y_sum)
            ns.append(_nansum(nv))
            with np.errstate(invalid="ignore", divide="ignore"):
                yplot.append(float(np.float64(_nansum(yv)) / np.float64(ns[-1])))
        else:
            ys.append(y_sum)
            ns.append(math.nan)
            yplot.append(_nanmean(yv))
    return xs, np.array(yplot), np.array(ys), np.array(ns)


def qic(x: Sequence[Any] | None, y: Sequence[Any], n: Sequence[Any] | None = None,
        options: QIOptions | None = None, **kwargs: Any) -> QIResult:
    """Analyse a series as a qicharts2 chart.

    ``x`` holds dates (or ISO strings) or integer positions (``None``: 1..N); ``y`` the values
    or numerators (``None``/NaN for missing); ``n`` the denominators (required for p, u, pp, up).
    Options come from ``options`` or keyword arguments (see :class:`QIOptions`).
    """
    o = options if options is not None else QIOptions(**kwargs)
    if options is not None and kwargs:
        raise SPCInputError("give options or keyword arguments, not both")
    with np.errstate(all="ignore"):  # IEEE arithmetic, as R: NaN and inf become NA lines
        return _qic(x, y, n, o)


def _qic(x: Sequence[Any] | None, y: Sequence[Any], n: Sequence[Any] | None, o: QIOptions
         ) -> QIResult:
    if x is None:
        x = list(range(1, len(y) + 1))
    if o.chart in DENOMINATOR_CHARTS and n is None:
        raise SPCInputError(f"a {o.chart} chart needs a denominator (n) for every point")
    xs, yplot, ysum, nn = _aggregate(x, list(y), None if n is None else list(n))
    size = len(xs)
    if o.chart == "t" and np.nanmin(np.append(yplot, np.inf)) <= 0:
        raise SPCInputError("a t chart needs times between events greater than zero")
    if o.chart == "t" and o.cl is not None and o.cl <= 0:
        raise SPCInputError(f"a t chart's known centre line is a time between events, greater "
                            f"than zero; got {o.cl:g}")
    parts = make_parts(o.part, size)
    freeze = math.inf if o.part or o.freeze is None else o.freeze
    pos = np.arange(1, size + 1)
    baseline = pos <= freeze
    include = ~np.isin(pos, list(o.exclude))
    warnings: list[str] = []
    if o.part and o.freeze is not None:
        warnings.append("freeze is ignored when parts are given (as in qicharts2)")

    cols: dict[str, np.ndarray] = {k: np.full(size, math.nan) for k in
                                   ("y", "cl", "lcl", "ucl", "lcl_95", "ucl_95")}
    part_results: list[QIPart] = []
    chart = _CHARTS[o.chart]
    for number in sorted(set(parts)):
        idx = np.array([i for i in range(size) if parts[i] == number])
        base = (baseline & include)[idx]
        y_part, lines = chart(yplot[idx], ysum[idx], nn[idx], base, o)
        cols["y"][idx] = y_part
        for key, v in lines.items():
            cols[key][idx] = v
        inc = include[idx]
        pr = anhoej(number, int(idx[0]) + 1, y_part[inc].tolist(), lines["cl"][inc].tolist(),
                    o.method)
        if o.rules == "ihi":
            ihi = ihi_rules((idx[inc] + 1).tolist(), y_part[inc].tolist(),
                            lines["cl"][inc].tolist())
            pr = QIPart(**{**pr.__dict__, "ihi": ihi})
        part_results.append(pr)

    for key in cols:
        cols[key] = cols[key] * o.multiply
    for key in ("lcl", "ucl", "lcl_95", "ucl_95"):
        cols[key] = np.where(np.isfinite(cols[key]), cols[key], math.nan)
    with np.errstate(invalid="ignore"):
        signal = (cols["y"] > cols["ucl"]) | (cols["y"] < cols["lcl"])
    points = [
        QIPoint(x=xs[i], y=float(cols["y"][i]),
                n=None if math.isnan(nn[i]) else float(nn[i]),
                cl=float(cols["cl"][i]), lcl=float(cols["lcl"][i]), ucl=float(cols["ucl"][i]),
                lcl_95=float(cols["lcl_95"][i]), ucl_95=float(cols["ucl_95"][i]),
                sigma_signal=bool(signal[i]), part=parts[i], baseline=bool(baseline[i]),
                include=bool(include[i]))
        for i in range(size)]
    if size < 10 and o.chart == "run":
        warnings.append(f"only {size} points: runs rules are normally applied from about 10")
    return QIResult(points=points, parts=part_results, options=o, warnings=warnings)
