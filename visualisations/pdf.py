"""The Board page as a PDF through headless Chromium (``qmsgraph board --pdf``).

Chromium prints the written HTML page with its print stylesheet (``@page { size: A4
landscape }``, rows never cut across pages: ``board.css``) - the same rendering a Board
member gets from the browser's own "Print". No Python package is needed: the browser is run
as a program (``--print-to-pdf``), with a throw-away profile and no network use beyond the
local file (the page links nothing: see :mod:`.page`).

The browser is ``chromium`` argument, else ``QMSGRAPH_CHROMIUM``, else the first of
``chromium``, ``chromium-browser``, ``google-chrome`` on the PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from qmsgraph.errors import QMSGraphError

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 180


class PdfError(QMSGraphError):
    """The PDF could not be printed (no browser, or the browser failed)."""


def find_chromium(chromium: str | None = None) -> str:
    wanted = chromium or os.environ.get("QMSGRAPH_CHROMIUM")
    if wanted:
        found = shutil.which(wanted)
        if not found:
            raise PdfError(f"no Chromium at {wanted!r} (--chromium / QMSGRAPH_CHROMIUM)")
        return found
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError("--pdf needs Chromium or Chrome: none of " + ", ".join(NAMES) + " is on "
                   "the PATH (install the 'chromium' package, or name the browser with "
                   "--chromium or QMSGRAPH_CHROMIUM)")


def print_pdf(html: Path, pdf: Path, chromium: str | None = None) -> Path:
    """Print the page ``html`` (a file) to ``pdf`` with headless Chromium; returns ``pdf``."""
    exe = find_chromium(chromium)
    pdf = pdf.resolve()
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="qmsgraph-pdf-") as profile:
        args = [exe, "--headless=new", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", f"--user-data-dir={profile}",
                "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                html.resolve().as_uri()]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to sandbox as root
        if pdf.exists():
            pdf.unlink()
        try:
            done = subprocess.run(args, capture_output=True, text=True,  # noqa: S603
                                  timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(f"Chromium did not print {html} within {TIMEOUT} s") from None
    if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        tail = (done.stderr or "").strip().splitlines()[-3:]
        raise PdfError(f"Chromium could not print {html} to {pdf} (exit "
                       f"{done.returncode}): {' '.join(tail)}")
    return pdf
