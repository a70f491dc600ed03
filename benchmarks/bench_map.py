# Run:  .venv/bin/python -m benchmarks.bench_map            (5,000 nodes, median of 3 runs)
#       .venv/bin/python -m benchmarks.bench_map --nodes 20000 --runs 3   (issue 13's 20k aim)
#       .venv/bin/python -m benchmarks.bench_map --graph synth      (tests/visualisations/synth)
"""How long a 5,000-node system map takes to become interactive in headless Chromium.

"Interactive" is measured in the page: from navigation start (``performance.timeOrigin``)
to the first ``afterDrawing`` event of the vis-network, i.e. the moment the whole map
(JSON parsed, DataSets and network built, first frame drawn) is on screen and answers the
mouse. ``window.qmsgraphMap.firstDrawMs`` records it (``performance.now()`` at that event).
Each run opens the file in a fresh browser page; the median of ``--runs`` runs is printed.

The peer, measured in the same run on the same graph, is the same map with clustering off
(every node drawn at once); the ratio says what clustering buys. Also printed: the time to
write the HTML in Python, the page size, and the median time of one redraw after a zoom.

Needs Chromium at /usr/bin/chromium (``apt-get install chromium``) and Playwright (python).
The graph comes from benchmarks/synthetic.py (``--graph national``, the default: trusts and
health boards as the other benchmarks use) or tests/visualisations/synth.py (``--graph
synth``); both deterministic.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

FRAME_JS = """() => new Promise(resolve => {
    const net = window.qmsgraphMap.network;
    const t = performance.now();
    net.once('afterDrawing', () => resolve(performance.now() - t));
    net.moveTo({scale: net.getScale() * 1.25, animation: false});
    net.redraw();
})"""


def measure(browser, path: Path, runs: int) -> tuple[list[float], list[float], int]:
    firsts, frames = [], []
    drawn = 0
    for _ in range(runs):
        ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
        ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                  else r.abort())
        page = ctx.new_page()
        page.goto(path.as_uri())
        page.wait_for_function("window.qmsgraphMap && window.qmsgraphMap.ready === true",
                               timeout=300_000)
        firsts.append(page.evaluate("window.qmsgraphMap.firstDrawMs"))
        drawn = page.evaluate("window.qmsgraphMap.network.body.nodeIndices.length")
        frames.append(page.evaluate(FRAME_JS))
        ctx.close()
    return firsts, frames, drawn


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nodes", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--graph", choices=("national", "synth"), default="national",
                    help="national: benchmarks/synthetic.py (organisations of a health "
                    "system, as the other benchmarks); synth: tests/visualisations/synth.py")
    ap.add_argument("--no-peer", action="store_true",
                    help="skip the unclustered peer (slow at 20,000 nodes)")
    args = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from qmsgraph.alignment import audit
    from qmsgraph.visualisations import render_map
    from tests.visualisations.synth import synthetic_org

    render_map(synthetic_org(200), "system")  # warm up: templates, vis-network file
    if args.graph == "national":
        from benchmarks.synthetic import generate

        graph = generate(args.nodes, seed=0)
    else:
        graph = synthetic_org(args.nodes)
    report = audit(graph)
    out = Path(tempfile.mkdtemp(prefix="bench-map-"))
    pages = {}
    variants = [("clustered (default)", None)]
    if not args.no_peer:
        variants.append(("peer: no clustering", 10**9))
    for name, threshold in variants:
        t = time.perf_counter()
        kw = {} if threshold is None else {"cluster_threshold": threshold}
        html = render_map(graph, "system", report=report, **kw)
        gen = time.perf_counter() - t
        path = out / f"map-{'peer' if threshold else 'default'}.html"
        path.write_text(html, encoding="utf-8")
        pages[name] = (path, gen, len(html.encode()))

    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, (path, _gen, _size) in pages.items():
            results[name] = measure(browser, path, args.runs)
        browser.close()

    print(f"System map of {len(graph)} nodes, {graph.g.number_of_edges()} edges; "
          f"median of {args.runs} runs in headless Chromium")
    print(f"{'map':<22}{'drawn':>7}{'html MB':>9}{'write s':>9}{'interactive ms':>16}"
          f"{'runs ms':>24}{'redraw ms':>11}")
    medians = {}
    for name, (firsts, frames, drawn) in results.items():
        _path, gen, size = pages[name]
        medians[name] = statistics.median(firsts)
        runs = ", ".join(f"{x:.0f}" for x in firsts)
        print(f"{name:<22}{drawn:>7}{size / 1e6:>9.2f}{gen:>9.2f}{medians[name]:>16.0f}"
              f"{runs:>24}{statistics.median(frames):>11.0f}")
    a = medians["clustered (default)"]
    if "peer: no clustering" in medians:
        b = medians["peer: no clustering"]
        print(f"time to interactive, {args.nodes} nodes ({args.graph}): {a:.0f} ms (median); "
              f"peer without clustering {b:.0f} ms; ratio peer/default {b / a:.2f}x")
    else:
        print(f"time to interactive, {args.nodes} nodes ({args.graph}): {a:.0f} ms (median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
