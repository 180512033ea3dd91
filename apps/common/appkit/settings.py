"""A service's settings, read once from the environment ECS gives the container.

Loading never raises: a service with missing settings still starts, so its health path can say what is
missing (ECS and the ALB then keep it out of service, and the operator reads the reason), instead of
crash-looping with the reason only in a log nobody sees. Problems name the variable, never a secret value.
"""
from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from appkit import contract, jwt

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_LOG_LEVEL = "INFO"
URL_VARIABLES = frozenset({contract.API_GATEWAY_URL, contract.PROCESSING_SERVICE_URL, contract.VENUE_URL})


@dataclass(frozen=True)
class Settings:
    service: contract.ServiceContract
    values: Mapping[str, str]
    missing: tuple[str, ...]
    problems: tuple[str, ...]
    port: int
    log_level: str

    @property
    def ok(self) -> bool:
        return not self.missing and not self.problems

    def get(self, name: str) -> str:
        """A required variable; callers reach here only when `ok`, so a KeyError is a programming error."""
        return self.values[name]

    def secret_values(self) -> tuple[str, ...]:
        """Values the logger must never print: each secret, each string inside one that is a JSON object
        (THIRD_PARTY_API_KEYS holds keys by provider, and a service sends one of them on), and each key of the
        JWT key set."""
        found = []
        for name in self.service.secrets:
            if name not in self.values:
                continue
            found.append(self.values[name])
            if name == contract.JWT_SIGNING_KEY:
                # A value that is no key set is reported by `load`, and redacted whole above.
                with contextlib.suppress(jwt.KeySetError):
                    found += jwt.load_keys(self.values[name]).material
                continue
            try:
                members = json.loads(self.values[name])
            except ValueError:
                continue
            if isinstance(members, dict):
                found += [value for value in members.values() if isinstance(value, str) and value]
        return tuple(found)

    def report(self) -> dict:
        """What the health path answers when the settings are incomplete."""
        return {"missing": list(self.missing), "problems": list(self.problems)}


def load(service_name: str, environ: Mapping[str, str]) -> Settings:
    service = contract.SERVICES[service_name]
    values = {name: environ[name].strip() for name in service.required if environ.get(name, "").strip()}
    missing = tuple(name for name in service.required if name not in values)
    problems: list[str] = []

    port = service.port
    if contract.PORT in values:
        raw = values[contract.PORT]
        if raw.isdigit() and 0 < int(raw) < 65536:
            port = int(raw)
        else:
            problems.append(f"{contract.PORT}={raw!r} is not a port number (1-65535); the catalog's port for "
                            f"{service.name} is {service.port}")
    name = values.get(contract.SERVICE_NAME)
    if name is not None and name != service.name:
        problems.append(f"{contract.SERVICE_NAME}={name!r} but this image is {service.name!r}; the task "
                        f"definition runs the wrong image")
    for variable in sorted(URL_VARIABLES & values.keys()):
        if not values[variable].startswith(("http://", "https://")):
            problems.append(f"{variable}={values[variable]!r} is not an http(s) URL")
    if contract.JWT_SIGNING_KEY in values:
        try:
            jwt.load_keys(values[contract.JWT_SIGNING_KEY])
        except jwt.KeySetError as error:
            problems.append(str(error))
    log_level = environ.get(contract.LOG_LEVEL, "").strip().upper() or DEFAULT_LOG_LEVEL
    if log_level not in LOG_LEVELS:
        problems.append(f"{contract.LOG_LEVEL}={log_level!r} is not one of {', '.join(LOG_LEVELS)}")
        log_level = DEFAULT_LOG_LEVEL
    return Settings(service, values, missing, tuple(problems), port, log_level)
