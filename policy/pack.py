"""What the pack's entry point hands `PolicyPack`: kept here so tests check it without starting a server."""
from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel

from policy.rules import all_policies

PACK_NAME = "trading-platform"


def pack_arguments() -> dict[str, Any]:
    """Keyword arguments of `PolicyPack(...)`. Each policy carries its own level; the pack's default is
    mandatory so a policy added without one blocks rather than warns."""
    return {
        "name": PACK_NAME,
        "policies": all_policies(),
        "enforcement_level": EnforcementLevel.MANDATORY,
        "description": "Security and lifecycle rules of the trading platform (FSBP-mapped); see README.",
        "provider": "aws",
    }
