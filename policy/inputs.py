"""Reading resource inputs as the engine sends them (camelCase keys, numbers as floats, JSON strings).

Kept apart from the rules so every rule reads values the same way, and a malformed value is reported as a
violation instead of crashing the pack.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def parse_json(value: Any) -> Any:
    """A JSON string input parsed, an already-structured value as is, None when it is not JSON."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return None


def items(value: Any) -> list:
    """A list input that may be absent (None) or, for one-object blocks, a single mapping."""
    if value is None:
        return []
    return [value] if isinstance(value, Mapping) else list(value)


def block(props: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """A nested object input (e.g. `networkConfiguration`: pulumi-aws v7 sends one-block inputs as objects),
    or an empty mapping when it is absent or not an object."""
    value = props.get(key)
    return value if isinstance(value, Mapping) else {}


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
