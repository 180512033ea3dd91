"""Valid Fargate task sizes (Linux), kept as data with their source.

Source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
"""
from __future__ import annotations

import re
from typing import NamedTuple

SOURCE = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size"

# cpu units -> valid memory (MiB)
VALID_MEMORY_BY_CPU: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}


def size_problem(cpu: int, memory: int) -> str | None:
    """Why (cpu, memory) is not a Fargate size, or None when it is."""
    if cpu not in VALID_MEMORY_BY_CPU:
        return f"cpu {cpu} is not a Fargate size; valid: {sorted(VALID_MEMORY_BY_CPU)} ({SOURCE})"
    valid = VALID_MEMORY_BY_CPU[cpu]
    if memory not in valid:
        return f"memory {memory} is not valid with cpu {cpu}; valid: {valid[0]}..{valid[-1]} as {valid} ({SOURCE})"
    return None


# Capacity provider strategies (services and the cluster default):
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
CAPACITY_SOURCE = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html"
CAPACITY_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
MAX_WEIGHT = 1000
MAX_BASE = 100000


class CapacityShare(NamedTuple):
    """One strategy entry: `base` tasks on this provider first, then `weight` share of the rest."""

    provider: str
    base: int
    weight: int


def parse_capacity_share(entry: str) -> CapacityShare | None:
    """`"FARGATE_SPOT:0:3"` -> CapacityShare; None unless the entry is `<Fargate provider>:base:weight`."""
    match = re.match(r"^([A-Z_]+):(\d+):(\d+)$", entry)
    if not match or match.group(1) not in CAPACITY_PROVIDERS:
        return None
    return CapacityShare(match.group(1), int(match.group(2)), int(match.group(3)))


def strategy_problems(shares: tuple[CapacityShare, ...]) -> list[tuple[str, str]]:
    """AWS's rules for a strategy, as (problem, fix) pairs; empty when ECS would accept it."""
    problems = []
    if not shares:
        problems.append(("is empty", "give at least one entry, e.g. [FARGATE:0:1] (on-demand only)"))
    providers = [s.provider for s in shares]
    if len(set(providers)) != len(providers):
        problems.append(("names a provider twice", "list each capacity provider once"))
    if any(s.weight > MAX_WEIGHT or s.base > MAX_BASE for s in shares):
        problems.append((f"has a weight above {MAX_WEIGHT} or a base above {MAX_BASE} ({CAPACITY_SOURCE})",
                         f"keep weights within 0..{MAX_WEIGHT} and bases within 0..{MAX_BASE}"))
    if sum(1 for s in shares if s.base > 0) > 1:
        problems.append(("gives a base to more than one provider (AWS allows one)",
                         "keep a base on the on-demand FARGATE entry only"))
    if shares and not any(s.weight > 0 for s in shares):
        problems.append(("has no entry with a weight above 0", "give at least one provider a weight of 1 or more"))
    return problems
