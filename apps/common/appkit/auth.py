"""The trader behind a request: a `Bearer` HS256 token signed with the platform's JWT signing key."""
from __future__ import annotations

from collections.abc import Mapping

from appkit import jwt
from appkit.web import HttpError


def trader(headers: Mapping[str, str], key: str) -> str:
    """The token's `sub`; HttpError(401) naming what is wrong (never echoing the token) otherwise."""
    header = headers.get("Authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HttpError(401, "send the trader's token as 'Authorization: Bearer <token>'")
    try:
        return jwt.verify(token.strip(), key)["sub"]
    except jwt.TokenError as error:
        raise HttpError(401, str(error)) from None
