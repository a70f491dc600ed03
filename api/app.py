"""The FastAPI application: :func:`create_app` builds it around a store and settings."""

from __future__ import annotations

import os
from importlib.resources import files
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from qmsgraph import __version__
from qmsgraph.alignment import AlignmentConfig, load_config
from qmsgraph.stores import Store
from qmsgraph.visualisations.routes import map_router

from . import sessions
from .auth import require_role
from .caching import ETags
from .deps import AUTH_ERRORS
from .keys import KeyStore
from .problems import PROBLEM_JSON, BodyLimit, CatchAll, Problem, install, known_query_only
from .routes import alignment, edges, exchange, hub, measures, nodes, questions
from .routes import keys as keys_routes
from .schemas import Health, Ready
from .settings import Settings, is_server_store
from .state import AppState, Writes, read_store

DESCRIPTION = """\
qmsgraph maps a health and care organisation's Quality Management System as a knowledge
graph. This API lets planners edit the model and ask the alignment questions (the golden
thread from Board to floor), and lets QI hubs check proposed projects.

**Authentication**: every request except `/health`, `/ready` and these docs needs an API key, as
`Authorization: Bearer <key>` or `X-API-Key: <key>`. Roles: *viewer* (read), *planner*
(write the model), *admin* (manage keys). Create the first key with
`qmsgraph keys create --name NAME --role admin`.

**Concurrency**: `GET /nodes/{id}` returns an `ETag`; `PUT`, `PATCH` and `DELETE` of a node
need it in `If-Match` (428 without it, 412 if someone changed the node meanwhile).

**Errors** are `application/problem+json` (RFC 9457) with `field` and `errors` naming what
is wrong, down to the file and line or row of an import.
"""

TAGS = [
    {"name": "nodes", "description": "The model's nodes, checked against the ontology."},
    {"name": "edges", "description": "Typed relations between nodes."},
    {"name": "import and export", "description": "Whole files in one transaction; the "
     "whole graph out."},
    {"name": "alignment", "description": "The golden thread, findings and portfolio views."},
    {"name": "measures", "description": "Statistical process control of measures."},
    {"name": "keys", "description": "API keys (admin)."},
    {"name": "maps", "description": "Interactive system maps and the Board page (HTML)."},
    {"name": "service", "description": "Health check."},
]
STATIC = files("qmsgraph.api") / "static"


def create_app(store: Store, settings: Settings | None = None, *,
               config: AlignmentConfig | None = None,
               keys: KeyStore | None = None) -> FastAPI:
    """The API over ``store``. The caller owns the store and closes it.

    ``config`` (alignment thresholds) defaults to ``settings.config``'s TOML file;
    ``keys`` defaults to the keys file the settings name.
    """
    settings = settings or Settings(store=getattr(store, "url", "") or "qmsgraph.qmsdb")
    state = AppState(store=store, settings=settings,
                     keys=keys or KeyStore(settings.keys_file),
                     config=config or load_config(settings.config),
                     writes=Writes(wait=getattr(store, "lock_timeout", 30.0)))
    app = FastAPI(title="qmsgraph API", version=__version__, description=DESCRIPTION,
                  openapi_tags=TAGS, docs_url=None, redoc_url=None,
                  swagger_ui_oauth2_redirect_url=None,
                  dependencies=[Depends(known_query_only)])
    app.state.qmsgraph = state
    install(app)
    sessions.install(app)  # /login, /logout, session cookies for the pages

    kind = "server" if is_server_store(settings.store) else "embedded"

    @app.get("/health", response_model=Health, tags=["service"], summary="Health check")
    async def health() -> dict[str, Any]:
        """Is the service up? Answered from memory on the event loop - no query, no lock,
        no worker thread - so it answers at once however busy the server is. ``nodes`` and
        ``revision`` are those of the snapshot in memory (None for a server store).
        (No API key needed.)"""
        return {"status": "ok", "version": __version__, "store": kind,
                **state.store.health()}

    @app.get("/ready", response_model=Ready, tags=["service"], summary="Readiness check",
             responses={503: {"model": Problem, "description": "The store cannot be read."}})
    def ready() -> dict[str, Any]:
        """Is the store open and this process current with it? It catches up with every
        commit made anywhere and answers the revision it serves (503 if the store cannot
        be read). For a load balancer's or orchestrator's readiness probe; `/health` is the
        liveness probe. (No API key needed.)"""
        revision = state.store.revision()
        return {"status": "ready", "store": kind, "revision": revision, "worker": os.getpid(),
                **{k: v for k, v in state.store.health().items() if k != "revision"}}

    for module in (nodes, edges, exchange, alignment, hub, measures, questions, keys_routes):
        app.include_router(module.router)
    # The maps (qmsgraph.visualisations): GET /map and /board, for viewers.
    app.include_router(map_router(read_store, require_role("viewer"), config=state.config,
                                  account=sessions.account),
                       responses=AUTH_ERRORS)

    if settings.docs:
        _docs(app)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    app.add_middleware(CatchAll)
    app.add_middleware(ETags)
    app.add_middleware(BodyLimit, max_body=settings.max_body)
    return app


