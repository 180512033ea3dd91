"""A tiny HTTP layer over `http.server.ThreadingHTTPServer`: routes, JSON, request ids, access logs, health.

A framework would add a dependency to patch for three endpoints per service; this is the part of one the
services need. Each request runs in its own thread with its own context, so the request id set here is
what every log line and outbound call of that request carries.
"""
from __future__ import annotations

import json
import re
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from appkit.logs import JsonLogger, request_id
from appkit.settings import Settings

REQUEST_ID_HEADER = "X-Request-Id"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")
MAX_BODY_BYTES = 64 * 1024


@dataclass
class Request:
    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)

    def json(self) -> object:
        """The body as JSON; raises HttpError(400) when it is not."""
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            raise HttpError(400, "the request body is not valid JSON") from None


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"

    @classmethod
    def json(cls, status: int, payload: object) -> Response:
        return cls(status, json.dumps(payload).encode())


class HttpError(Exception):
    """Ends a request with `status` and a JSON `{"error": message}`; the message must hold no secret."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


Handler = Callable[[Request], Response]
HealthCheck = Callable[[], "str | None"]  # None when the dependency is fine, else what is wrong


class App:
    """Routes plus health. The health path answers 503 naming every missing setting or failing dependency."""

    def __init__(self, settings: Settings, logger: JsonLogger, routes: list[tuple[str, str, Handler]],
                 checks: Mapping[str, HealthCheck] | None = None):
        self.settings = settings
        self.logger = logger
        self.checks = dict(checks or {})
        self.routes = [(method, re.compile(f"^{pattern}$"), handler) for method, pattern, handler in routes]
        self.routes.append(("GET", re.compile(f"^{re.escape(settings.service.health_path)}$"), self.health))

    def health(self, request: Request) -> Response:
        if not self.settings.ok:
            return Response.json(503, {"status": "unavailable", "service": self.settings.service.name,
                                       **self.settings.report()})
        failing = {}
        for name, check in self.checks.items():
            problem = check()
            if problem:
                failing[name] = problem
        if failing:
            return Response.json(503, {"status": "unavailable", "service": self.settings.service.name,
                                       "missing": [], "dependencies": failing})
        return Response.json(200, {"status": "ok", "service": self.settings.service.name,
                                   "dependencies": sorted(self.checks)})

    def dispatch(self, request: Request) -> Response:
        allowed = []
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if not match:
                continue
            if method != request.method:
                allowed.append(method)
                continue
            if handler != self.health and not self.settings.ok:
                return Response.json(503, {"error": "the service is not configured", **self.settings.report()})
            request.params = match.groupdict()
            try:
                return handler(request)
            except HttpError as error:
                return Response.json(error.status, {"error": error.message})
            except Exception as error:  # noqa: BLE001 - the request fails, the server lives; the type says what broke
                self.logger.error("request failed", error=type(error).__name__, path=request.path)
                return Response.json(500, {"error": "internal error", "request_id": request_id.get()})
        if allowed:
            return Response.json(405, {"error": f"use {' or '.join(allowed)} on {request.path}"})
        return Response.json(404, {"error": f"no route for {request.path}"})


def incoming_request_id(value: str | None) -> str:
    """The caller's request id when it looks like one (it ends up in logs), else a new one."""
    if value and _REQUEST_ID.fullmatch(value):  # fullmatch: `$` would let a trailing newline through
        return value
    return uuid.uuid4().hex


def _handler_class(app: App) -> type[BaseHTTPRequestHandler]:
    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = app.settings.service.name

        def handle_one_request(self) -> None:
            # A connection's thread serves its keep-alive requests one after another: each gets a fresh id
            # before parsing, so http.server's own refusals are not logged under the previous request's id.
            request_id.set(incoming_request_id(None))
            super().handle_one_request()

        def _serve(self) -> None:
            started = time.monotonic()
            request_id.set(incoming_request_id(self.headers.get(REQUEST_ID_HEADER)))
            path = urlsplit(self.path).path
            declared = (self.headers.get("Content-Length") or "0").strip()
            length = int(declared) if declared.isdigit() else -1
            if "Transfer-Encoding" in self.headers:
                # The body is not read, so its chunks would be parsed as the next request on this connection
                # (request smuggling behind the ALB): refuse, and close so nothing after it is read.
                response = Response.json(411, {"error": "Transfer-Encoding is not supported: send the body "
                                                        "with Content-Length"})
                self.close_connection = True
            elif length < 0:
                response = Response.json(400, {"error": "Content-Length must be a whole number of bytes"})
                self.close_connection = True
            elif length > MAX_BODY_BYTES:
                response = Response.json(413, {"error": f"the body is over {MAX_BODY_BYTES} bytes"})
                self.close_connection = True
            else:
                body = self.rfile.read(length) if length else b""
                response = app.dispatch(Request(self.command, path, self.headers, body))
            # Logged before the answer leaves, so a caller that reads the log after the answer finds the line.
            # The health path is probed every few seconds by ECS and the ALB: logged only when it fails.
            if path != app.settings.service.health_path or response.status != 200:
                app.logger.info("request", method=self.command, path=path, status=response.status,
                                duration_ms=round((time.monotonic() - started) * 1000, 1))
            self._answer(response)

        def _answer(self, response: Response, body: bool = True) -> None:
            self.send_response(response.status)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.send_header(REQUEST_ID_HEADER, request_id.get())
            self.end_headers()
            if body:
                self.wfile.write(response.body)

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            """http.server's own refusals (malformed request line, unknown method, oversized headers) answer
            JSON like every other error, and end the connection since the request was not fully understood."""
            self.log_error("code %d, message %s", code, message)
            self.close_connection = True
            text = message or self.responses.get(code, ("error",))[0]
            # No body for HEAD or statuses that must not carry one, as http.server itself does.
            self._answer(Response.json(code, {"error": text}),
                         body=self.command != "HEAD" and code >= 200 and code not in (204, 304))

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_request(self, code: object = "-", size: object = "-") -> None:
            """Replaced by the JSON access line `_serve` writes."""

        def log_message(self, format: str, *args: object) -> None:
            """http.server's own stderr lines (malformed requests) go through the JSON logger instead."""
            app.logger.warning(format % args)

    return RequestHandler


class JsonErrorServer(ThreadingHTTPServer):
    """socketserver prints a traceback to stderr when a connection breaks mid-request; that would be the
    one log line that is not JSON (and a traceback may quote request data), so it logs the type instead."""

    daemon_threads = True
    logger: JsonLogger

    def handle_error(self, request: object, client_address: object) -> None:
        self.logger.error("connection failed", error=type(sys.exc_info()[1]).__name__)


def make_server(app: App, host: str = "0.0.0.0", port: int | None = None) -> ThreadingHTTPServer:
    """Bind the service. In the container it listens on every interface (the ALB and Cloud Map callers
    reach the task's ENI); tests and local-up bind 127.0.0.1."""
    server = JsonErrorServer((host, app.settings.port if port is None else port), _handler_class(app))
    server.logger = app.logger
    return server
