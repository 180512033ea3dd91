"""HS256 JSON Web Tokens with PyJWT, against the platform's signing key set.

`JWT_SIGNING_KEY` holds a key set (apps/jwt-rotation/jwt_rotation/keyset.py writes and rotates it): keys with a
`kid`, exactly one marked `sign`, the others verify-only. Tokens carry their `kid` in the header; a token is
verified only with the key its `kid` names, so rotating the set never rejects a live token, and a `kid` the set
does not know is refused.

The same strictness as the hand-written verifier this replaced: the algorithm is pinned to HS256 (the header's
`alg` is checked and PyJWT is given only HS256, so `none` or an RSA/HMAC confusion cannot slip through), the
token must be strict base64url, `exp` is required, numeric and finite, `sub` names the trader, and the clock
skew tolerated is LEEWAY_SECONDS. Error messages never include the token or a key.
"""
from __future__ import annotations

import base64
import binascii
import functools
import json
import math
import re
import time
from dataclasses import dataclass

import jwt as pyjwt

ALGORITHM = "HS256"
LEEWAY_SECONDS = 30  # clock skew tolerated between the issuer and the services
MIN_KEY_BYTES = 32   # RFC 7518 section 3.2: an HS256 key of at least the hash's size
SIGN, VERIFY = "sign", "verify"
# RFC 7515 base64url without padding, three parts. PyJWT's decoder, like the standard library's, skips characters
# outside its alphabet and accepts `=`, so many spellings would verify as one token: only this form is accepted.
_COMPACT = re.compile(r"[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")


class TokenError(ValueError):
    """The token is not acceptable; the message says why without repeating it."""


class KeySetError(ValueError):
    """JWT_SIGNING_KEY is not a usable key set; the message never includes key material."""


@dataclass(frozen=True)
class KeySet:
    signing_kid: str
    keys: dict[str, bytes]  # kid -> HMAC key, the signing key included

    @property
    def material(self) -> tuple[str, ...]:
        """The keys as the secret holds them (base64url), for the logger to redact."""
        return tuple(base64.urlsafe_b64encode(k).rstrip(b"=").decode("ascii") for k in self.keys.values())


def _secret(text: object) -> bytes | None:
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) >= MIN_KEY_BYTES else None


@functools.lru_cache(maxsize=8)
def load_keys(text: str) -> KeySet:
    """The key set in `text` (JSON); KeySetError saying what is wrong otherwise. Cached: a task reads one set."""
    try:
        body = json.loads(text)
    except ValueError:
        raise KeySetError("JWT_SIGNING_KEY is not a JSON key set") from None
    entries = body.get("keys") if isinstance(body, dict) else None
    if not isinstance(entries, list) or not entries:
        raise KeySetError("JWT_SIGNING_KEY must be a JSON object with a non-empty list 'keys'")
    keys: dict[str, bytes] = {}
    signing = []
    for index, entry in enumerate(entries):
        kid = entry.get("kid") if isinstance(entry, dict) else None
        secret = _secret(entry.get("secret")) if isinstance(entry, dict) else None
        use = entry.get("use") if isinstance(entry, dict) else None
        if not isinstance(kid, str) or not kid or secret is None or use not in (SIGN, VERIFY) or kid in keys:
            raise KeySetError(f"JWT_SIGNING_KEY key {index} needs a unique kid, a base64url secret of at least "
                              f"{MIN_KEY_BYTES} bytes and use {SIGN!r} or {VERIFY!r}")
        keys[kid] = secret
        if use == SIGN:
            signing.append(kid)
    if len(signing) != 1:
        raise KeySetError(f"JWT_SIGNING_KEY marks {len(signing)} keys {SIGN!r}; exactly one must be")
    return KeySet(signing[0], keys)


def encode(claims: dict, keys: KeySet) -> str:
    """A token signed with the set's signing key, naming it in its `kid` header."""
    return pyjwt.encode(claims, keys.keys[keys.signing_kid], algorithm=ALGORITHM, headers={"kid": keys.signing_kid})


def verify(token: str, keys: KeySet, now: float | None = None) -> dict:
    """The claims of a valid token; raises TokenError otherwise. `kid`, `sub` (the trader) and `exp` are
    required."""
    if token.count(".") != 2:
        raise TokenError("malformed token: expected three dot-separated parts")
    if not _COMPACT.fullmatch(token):
        raise TokenError("malformed token: a part is not base64url-encoded JSON")
    try:
        header = pyjwt.get_unverified_header(token)
    except pyjwt.DecodeError:
        raise TokenError("malformed token: a part is not base64url-encoded JSON") from None
    except pyjwt.InvalidTokenError:  # PyJWT refuses a kid that is not a string while reading the header
        raise TokenError("the token names no key (kid header)") from None
    if header.get("alg") != ALGORITHM:
        raise TokenError(f"unsupported token algorithm; only {ALGORITHM} is accepted")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TokenError("the token names no key (kid header)")
    if kid not in keys.keys:
        raise TokenError("the token's key id (kid) is not in this service's key set")
    try:
        # exp is checked below, more strictly than PyJWT does (it takes "123" and True as times, and fails
        # on an infinite one with OverflowError); PyJWT checks nbf and iat when present, with the same leeway.
        claims = pyjwt.decode(token, keys.keys[kid], algorithms=[ALGORITHM], leeway=LEEWAY_SECONDS,
                              options={"verify_exp": False})
    except pyjwt.InvalidSignatureError:
        raise TokenError("invalid token signature") from None
    except pyjwt.DecodeError:
        raise TokenError("malformed token: the claims are not a JSON object") from None
    except pyjwt.InvalidTokenError as error:
        raise TokenError(f"invalid token: {type(error).__name__}") from None
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