def from_env() -> FastAPI:
    """The app as ``qmsgraph serve --workers N`` runs it in each worker process: settings
    from the environment (``QMSGRAPH_*``), its own store connection, closed at exit."""
    import atexit

    from qmsgraph.stores import open_store

    settings = Settings.from_env()
    if os.environ.get("QMSGRAPH_DOCS") == "0":
        settings = settings.with_(docs=False)
    store = open_store(settings.store, lock_timeout=settings.lock_timeout)
    app = create_app(store, settings)
    atexit.register(store.close)
    atexit.register(app.state.qmsgraph.keys.close)
    return app


def _docs(app: FastAPI) -> None:
    """Swagger UI served from this package (api/static): the docs work offline."""
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    page = get_swagger_ui_html(
        openapi_url="/openapi.json", title="qmsgraph API",
        swagger_js_url="/static/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger-ui.css",
        swagger_favicon_url="/static/favicon-32x32.png",
        swagger_ui_parameters={"persistAuthorization": True, "validatorUrl": None})
    headers = docs_headers(page.body.decode("utf-8"))

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(page.body, headers=headers)


def docs_headers(html: str) -> dict[str, str]:
    """A strict Content-Security-Policy for the docs page (its scripts from this server,
    its one inline script allowed by hash, no framing), and the usual hardening headers."""
    import base64
    import hashlib
    import re

    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in re.findall(r"<script>(.*?)</script>", html, flags=re.S))
    csp = ("default-src 'none'; script-src 'self' " + hashes + "; style-src 'self' "
           "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; "
           "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
    return {"Content-Security-Policy": csp, "X-Frame-Options": "DENY",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with every error as problem+json (422 included)."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(title=app.title, version=app.version, description=app.description,
                      routes=app.routes, tags=app.openapi_tags)
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for path in doc.get("paths", {}).values():
        for op in path.values():
            op.setdefault("responses", {}).setdefault("400", {
                "description": "An unknown query parameter (named in `field` and `errors`)."})
            if "428" in op.get("responses", {}):
                # the header is optional to FastAPI so that its absence is a 428, not a 422
                for param in op.get("parameters", []):
                    if param["in"] == "header" and param["name"].lower() == "if-match":
                        param["required"] = True
                        param["schema"] = {"type": "string", "minLength": 1}
            for code, resp in op.get("responses", {}).items():
                if code.isdigit() and int(code) >= 400:
                    resp["content"] = {PROBLEM_JSON: {"schema": problem_ref}}
                    if code == "401":
                        resp["headers"] = {"WWW-Authenticate": {
                            "description": "The authentication scheme to use.",
                            "schema": {"type": "string"}}}
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    app.openapi_schema = doc
    return doc
