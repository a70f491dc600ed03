"""Shared page machinery: the Jinja environment (autoescaping), JSON that is safe inside
``<script>``, and the vis-network files shipped inside the pyvis wheel, inlined.

Offline by construction
-----------------------
* vis-network's JavaScript and CSS are read from the pyvis package (``templates/lib``) and
  written into the page; our own CSS and JavaScript are inlined too. The templates link
  nothing: no bootstrap, no tom-select, no CDN.
* Every page carries a Content-Security-Policy (``default-src 'none'``, inline scripts and
  styles, ``data:`` images only), so the browser refuses to fetch from any host even if
  something tried.

Escaping
--------
* Jinja autoescapes everything put into HTML.
* Data for the scripts is JSON in a ``<script type="application/json">`` block with ``<``,
  ``>``, ``&``, U+2028 and U+2029 written as ``\\u`` escapes, so no label can close the
  script element; the page reads it with ``JSON.parse``.
* Labels are drawn on the canvas (text, never HTML). Tooltips and the details panel are
  built in the browser with ``textContent`` from that JSON; vis-network 9.1.2 itself puts
  string titles in with ``innerText``. No data from the graph is ever parsed as HTML.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pyvis
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

STATIC = Path(str(files("qmsgraph.visualisations") / "static"))
VIS_DIR = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"

CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
       "img-src data:; font-src data:; connect-src 'none'; base-uri 'none'; "
       "form-action 'self'")

_UNSAFE_IN_SCRIPT = re.compile(r"</script|<!--", re.IGNORECASE)


def script_json(value: Any) -> Markup:
    """JSON that can sit inside a ``<script>`` element whatever the strings contain."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return Markup(_escape_js(text))  # noqa: S704 - escaped above; JSON inside a script element


def _inline(text: str, name: str) -> Markup:
    if _UNSAFE_IN_SCRIPT.search(text):
        raise RuntimeError(f"{name} cannot be inlined: it contains '</script' or '<!--'")
    return Markup(text)  # noqa: S704 - our own or pyvis's shipped file, checked above


# Code points HTML forbids in a document (C0/C1 controls but tab, LF, FF, CR; noncharacters)
_FORBIDDEN_IN_HTML = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")


def _escape_js(text: str) -> str:
    """Write code points HTML forbids as JavaScript escapes (they sit in string literals)."""
    return _FORBIDDEN_IN_HTML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@cache
def vis_js() -> Markup:
    return _inline(_escape_js((VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")),
                   "vis-network.min.js")


@cache
def vis_css() -> Markup:
    return _inline((VIS_DIR / "vis-network.css").read_text(encoding="utf-8"),
                   "vis-network.css")


@cache
def static_text(name: str) -> Markup:
    return _inline((STATIC / name).read_text(encoding="utf-8"), name)


@cache
def env() -> Environment:
    e = Environment(loader=FileSystemLoader(str(STATIC)),
                    autoescape=select_autoescape(default=True, default_for_string=True),
                    trim_blocks=True, lstrip_blocks=True)
    e.globals["static"] = static_text
    e.globals["CSP"] = CSP
    return e


def render(template: str, **context: Any) -> str:
    return env().get_template(template).render(**context)


# ------------------------------------------------------------------ legend symbols (SVG)

def shape_svg(shape: str, fill: str, stroke: str = "#212b32", size: int = 18,
              dashed: bool = False, stroke_width: float = 1.5) -> Markup:
    """A small inline SVG of a vis-network node shape, for the legend (decorative)."""
    s = size
    c = s / 2
    r = s / 2 - 2
    if shape == "dot":
        body = f'<circle cx="{c}" cy="{c}" r="{r}"/>'
    elif shape == "square":
        body = f'<rect x="2" y="2" width="{s - 4}" height="{s - 4}"/>'
    elif shape == "box":
        body = f'<rect x="1" y="4" width="{s - 2}" height="{s - 8}" rx="3"/>'
    elif shape == "diamond":
        body = f'<polygon points="{c},1 {s - 1},{c} {c},{s - 1} 1,{c}"/>'
    elif shape == "triangle":
        body = f'<polygon points="{c},1 {s - 1},{s - 2} 1,{s - 2}"/>'
    elif shape == "triangleDown":
        body = f'<polygon points="1,2 {s - 1},2 {c},{s - 1}"/>'
    elif shape == "hexagon":
        pts = " ".join(f"{c + r * math.cos(math.pi / 3 * i):.1f},"
                       f"{c + r * math.sin(math.pi / 3 * i):.1f}" for i in range(6))
        body = f'<polygon points="{pts}"/>'
    elif shape == "star":
        pts = []
        for i in range(10):
            rr = r if i % 2 == 0 else r * 0.45
            a = -math.pi / 2 + i * math.pi / 5
            pts.append(f"{c + rr * math.cos(a):.1f},{c + rr * math.sin(a):.1f}")
        body = f'<polygon points="{" ".join(pts)}"/>'
    elif shape == "line":
        body = f'<line x1="1" y1="{c}" x2="{s * 2 - 1}" y2="{c}"/>'
        s2 = s * 2
        dash = ' stroke-dasharray="4 3"' if dashed else ""
        return Markup(  # noqa: S704 - only numbers and checked colours
            f'<svg aria-hidden="true" focusable="false" width="{s2}" height="{s}" '
            f'viewBox="0 0 {s2} {s}"><g fill="none" stroke="{_colour(stroke)}" '
            f'stroke-width="{stroke_width}"{dash}>{body}</g></svg>')
    else:
        body = f'<circle cx="{c}" cy="{c}" r="{r}"/>'
    dash = ' stroke-dasharray="3 2"' if dashed else ""
    return Markup(  # noqa: S704 - only numbers and checked colours
        f'<svg aria-hidden="true" focusable="false" width="{s}" height="{s}" '
        f'viewBox="0 0 {s} {s}"><g fill="{_colour(fill)}" stroke="{_colour(stroke)}" '
        f'stroke-width="{stroke_width}"{dash}>{body}</g></svg>')


_COLOUR = re.compile(r"^#[0-9a-fA-F]{3,8}$|^none$")


def _colour(value: str) -> str:
    if not _COLOUR.match(value):
        raise ValueError(f"not a colour: {value!r}")
    return value
