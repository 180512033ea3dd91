"""The issue's faults injected into the real plans (not the synthetic one), one per test: the analysis finds
exactly the failures each fault causes (service, check, resource, what is wrong) and nothing else, on the
shapes the projects actually produce. NAT off is one fault (prod's endpoints still cover every AWS API, so
only the declared venue calls fail); the logs endpoint missing while NAT is off is another, measured against
that baseline."""
from __future__ import annotations

import json

import pytest

from shared.catalog import SERVICES as CATALOG
from shared.stack_config import load_stack_config
from shared.stacks import deploy_order
from tools.analysis import analyse
from tools.analysis.findings import CALL_PATHS, CONTAINER, IAM_ACTIONS, REACHABILITY, RUNTIME, TASK_START
from tools.plan.runner import plan_document, reference_key, run_stack


@pytest.fixture(scope="module")
def real(environment_plans):
    """The environment's plan document as JSON text, so each test parses a fresh copy."""
    return lambda environment: json.dumps(plan_document(environment, [
        s.plan for s in environment_plans(environment).values()]))


def resources(document, stack, typ):
    return [r for s in document["stacks"] if f"{s['project']}/{s['stack']}" == stack
            for r in s["resources"] if r["type"] == typ]


def role_policy(document, service, action):
    """The RolePolicy of `service` whose document names `action`."""
    [found] = [r for r in resources(document, f"services/{service}-{document['environment']}",
                                    "aws:iam/rolePolicy:RolePolicy")
               if action in r["state"]["policy"]]
    return found


def edit_document(policy_resource, edit):
    body = json.loads(policy_resource["state"]["policy"])
    edit(body["Statement"])
    policy_resource["state"]["policy"] = json.dumps(body)


SERVICES = tuple(s.name for s in CATALOG)
PRIVATE_SUBNETS = ("network-private-0", "network-private-1", "network-private-2")


def remove_kms_grant(document):
    edit_document(role_policy(document, "processing-service", "secretsmanager:GetSecretValue"), lambda statements: [
        statements.remove(s) for s in list(statements) if "kms:Decrypt" in json.dumps(s["Action"])])
    # one finding per secret the task reads under the platform key (DATABASE_URL, THIRD_PARTY_API_KEYS)
    return [("processing-service", TASK_START, "processing-service-execution-role",
             "role does not allow kms:Decrypt on arn:aws:kms:")] * 2


def misspell_action(document):
    policy = role_policy(document, "frontend", "logs:PutLogEvents")
    policy["state"]["policy"] = policy["state"]["policy"].replace("logs:PutLogEvents", "logs:PutLogEvent")
    return [("frontend", IAM_ACTIONS, "frontend-execution", "action logs:PutLogEvent does not exist in the IAM action "
                                                           "database; did you mean 'logs:PutLogEvents'?"),
            # the real action is no longer granted, and the misspelled one is granted without being needed
            ("frontend", TASK_START, "frontend-execution-role", "role does not allow logs:PutLogEvents on "),
            ("frontend", TASK_START, "frontend-execution-role", "allows logs:PutLogEvent on arn:aws:logs:")]


def unknown_container_key(document):
    [task] = resources(document, "services/api-gateway-dev", "aws:ecs/taskDefinition:TaskDefinition")
    containers = json.loads(task["state"]["containerDefinitions"])
    containers[0]["healthcheck"] = containers[0]["healthCheck"]
    task["state"]["containerDefinitions"] = json.dumps(containers)
    return [("api-gateway", CONTAINER, "api-gateway-task",
             'Unknown parameter in containerDefinitions[0]: "healthcheck"')]


def drop_api_gateway_ingress(document):
    for stack in document["stacks"]:
        stack["resources"] = [r for r in stack["resources"] if not (
            r["type"].endswith("SecurityGroupIngressRule") and "api-gateway-in-frontend" in r["name"])]
    return [("api-gateway", CALL_PATHS, "platform-network-policy-api-gateway",
             "no ingress on port 8081 from frontend's groups")]


def add_delete_table(document):
    edit_document(role_policy(document, "api-gateway", "dynamodb:PutItem"), lambda statements: next(
        s for s in statements if "dynamodb:PutItem" in s["Action"])["Action"].append("dynamodb:DeleteTable"))
    return [("api-gateway", RUNTIME, "api-gateway-task-role", "allows dynamodb:DeleteTable on "
                                                              "arn:aws:dynamodb:us-east-1:123456789012:table/")]


