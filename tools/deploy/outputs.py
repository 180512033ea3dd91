"""Reading what the backend holds: which stacks exist and what they export, secrets masked.

`build/outputs/<env>.json` is what the verifiers read:
`{"environment": "dev", "stacks": {"network/dev": {...}, "services/frontend-dev": {...}}}`. A stack the
backend does not hold is absent; a secret value is the string "[secret]", whichever way it is marked.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from shared.contracts import CONTRACTS
from tools.deploy.pulumi_cli import CallResult, OpsError, PulumiCli
from shared.stacks import StackId, deploy_order

# What `pulumi stack output --json` prints for a secret without --show-secrets.
SECRET_MASK = "[secret]"
# The engine's marker of a secret value in serialized state (`stack export`), in case one is ever handed to us.
SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270"


def _parse_json(result: CallResult, what: str) -> Any:
    if not result.ok:
        raise OpsError(f"could not {what}: `{' '.join(result.argv[1:3])}` exited {result.code}:\n"
                       f"{result.output.strip()}")
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError as error:
        raise OpsError(f"could not {what}: the CLI printed no JSON ({error}):\n{result.stdout.strip()}") from None


def existing_stacks(cli: PulumiCli, project: str) -> frozenset[str]:
    """Short names (`dev`, `frontend-dev`) of the project's stacks in the backend."""
    listed = _parse_json(cli.capture(["stack", "ls", "--json"], project=project),
                         f"list the stacks of project {project} in {cli.backend.url}")
    # Names come back short or qualified (`organization/network/dev`) depending on backend and version.
    return frozenset(entry["name"].rsplit("/", 1)[-1] for entry in listed)


def read_outputs(cli: PulumiCli, stack: StackId) -> dict[str, Any]:
    """The stack's outputs as the CLI prints them without --show-secrets (secrets already "[secret]")."""
    return _parse_json(cli.capture(["stack", "output", "--json"], stack=stack), f"read the outputs of {stack}")


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
    """`existing_stacks` per project, asked once per run."""

    def __init__(self, cli: PulumiCli):
        self.cli = cli
        self._known: dict[str, frozenset[str]] = {}

    def has(self, stack: StackId) -> bool:
        if stack.project not in self._known:
            self._known[stack.project] = existing_stacks(self.cli, stack.project)
        return stack.stack in self._known[stack.project]


def outputs_document(cli: PulumiCli, environment: str) -> dict[str, Any]:
    backend = BackendStacks(cli)
    stacks: dict[str, Any] = {}
    for stack in deploy_order(environment):
        if not backend.has(stack):
            continue
        stacks[str(stack)] = mask_secrets(read_outputs(cli, stack), CONTRACTS[stack.project].secret_keys)
    return {"environment": environment, "stacks": stacks}


def outputs_path(build_dir: Path, environment: str) -> Path:
    return build_dir / "outputs" / f"{environment}.json"


def write_outputs(build_dir: Path, environment: str, document: dict[str, Any]) -> Path:
    path = outputs_path(build_dir, environment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1) + "\n")
    return path
