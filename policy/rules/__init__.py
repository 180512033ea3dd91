"""The platform's policies, written once against pulumi-aws v7's camelCase wire inputs, one module per domain.

Every rule here runs in two places: online under `pulumi preview --policy-pack policy/` (the CLI calls each
`validate` with the inputs of each resource) and offline in `policy.gate`, which calls the same `validate`
on every resource of `build/plan/<env>/plan.json`. Each description names the AWS Foundational Security Best
Practices (FSBP) control it enforces, or the reason when no control covers it.

Context a single resource does not carry comes two ways, and each rule says which:
- policy config (`platformKeyArns`, `environmentSuffix`): the offline gate fills it from the plan document and
  the stack files; online it comes from `--policy-pack-config` (see README), and without it the rule checks
  what it can alone;
- a `StackValidationPolicy` over the stack's resources (which security groups belong to an ALB, which bucket
  receives ALB logs), because the engine only knows those relations once the whole stack is registered.

A new rule goes into its domain's module and that module's `policies()`; `all_policies` is the pack.
"""
from __future__ import annotations

from policy.rules import data, ecr, ecs, iam, lifecycle, logs, naming, network
from policy.rules.base import (
    BUCKET,
    BUCKET_SSE,
    ECR_REPOSITORY,
    ECS_CLUSTER,
    ECS_SERVICE,
    IAM_ROLE,
    INGRESS_RULE,
    LEGACY_SG_RULE,
    LISTENERS,
    LOAD_BALANCERS,
    LOG_GROUP,
    PUBLIC_ACCESS_BLOCK,
    QUEUE,
    SECRET,
    SECURITY_GROUP,
    SUBNET,
    TABLE,
    TASK_DEFINITION,
    TOPIC,
    Policy,
)

__all__ = ["BUCKET", "BUCKET_SSE", "ECR_REPOSITORY", "ECS_CLUSTER", "ECS_SERVICE", "IAM_ROLE", "INGRESS_RULE",
           "LEGACY_SG_RULE", "LISTENERS", "LOAD_BALANCERS", "LOG_GROUP", "PUBLIC_ACCESS_BLOCK", "QUEUE", "SECRET",
           "SECURITY_GROUP", "SUBNET", "TABLE", "TASK_DEFINITION", "TOPIC", "all_policies"]

# The pack's order: the order the gate's per-policy counts are listed in.
DOMAINS = (ecr, ecs, logs, iam, network, data, lifecycle, naming)


def all_policies() -> list[Policy]:
    """Every policy of the pack, built fresh (policy objects hold no state, but the pack owns its list)."""
    return [policy for domain in DOMAINS for policy in domain.policies()]
