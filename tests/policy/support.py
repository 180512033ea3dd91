"""Call the pack's policies the way the CLI does: `validate(args, report_violation)` on wire-shaped inputs."""
from __future__ import annotations

import json

from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs

from policy.gate import PlanOptions
from policy.rules import all_policies

POLICIES = {p.name: p for p in all_policies()}
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/ffffffff-12ab-34cd-56ef-1234567890ab"
TAGS = {"Environment": "dev", "Project": "platform", "Owner": "platform", "ManagedBy": "pulumi",
        "CostCenter": "TRD-PLATFORM"}


def options(protect: bool = False, retain: bool = False) -> PlanOptions:
    return PlanOptions({"protect": protect, "retainOnDelete": retain, "ignoreChanges": [], "parent": None})


def violations(policy: str, resource_type: str, props: dict, config: dict | None = None, **opts) -> list[str]:
    messages: list[str] = []
    args = ResourceValidationArgs(resource_type, props, "urn:pulumi:dev::test::x::res", "res", options(**opts),
                                  None, config or {})
    POLICIES[policy].validate(args, lambda message, urn=None: messages.append(message))
    return messages


def stack_violations(policy: str, resources: list[tuple[str, str, dict]], config: dict | None = None) -> list:
    """(message, urn) per violation; `resources` are (type, name, outputs)."""
    found: list = []
    policy_resources = [PolicyResource(typ, props, f"urn:{name}", name, options(), None, None, [], {})
                        for typ, name, props in resources]
    POLICIES[policy].validate(StackValidationArgs(policy_resources, config or {}),
                              lambda message, urn=None: found.append((message, urn)))
    return found


def container(**overrides) -> dict:
    """A compliant container definition, as the services project builds them."""
    return {"name": "frontend", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/frontend:1.0.0",
            "user": "10001:10001", "readonlyRootFilesystem": True, "privileged": False,
            "environment": [{"name": "SERVICE_NAME", "value": "frontend"},
                            {"name": "API_GATEWAY_URL", "value": "http://api-gateway.trading-dev.internal:8081"}],
            "secrets": [{"name": "JWT_SIGNING_KEY",
                         "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:jwt-dev-AbCdEf"}],
            **overrides}


def task_definition(*containers: dict) -> dict:
    return {"family": "td-frontend-dev", "containerDefinitions": json.dumps(list(containers or [container()])),
            "tags": TAGS}


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
