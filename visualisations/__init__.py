"""Interactive system maps and the Board summary page: self-contained HTML (pyvis /
vis-network inlined, nothing fetched from another host).

* :func:`render_map` - the system, a unit, a golden thread, a goal's contributors, findings.
* :func:`render_board` - the Board summary: findings per rule and per unit, SPC icons of
  each goal's measures, every item linking to its place on the map.
* :func:`~qmsgraph.visualisations.routes.map_router` - ``GET /map`` and ``GET /board``.
* :func:`~qmsgraph.visualisations.commands.register` - ``qmsgraph map`` and ``qmsgraph board``.

See docs/maps.md.
"""

from .board import render_board
from .maps import CLUSTER_THRESHOLD, map_data, render_map
from .views import VIEWS, build_view

__all__ = ["CLUSTER_THRESHOLD", "VIEWS", "build_view", "map_data", "render_board",
           "render_map"]
