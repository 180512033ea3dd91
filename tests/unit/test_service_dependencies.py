"""The ECS service waits for its roles' inline policies: IAM is eventually consistent, and a task launched the
moment its role exists can be refused its image pull, log stream or secrets."""
from __future__ import annotations

import pytest

from shared.catalog import SERVICES

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SERVICE_TYPE = "aws:ecs/service:Service"


@pytest.mark.parametrize("environment", ["dev", "prod"])
@pytest.mark.parametrize("service", [s.name for s in SERVICES])
def test_the_ecs_service_depends_on_every_policy_of_its_roles(environment_plans, environment, service):
    stack = environment_plans(environment)[f"services/{service}-{environment}"]
    policies = stack.of_type(ROLE_POLICY)
    assert any(p.name.endswith("-execution") for p in policies)  # at least the execution role's policy
    [ecs_service] = stack.of_type(SERVICE_TYPE)
    assert {p.urn for p in policies} <= set(ecs_service.dependencies)


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_the_flow_log_depends_on_its_roles_policy(environment_plans, environment):
    network = environment_plans(environment)[f"network/{environment}"]
    [policy] = [p for p in network.of_type(ROLE_POLICY) if p.name.endswith("flow-logs-write")]
    [flow_log] = network.of_type("aws:ec2/flowLog:FlowLog")
    assert policy.urn in flow_log.dependencies


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_the_first_key_set_waits_for_the_rotation_functions_network_rules(environment_plans, environment):
    # The rules are created inside an apply on the network's outputs; without this the first invocation could
    # run before the function's group may reach Secrets Manager through the endpoint, and time out.
    platform = environment_plans(environment)[f"platform/{environment}"]
    [invocation] = platform.of_type("aws:lambda/invocation:Invocation")
    rules = {r.urn for r in platform.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
             if r.name.startswith("platform-network-policy-jwt-rotation-")}
    assert rules and rules <= set(invocation.dependencies)
