"""The SPC chart renders as well-formed SVG and as PNG, with the expected elements and text."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import matplotlib
import pytest

from qmsgraph.spc import SPCOptions, SPCResult, analyse
from qmsgraph.spc.chart import COLOURS, render_png, render_png_bytes, render_svg

SVG_NS = "{http://www.w3.org/2000/svg}"
NOISE = [5.0, 6.0, 4.0, 5.0, 6.0, 5.0, 4.0, 6.0, 5.0, 4.0, 6.0, 4.0]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NASTY_TITLE = "A&E <4h> \"quoted\" 'single' $x^2$ -- ]]> done"


def days(n: int) -> list[date]:
    return [date(2024, 1, 1) + timedelta(days=i) for i in range(n)]


def shifted(target: float | None = None, rebase: bool = False) -> SPCResult:
    d = days(24)
    values = NOISE + [v + 3 for v in NOISE]
    return analyse(d, values, SPCOptions(target=target, rebase=(d[12],) if rebase else ()))


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode("utf-8"))


def ids(root: ET.Element) -> set[str]:
    return {el.get("id", "") for el in root.iter()}


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{SVG_NS}text")]


def test_svg_is_well_formed_and_escapes_the_title() -> None:
    svg = render_svg(shifted(), NASTY_TITLE, unit="% <of> patients")
    root = parse(svg)  # raises if not well-formed XML
    assert root.tag == f"{SVG_NS}svg"
    assert NASTY_TITLE in texts(root)
    assert "% <of> patients" in texts(root)
    # in the raw text the markup characters are escaped, never literal
    assert "A&amp;E &lt;4h&gt;" in svg
    assert "<4h>" not in svg
    # the title is also the document title in the metadata
    titles = [el.text for el in root.iter("{http://purl.org/dc/elements/1.1/}title")]
    assert titles[0] == NASTY_TITLE


def test_svg_has_points_mean_limits_and_icon_but_no_target_without_one() -> None:
    r = shifted()
    root = parse(render_svg(r, "Pressure ulcers"))
    found = ids(root)
    assert {"spc-title", "spc-line", "spc-mean-0", "spc-lpl-0", "spc-upl-0"} <= found
    assert "spc-variation-icon" in found
    for kind in {p.point_type for p in r.points}:
        assert f"spc-points-{kind}" in found
    assert "spc-target" not in found
    assert "spc-assurance-icon" not in found
    assert not any(i.startswith("spc-rebase") for i in found)


def test_svg_target_line_and_assurance_badge_when_target_set() -> None:
    r = shifted(target=12.0)
    assert r.assurance_icon == "fail"
    root = parse(render_svg(r, "Falls"))
    found = ids(root)
    assert "spc-target" in found and "spc-assurance-icon" in found
    words = texts(root)
    assert "Target (12)" in words
    assert any(t.startswith("Assurance: fail") for t in words)
    # the target line is drawn in the target colour
    target = next(el for el in root.iter() if el.get("id") == "spc-target")
    style = " ".join(p.get("style", "") for p in target.iter(f"{SVG_NS}path"))
    assert COLOURS["target"].lower() in style.lower()


def test_svg_rebase_line_and_one_mean_per_group() -> None:
    r = shifted(rebase=True)
    root = parse(render_svg(r, "Rebased"))
    found = ids(root)
    assert {"spc-rebase-1", "spc-mean-0", "spc-mean-1", "spc-upl-1"} <= found
    assert "Rebase" in texts(root)


def test_svg_colours_special_cause_points() -> None:
    r = shifted()  # the shift makes special cause improvement points
    assert any(p.point_type == "special_cause_improvement" for p in r.points)
    svg = render_svg(r, "Shift")
    root = parse(svg)
    group = next(el for el in root.iter() if el.get("id") == "spc-points-special_cause_improvement")
    assert COLOURS["special_cause_improvement"].lower() in ET.tostring(group, "unicode").lower()
    assert "Special cause improvement (high)" in " ".join(texts(root))


def test_svg_handles_a_single_point_and_undefined_limits() -> None:
    r = analyse([date(2024, 1, 1)], [5.0], SPCOptions(target=4.0))
    root = parse(render_svg(r, "One point"))
    found = ids(root)
    assert "spc-mean-0" in found and "spc-upl-0" not in found
    assert "spc-assurance-icon" in found  # NaN limits: hit and miss, as R


def test_long_title_is_wrapped_not_lost() -> None:
    title = "Percentage of patients with a completed falls risk assessment within 24 hours " * 2
    words = " ".join(texts(parse(render_svg(shifted(), title))))
    assert words.count("falls risk assessment") == 2


def test_svg_is_deterministic_and_does_not_touch_global_rc() -> None:
    before = matplotlib.rcParams["svg.fonttype"]
    a = render_svg(shifted(target=5.0), "Same")
    b = render_svg(shifted(target=5.0), "Same")
    assert a == b
    assert matplotlib.rcParams["svg.fonttype"] == before


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_png_bytes() -> None:
    data = render_png_bytes(shifted(target=12.0), NASTY_TITLE, unit="%")
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 20_000
    assert _png_size(data) == (1320, 672)  # 11 x 5.6 inches at 120 dpi


def test_png_file(tmp_path: Path) -> None:
    out = render_png(shifted(rebase=True), tmp_path / "chart.png", "Falls", unit="per 1,000")
    assert out == tmp_path / "chart.png"
    data = out.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 20_000
    hi = render_png_bytes(shifted(rebase=True), "Falls", dpi=200)
    assert _png_size(hi) == (2200, 1120)


@pytest.mark.parametrize("direction", ["increase", "decrease", "neutral"])
def test_every_direction_renders(direction: str) -> None:
    d = days(26)
    r = analyse(d, NOISE + [20.0] + NOISE + [-10.0], SPCOptions(improvement_direction=direction))
    root = parse(render_svg(r, direction))
    assert "spc-variation-icon" in ids(root)


def test_target_sits_inside_the_frame() -> None:
    """The y-axis takes in the target with a margin: the target line never sits on the
    frame, whether it lies above or below the data."""
    from qmsgraph.spc.chart import build_figure

    for target in (12.0, 1.0, 40.0):
        r = shifted(target=target)
        ax = build_figure(r, "Falls").axes[0]
        lo, hi = ax.get_ylim()
        assert lo < target < hi
        assert min(target - lo, hi - target) > (hi - lo) * 0.03
