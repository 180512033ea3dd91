"""The offline policy gate: every policy of the pack applied to every resource of an offline plan.

It calls each policy's own `validate` the way the CLI would, so online and offline verdicts come from the
same code. What it feeds them, and how that differs from the engine:
- resource policies get each resource's `inputs` (the engine also sends inputs); stack policies get
  `state` plus `id` (the engine sends outputs, which the mocks' state stands in for);
- `retainOnDelete`, which pulumi-policy 1.21 never hands to analyzers, rides on `PlanOptions`;
- config: `environmentSuffix` from the stack's own config (as the CLI would give it), `platformKeyArns`
  from the platform stack's `kmsKeyArn` export in the same plan, and `interfaceEndpoints` / `gatewayEndpoints`
  from the network stack's exports. Online these come from `--policy-pack-config`.
Secret values are `tools.findings.SECRET_MARKER` (`"[secret]"`) in `plan.json`; that is how
`ecs-container-definitions-not-secret` sees them.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
    StackValidationPolicy,
)

from policy.rules import all_policies
from policy.rules.base import Policy
from shared.stack_config import load_stack_config
from shared.stacks import StackId
from tools.findings import SECRET_MARKER, Finding, findings_table

PLATFORM_PROJECT = "platform"
PLATFORM_KEY_OUTPUT = "kmsKeyArn"
NETWORK_PROJECT = "network"
ENDPOINT_OUTPUTS = ("interfaceEndpoints", "gatewayEndpoints")


GATE = "policy"


@dataclass
class GateReport:
    environment: str
    levels: dict[str, str]  # policy name -> enforcement level, in pack order
    findings: list[Finding]

    @property
    def mandatory(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    def counts(self) -> dict[str, int]:
        """Violations per policy, every policy listed (zeros too) so a silent rule is visible."""
        found = Counter(f.rule for f in self.findings)
        return {name: found[name] for name in self.levels}

    def render(self) -> str:
        advisory = len(self.findings) - len(self.mandatory)
        lines = [f"policy gate ({self.environment}): {len(self.levels)} policies, {len(self.mandatory)} mandatory "
                 f"and {advisory} advisory violation(s)"]
        lines += [f"    {count:3d}  {self.levels[name]:<9}  {name}" for name, count in self.counts().items()]
        if self.findings:
            lines.append(findings_table(self.findings))
        return "\n".join(lines)


class PlanOptions(PolicyResourceOptions):
    """Resource options as recorded in `plan.json`, plus `retain_on_delete` that the SDK's class lacks."""

    def __init__(self, entry: dict):
        super().__init__(protect=bool(entry.get("protect")), ignore_changes=list(entry.get("ignoreChanges", [])),
                         delete_before_replace=bool(entry.get("deleteBeforeReplace")), aliases=[],
                         custom_timeouts=PolicyCustomTimeouts(0, 0, 0), additional_secret_outputs=[],
                         parent=entry.get("parent"))
        self.retain_on_delete = bool(entry.get("retainOnDelete"))


def environment_suffix(project: str, stack: str, environment: str) -> str:
    """The suffix the stack's program uses: its `environmentSuffix` config, else the environment name."""
    values, _ = load_stack_config(StackId(project, stack))
    return values.get(f"{project}:environmentSuffix") or environment


def platform_key_arns(document: dict) -> list[str]:
    """The platform key as the platform stack of the same plan exports it (none when it is absent)."""
    return [str(s["outputs"][PLATFORM_KEY_OUTPUT]) for s in document["stacks"]
            if s["project"] == PLATFORM_PROJECT and s["outputs"].get(PLATFORM_KEY_OUTPUT)
            and s["outputs"][PLATFORM_KEY_OUTPUT] != SECRET_MARKER]


def network_endpoints(document: dict) -> dict[str, list[str]]:
    """The network's endpoint lists as its stack in the same plan exports them ({} when it is absent)."""
    outputs: dict = next((s["outputs"] for s in document["stacks"] if s["project"] == NETWORK_PROJECT), {})
    return {key: list(outputs[key]) for key in ENDPOINT_OUTPUTS if isinstance(outputs.get(key), list)}


def level_of(policy: Policy) -> EnforcementLevel:
    """The policy's level; one without a level gets the pack's default (mandatory, see `policy.pack`)."""
    return policy.enforcement_level or EnforcementLevel.MANDATORY


class _Reporter:
    """The `report_violation` of one policy on one stack: a finding on the resource whose URN it names (a
    stack policy), on `resource` (a resource policy), or on the stack itself."""

    def __init__(self, findings: list[Finding], policy: Policy, stack: str, resources: list[dict]):
        self.findings, self.policy, self.stack, self.resources = findings, policy, stack, resources

    def __call__(self, message: str, urn: str | None = None, *, resource: dict | None = None) -> None:
        target = resource or next((r for r in self.resources if r["urn"] == urn), None)
        self.findings.append(Finding(GATE, self.policy.name, self.stack, target["name"] if target else "<stack>",
                                     message, mandatory=level_of(self.policy) is EnforcementLevel.MANDATORY,
                                     type=target["type"] if target else ""))


def gate_document(document: dict, policies: list[Policy] | None = None,
                  suffix_of: Callable[[str, str, str], str] = environment_suffix) -> GateReport:
    """Run every policy on every resource of a plan document; the verdicts, per policy."""
    policies = all_policies() if policies is None else policies
    environment = document["environment"]
    keys = platform_key_arns(document)
    endpoints = network_endpoints(document)
    findings: list[Finding] = []
    for stack in document["stacks"]:
        stack_name = f"{stack['project']}/{stack['stack']}"
        config: dict[str, Any] = {"environmentSuffix": suffix_of(stack["project"], stack["stack"], environment)}
        if keys:
            config["platformKeyArns"] = keys
        config.update(endpoints)
        resources = [r for r in stack["resources"] if r["custom"]]
        for policy in policies:
            report = _Reporter(findings, policy, stack_name, resources)
            if isinstance(policy, StackValidationPolicy):
                stack_resources = [PolicyResource(e["type"], {**e["state"], "id": e["id"]}, e["urn"], e["name"],
                                                  PlanOptions(e), None, None, [], {}) for e in resources]
                policy.validate(StackValidationArgs(stack_resources, config), report)
            else:  # a ResourceValidationPolicy: the pack holds only these two kinds
                for entry in resources:
                    args = ResourceValidationArgs(entry["type"], entry["inputs"], entry["urn"], entry["name"],
                                                  PlanOptions(entry), None, config)
                    policy.validate(args, partial(report, resource=entry))
    levels = {p.name: level_of(p).value for p in policies}
    return GateReport(environment, levels, findings)
