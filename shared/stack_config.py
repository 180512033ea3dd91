"""A stack's config as the Pulumi CLI hands it to the program: the project's declarations, then the stack file.

Library, not tool: the offline plan, the policy gate, the verifier and the deploy tasks all read config through
this one loader, so none of them can disagree with another about what a stack's config is.
"""
from __future__ import annotations

import json
from typing import Any

import yaml

from shared.stacks import StackId

# Stands in for `secure:` values the offline plan cannot decrypt; marked secret like the real value.
OFFLINE_SECRET = "offline-plan-placeholder-secret"


def _config_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def load_stack_config(stack: StackId) -> tuple[dict[str, str], list[str]]:
    """Config as the CLI would hand it to the program: project defaults, then the stack file."""
    project_file = yaml.safe_load((stack.directory / "Pulumi.yaml").read_text())
    values: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, decl in (project_file.get("config") or {}).items():
        full_key = key if ":" in key else f"{stack.project}:{key}"
        if "value" in decl:
            values[full_key] = _config_string(decl["value"])
        elif "default" in decl:
            values[full_key] = _config_string(decl["default"])
    stack_file = yaml.safe_load((stack.directory / f"Pulumi.{stack.stack}.yaml").read_text()) or {}
    for key, value in (stack_file.get("config") or {}).items():
        if isinstance(value, dict) and set(value) == {"secure"}:
            values[key] = OFFLINE_SECRET
            secret_keys.append(key)
        else:
            values[key] = _config_string(value)
    return values, secret_keys
