"""Browser sign-in: ``/login`` turns an API key into a session cookie, so a Board member
opens ``/board`` and ``/map`` in a plain browser (no header to set).

* ``GET /login`` shows a form; ``POST /login`` (form: ``api_key``, ``csrf``, ``next``) checks
  the key like any API request and sets ``qmsgraph_session``: a random 256-bit token,
  ``HttpOnly``, ``SameSite=Strict``, ``Path=/``, ``Secure`` when the request came over TLS,
  with ``Max-Age`` the session's lifetime. Only the token's SHA-256 is kept, in memory: a
  restart signs everyone out.
* A session lasts :data:`DEFAULT_TTL` seconds from sign-in (absolute expiry), ends at
  ``POST /logout``, and ends at once when its key is revoked (the key is checked on every
  request).
* **CSRF**: every form that writes carries a token. The login form's token is a
  double-submit cookie (``qmsgraph_csrf``, set with the form); a session has its own token,
  which the logout form carries and which any other write made with the session cookie
  (``POST``, ``PUT``, ``PATCH``, ``DELETE`` to the API) must send as ``X-CSRF-Token``.
  Requests with an API key header are not cookie-authenticated and need no token.
* A browser (``Accept: text/html``) that asks for a page without a session is redirected to
  ``/login?next=<page>``; API clients still get 401 problem+json.

Single sign-on: see docs/api.md ("Signing in from a browser").
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .keys import Role

COOKIE = "qmsgraph_session"
CSRF_COOKIE = "qmsgraph_csrf"
DEFAULT_TTL = 8 * 3600
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Session:
    key_id: str
    name: str
    role: Role
    csrf: str
    expires: float


class LoginRedirect(Exception):
    """A browser asked for a page without a session: send it to the sign-in form."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    """Sessions by the SHA-256 of their token; thread-safe; expired ones dropped on sight."""

    def __init__(self, ttl: int = DEFAULT_TTL) -> None:
        self.ttl = ttl
        self._by_digest: dict[str, Session] = {}
        self._lock = threading.Lock()

    def create(self, key_id: str, name: str, role: Role) -> tuple[str, Session]:
        token = secrets.token_urlsafe(32)
        s = Session(key_id, name, role, secrets.token_urlsafe(32), time.time() + self.ttl)
        with self._lock:
            now = time.time()
            for d in [d for d, x in self._by_digest.items() if x.expires <= now]:
                del self._by_digest[d]
            self._by_digest[_digest(token)] = s
        return token, s

    def get(self, token: str | None) -> Session | None:
        if not token or len(token) > 200:
            return None
        d = _digest(token)
        with self._lock:
            s = self._by_digest.get(d)
            if s is not None and s.expires <= time.time():
                del self._by_digest[d]
                return None
        return s

    def end(self, token: str | None) -> None:
        if token:
            with self._lock:
                self._by_digest.pop(_digest(token), None)

    def __len__(self) -> int:
        with self._lock:
            return sum(1 for s in self._by_digest.values() if s.expires > time.time())


def sessions(request: Request) -> SessionStore:
    return request.app.state.sessions


def current_session(request: Request) -> Session | None:
    """The request's live session, or None (no cookie, unknown, expired or revoked key)."""
    store: SessionStore | None = getattr(request.app.state, "sessions", None)
    if store is None:
        return None
    token = request.cookies.get(COOKIE)
    s = store.get(token)
    if s is None:
        return None
    from .state import state

    try:
        info = state(request).keys.get(s.key_id)
    except Exception:  # noqa: BLE001 - the key is gone: so is the session
        info = None
    if info is None or not info.active:
        store.end(token)
        return None
    return s


def wants_html(request: Request) -> bool:
    return request.method == "GET" and "text/html" in request.headers.get("accept", "")


def session_principal(request: Request) -> tuple[str, str, Role] | None:
    """(key id, name, role) of a cookie session, with the CSRF check for writes; raises
    :class:`LoginRedirect` for a browser asking for a page without one."""
    from .problems import ProblemException

    s = current_session(request)
    if s is None:
        if wants_html(request):
            raise LoginRedirect(request.url.path + (f"?{request.url.query}"
                                                   if request.url.query else ""))
        return None
    if request.method not in SAFE_METHODS:
        sent = request.headers.get("x-csrf-token", "")
        if not hmac.compare_digest(sent.encode(), s.csrf.encode()):
            raise ProblemException(403, "a write made with a session cookie needs the "
                                   "session's CSRF token in 'X-CSRF-Token'")
    return s.key_id, s.name, s.role


def _safe_next(target: str | None) -> str:
    """Only a path on this site: no scheme, no host, no '//' (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/board"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/board"
    return target


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _page(request: Request, *, error: str | None = None, next_: str = "/board",
          status: int = 200, csrf: str | None = None) -> HTMLResponse:
    from qmsgraph.visualisations.page import CSP, render

    token = csrf or secrets.token_urlsafe(32)
    html = render("login.html", title="Sign in", error=error, next=next_, csrf=token,
                  signed_in=current_session(request))
    resp = HTMLResponse(html, status_code=status, headers={
        "Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
        "X-Frame-Options": "DENY"})
    resp.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict",
                    secure=_secure(request), path="/login", max_age=3600)
    return resp


def login_router() -> APIRouter:
    router = APIRouter(tags=["sign-in"], include_in_schema=False)

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str | None = None) -> Response:  # noqa: A002
        return _page(request, next_=_safe_next(next))

    @router.post("/login", response_class=HTMLResponse)
    def login(request: Request, api_key: str = Form(""), csrf: str = Form(""),
              next: str = Form("/board")) -> Response:  # noqa: A002
        from .state import state

        target = _safe_next(next)
        cookie = request.cookies.get(CSRF_COOKIE, "")
        if not cookie or not hmac.compare_digest(cookie.encode(), csrf.encode()):
            return _page(request, error="The form has expired or did not come from this "
                         "site. Please try again.", next_=target, status=403)
        info = state(request).keys.verify(api_key.strip()) if api_key else None
        if info is None:
            return _page(request, error="That key is not valid (unknown, mistyped or "
                         "revoked).", next_=target, status=401)
        token, _ = sessions(request).create(info.id, info.name, info.role)
        resp = RedirectResponse(target, status_code=303)
        resp.set_cookie(COOKIE, token, httponly=True, samesite="strict",
                        secure=_secure(request), path="/", max_age=sessions(request).ttl)
        resp.delete_cookie(CSRF_COOKIE, path="/login")
        return resp

    @router.post("/logout")
    def logout(request: Request, csrf: str = Form("")) -> Response:
        s = current_session(request)
        if s is not None and not hmac.compare_digest(s.csrf.encode(), csrf.encode()):
            return _page(request, error="Sign-out needs the form from this site.",
                         status=403)
        sessions(request).end(request.cookies.get(COOKIE))
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(COOKIE, path="/")
        return resp

    return router


def install(app: FastAPI, ttl: int = DEFAULT_TTL) -> None:
    """Sessions, the sign-in routes and the browser redirect."""
    app.state.sessions = SessionStore(ttl)
    app.include_router(login_router())

    @app.exception_handler(LoginRedirect)
    async def _to_login(request: Request, exc: LoginRedirect) -> Response:
        return RedirectResponse("/login?next=" + quote(exc.target, safe="/"), status_code=303)


def account(request: Request) -> dict[str, Any] | None:
    """What a served page shows in its header: who is signed in, and the sign-out token."""
    s = current_session(request)
    return None if s is None else {"name": s.name, "role": s.role, "csrf": s.csrf}
