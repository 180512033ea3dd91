"""The issue's acceptance: compliant plans pass; each single injected fault fails exactly where it is, with a
message naming the service, the resource and what is missing."""
from __future__ import annotations

import dataclasses

import pytest

from shared.catalog import SERVICES
from tests.analysis.builder import ALL_ENDPOINTS, KEY_ARN, STORE_ARNS, build_plan, edit_containers, edit_policy, remove
from tools.analysis import analyse
from tools.analysis.findings import (
    CALL_PATHS,
    CLOSED_EGRESS,
    CONTAINER,
    ENDPOINT_POLICIES,
    IAM_ACTIONS,
    LOG_DELIVERY,
    REACHABILITY,
    RUNTIME,
    TASK_START,
)
from tools.plan.runner import plan_document

# Without declared external calls, NAT off is deployable when every endpoint exists.
NO_EXTERNAL = tuple(dataclasses.replace(s, external=()) for s in SERVICES)


def only(report, check: str) -> list:
    """The failures, after asserting they all belong to `check` (the one injected fault and nothing else)."""
    assert report.failures, "the fault went unnoticed"
    assert {f.rule for f in report.failures} == {check}, report.render()
    return report.failures


@pytest.mark.parametrize("kwargs, services", [
    ({}, SERVICES),
    ({"environment": "prod"}, SERVICES),
    ({"nat": False}, NO_EXTERNAL),
])
def test_compliant_synthetic_plans_pass(kwargs, services):
    report = analyse(build_plan(services=services, **kwargs), services)
    assert report.ok, report.render()
    assert {f.rule for f in report.findings} == {TASK_START, REACHABILITY, CLOSED_EGRESS, ENDPOINT_POLICIES,
                                                  CALL_PATHS, RUNTIME, CONTAINER, IAM_ACTIONS}


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_the_real_plans_pass_every_check(environment_plans, environment):
    stacks = environment_plans(environment)
    document = plan_document(environment, [stack.plan for stack in stacks.values()])
    report = analyse(document)
    assert report.ok, report.render()
    # GIVEN the full plan, every catalog service was analysed by every family of checks
    for service in SERVICES:
        assert {f.rule for f in report.findings if f.stack == service.name} == {
            TASK_START, REACHABILITY, CLOSED_EGRESS, ENDPOINT_POLICIES, CALL_PATHS, RUNTIME, CONTAINER, IAM_ACTIONS}
    # the rotation function is held to its paths too; prod's access and WAF logs reach their destinations
    function = f"lambda-jwt-rotation-{environment}"
    assert {f.rule for f in report.findings if f.stack == function} == {REACHABILITY, CLOSED_EGRESS,
                                                                         ENDPOINT_POLICIES}
    delivered = [f for f in report.findings if f.rule == LOG_DELIVERY]
    assert len(delivered) == (2 if environment == "prod" else 0)


def test_execution_role_without_the_kms_grant_cannot_start_the_task():
    plan = build_plan()
    edit_policy(plan, "processing-service-execution-policy",
                lambda statements: statements.remove(next(s for s in statements if s["Sid"] == "SecretsKey")))
    failures = only(analyse(plan), TASK_START)
    assert {f.stack for f in failures} == {"processing-service"}
    assert {f.resource for f in failures} == {"processing-service-execution-role (processing-service-execution-dev)"}
    # one failure per secret whose key the role can no longer use
    assert len(failures) == 2
    assert all(f"does not allow kms:Decrypt on {KEY_ARN}" in f.message for f in failures)
    assert any("database_url-dev" in f.message for f in failures)


def test_misspelled_action_is_named_with_a_suggestion():
    plan = build_plan()
    edit_policy(plan, "frontend-execution-policy",
                lambda statements: statements[2].update(Action=["logs:CreateLogStream", "logs:PutLogEvent"]))
    report = analyse(plan)
    [misspelled] = [f for f in report.failures if f.rule == IAM_ACTIONS]
    assert misspelled.stack == "frontend"
    assert misspelled.resource == "frontend-execution-policy (frontend-execution)"
    assert misspelled.message == ("statement Logs: action logs:PutLogEvent does not exist in the IAM action database; "
                                 "did you mean 'logs:PutLogEvents'?")
    # the consequences are reported too: the role no longer grants the real action, and grants one not needed
    consequences = [f for f in report.failures if f.rule == TASK_START]
    assert sorted(f.message.split(" on ")[0] for f in consequences) == [
        "frontend-execution-policy (frontend-execution) allows logs:PutLogEvent",
        "role does not allow logs:PutLogEvents"]
    assert len(report.failures) == 3


def test_unknown_container_definition_key_is_refused():
    plan = build_plan()
    edit_containers(plan, "api-gateway-task", lambda containers: containers[0].update(healthcheck={"command": []}))
    [failure] = only(analyse(plan), CONTAINER)
    assert (failure.stack, failure.resource) == ("api-gateway", "api-gateway-task (api-gateway-dev)")
    assert failure.message == ('Unknown parameter in containerDefinitions[0]: "healthcheck" '
                              '(ECS RegisterTaskDefinition)')


def test_nat_off_without_the_logs_endpoint_names_the_endpoint_for_every_service_and_subnet():
    plan = build_plan(nat=False, endpoints=tuple(e for e in ALL_ENDPOINTS if e != "logs"), services=NO_EXTERNAL)
    failures = only(analyse(plan, NO_EXTERNAL), REACHABILITY)
    assert {(f.stack, f.resource) for f in failures} == {
        (s.name, f"network-private-{i} (subnet-private-{i})") for s in SERVICES for i in range(3)}
    assert all(f.message.startswith("no way to the logs API: no VPC endpoint com.amazonaws.us-east-1.logs and "
                                   "route table rtb-private-") for f in failures)
    assert all("add the 'logs' endpoint" in f.message for f in failures)


def test_nat_off_with_a_declared_external_call_is_an_error_naming_the_call():
    plan = build_plan(nat=False)
    failures = only(analyse(plan), REACHABILITY)
    assert {f.stack for f in failures} == {"processing-service"}
    assert len(failures) == 3  # one per subnet
    assert all("declared external call 'trading venues' (port 443) needs NAT" in f.message for f in failures)


def test_dropped_api_gateway_ingress_rule_closes_the_call_from_frontend():
    plan = build_plan()
    remove(plan, "platform-api-gateway-in-frontend")
    [failure] = only(analyse(plan), CALL_PATHS)
    assert (failure.stack, failure.resource) == ("api-gateway", "platform-sg-api-gateway (sg-api-gateway-dev)")
    assert failure.message == ("no ingress on port 8081 from frontend's groups ['sg-frontend'] (or its subnets); "
                              "frontend cannot call api-gateway")


def test_undeclared_delete_table_on_the_task_role_is_an_error():
    plan = build_plan()
    edit_policy(plan, "api-gateway-task-policy", lambda statements: statements[0]["Action"].append(
        "dynamodb:DeleteTable"))
    [failure] = only(analyse(plan), RUNTIME)
    assert (failure.stack, failure.resource) == ("api-gateway", "api-gateway-task-role (api-gateway-task-dev)")
    assert failure.message == (f"api-gateway-task-policy (api-gateway-task) allows dynamodb:DeleteTable on "
                              f"{STORE_ARNS['tradesTable']}, which the catalog does not grant api-gateway; remove "
                              f"it (or add it to the catalog)")
