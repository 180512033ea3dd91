"""Reading upstream stacks and exporting this one, both held to `shared.contracts`."""
from __future__ import annotations

from typing import Any, Mapping

import pulumi
from pulumi.runtime.sync_await import _sync_await

from shared.contracts import CONTRACTS, ContractError, ProjectContract
from shared.stacks import stack_reference_name


class UpstreamError(RuntimeError):
    """An upstream stack lacks an output this stack needs; raised before this stack registers resources."""


class Upstream:
    """One upstream stack's outputs, limited to the keys the consumer's contract declares.

    The outputs are resolved synchronously at construction so a missing key stops the program before any
    resource is registered (a half-created stack is worse than none). `_sync_await` is the SDK's own way to
    block on the engine; the SDK uses it for the same purpose when registering transforms.
    """

    def __init__(self, consumer: ProjectContract, producer: str, environment: str):
        declared = consumer.reads.get(producer)
        if declared is None:
            raise ContractError(f"{consumer.project} declares no reads from {producer}; add them to "
                                f"shared/contracts.py")
        self.name = stack_reference_name(producer, environment)
        self.producer = producer
        self.keys = declared
        self.reference = pulumi.StackReference(self.name)
        present = _sync_await(self.reference.outputs.future()) or {}
        missing = [key for key in declared if present.get(key) is None]
        if missing:
            raise UpstreamError(f"stack {self.name} does not export {', '.join(missing)}; deploy {producer} "
                                f"first (`invoke deploy --project {producer} --env {environment}`) or check that "
                                f"the stack name and PULUMI_BACKEND_URL point at the right backend")

    def get(self, key: str) -> pulumi.Output[Any]:
        if key not in self.keys:
            raise ContractError(f"{key!r} is not among the keys declared as read from {self.producer} "
                                f"({', '.join(self.keys)}); declare it in shared/contracts.py")
        return self.reference.require_output(key)


def export_outputs(project: str, values: Mapping[str, Any]) -> None:
    """Export exactly the contract's keys; secret ones are wrapped so they never appear in clear."""
    contract = CONTRACTS[project]
    missing = contract.export_keys - values.keys()
    extra = values.keys() - contract.export_keys
    if missing or extra:
        raise ContractError(f"project {project} must export exactly its contract; missing: {sorted(missing)}, "
                            f"undeclared: {sorted(extra)} (see shared/contracts.py)")
    for key, value in values.items():
        pulumi.export(key, pulumi.Output.secret(value) if key in contract.secret_keys else value)
