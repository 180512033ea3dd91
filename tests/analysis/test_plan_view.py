"""How the analysis reads a plan document: resolution through ids and ARNs, and what it refuses."""
from __future__ import annotations

import json

import pytest

from shared.catalog import SERVICES
from tests.analysis.builder import ACCOUNT, PlanBuilder, build_plan, remove, resource, set_state
from tools.analysis import analyse, analyse_file
from tools.analysis.findings import PLAN
from tools.analysis.plan import Plan, Resource, parse_containers
from tools.findings import SECRET_MARKER


def test_resource_labels_name_the_logical_and_the_physical_resource():
    assert Resource("s", "t", "logical", "phys-id", {}).label == "logical (phys-id)"
    assert Resource("s", "t", "logical", "x", {"name": "physical"}).label == "logical (physical)"
    assert Resource("s", "t", "same", "same", {}).label == "same"
    assert Resource("s", "t", "component", None, {}).label == "component"


@pytest.mark.parametrize("raw, why", [
    (SECRET_MARKER, "containerDefinitions is secret in the plan"),
    ("[{", "containerDefinitions is not valid JSON"),
    ('{"name": "x"}', "must be a JSON list of containers, got dict"),
])
def test_unreadable_container_definitions_are_refused(raw, why):
    containers, reason = parse_containers(Resource("s", "t", "td", None, {"containerDefinitions": raw}))
    assert containers is None and why in reason


def test_container_definitions_already_decoded_are_accepted():
    assert parse_containers(Resource("s", "t", "td", None, {"containerDefinitions": [{"name": "a"}]})) == (
        [{"name": "a"}], "")


def test_components_and_resources_without_state_are_read_as_expected():
    document = build_plan()
    stack = document["stacks"][0]
    stack["resources"].append({"type": "trading:network:Network", "name": "network", "custom": False, "inputs": {}})
    stack["resources"].append({"type": "aws:ec2/eip:Eip", "name": "eip", "id": "eipalloc-1",
                               "inputs": {"domain": "vpc"}})
    plan = Plan(document, SERVICES)
    assert plan.by_id("aws:ec2/eip:Eip", "eipalloc-1").get("domain") == "vpc"
    assert not plan.of_type("trading:network:Network")
    assert plan.outputs("nonexistent") == {}
    assert plan.view("nonexistent") is None
    assert plan.subject_of("network/dev") == "network/dev"
    # a resource without an ARN has arn '' and is found by no ARN, the empty one included
    assert plan.by_id("aws:ec2/eip:Eip", "eipalloc-1").arn == "" and plan.by_arn("") is None


def test_a_missing_service_stack_is_named_with_its_stack_file():
    document = build_plan()
    document["stacks"] = [s for s in document["stacks"] if s["stack"] != "frontend-dev"]
    # THEN only the wiring fails: api-gateway's ingress from frontend is not blamed for frontend's absence
    [failure] = analyse(document).failures
    assert (failure.rule, failure.stack, failure.resource) == (PLAN, "frontend", "services/frontend-dev")
    assert "projects/services/Pulumi.frontend-dev.yaml" in failure.message


def test_a_stack_without_exactly_one_ecs_service_is_refused():
    document = build_plan()
    remove(document, "frontend-service")
    [failure] = [f for f in analyse(document).failures if f.rule == PLAN]
    assert failure.message == "expected exactly one ECS service in services/frontend-dev, found 0"


def test_an_ecs_service_pointing_at_an_unknown_task_definition_is_refused():
    document = build_plan()
    set_state(document, "frontend-service", taskDefinition="arn:aws:ecs:us-east-1:1:task-definition/other:1")
    [failure] = [f for f in analyse(document).failures if f.rule == PLAN]
    assert failure.resource == "frontend-service (frontend)"
    assert "is no task definition of the plan" in failure.message


def test_secret_container_definitions_stop_the_service_analysis():
    document = build_plan()
    set_state(document, "frontend-task", containerDefinitions=SECRET_MARKER)
    failures = [f for f in analyse(document).failures if f.stack == "frontend"]
    assert {f.rule for f in failures} == {PLAN, "container definitions"}
    assert all("secret in the plan" in f.message for f in failures)


def test_unknown_roles_subnets_and_groups_are_named():
    document = build_plan()
    set_state(document, "api-gateway-task", taskRoleArn=f"arn:aws:iam::{ACCOUNT}:role/ghost")
    set_state(document, "frontend-service", networkConfiguration={"subnets": ["subnet-ghost"], "securityGroups": []})
    details = [f.message for f in analyse(document).failures if f.rule == PLAN]
    assert f"taskRoleArn arn:aws:iam::{ACCOUNT}:role/ghost is no IAM role of the plan" in details
    assert "subnet subnet-ghost in networkConfiguration is not in the plan" in details
    assert any(d.startswith("networkConfiguration must name the subnets and security groups") for d in details)


def test_policies_are_found_inline_attached_and_through_role_policies():
    document = build_plan()
    stack = next(s for s in document["stacks"] if s["stack"] == "frontend-dev")
    role = resource(document, "frontend-task-role")
    inline = json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    role["state"]["inlinePolicies"] = [{"name": "inline", "policy": inline}, {"name": "empty"}]
    role["state"]["managedPolicyArns"] = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    managed = f"arn:aws:iam::{ACCOUNT}:policy/extra"
    PlanBuilder.add(stack, "aws:iam/policy:Policy", "extra", "extra", arn=managed, policy=inline)
    PlanBuilder.add(stack, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "attach", "attach",
                    role=role["id"], policyArn=managed)
    plan = Plan(document, SERVICES)
    sources, unreadable = plan.identity_policies(plan.view("frontend").task_role)
    assert [s.label for s in sources] == ["frontend-task-role inline inline", "frontend-task-policy (frontend-task)",
                                          "extra"]
    assert unreadable == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]


def test_a_separate_key_policy_replaces_the_keys_own_and_a_key_without_policy_has_none():
    document = build_plan()
    platform = next(s for s in document["stacks"] if s["project"] == "platform")
    key = resource(document, "platform-key")
    PlanBuilder.add(platform, "aws:kms/keyPolicy:KeyPolicy", "key-policy", "kp", keyId=key["id"],
                    policy=json.dumps({"Statement": [{"Sid": "Only", "Effect": "Allow", "Action": "kms:*",
                                                      "Resource": "*", "Principal": {"AWS": "*"}}]}))
    plan = Plan(document, SERVICES)
    assert [s.sid for s in plan.key_policy(plan.kms_key(key["id"]))] == ["Only"]
    assert plan.key_policy(Resource("s", "aws:kms/key:Key", "bare", "k2", {})) == []


def test_analyse_file_reads_a_written_plan(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(build_plan()))
    report = analyse_file(path)
    assert report.ok and report.environment == "dev"
