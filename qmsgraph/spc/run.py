"""Runs analysis: the Anhøj rules (as qicharts2 0.8.1 computes them, with its experimental
best-box and cut-box variants) and the IHI run-chart rules (Perla, Provost & Murray 2011), and
the run chart itself (median centre line, no limits).

Anhøj rules (QI-SPEC §7): on the included points of a part, points exactly on the centre line
and missing points are dropped; a signal is a longest run longer than ``round(log2 n) + 3`` or
fewer crossings than the 5th percentile of Binomial(n - 1, 1/2), n the number of useful points.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .qiresults import IHIFindings, QIPart, QIResult

__all__ = [
    "IHI_RUNS_TABLE",
    "IHI_SHIFT",
    "IHI_TREND",
    "anhoej",
    "crossings_min",
    "ihi_rules",
    "longest_run_max",
    "plain_signals",
    "runs_signal",
]

# Anhøj & Wentzel-Larsen (2020) best-box / cut-box bounds for n = 10..100 useful points: the
# numeric table of qicharts2's crsignal() (data, QI-SPEC §7.2). None = no cut-box border.
_N = None
_CB = (2, 3, 3, 3, 3, 4, 5, 5, 5, 5, 6, 7, 6, 6, 6, 6, 9, 9, 9, 10, 11, 11, 11, 11, 11, 12,
       13, 14, 13, 15, 15, 15, 14, 14, 17, 17, 17, 17, 19, 19, 19, 19, 19, 21, 21, 21, 21, 23,
       23, 23, 23, 23, 25, 25, 26, 26, 27, 27, 27, 28, 29, 29, 29, 30, 30, 31, 31, 31, 32, 33,
       33, 33, 34, 33, 35, 35, 35, 35, 37, 37, 38, 37, 39, 39, 39, 39, 39, 41, 41, 42, 41)
_LB = (6, 7, 6, 6, 6, 7, 8, 7, 7, 7, 7, 8, 7, 7, 7, 7, 9, 8, 8, 8, 10, 9, 8, 8, 8, 8, 9, 10,
       8, 11, 9, 9, 8, 8, 10, 9, 9, 9, 12, 10, 9, 9, 9, 11, 10, 9, 9, 12, 10, 10, 9, 9, 11, 10,
       11, 10, 12, 10, 10, 11, 14, 11, 10, 11, 10, 12, 11, 10, 11, 13, 11, 10, 11, 10, 11, 11,
       10, 10, 12, 11, 12, 10, 13, 11, 11, 10, 10, 12, 11, 12, 10)
_CBORD = (3, 4, _N, _N, _N, 6, 6, _N, 6, 6, _N, _N, 7, 7, 7, _N, 10, 10, 11, _N, 12, 14, _N,
          12, 13, _N, 15, _N, _N, _N, _N, 17, _N, _N, _N, _N, 19, 20, 20, 21, _N, 21, 21, 23,
          23, _N, 23, 25, 24, 26, _N, 24, 27, 27, 27, 27, 29, _N, 29, 29, 30, 31, 30, 31, _N,
          32, 34, 33, 33, 37, 35, _N, 36, 36, _N, 38, 36, 38, 38, 39, _N, 39, 41, 40, 42, _N,
          41, 42, 44, 43, 42)
_LBORD = (5, 6, _N, _N, _N, 6, 7, _N, 6, 5, _N, _N, 6, 6, 6, _N, 7, 7, 7, _N, 9, 8, _N, 7,
          7, _N, 8, _N, _N, _N, _N, 8, _N, _N, _N, _N, 8, 7, 11, 9, _N, 8, 7, 9, 8, _N, 8, 11,
          9, 8, _N, 8, 9, 9, 10, 9, 10, _N, 8, 8, 13, 9, 9, 10, _N, 9, 8, 9, 8, 11, 9, _N, 10,
          7, _N, 8, 9, 8, 10, 9, _N, 9, 12, 10, 8, _N, 8, 9, 9, 10, 9)

IHI_SHIFT = 6
"""IHI shift: six or more consecutive points on one side of the median."""
IHI_TREND = 5
"""IHI trend: five or more consecutive points all rising or all falling."""

# IHI runs table: useful points -> (lowest, highest) number of runs expected by chance.
# Transcribed from the version of Perla, Provost & Murray (BMJ Qual Saf 2011;20:46-51, Table 1)
# that circulates in IHI training material; it could not be checked against the paper here
# (docs/spc.md says so). Outside 10-60 useful points there is no verdict on the runs.
IHI_RUNS_TABLE: dict[int, tuple[int, int]] = dict(zip(range(10, 61), [
    (3, 9), (3, 10), (3, 11), (4, 11), (4, 12), (5, 12), (5, 13), (5, 13), (6, 14), (6, 15),
    (6, 16), (7, 16), (7, 17), (7, 17), (8, 18), (8, 18), (9, 19), (10, 19), (10, 20),
    (10, 20), (11, 21), (11, 22), (11, 23), (12, 23), (12, 24), (13, 24), (13, 25), (13, 25),
    (14, 26), (14, 26), (15, 27), (16, 27), (16, 28), (17, 28), (17, 29), (17, 30), (17, 31),
    (18, 31), (18, 32), (19, 32), (19, 33), (20, 33), (20, 34), (21, 34), (21, 35), (22, 35),
    (22, 36), (23, 36), (23, 37), (24, 38), (24, 38)], strict=True))


def longest_run_max(n_useful: int) -> int:
    """``round(log2 n) + 3`` (Schilling); log2 of an integer is never exactly x.5."""
    return round(math.log2(n_useful)) + 3


def crossings_min(n_useful: int) -> int:
    """R's ``qbinom(0.05, n - 1, 0.5)``: the smallest k with P(Bin(n-1, 1/2) <= k) >= 0.05,
    in exact integer arithmetic (2^m is never a multiple of 20, so no ties)."""
    m = max(n_useful - 1, 0)
    total, term, cum = 2**m, 1, 0  # term = C(m, k), updated in place: O(m) big-int steps
    for k in range(m + 1):
        cum += term
        if 20 * cum >= total:
            return k
        term = term * (m - k) // (k + 1)
    return m  # pragma: no cover - the loop always returns


def runs_signal(n_useful: int, crossings: int, longest: int, method: str = "anhoej") -> bool:
    """qicharts2's ``crsignal``: best-box / cut-box only for 10 <= n <= 100, else Anhøj."""
    if method != "anhoej" and 10 <= n_useful <= 100:
        i = n_useful - 10
        cb, lb, cbord, lbord = _CB[i], _LB[i], _CBORD[i], _LBORD[i]
        if method == "bestbox" or cbord is None:
            return not (crossings >= cb and longest <= lb)
        assert lbord is not None
        ok = ((crossings >= cb + 1 and longest <= lb - 1)
              or (crossings == cb and longest <= lbord)
              or (crossings >= cbord and longest <= lb))
        return not ok
    return longest > longest_run_max(n_useful) or crossings < crossings_min(n_useful)


