"""One JSON object per line on stdout: timestamp, level, service, request_id, message, then fields.

ECS's awslogs driver ships stdout to CloudWatch, where JSON lines are queryable by field. The request id
comes from a context variable the HTTP layer and the queue consumer set, so every line of one order carries
it across the three services. Known secret values are masked in every line as a second line of defence:
the code never logs a secret on purpose, and a mistake must not leak one.
"""
from __future__ import annotations

import contextvars
import json
import sys
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO

LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40}
REDACTED = "[REDACTED]"

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


class JsonLogger:
    def __init__(self, service: str, level: str = "INFO", stream: IO[str] | None = None,
                 secrets: Iterable[str] = ()):
        self.service = service
        self.threshold = LEVELS[level]
        self.stream = stream if stream is not None else sys.stdout
        # Longest first, so a secret containing another is masked whole; JSON-escaped forms too, because a
        # secret with a quote or backslash appears escaped in the serialized line.
        forms = {form for s in secrets if s for form in (s, json.dumps(s)[1:-1])}
        self._secrets = sorted(forms, key=len, reverse=True)
        self._lock = threading.Lock()

    def log(self, level: str, message: str, **fields: object) -> None:
        if LEVELS[level] < self.threshold:
            return
        record = {
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": level,
            "service": self.service,
            "request_id": request_id.get(),
            "message": message,
            **fields,
        }
        line = json.dumps(record, default=str)
        for secret in self._secrets:
            line = line.replace(secret, REDACTED)
        with self._lock:
            self.stream.write(line + "\n")
            self.stream.flush()

    def debug(self, message: str, **fields: object) -> None:
        self.log("DEBUG", message, **fields)

    def info(self, message: str, **fields: object) -> None:
        self.log("INFO", message, **fields)

    def warning(self, message: str, **fields: object) -> None:
        self.log("WARNING", message, **fields)

    def error(self, message: str, **fields: object) -> None:
        self.log("ERROR", message, **fields)
