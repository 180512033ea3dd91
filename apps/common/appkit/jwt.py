"""HS256 JSON Web Tokens with the standard library: sign, and verify signature, algorithm and expiry.

Only HS256 is accepted: the header's `alg` is checked against it, so `none` or an RSA/HMAC confusion cannot
slip through. Error messages never include the token or the key.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import re
import time

ALGORITHM = "HS256"
LEEWAY_SECONDS = 30  # clock skew tolerated between the issuer and the services
# RFC 7515 base64url without padding. The standard library's decoder skips characters outside its alphabet and
# accepts `+`, `/` and `=`, so many spellings would verify as one token: only this alphabet is accepted.
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


class TokenError(ValueError):
    """The token is not acceptable; the message says why without repeating it."""


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    """Raises ValueError (binascii.Error for an impossible length) unless `text` is strict base64url."""
    if not _BASE64URL.fullmatch(text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(signing_input: bytes, key: str) -> bytes:
    return hmac.new(key.encode("utf-8"), signing_input, hashlib.sha256).digest()


def encode(claims: dict, key: str) -> str:
    header = _b64encode(json.dumps({"alg": ALGORITHM, "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64encode(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    return f"{header}.{payload}.{_b64encode(_sign(signing_input, key))}"


def verify(token: str, key: str, now: float | None = None) -> dict:
    """The claims of a valid token; raises TokenError otherwise. `sub` (the trader) and `exp` are required."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("malformed token: expected three dot-separated parts")
    try:
        header = json.loads(_b64decode(parts[0]))
        claims = json.loads(_b64decode(parts[1]))
        signature = _b64decode(parts[2])
    except ValueError:
        raise TokenError("malformed token: a part is not base64url-encoded JSON") from None
    if not isinstance(header, dict) or header.get("alg") != ALGORITHM:
        raise TokenError(f"unsupported token algorithm; only {ALGORITHM} is accepted")
    expected = _sign(f"{parts[0]}.{parts[1]}".encode("ascii"), key)
    if not hmac.compare_digest(signature, expected):
        raise TokenError("invalid token signature")
    if not isinstance(claims, dict):
        raise TokenError("malformed token: the claims are not a JSON object")
    now = time.time() if now is None else now
    exp = claims.get("exp")
    # JSON parsing accepts Infinity and NaN: either would make a token that never expires.
    if isinstance(exp, bool) or not isinstance(exp, (int, float)) or not math.isfinite(exp):
        raise TokenError("the token has no finite numeric exp claim")
    if exp + LEEWAY_SECONDS < now:
        raise TokenError("the token has expired")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise TokenError("the token has no sub claim naming the trader")
    return claims
