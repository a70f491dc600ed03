"""Authentication (API keys) and authorisation (roles) as FastAPI dependencies.

A request carries its key as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``, or,
from a browser, the session cookie that ``/login`` gave for a key (:mod:`.sessions`).
Roles are ordered: ``viewer`` (read) < ``planner`` (write the model) < ``admin`` (manage
keys), and a higher role may do what a lower one may. Use the dependency on any route::

    @router.get("/map", dependencies=[Depends(require_role("viewer"))])

or take the caller with ``who: Principal = Depends(require_role("planner"))``.
Missing or bad credentials give 401 (with ``WWW-Authenticate``); a role too low gives 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from fastapi import Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from .keys import RANK, ROLES, Role
from .problems import ProblemException
from .state import state

bearer_scheme = HTTPBearer(
    auto_error=False, scheme_name="bearer",
    description="An API key as a bearer token: `Authorization: Bearer qmsk_...`.")
api_key_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, scheme_name="apiKey",
    description="An API key in the `X-API-Key` header.")

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="qmsgraph"'}


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, name (recorded as the agent of changes) and role."""

    key_id: str
    name: str
    role: Role

    def can(self, role: Role) -> bool:
        return RANK[self.role] >= RANK[role]


def authenticate(request: Request, bearer: HTTPAuthorizationCredentials | None,
                 api_key: str | None) -> Principal:
    key = bearer.credentials if bearer is not None else api_key
    if not key:  # a browser's session cookie (api/sessions.py), else 401
        from .sessions import session_principal

        who = session_principal(request)
        if who is not None:
            return Principal(key_id=who[0], name=who[1], role=who[2])
        raise ProblemException(401, "an API key is needed: send 'Authorization: Bearer <key>' "
                               "or 'X-API-Key: <key>'", headers=CHALLENGE)
    info = state(request).keys.verify(key.strip())
    if info is None:
        raise ProblemException(401, "the API key is not valid (unknown, malformed or revoked)",
                               headers={"WWW-Authenticate": 'Bearer realm="qmsgraph", '
                                        'error="invalid_token"'})
    return Principal(key_id=info.id, name=info.name, role=info.role)


def check_key(request: Request) -> ProblemException | None:
    """The 401 a request's credentials earn, or None if they name an active key (for
    errors raised before the route's own check, such as a malformed body)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    bearer = (HTTPAuthorizationCredentials(scheme=scheme, credentials=token.strip())
              if scheme.lower() == "bearer" and token.strip() else None)
    try:
        authenticate(request, bearer, request.headers.get("x-api-key"))
    except ProblemException as err:
        return err
    return None


@cache
def require_role(role: Role) -> Callable[..., Principal]:
    """A dependency that authenticates the caller and checks they have at least ``role``."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")

    async def dependency(request: Request,
                         bearer: HTTPAuthorizationCredentials | None = Security(bearer_scheme),
                         api_key: str | None = Security(api_key_scheme)) -> Principal:
        # async: run on the event loop, not in a worker thread (a verified key is a hash
        # and a dict look-up; see KeyStore.verify) - one thread hop less per request
        who = authenticate(request, bearer, api_key)
        if not who.can(role):
            raise ProblemException(403, f"this needs the {role} role; the key "
                                   f"{who.name!r} has the {who.role} role")
        request.state.principal = who
        return who

    dependency.__name__ = f"require_{role}"
    return dependency
