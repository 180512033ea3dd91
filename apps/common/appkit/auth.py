"""The trader behind a request: a `Bearer` HS256 token signed with a key of the platform's JWT key set."""
from __future__ import annotations

from collections.abc import Mapping

from appkit import jwt
from appkit.web import HttpError


def trader(headers: Mapping[str, str], key_set: str) -> str:
    """The token's `sub`; HttpError(401) naming what is wrong (never echoing the token) otherwise. `key_set` is
    JWT_SIGNING_KEY as ECS injects it (settings refuse to start serving when it is not a key set)."""
    header = headers.get("Authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HttpError(401, "send the trader's token as 'Authorization: Bearer <token>'")
    try:
        return jwt.verify(token.strip(), jwt.load_keys(key_set))["sub"]
    except jwt.TokenError as error:
        raise HttpError(401, str(error)) from None
