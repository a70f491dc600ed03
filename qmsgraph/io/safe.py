"""Input limits and output hygiene shared by every reader, writer and command.

Input (what a file or request may hold):

* :func:`text_problem` finds characters no label or text field may hold: C0 and C1 control
  characters (tab, newline and carriage return are allowed outside labels), DEL, the bidi
  embedding, override and isolate controls (the "Trojan source" characters), lone
  surrogates and the non-characters U+FFFE/U+FFFF. The model rejects them with the field
  named (:mod:`qmsgraph.model`).
* :func:`read_text` reads a file no larger than :func:`max_input_bytes` (100 MB, or
  ``QMSGRAPH_MAX_INPUT_MB``); the format readers bound alias expansion (YAML), entity
  expansion and external entities (RDF/XML), remote and local contexts (JSON-LD) and
  nesting depth (all of them). A limit exceeded is a :class:`~qmsgraph.errors.ValidationError`
  that names the file.

Output (what qmsgraph writes for people and other programs):

* :func:`for_terminal` strips escape sequences and control characters from text bound for a
  terminal (and escapes rich markup, so a label cannot restyle or hide the output);
* :func:`csv_cell` neutralises spreadsheet formulas (a cell starting with ``= + - @`` tab or
  carriage return gets a leading apostrophe, OWASP's advice), numbers left as they are;
* :func:`xml_text` drops the characters XML 1.0 cannot carry, so every XML export is
  well-formed whatever a label holds.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ..errors import ValidationError

__all__ = ["MAX_DEPTH", "MAX_INPUT_MB", "XML_ENTITY_CHARS", "YAML_ALIAS_NODES", "check_size",
           "csv_cell", "csv_row", "for_terminal", "json_depth_problem", "jsonld_problems",
           "max_input_bytes", "read_text", "strip_controls", "text_problem",
           "xml_entity_problems", "xml_text"]

MAX_INPUT_MB = 100
"""Largest input file, in MB (``QMSGRAPH_MAX_INPUT_MB`` overrides it)."""
MAX_DEPTH = 100
"""Deepest nesting of lists and mappings in a YAML or JSON-LD file."""
YAML_ALIAS_NODES = 100_000
"""How many nodes YAML aliases may add to a document when expanded."""
XML_ENTITY_CHARS = 1_000_000
"""How many characters the entities of an RDF/XML file may expand to, at most."""

_BIDI = "\u202a-\u202e\u2066-\u2069"
_BAD_TEXT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff\ufffe\uffff]")
_BAD_LABEL = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff\ufffe\uffff]")
_NAMES = {"\x00": "NUL", "\x1b": "ESC", "\t": "tab", "\n": "line break", "\r": "carriage return",
          "\x7f": "DEL", "\u202e": "right-to-left override", "\u202d": "left-to-right override"}


def text_problem(value: str, *, single_line: bool = False) -> str | None:
    """Why ``value`` cannot be stored (its first bad character named), or None if it can."""
    m = (_BAD_LABEL if single_line else _BAD_TEXT).search(value)
    if m is None:
        return None
    ch = m.group()
    code = f"U+{ord(ch):04X}"
    what = _NAMES.get(ch)
    if "\u202a" <= ch <= "\u2069":
        what = what or "bidirectional control"
    elif "\ud800" <= ch <= "\udfff":
        what = "lone surrogate"
    kind = f"{what}, {code}" if what else code
    return (f"contains a control character ({kind}) at position {m.start() + 1}; "
            "labels and text may not hold control, escape or bidi-override characters")


def strip_controls(value: str) -> str:
    """``value`` without the characters :func:`text_problem` refuses (tab and line breaks
    kept): for metadata, where dropping them is better than refusing the change."""
    return _BAD_TEXT.sub("", value)


# ------------------------------------------------------------------------------ input

def max_input_bytes() -> int:
    try:
        mb = float(os.environ.get("QMSGRAPH_MAX_INPUT_MB", MAX_INPUT_MB))
    except ValueError:
        mb = MAX_INPUT_MB
    return int(mb * 1024 * 1024)


def check_size(name: str, size: int) -> None:
    limit = max_input_bytes()
    if size > limit:
        raise ValidationError(f"the file is {size / 1048576:.1f} MB; the limit is "
                              f"{limit / 1048576:g} MB (QMSGRAPH_MAX_INPUT_MB)", location=name)


def read_text(path: Path) -> str:
    """A UTF-8 file's text, refused (ValidationError naming it) if over the size limit.

    Only regular files are read: a FIFO or device would block or never end."""
    try:
        st = path.stat()
        if not path.is_file():
            raise ValidationError("not a regular file", location=str(path))
        check_size(str(path), st.st_size)
        with open(path, encoding="utf-8") as fh:
            text = fh.read(max_input_bytes() + 1)
    except OSError as err:
        raise ValidationError(f"cannot read: {err.strerror or err}", location=str(path)) \
            from None
    except UnicodeDecodeError as err:
        raise ValidationError(f"cannot read: not UTF-8 text ({err.reason} at byte "
                              f"{err.start})", location=str(path)) from None
    check_size(str(path), len(text))
    return text


def read_bytes(path: Path) -> bytes:
    """A file's bytes (for readers that decode themselves: CSV encodings, workbooks),
    refused (ValidationError naming it) if over the size limit or not a regular file."""
    try:
        if not path.is_file():
            if not path.exists():
                raise FileNotFoundError(2, "No such file or directory")
            raise ValidationError("not a regular file", location=str(path))
        check_size(str(path), path.stat().st_size)
        with open(path, "rb") as fh:
            data = fh.read(max_input_bytes() + 1)
    except OSError as err:
        raise ValidationError(f"cannot read: {err.strerror or err}", location=str(path)) \
            from None
    check_size(str(path), len(data))
    return data


def json_depth_problem(value: Any, limit: int = MAX_DEPTH) -> str | None:
    """Whether parsed JSON nests deeper than ``limit`` (checked without recursion)."""
    stack = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        if depth > limit:
            return f"nested more than {limit} levels deep"
        if isinstance(v, dict):
            stack.extend((x, depth + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, depth + 1) for x in v)
    return None


# ------------------------------------------------------------------------------ output

_ANSI = re.compile(r"""
    \x1b\[[0-?]*[ -/]*[@-~]              # CSI: colours, cursor movement, erase
  | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?   # OSC: titles, hyperlinks (to BEL or ST)
  | \x1b[PX^_][^\x1b]*(?:\x1b\\)?        # DCS, SOS, PM, APC strings
  | \x1b[ -/]*[0-~]?                     # other escapes (and a lone ESC)
  | \x9b[0-?]*[ -/]*[@-~]                # 8-bit CSI
""", re.VERBOSE)
_TERMINAL_DROP = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")


def for_terminal(value: Any, *, markup: bool = True) -> str:
    """``value`` as text safe to print: no escape sequences, no control or bidi-override
    characters, line breaks kept; rich markup escaped unless ``markup`` is False."""
    text = _TERMINAL_DROP.sub("", _ANSI.sub("", str(value))).replace("\r", "")
    if markup:
        from rich.markup import escape

        text = escape(text)
    return text


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text that starts like a formula gets a leading
    apostrophe (numbers, including negative ones, are left alone); control characters other
    than tab and line breaks are dropped."""
    if not isinstance(value, str):
        return value
    text = _TERMINAL_DROP.sub("", value)
    if text.startswith(FORMULA_START):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def csv_row(values: list[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: Any) -> Any:
    """Text without the characters XML 1.0 forbids (other values unchanged)."""
    if isinstance(value, str):
        return _XML_ILLEGAL.sub("", value)
    return value


# ------------------------------------------------------------------------------ formats

def jsonld_problems(data: Any) -> list[str]:
    """What in a parsed JSON-LD document would make a processor fetch a URL or read a
    file: a context given as an IRI (``"@context": "https://..."`` or ``"file:///..."``,
    alone or in a list, at any depth, scoped contexts included) or an ``@import``. Also IRIs
    with spaces in ``@id``, which processors drop without a word."""
    problems: list[str] = []
    stack = [data]
    while stack:
        v = stack.pop()
        if isinstance(v, list):
            stack.extend(v)
            continue
        if not isinstance(v, dict):
            continue
        for key, item in v.items():
            if key == "@context":
                for ctx in item if isinstance(item, list) else [item]:
                    if isinstance(ctx, str):
                        problems.append(f"remote or file context {ctx[:200]!r} is not "
                                        "fetched: put the context in the file itself")
            elif key == "@import":
                problems.append(f"@import {str(item)[:200]!r} is not fetched: put the "
                                "context in the file itself")
            elif key == "@id" and isinstance(item, str) and re.search(r"\s", item):
                problems.append(f"IRI {item[:200]!r} contains a space or other white space: "
                                "IRIs cannot (encode it as %20, or use an id without spaces)")
            if isinstance(item, dict | list):
                stack.append(item)
    return problems


def xml_entity_problems(text: str, limit: int = XML_ENTITY_CHARS) -> list[str]:
    """Entity declarations an XML file may not use: external or parameter entities (a
    reader would open other files or URLs) and internal ones that could expand past
    ``limit`` characters (a "billion laughs"). Only the prolog is read (expat, stopped at
    the first element), so this costs nothing on a large file."""
    import xml.parsers.expat as expat

    class _Stop(Exception):
        pass

    problems: list[str] = []
    values: dict[str, str] = {}

    def entity(name: str, is_param: int, value: str | None, base: Any, system_id: str | None,
               public_id: str | None, notation: str | None) -> None:
        if is_param:
            problems.append(f"parameter entity %{name}; is not allowed")
        elif value is None:
            problems.append(f"external entity &{name}; ({system_id or public_id}) is not "
                            "allowed: qmsgraph reads no file or URL the input names")
        else:
            values[name] = value

    def doctype(name: str, system_id: str | None, public_id: str | None, internal: int
                ) -> None:
        if system_id or public_id:
            problems.append(f"an external DTD ({system_id or public_id}) is not allowed")

    def stop(*_: Any) -> None:
        raise _Stop

    p = expat.ParserCreate()
    p.EntityDeclHandler = entity
    p.StartDoctypeDeclHandler = doctype
    p.EndDoctypeDeclHandler = stop
    p.StartElementHandler = stop
    try:
        p.Parse(text, True)
    except _Stop:
        pass
    except expat.ExpatError as err:
        return [f"malformed XML at line {err.lineno}: {expat.ErrorString(err.code)}"]
    if problems or not values:
        return problems
    ref = re.compile(r"&([A-Za-z_:][\w.:-]*);")
    sizes: dict[str, int] = {}

    def size(name: str, seen: tuple[str, ...]) -> int:
        if name in seen:
            raise ValueError(f"entity &{name}; refers to itself")
        if name not in sizes:
            value = values.get(name, "")
            sizes[name] = len(ref.sub("", value)) + sum(
                size(r, (*seen, name)) for r in ref.findall(value))
        return sizes[name]

    try:
        largest = max(size(n, ()) for n in values)
    except ValueError as err:
        return [str(err)]
    bound = largest * text.count("&")
    if largest > limit or bound > 10 * limit:
        return [f"entity expansion could reach {bound:,} characters (one entity expands to "
                f"{largest:,}); the limit is {limit:,}"]
    return []
