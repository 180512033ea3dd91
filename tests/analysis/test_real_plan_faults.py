"""The issue's six faults injected into the real plans (not the synthetic one): the analysis catches them on
the shapes the projects actually produce, naming the service, the resource and what is missing. NAT is turned
off in prod, whose interface endpoints cover every API but logs once that endpoint is gone."""
from __future__ import annotations

import json

import pytest

from shared.analysis import analyse
from shared.analysis.findings import CALL_PATHS, CONTAINER, IAM_ACTIONS, REACHABILITY, RUNTIME, TASK_START
from shared.plan.runner import load_stack_config, plan_document, reference_key, run_stack
from shared.stacks import deploy_order


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


def remove_kms_grant(document):
    edit_document(role_policy(document, "processing-service", "secretsmanager:GetSecretValue"), lambda statements: [
        statements.remove(s) for s in list(statements) if "kms:Decrypt" in json.dumps(s["Action"])])
    return "processing-service", TASK_START, "does not allow kms:Decrypt on arn:aws:kms:"


def misspell_action(document):
    policy = role_policy(document, "frontend", "logs:PutLogEvents")
    policy["state"]["policy"] = policy["state"]["policy"].replace("logs:PutLogEvents", "logs:PutLogEvent")
    return "frontend", IAM_ACTIONS, "action logs:PutLogEvent does not exist in the IAM action database; did you " \
                                    "mean 'logs:PutLogEvents'?"


def unknown_container_key(document):
    [task] = resources(document, "services/api-gateway-dev", "aws:ecs/taskDefinition:TaskDefinition")
    containers = json.loads(task["state"]["containerDefinitions"])
    containers[0]["healthcheck"] = containers[0]["healthCheck"]
    task["state"]["containerDefinitions"] = json.dumps(containers)
    return "api-gateway", CONTAINER, 'Unknown parameter in containerDefinitions[0]: "healthcheck"'


def nat_off_without_logs_endpoint(document):
    for stack in document["stacks"]:
        stack["resources"] = [r for r in stack["resources"] if not r["state"].get("natGatewayId")
                              and not str(r["state"].get("serviceName", "")).endswith(".logs")]
    return "frontend", REACHABILITY, "no way to the logs API: no VPC endpoint com.amazonaws.us-east-1.logs"


def drop_api_gateway_ingress(document):
    for stack in document["stacks"]:
        stack["resources"] = [r for r in stack["resources"] if not (
            r["type"].endswith("SecurityGroupIngressRule") and "api-gateway-in-frontend" in r["name"])]
    return "api-gateway", CALL_PATHS, "no ingress on port 8081 from frontend's groups"


def add_delete_table(document):
    edit_document(role_policy(document, "api-gateway", "dynamodb:PutItem"), lambda statements: next(
        s for s in statements if "dynamodb:PutItem" in s["Action"])["Action"].append("dynamodb:DeleteTable"))
    return "api-gateway", RUNTIME, "allows dynamodb:DeleteTable on arn:aws:dynamodb:us-east-1:123456789012:table/"


@pytest.mark.parametrize("environment, fault", [
    ("dev", remove_kms_grant), ("dev", misspell_action), ("dev", unknown_container_key),
    ("prod", nat_off_without_logs_endpoint), ("dev", drop_api_gateway_ingress), ("prod", add_delete_table)])
def test_each_fault_in_the_real_plan_is_named(real, environment, fault):
    document = json.loads(real(environment))  # a fresh copy: the session's plans stay untouched
    assert analyse(document).ok
    service, check, missing = fault(document)
    failures = analyse(document).failures
    matching = [f for f in failures if f.subject == service and f.check == check and missing in f.detail]
    assert matching, "\n".join(f"{f.check} {f.subject} {f.resource}: {f.detail}" for f in failures)
    assert all(f.resource for f in matching)
    if fault is nat_off_without_logs_endpoint:
        # NAT off also cuts processing-service's declared venue calls: the only other failures
        others = [f for f in failures if "logs" not in f.detail]
        assert others and all("declared external call 'trading venues'" in f.detail for f in others)
    elif fault is misspell_action:
        assert {f.check for f in failures} == {IAM_ACTIONS, TASK_START}  # the grant is gone as well
    else:
        assert {f.check for f in failures} == {check}


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
    # THEN every service fails to reach logs from each of its three subnets, and the venue calls need NAT
    logs = [f for f in failures if f.detail.startswith("no way to the logs API: no VPC endpoint "
                                                       "com.amazonaws.us-east-1.logs and route table ")]
    venues = [f for f in failures if f.detail.startswith("declared external call 'trading venues' (port 443) "
                                                         "needs NAT")]
    assert {f.check for f in failures} == {REACHABILITY}
    assert len(logs) == 9 and {f.subject for f in logs} == {"frontend", "api-gateway", "processing-service"}
    assert len(venues) == 3 and {f.subject for f in venues} == {"processing-service"}
    assert len(failures) == 12
    assert all(f.resource.startswith("network-private-") for f in failures)
