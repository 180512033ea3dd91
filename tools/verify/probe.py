"""The one check that leaves AWS's APIs: an HTTP GET of the ALB's health path.

It needs the machine running the verifier to reach the ALB (internet access, no proxy in the way, DNS for
the ALB's name). When it cannot, the result is "not verified" with the reason, never "pass": an unreachable
ALB from here says nothing about the ALB.
"""
from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Callable

# A fetch returns the final HTTP status (after redirects) or raises one of UNREACHABLE.
HttpGet = Callable[[str, float], int]
UNREACHABLE = (OSError, http.client.HTTPException)
TIMEOUT_SECONDS = 5.0


def http_status(url: str, timeout: float = TIMEOUT_SECONDS) -> int:
    """GET `url` and return the status; an HTTP error status is an answer (returned), a network failure is
    not (raised)."""
    request = urllib.request.Request(url, method="GET", headers={"User-Agent": "trading-platform-verify"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
