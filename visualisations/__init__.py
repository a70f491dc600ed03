"""Interactive system maps and the Board summary page: self-contained HTML (pyvis /
vis-network inlined, nothing fetched from another host).

* :func:`render_map` - the system, a unit, a golden thread, a goal's contributors, findings.
* :func:`render_board` - the Board summary: findings per rule and per unit, SPC icons of
  each goal's measures, every item linking to its place on the map.
* :func:`~qmsgraph.visualisations.routes.map_router` - ``GET /map`` and ``GET /board``.
* :func:`~qmsgraph.visualisations.commands.register` - ``qmsgraph map`` and ``qmsgraph board``.

See docs/maps.md.
"""

from importlib import import_module
from typing import Any

_EXPORTS = {"render_board": ".board", "CLUSTER_THRESHOLD": ".maps", "map_data": ".maps",
            "render_map": ".maps", "VIEWS": "qmsgraph.alignment.views",
            "build_view": "qmsgraph.alignment.views"}

__all__ = ["CLUSTER_THRESHOLD", "VIEWS", "build_view", "map_data", "render_board",
           "render_map"]


def __getattr__(name: str) -> Any:  # loaded on first use: pyvis only when a page is drawn
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(name)