def _signs(y: Sequence[float], cl: Sequence[float]) -> list[tuple[int, int]]:
    """(position, sign) of the useful points: not missing and not on the centre line."""
    out = []
    for i, (v, c) in enumerate(zip(y, cl, strict=True)):
        d = v - c
        if math.isnan(d) or d == 0:
            continue
        out.append((i, 1 if d > 0 else -1))
    return out


def _blocks(signs: list[tuple[int, int]]) -> list[list[int]]:
    """Maximal runs of equal sign, as lists of positions."""
    blocks: list[list[int]] = []
    last = 0
    for i, s in signs:
        if s != last:
            blocks.append([])
            last = s
        blocks[-1].append(i)
    return blocks


def anhoej(part: int, start: int, y: Sequence[float], cl: Sequence[float],
           method: str = "anhoej") -> QIPart:
    """The runs analysis of one part's included points (y and cl before ``multiply``)."""
    blocks = _blocks(_signs(y, cl))
    n_useful = sum(len(b) for b in blocks)
    if not n_useful:
        return QIPart(part, start, len(y), 0, None, None, None, None, False)
    longest = max(len(b) for b in blocks)
    crossings = len(blocks) - 1
    return QIPart(part, start, len(y), n_useful, longest, longest_run_max(n_useful),
                  crossings, crossings_min(n_useful),
                  runs_signal(n_useful, crossings, longest, method))


