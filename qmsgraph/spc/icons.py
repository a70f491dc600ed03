"""The Making Data Count variation and assurance icons, drawn once.

Each icon is a short list of drawing primitives in a 100 x 100 box (a coloured ring, a small
run of dots, a letter, a target line), in the shapes and colours NHS Boards know from the
*Making Data Count* icons:

* **variation** - a ring with seven dots: grey dots wandering about the mean for common cause;
  for special cause the last three dots climb (high) or fall (low) in the colour of the cause
  (blue improvement, orange concern, purple neither) and an ``H`` or ``L`` sits in the ring;
* **assurance** - a ring with ``P`` (blue: the target is consistently met), ``F`` (orange:
  consistently missed) or ``?`` (grey: hit and miss) over a target line, with dots above it,
  below it or on both sides.

Two renderers read the same primitives: :func:`icon_svg` (inline SVG for the Board page, the
maps and their legends) and ``qmsgraph.spc.chart`` (matplotlib, for the PNG/SVG chart), so
every page and chart shows the same icon.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Literal

from .results import ASSURANCE_ICON_LABELS, VARIATION_ICON_LABELS

__all__ = ["ICON_COLOURS", "Icon", "assurance_icon", "icon_svg", "variation_icon",
           "ICON_TEXT"]

# Making Data Count / NHSRplotthedots colours
ICON_COLOURS = {"improvement": "#289DE0", "concern": "#FAB428", "neutral": "#361475",
                "common": "#7B7D7D", "ink": "#231F20"}
# Darker shades for the letters (the ring keeps the MDC colour; the letter must be legible)
_LETTER = {"improvement": "#1A6FA3", "concern": "#B3700B", "neutral": "#361475",
           "common": "#595B5B"}

# Short words for tables and legends, by icon name
ICON_TEXT: dict[str, str] = {
    "common_cause": "Common cause",
    "improvement_high": "Improving (high)",
    "improvement_low": "Improving (low)",
    "concern_high": "Concern (high)",
    "concern_low": "Concern (low)",
    "neutral_high": "Special cause (high)",
    "neutral_low": "Special cause (low)",
    "pass": "Target met",
    "fail": "Target missed",
    "inconsistent": "Hit and miss",
}

Prim = tuple  # ("circle"|"line"|"polyline"|"dots"|"text", ...)


@dataclass(frozen=True)
class Icon:
    """One icon: its name, family, colour, plain-English label and primitives."""

    name: str
    family: Literal["variation", "assurance"]
    colour: str
    label: str
    prims: tuple[Prim, ...]

    @property
    def text(self) -> str:
        return ICON_TEXT[self.name]


_XS = (24.0, 32.7, 41.3, 50.0, 58.7, 67.3, 76.0)


def _ring(colour: str) -> Prim:
    return ("circle", 50.0, 50.0, 44.0, "#ffffff", colour, 7.0)


def variation_icon(name: str) -> Icon:
    """The variation icon called ``name`` (``common_cause``, ``concern_high`` ...)."""
    if name not in VARIATION_ICON_LABELS:
        raise ValueError(f"unknown variation icon {name!r}")
    grey = ICON_COLOURS["common"]
    if name == "common_cause":
        ys = (60.0, 52.0, 64.0, 55.0, 62.0, 51.0, 58.0)
        prims: list[Prim] = [_ring(grey), ("polyline", tuple(zip(_XS, ys, strict=True)), grey,
                                           2.5),
                             ("dots", tuple((x, y, grey) for x, y in zip(_XS, ys, strict=True)),
                              4.2)]
        return Icon(name, "variation", grey, VARIATION_ICON_LABELS[name], tuple(prims))
    cause, side = name.split("_")
    family = {"improvement": "improvement", "concern": "concern", "neutral": "neutral"}[cause]
    colour = ICON_COLOURS[family]
    if side == "high":
        ys = (73.0, 70.0, 74.0, 71.0, 65.0, 59.0, 53.0)
        letter_y = 31.0
    else:
        ys = (55.0, 58.0, 54.0, 57.0, 64.0, 70.0, 76.0)
        letter_y = 31.0
    pts = tuple(zip(_XS, ys, strict=True))
    dots = tuple((x, y, grey if i < 4 else colour) for i, (x, y) in enumerate(pts))
    prims = [_ring(colour), ("polyline", pts, grey, 2.5), ("dots", dots, 4.6),
             ("text", 50.0, letter_y, "H" if side == "high" else "L", 26.0, _LETTER[family])]
    return Icon(name, "variation", colour, VARIATION_ICON_LABELS[name], tuple(prims))


def assurance_icon(name: str) -> Icon:
    """The assurance icon called ``name`` (``pass``, ``fail``, ``inconsistent``)."""
    if name not in ASSURANCE_ICON_LABELS:
        raise ValueError(f"unknown assurance icon {name!r}")
    family = {"pass": "improvement", "fail": "concern", "inconsistent": "common"}[name]
    colour = ICON_COLOURS[family]
    letter = {"pass": "P", "fail": "F", "inconsistent": "?"}[name]
    if name == "pass":
        ys = (63.0, 60.0, 64.0, 61.0, 63.0, 60.0, 62.0)
    elif name == "fail":
        ys = (78.0, 81.0, 77.0, 80.0, 78.0, 81.0, 79.0)
    else:
        ys = (62.0, 79.0, 64.0, 80.0, 61.0, 78.0, 63.0)
    xs = _XS[1:6]
    pts = tuple(zip(xs, ys[1:6], strict=True))
    prims: list[Prim] = [
        _ring(colour),
        ("text", 50.0, 44.0, letter, 34.0, _LETTER[family]),
        ("line", 18.0, 70.0, 82.0, 70.0, "#DE1B1B", 2.5),
        ("dots", tuple((x, y, colour) for x, y in pts), 4.2),
    ]
    return Icon(name, "assurance", colour, ASSURANCE_ICON_LABELS[name], tuple(prims))


def icon_for(family: str, name: str | None) -> Icon | None:
    """The icon, or None when there is none (no chart, no target)."""
    if not name:
        return None
    try:
        return variation_icon(name) if family == "variation" else assurance_icon(name)
    except ValueError:
        return None


def icon_svg(icon: Icon, size: int = 36, *, title: bool = True, label: str | None = None
             ) -> str:
    """The icon as an inline ``<svg role="img">`` with its label as the text alternative
    (``title=False``: decorative, ``aria-hidden``)."""
    body = []
    for p in icon.prims:
        if p[0] == "circle":
            _, cx, cy, r, fill, stroke, w = p
            body.append(f'<circle cx="{cx:g}" cy="{cy:g}" r="{r:g}" fill="{fill}" '
                        f'stroke="{stroke}" stroke-width="{w:g}"/>')
        elif p[0] == "polyline":
            _, pts, stroke, w = p
            d = " ".join(f"{x:g},{y:g}" for x, y in pts)
            body.append(f'<polyline points="{d}" fill="none" stroke="{stroke}" '
                        f'stroke-width="{w:g}" stroke-linejoin="round"/>')
        elif p[0] == "dots":
            _, dots, r = p
            body.extend(f'<circle cx="{x:g}" cy="{y:g}" r="{r:g}" fill="{c}"/>'
                        for x, y, c in dots)
        elif p[0] == "line":
            _, x1, y1, x2, y2, stroke, w = p
            body.append(f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" '
                        f'stroke="{stroke}" stroke-width="{w:g}" stroke-dasharray="6 3"/>')
        elif p[0] == "text":
            _, x, y, text, fs, colour = p
            body.append(f'<text x="{x:g}" y="{y + fs * 0.36:g}" text-anchor="middle" '
                        f'font-family="Arial, \'Liberation Sans\', sans-serif" '
                        f'font-size="{fs:g}" font-weight="bold" fill="{colour}">'
                        f"{escape(text)}</text>")
    alt = escape(label or icon.label)
    head = (f'role="img" aria-label="{alt}"' if title else 'aria-hidden="true"')
    tt = f"<title>{alt}</title>" if title else ""
    return (f'<svg class="mdc-icon mdc-{icon.name}" {head} focusable="false" width="{size}" '
            f'height="{size}" viewBox="0 0 100 100" data-icon="{icon.name}">{tt}'
            + "".join(body) + "</svg>")
