"""Reading what the backend holds: which stacks exist and what they export, secrets masked.

`build/outputs/<env>.json` is what the verifiers and build-push read:
`{"environment": "dev", "stacks": {"network/dev": {...}, "services/frontend-dev": {...}}}`. A stack the
backend does not hold is absent; a secret value is the string "[secret]", whichever way it is marked (the
engine's secret flag, a contract's secret key, or the engine's secret signature in a value).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from shared.contracts import CONTRACTS
from shared.stacks import StackId, deploy_order
from tools.deploy.engine import SECRET_MASK, Engine

# The engine's marker of a secret value in serialized state (`stack export`), in case one is ever handed to us.
SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270"


def mask_value(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(SECRET_SIGNATURE_KEY) == SECRET_SIGNATURE:
            return SECRET_MASK
        return {key: mask_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_value(item) for item in value]
    return value


def mask_secrets(outputs: dict[str, Any], secret_keys: Iterable[str] = ()) -> dict[str, Any]:
    """Mask values the engine marks secret and keys the contract declares secret, even if a caller passed
    --show-secrets somewhere: the file is read by tools and may be attached to CI logs."""
    secret = frozenset(secret_keys)
    return {key: SECRET_MASK if key in secret else mask_value(value) for key, value in outputs.items()}


class BackendStacks:
    """The stacks of each project in the backend, asked once per run."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._known: dict[str, frozenset[str]] = {}

    def has(self, stack: StackId) -> bool:
        if stack.project not in self._known:
            self._known[stack.project] = self.engine.stack_names(stack.project)
        return stack.stack in self._known[stack.project]


def outputs_document(engine: Engine, environment: str) -> dict[str, Any]:
    backend = BackendStacks(engine)
    stacks: dict[str, Any] = {}
    for stack in deploy_order(environment):
        if not backend.has(stack):
            continue
        stacks[str(stack)] = mask_secrets(engine.outputs(stack), CONTRACTS[stack.project].secret_keys)
    return {"environment": environment, "stacks": stacks}


def outputs_path(build_dir: Path, environment: str) -> Path:
    return build_dir / "outputs" / f"{environment}.json"


def write_outputs(build_dir: Path, environment: str, document: dict[str, Any]) -> Path:
    path = outputs_path(build_dir, environment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1) + "\n")
    return path
