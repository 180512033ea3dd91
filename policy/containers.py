"""Checks of an ECS task definition's `containerDefinitions` (a JSON string on the wire). Pure functions.

Each returns the problems it finds, one string per container and field, so a rule reports them all at once.
"""
from __future__ import annotations

import re
from typing import Any

from policy.inputs import is_true, items, parse_json
from shared.catalog import Secret

# Names that say "secret" (FSBP ECS.8 looks for AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
# ECS_ENGINE_AUTH_DATA; this list is broader), plus every secret the catalog declares by its variable name.
SECRET_NAME = re.compile(
    r"SECRET|PASSW(OR)?D|PASSPHRASE|TOKEN|API_?KEYS?|PRIVATE_?KEY|SIGNING_?KEY|ACCESS_?KEY|CREDENTIAL|"
    r"CONNECTION_?STRING|DATABASE_URL|(^|_)DSN($|_)|ECS_ENGINE_AUTH_DATA", re.IGNORECASE)
CATALOG_SECRET_NAMES = frozenset(s.value for s in Secret)
# Values that are secrets whatever their variable is called.
SECRET_VALUES = (
    ("an AWS access key id", re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")),
    ("a PEM private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("a URL with a password", re.compile(r"://[^/\s:@]+:[^/\s@]+@")),
    ("a JSON web token", re.compile(r"\beyJ[\w-]+\.eyJ[\w-]+\.[\w-]+")),
)
SECRETS_MANAGER_ARN = re.compile(r"^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+")
# `user` is `user`, `uid`, `user:group`, `uid:gid` (or mixed); root by name or as a number in any spelling
# ("0", "00"), for the user or the group (GID 0 gives the process root's group permissions).
ROOT_NAMES = frozenset({"root"})


class ContainerDefinitionsError(ValueError):
    """`containerDefinitions` is not a JSON list of objects: nothing else can be checked."""


def parse_containers(value: Any) -> list[dict]:
    parsed = parse_json(value)
    if not isinstance(parsed, list) or not all(isinstance(c, dict) for c in parsed):
        raise ContainerDefinitionsError(f"containerDefinitions is not a JSON list of container objects: {value!r:.80}")
    return parsed


def _name(container: dict) -> str:
    return str(container.get("name", "<unnamed>"))


def privileged_problems(containers: list[dict]) -> list[str]:
    return [f"container {_name(c)!r} runs privileged; remove `privileged` (Fargate refuses it, and it gives "
            f"the container the host's devices)" for c in containers if is_true(c.get("privileged"))]


def writable_root_problems(containers: list[dict]) -> list[str]:
    return [f"container {_name(c)!r} has a writable root filesystem; set readonlyRootFilesystem: true and mount "
            f"a volume where it must write (e.g. /tmp)" for c in containers
            if not is_true(c.get("readonlyRootFilesystem"))]


def is_root(name_or_id: str) -> bool:
    name_or_id = name_or_id.strip()
    return name_or_id in ROOT_NAMES or (name_or_id.isdigit() and int(name_or_id) == 0)


def root_user_problems(containers: list[dict]) -> list[str]:
    problems = []
    for c in containers:
        user = str(c.get("user") or "")
        if not user:
            problems.append(f"container {_name(c)!r} sets no user, so it runs as the image's (usually root); set "
                            f"user to a non-root UID:GID such as 10001:10001")
        elif any(is_root(part) for part in user.split(":")[:2]):
            problems.append(f"container {_name(c)!r} runs as {user!r}; set user to a non-root UID:GID such as "
                            f"10001:10001")
    return problems


def secret_problems(containers: list[dict]) -> list[str]:
    """Secrets must come through `secrets` from Secrets Manager, never through `environment`."""
    problems = []
    for c in containers:
        for variable in items(c.get("environment")):
            name, value = str(variable.get("name", "")), str(variable.get("value", ""))
            if name in CATALOG_SECRET_NAMES or SECRET_NAME.search(name):
                problems.append(f"container {_name(c)!r} passes {name!r} in environment, where anyone who can "
                                f"describe the task definition reads it; move it to secrets with valueFrom = "
                                f"a Secrets Manager ARN")
            for what, pattern in SECRET_VALUES:
                if pattern.search(value):
                    problems.append(f"container {_name(c)!r} environment variable {name!r} holds what looks like "
                                    f"{what}; move the value to Secrets Manager and reference it in secrets")
        for secret in items(c.get("secrets")):
            source = str(secret.get("valueFrom", ""))
            if not SECRETS_MANAGER_ARN.match(source):
                problems.append(f"container {_name(c)!r} secret {secret.get('name')!r} comes from {source!r}, "
                                f"not a Secrets Manager ARN; secrets live only in Secrets Manager")
    return problems