def turn_nat_off(document):
    for stack in document["stacks"]:
        stack["resources"] = [r for r in stack["resources"] if not r["state"].get("natGatewayId")]
    # Every AWS API still has its endpoint; only processing-service's declared venue calls need NAT.
    return [("processing-service", REACHABILITY, subnet, "declared external call 'trading venues' (port 443) needs "
                                                         "NAT") for subnet in PRIVATE_SUBNETS]


def remove_logs_endpoint(document):
    for stack in document["stacks"]:
        stack["resources"] = [r for r in stack["resources"]
                              if not str(r["state"].get("serviceName", "")).endswith(".logs")]
    return [(service, REACHABILITY, subnet, "no way to the logs API: no VPC endpoint com.amazonaws.us-east-1.logs")
            for service in SERVICES for subnet in PRIVATE_SUBNETS]


def assert_exactly(failures, expected):
    """The failures are exactly `expected` ((service, check, resource's logical name, detail fragment), with
    repeats): each expected entry claims one failure, and none is left over."""
    left = list(failures)
    for service, check, resource, fragment in expected:
        match = next((f for f in left if (f.stack, f.rule, f.resource.split(" (")[0]) == (service, check, resource)
                      and fragment in f.message), None)
        assert match, f"no failure {(service, check, resource, fragment)} among:\n" + "\n".join(
            f"{f.rule} {f.stack} {f.resource}: {f.message}" for f in left)
        left.remove(match)
    assert not left, "unexpected failures:\n" + "\n".join(f"{f.rule} {f.stack} {f.resource}: {f.message}"
                                                          for f in left)


@pytest.mark.parametrize("environment, fault", [
    ("dev", remove_kms_grant), ("dev", misspell_action), ("dev", unknown_container_key),
    ("dev", drop_api_gateway_ingress), ("prod", add_delete_table), ("prod", turn_nat_off)])
def test_each_fault_in_the_real_plan_yields_exactly_its_findings(real, environment, fault):
    document = json.loads(real(environment))  # a fresh copy: the session's plans stay untouched
    assert analyse(document).ok
    expected = fault(document)
    assert_exactly(analyse(document).failures, expected)


def test_without_nat_the_missing_logs_endpoint_adds_exactly_the_logs_findings(real):
    # GIVEN prod with NAT off, whose only failures are the venue calls (every AWS API has its endpoint)
    document = json.loads(real("prod"))
    baseline = turn_nat_off(document)
    assert_exactly(analyse(document).failures, baseline)
    # WHEN the logs endpoint goes too, THEN each service fails to reach logs from each private subnet, and
    # nothing else changes
    added = remove_logs_endpoint(document)
    assert_exactly(analyse(document).failures, baseline + added)


def test_a_fault_test_notices_a_failure_it_did_not_expect_and_one_that_is_missing(real):
    document = json.loads(real("dev"))
    expected = drop_api_gateway_ingress(document)
    failures = analyse(document).failures
    with pytest.raises(AssertionError, match="unexpected failures"):
        assert_exactly(failures, [])
    with pytest.raises(AssertionError, match="no failure"):
        assert_exactly(failures, expected * 2)


def test_the_real_network_program_with_nat_off_and_no_logs_endpoint_is_refused():
    # GIVEN prod planned by the real programs with natStrategy none and every interface endpoint but logs
    upstream, plans = {}, []
    for stack in deploy_order("prod"):
        values, secrets = load_stack_config(stack)
        if stack.project == "network":
            values["network:natStrategy"] = "none"
            values["network:interfaceEndpoints"] = json.dumps(["ecr.api", "ecr.dkr", "secretsmanager", "sqs", "sns"])
        plan = run_stack(stack, upstream, (values, secrets))
        upstream[reference_key(stack)] = plan.outputs
        plans.append(plan)
    # WHEN the analysis reads its plan.json
    failures = analyse(json.loads(json.dumps(plan_document("prod", plans)))).failures
    # THEN every service fails to reach logs from each of its subnets, and the venue calls need NAT
    logs = [f for f in failures if f.message.startswith("no way to the logs API: no VPC endpoint "
                                                       "com.amazonaws.us-east-1.logs and route table ")]
    venues = [f for f in failures if f.message.startswith("declared external call 'trading venues' (port 443) "
                                                         "needs NAT")]
    assert {f.rule for f in failures} == {REACHABILITY}
    external = {s.name for s in CATALOG if s.external}
    assert len(logs) == len(PRIVATE_SUBNETS) * len(SERVICES) and {f.stack for f in logs} == set(SERVICES)
    assert len(venues) == len(PRIVATE_SUBNETS) * len(external) and {f.stack for f in venues} == external
    assert len(failures) == len(logs) + len(venues)
    assert all(f.resource.startswith("network-private-") for f in failures)
