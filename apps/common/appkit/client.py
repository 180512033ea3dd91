"""Outbound HTTP with the request id attached, so the callee's log lines carry the caller's id."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping

from appkit.logs import request_id
from appkit.web import REQUEST_ID_HEADER

DEFAULT_TIMEOUT_SECONDS = 5.0


class Unreachable(RuntimeError):
    """The callee did not answer (connection refused, DNS, timeout); the message names the URL only.

    `maybe_delivered` tells a retry apart from a repeat: urllib raises URLError while connecting or sending
    (the callee never got the whole request), but a timeout or reset while waiting for the answer comes after
    the request left, so the callee may have acted on it."""

    def __init__(self, message: str, maybe_delivered: bool = False):
        super().__init__(message)
        self.maybe_delivered = maybe_delivered


def call(method: str, url: str, payload: object = None, headers: Mapping[str, str] | None = None,
         timeout: float = DEFAULT_TIMEOUT_SECONDS) -> tuple[int, object]:
    """(status, JSON body or None) of one request; HTTP error statuses are returned, not raised."""
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    request.add_header("Accept", "application/json")
    current = request_id.get()
    if current:
        request.add_header(REQUEST_ID_HEADER, current)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    except urllib.error.URLError as error:
        raise Unreachable(f"{method} {url} failed: {type(error).__name__}") from None
    except (TimeoutError, ConnectionError) as error:
        raise Unreachable(f"{method} {url} failed: {type(error).__name__}", maybe_delivered=True) from None
    try:
        return status, json.loads(body) if body else None
    except ValueError:
        return status, None
