"""Provider and AWS argument rules, as data with their source, for every resource type this repository creates.

What the real provider refuses at `pulumi preview` (terraform-provider-aws validators, `ConflictsWith`,
`ExactlyOneOf`, ...) and what the AWS API refuses at create time (lengths, patterns, reserved prefixes) is
written down here once, one module per AWS service; `tools/provider_checks.py` applies it to every resource
of an offline plan, and `forces_replacement` tells the plan diff which changes replace a resource.
"""
from __future__ import annotations

from shared.aws_rules import (
    appautoscaling,
    cloudwatch,
    dynamodb,
    ec2,
    ecr,
    ecs,
    elbv2,
    iam,
    kms,
    lambda_,
    random,
    s3,
    secretsmanager,
    servicediscovery,
    sns,
    sqs,
    wafv2,
)
from shared.aws_rules.model import ResourceRules, Rule, Violation, evaluate
from shared.aws_rules.tags import COMMON_RULES

__all__ = ["COMMON_RULES", "RULES", "ResourceRules", "Rule", "Violation", "applicable_rules", "evaluate"]

_MODULES = (ec2, ecr, ecs, elbv2, appautoscaling, iam, kms, cloudwatch, secretsmanager, sqs, sns, dynamodb, s3,
            servicediscovery, wafv2, lambda_, random)


def _collect() -> dict[str, ResourceRules]:
    table: dict[str, ResourceRules] = {}
    for module in _MODULES:
        for resource in module.RESOURCES:
            if resource.type in table:
                raise ValueError(f"rules for {resource.type} are declared twice ({module.__name__})")
            table[resource.type] = resource
    return table


RULES: dict[str, ResourceRules] = _collect()


def applicable_rules(resource_type: str, table: dict[str, ResourceRules] = RULES) -> tuple[Rule, ...] | None:
    """The type's own rules plus the tag rules every AWS resource shares; None when the type has none recorded."""
    resource = table.get(resource_type)
    if resource is None:
        return None
    return resource.rules + (COMMON_RULES if resource_type.startswith("aws:") else ())
