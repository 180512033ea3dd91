"""The JWT signing key set and its two-phase rotation. Pure standard library: no AWS, no Pulumi.

The secret holds a JSON object `{"keys": [...]}`; each key has a `kid` (the id tokens carry in their header),
its `secret` (base64url, 64 random bytes), a `use` (`sign` for exactly one key, `verify` for the others) and the
`generation` that added it. A rotation:
- adds a new key, verify-only (generation g + 1);
- promotes the key added by the previous rotation (generation g) to signing;
- keeps the previous signing key (generation g - 1) verify-only, so tokens it signed stay verifiable;
- drops anything older.
So every task already verifies a key before any task signs with it, as long as the services are redeployed
between two rotations (tasks load the set when they start): tasks of consecutive sets accept each other's
tokens both ways. The apps read this format with PyJWT (apps/common/appkit/jwt.py).
"""
from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Callable
from typing import Any

SIGN, VERIFY = "sign", "verify"
KEY_BYTES = 64       # HS256 wants at least 32 bytes (RFC 7518 section 3.2); twice that costs nothing
MIN_KEY_BYTES = 32
MAX_KEYS = 3         # the previous signing key, the signing key, the next one


class KeySetError(ValueError):
    """A key set that tokens could not be signed or verified with; the message never includes key material."""


def encode_secret(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_secret(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_key(generation: int, use: str, random_bytes: Callable[[int], bytes] = secrets.token_bytes) -> dict:
    return {"kid": random_bytes(8).hex(), "secret": encode_secret(random_bytes(KEY_BYTES)), "use": use,
            "generation": generation}


def initial(random_bytes: Callable[[int], bytes] = secrets.token_bytes) -> dict:
    """The first set: a signing key, and the key the first rotation will promote (already verified by all)."""
    return {"keys": [new_key(0, SIGN, random_bytes), new_key(1, VERIFY, random_bytes)]}


def problems(keyset: Any) -> list[str]:
    """Why `keyset` cannot be used, every reason at once; empty when it is a valid set."""
    if not isinstance(keyset, dict) or not isinstance(keyset.get("keys"), list) or not keyset["keys"]:
        return ["the key set must be a JSON object with a non-empty list 'keys'"]
    found: list[str] = []
    keys = keyset["keys"]
    for index, key in enumerate(keys):
        if not isinstance(key, dict):
            found.append(f"key {index} is not an object")
            continue
        if not isinstance(key.get("kid"), str) or not key["kid"]:
            found.append(f"key {index} has no kid")
        if key.get("use") not in (SIGN, VERIFY):
            found.append(f"key {index} has use {key.get('use')!r}, not {SIGN!r} or {VERIFY!r}")
        generation = key.get("generation")
        if not isinstance(generation, int) or isinstance(generation, bool):
            found.append(f"key {index} has no integer generation")
        try:
            size = len(decode_secret(key["secret"])) if isinstance(key.get("secret"), str) else 0
        except (binascii.Error, ValueError):
            size = 0
        if size < MIN_KEY_BYTES:
            found.append(f"key {index} has no base64url secret of at least {MIN_KEY_BYTES} bytes")
    if found:
        return found
    kids = [key["kid"] for key in keys]
    if len(set(kids)) != len(kids):
        found.append("kids repeat; every key needs its own kid")
    signing = [key for key in keys if key["use"] == SIGN]
    if len(signing) != 1:
        found.append(f"{len(signing)} keys are marked {SIGN!r}; exactly one must be")
    if len(keys) > MAX_KEYS:
        found.append(f"{len(keys)} keys; a rotated set holds at most {MAX_KEYS}")
    return found


def parse(text: str) -> dict:
    """The key set in `text`, or KeySetError naming every problem."""
    try:
        keyset = json.loads(text)
    except ValueError:
        raise KeySetError("the key set is not JSON") from None
    found = problems(keyset)
    if found:
        raise KeySetError("; ".join(found))
    return keyset


def dumps(keyset: dict) -> str:
    return json.dumps(keyset, sort_keys=True, separators=(",", ":"))


def signing_key(keyset: dict) -> dict:
    return next(key for key in keyset["keys"] if key["use"] == SIGN)


def rotate(keyset: dict, random_bytes: Callable[[int], bytes] = secrets.token_bytes) -> dict:
    """The successor of a valid set: see the module docstring."""
    newest = max(key["generation"] for key in keyset["keys"])
    current = signing_key(keyset)
    promoted = next((key for key in keyset["keys"] if key["generation"] == newest and key is not current), None)
    if promoted is None:
        # A set whose newest key already signs (written by hand): its signer stays and a new key comes first,
        # so the next rotation promotes a key every task already verifies.
        return {"keys": [current, new_key(newest + 1, VERIFY, random_bytes)]}
    return {"keys": [{**current, "use": VERIFY}, {**promoted, "use": SIGN}, new_key(newest + 1, VERIFY, random_bytes)]}


def successor_problems(current: dict, pending: dict) -> list[str]:
    """Why `pending` cannot follow `current` without rejecting live tokens: tasks started with `current` must
    verify what tasks started with `pending` sign, and the reverse. Empty when it can (an unchanged set too:
    Secrets Manager tests a rotation configuration on a copy of the current value)."""
    found = []
    old, new = signing_key(current), signing_key(pending)
    current_keys = {key["kid"]: key["secret"] for key in current["keys"]}
    pending_keys = {key["kid"]: key["secret"] for key in pending["keys"]}
    if current_keys.get(new["kid"]) != new["secret"]:
        found.append(f"the new signing key {new['kid']} is not in the current set, so tasks started before the "
                     f"rotation would refuse the tokens new tasks sign")
    if pending_keys.get(old["kid"]) != old["secret"]:
        found.append(f"the current signing key {old['kid']} is missing from the new set, so tokens signed before "
                     f"the rotation would be refused by tasks started after it")
    return found
