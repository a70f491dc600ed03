"""qmsgraph's HTTP API (FastAPI), installed as ``qmsgraph.api``.

A thin layer over the library for planners and QI hubs: the model (nodes, edges, import and
export), the alignment questions, SPC of measures, and API keys. Build the app with
:func:`qmsgraph.api.app.create_app`; run it with ``qmsgraph serve``. See ``docs/api.md``.
"""