def ihi_rules(positions: Sequence[int], y: Sequence[float], cl: Sequence[float]
              ) -> IHIFindings:
    """The IHI rules on the included points of a part (``positions`` are their 1-based
    positions in the whole series, for reporting). Points on the median neither count towards
    nor break a shift; a value equal to the one before neither counts towards nor breaks a
    trend. A part with fewer than 10 useful points gets no verdict on the number of runs."""
    blocks = _blocks(_signs(y, cl))
    shifts = [(positions[b[0]], positions[b[-1]]) for b in blocks if len(b) >= IHI_SHIFT]
    kept = [(positions[i], v) for i, v in enumerate(y) if not math.isnan(v)]
    dedup: list[tuple[int, float]] = []
    for p, v in kept:
        if not dedup or v != dedup[-1][1]:
            dedup.append((p, v))
    trends: list[tuple[int, int]] = []
    i = 0
    while i < len(dedup) - 1:
        step = 1 if dedup[i + 1][1] > dedup[i][1] else -1
        j = i + 1
        while j < len(dedup) - 1 and (dedup[j + 1][1] > dedup[j][1]) == (step > 0):
            j += 1
        if j - i + 1 >= IHI_TREND:
            trends.append((dedup[i][0], dedup[j][0]))
        i = j
    n_useful = sum(len(b) for b in blocks)
    low_high = IHI_RUNS_TABLE.get(n_useful)
    return IHIFindings(shifts, trends, len(blocks) if blocks else None,
                       low_high[0] if low_high else None, low_high[1] if low_high else None)


def _num(x: float) -> str:
    if not math.isfinite(x):
        return "n/a"
    return f"{x:.4g}"


def plain_signals(result: QIResult) -> list[str]:
    """Plain-words sentences about the latest part of a chart."""
    part = result.latest_part
    pts = [p for p in result.points if p.part == part.part]
    since = pts[0].x
    since_txt = since if isinstance(since, int) else since.isoformat()
    since_txt = f"point {since_txt}" if isinstance(since, int) else since_txt
    centre = "median" if result.chart == "run" else "centre line"

    def at(position: int) -> str:
        x = result.points[position - 1].x
        return f"point {x}" if isinstance(x, int) else x.isoformat()
    out: list[str] = []
    if part.ihi is not None:
        f = part.ihi
        for a, b in f.shifts:
            out.append(f"Shift: from {at(a)} to {at(b)} every point off the {centre} is on the "
                       "same side (six or more in a row is a signal).")
        for a, b in f.trends:
            out.append(f"Trend: from {at(a)} to {at(b)} the points keep going the same way "
                       "(five or more in a row is a signal).")
        if f.too_few_runs:
            out.append(f"Too few runs: {f.n_runs} runs in {part.n_useful} points not on the "
                       f"{centre} (fewer than {f.runs_low} is unusual): the process has shifted.")
        if f.too_many_runs:
            out.append(f"Too many runs: {f.n_runs} runs in {part.n_useful} points (more than "
                       f"{f.runs_high} is unusual): the data may alternate or be mixed.")
        if not f.signal:
            out.append(f"No sign of a change since {since_txt} under the IHI run-chart rules "
                       "(shift, trend, runs); an astronomical point is for the team to judge.")
    elif part.n_useful == 0:
        out.append(f"No runs analysis since {since_txt}: no point lies off the {centre}.")
    elif part.runs_signal:
        reasons = []
        if part.longest_run is not None and part.longest_run > (part.longest_run_max or 0):
            reasons.append(f"the longest run on one side of the {centre} is {part.longest_run} "
                           f"points (more than {part.longest_run_max} is unusual)")
        if part.n_crossings is not None and part.n_crossings < (part.n_crossings_min or 0):
            reasons.append(f"the line crosses the {centre} only {part.n_crossings} times "
                           f"(fewer than {part.n_crossings_min} is unusual)")
        why = " and ".join(reasons) or "its runs and crossings fall outside the best box"
        out.append(f"Non-random variation since {since_txt}: {why}. Something has changed; "
                   "find out what before acting.")
    else:
        out.append(f"Random variation since {since_txt}: longest run {part.longest_run} "
                   f"(limit {part.longest_run_max}), {part.n_crossings} crossings (at least "
                   f"{part.n_crossings_min} expected). No sign of a change.")
    flagged = [p for p in pts if p.sigma_signal and p.include]
    if flagged:
        last = flagged[-1]
        where = last.x if isinstance(last.x, int) else last.x.isoformat()
        out.append(f"{len(flagged)} point(s) outside the control limits since {since_txt}, "
                   f"the latest at {where} ({_num(last.y)}): special cause variation.")
    elif result.chart != "run" and any(math.isfinite(p.ucl) for p in pts):
        out.append("Every point lies within the control limits.")
    return out
