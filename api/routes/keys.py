"""API keys, for admins: list, create (the key is shown once), revoke."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from ..auth import Principal, require_role
from ..deps import AUTH_ERRORS, CONFLICT, INVALID, NOT_FOUND
from ..schemas import KeyCreate, KeyCreated, KeyOut
from ..state import AppState, state

router = APIRouter(prefix="/keys", tags=["keys"], responses=AUTH_ERRORS)
Admin = Annotated[Principal, Depends(require_role("admin"))]
State = Annotated[AppState, Depends(state)]
KeyId = Annotated[str, Path(pattern=r"^[0-9a-f]{12}$", description="The key's id.",
                            examples=["3f2a9c0b1d4e"])]


@router.get("", response_model=list[KeyOut], summary="List API keys")
def list_keys(st: State, _: Admin) -> list[dict[str, Any]]:
    """Every key, revoked ones included (never the keys themselves: only hashes are kept)."""
    return [asdict(k) for k in st.keys.list()]


@router.post("", status_code=201, response_model=KeyCreated, summary="Create an API key",
             responses={**CONFLICT, **INVALID})
def create_key(st: State, _: Admin, body: KeyCreate) -> dict[str, Any]:
    """A new key for a person or a system. The response holds the key: it is shown once."""
    info, key = st.keys.create(body.name, body.role)
    return {**asdict(info), "key": key}


@router.delete("/{key_id}", status_code=204, response_class=Response,
               summary="Revoke an API key", responses={**NOT_FOUND, **CONFLICT, **INVALID})
def revoke_key(st: State, _: Admin, key_id: KeyId) -> Response:
    """The key stops working at once. Its record stays, marked revoked. The last active
    admin key cannot be revoked (409)."""
    st.keys.get(key_id)
    st.keys.revoke(key_id)
    return Response(status_code=204)
