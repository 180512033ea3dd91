"""Process lifecycle shared by the services: load settings, serve, and stop cleanly on SIGTERM.

ECS stops a task with SIGTERM and waits the container's `stopTimeout` (contract.STOP_TIMEOUT_SECONDS, set
by shared/taskdef.py) before SIGKILL; a rolling deploy does that to every old task. Shutting the server
down on SIGTERM lets in-flight requests finish and the queue consumer stop between messages, so a deploy
does not drop an order halfway.
"""
from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Protocol

from appkit.logs import JsonLogger
from appkit.settings import Settings, load
from appkit.web import App, make_server

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Worker(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


@dataclass
class Built:
    app: App
    workers: list[Worker] = field(default_factory=list)


Builder = Callable[[Settings, JsonLogger, Mapping[str, str]], Built]


def start(service_name: str, build: Builder, environ: Mapping[str, str], host: str = "0.0.0.0",
          stream=None) -> tuple[ThreadingHTTPServer, Built]:
    """Build the service and bind its port (without serving yet); tests serve it on a thread."""
    settings = load(service_name, environ)
    logger = JsonLogger(service_name, settings.log_level, stream, secrets=settings.secret_values())
    if not settings.ok:
        logger.error("settings incomplete: the health path answers 503 until they are fixed", **settings.report())
    built = build(settings, logger, environ)
    server = make_server(built.app, host)
    return server, built


def serve(server: ThreadingHTTPServer, built: Built) -> None:
    """Serve until `server.shutdown()`; workers run alongside and are stopped after the last request."""
    logger = built.app.logger
    for worker in built.workers:
        worker.start()
    logger.info("listening", port=server.server_address[1],
                environment=built.app.settings.values.get("ENVIRONMENT"))
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        for worker in built.workers:
            worker.stop()
        server.server_close()
        logger.info("stopped")


def main(service_name: str, build: Builder, environ: Mapping[str, str] | None = None) -> int:
    """The container's entry point: serve until SIGTERM or SIGINT."""
    server, built = start(service_name, build, os.environ if environ is None else environ)

    def on_signal(signum: int, frame: object) -> None:
        built.app.logger.info("stopping", signal=signal.Signals(signum).name)
        # shutdown() waits for serve_forever to return, which runs on this (main) thread: call it elsewhere.
        threading.Thread(target=server.shutdown, daemon=True).start()

    previous = {sig: signal.signal(sig, on_signal) for sig in STOP_SIGNALS}
    try:
        serve(server, built)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
