"""Reading upstream stacks and exporting this one, both held to `shared.contracts`."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from shared.contracts import CONTRACTS, ContractError, ProjectContract, deploy_command, missing_reads
from shared.stacks import stack_reference_name


class UpstreamError(RuntimeError):
    """An upstream stack cannot serve this one (an output it reads is missing); raised inside `.apply`, so it
    fails the deployment with this message. `invoke deploy` refuses such a deploy before it starts."""


class Upstream:
    """One upstream stack's outputs, limited to the keys the consumer's contract declares.

    Every value read through `get` waits for one check that the stack exports all the declared keys, so a
    missing key fails, inside `.apply`, every resource that reads the stack, with one message naming the
    stack, the keys and the command that deploys it. The check runs even when no value is read (the runtime
    awaits every apply). Nothing blocks on the engine while the program registers resources.
    """

    def __init__(self, consumer: ProjectContract, producer: str, environment: str):
        declared = consumer.reads.get(producer)
        if declared is None:
            raise ContractError(f"{consumer.project} declares no reads from {producer}; add them to "
                                f"shared/contracts.py")
        self.name = stack_reference_name(producer, environment)
        self.producer = producer
        self.environment = environment
        self.keys = declared
        self.reference = pulumi.StackReference(self.name)
        # The check's value is only True, so it is not secret even when the stack has secret outputs; the
        # values read keep their own secretness (`get_output` takes it from the stack's secret names).
        self.ready: pulumi.Output[bool] = pulumi.Output.unsecret(self.reference.outputs.apply(self._check))

    def _check(self, present: dict[str, Any] | None) -> bool:
        missing = missing_reads(self.keys, present)
        if missing:
            raise UpstreamError(f"stack {self.name} does not export {', '.join(missing)}; deploy {self.producer} "
                                f"first (`{deploy_command(self.producer, self.environment)}`) or "
                                f"check that the stack name and PULUMI_BACKEND_URL point at the right backend")
        return True

    def get(self, key: str) -> pulumi.Output[Any]:
        if key not in self.keys:
            raise ContractError(f"{key!r} is not among the keys declared as read from {self.producer} "
                                f"({', '.join(self.keys)}); declare it in shared/contracts.py")
        return pulumi.Output.all(self.ready, self.reference.get_output(key)).apply(lambda values: values[1])


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
