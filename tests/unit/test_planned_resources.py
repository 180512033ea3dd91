"""Facts of the real offline plans (both environments, planned once per session) that no other test held
(issue 17.9: each of these could be changed, or swapped for a neighbouring value, with every test passing)."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from shared.catalog import SERVICES
from tools.plan.mocks import REGION

ENVIRONMENTS = ("dev", "prod")
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
DISCOVERY = "aws:servicediscovery/service:Service"
KMS_KEY = "aws:kms/key:Key"
# Every input holding a policy document, by resource type.
POLICY_INPUTS = {KMS_KEY: "policy", "aws:iam/rolePolicy:RolePolicy": "policy", "aws:iam/policy:Policy": "policy",
                 "aws:iam/role:Role": "assumeRolePolicy", "aws:s3/bucketPolicy:BucketPolicy": "policy",
                 "aws:sns/topicPolicy:TopicPolicy": "policy", "aws:sqs/queuePolicy:QueuePolicy": "policy",
                 "aws:ec2/vpcEndpoint:VpcEndpoint": "policy", "aws:secretsmanager/secretPolicy:SecretPolicy": "policy"}


def registrations(environment_plans, environment: str, typ: str) -> list:
    return [r for stack in environment_plans(environment).values() for r in stack.of_type(typ)]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_each_container_gets_the_deployment_region_for_the_sdk_and_for_awslogs(environment_plans, environment):
    # The region comes from the deployment context, next to the Cloud Map namespace in the same apply: swapped
    # for it, the SDK would resolve no endpoint and awslogs would refuse the region, so the task never starts.
    assert REGION == "us-east-1"
    definitions = registrations(environment_plans, environment, TASKDEF)
    assert len(definitions) == len(SERVICES)
    for definition in definitions:
        [container] = json.loads(definition.inputs["containerDefinitions"])
        variables = {e["name"]: e["value"] for e in container["environment"]}
        assert variables["AWS_REGION"] == "us-east-1", definition.name
        assert container["logConfiguration"]["options"]["awslogs-region"] == "us-east-1", definition.name


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_target_groups_check_health_every_15_s_two_passes_in_three_failures_out(environment_plans, environment):
    groups = registrations(environment_plans, environment, TARGET_GROUP)
    assert groups
    for group in groups:
        [service] = [s for s in SERVICES if s.public and group.name.startswith(f"{s.name}-")]
        assert group.inputs["healthCheck"] == {
            "enabled": True, "path": service.health_path, "protocol": "HTTP", "port": "traffic-port",
            "matcher": "200", "interval": 15, "timeout": 5, "healthyThreshold": 2, "unhealthyThreshold": 3}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_cloud_map_services_are_force_destroyed_with_their_instances(environment_plans, environment):
    # ECS leaves instances registered while a service drains; without force_destroy a destroy fails on them.
    discovery = registrations(environment_plans, environment, DISCOVERY)
    assert sorted(d.inputs["name"] for d in discovery) == sorted(s.name for s in SERVICES)
    assert all(d.inputs["forceDestroy"] is True for d in discovery)


def duplicate_sids(document: str) -> list[str]:
    """Sids used by more than one statement: KMS refuses such a key policy (MalformedPolicyDocumentException)
    and IAM requires a Sid to be unique within its policy."""
    counts = Counter(s.get("Sid", "") for s in json.loads(document)["Statement"])
    return sorted(sid for sid, n in counts.items() if n > 1 and sid)


def test_duplicate_sids_are_found():
    document = json.dumps({"Statement": [{"Sid": "A"}, {"Sid": "B"}, {"Sid": "A"}, {}, {}]})
    assert duplicate_sids(document) == ["A"]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_key_policy_names_each_statement_once(environment_plans, environment):
    keys = registrations(environment_plans, environment, KMS_KEY)
    assert len(keys) >= 3  # the network's flow-log key, the registry's and the platform's
    for key in keys:
        statements = json.loads(key.inputs["policy"])["Statement"]
        assert all(s.get("Sid") for s in statements), key.name
        assert duplicate_sids(key.inputs["policy"]) == [], key.name


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_no_policy_document_of_the_plan_repeats_a_sid(environment_plans, environment):
    checked = 0
    for stack in environment_plans(environment).values():
        for registration in stack.resources:
            key = POLICY_INPUTS.get(registration.type)
            document = registration.inputs.get(key) if key else None
            if isinstance(document, str):
                checked += 1
                assert duplicate_sids(document) == [], f"{registration.type} {registration.name}"
    assert checked > 10


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_resource_is_a_child_of_the_component_whose_name_it_extends(environment_plans, environment):
    """A resource's URN holds its parent's type and its own logical name: a resource left at the stack's root,
    moved to another component or named from another string would be deleted and created again by the next
    `up` of a running environment. Each one hangs under a component of ours and extends that component's name."""
    for key, stack in environment_plans(environment).items():
        by_urn = {r.urn: r for r in stack.plan.registrations}
        for resource in stack.resources:
            if resource.type == "pulumi:pulumi:StackReference":  # a read of another stack, owned by the program
                continue
            parent = by_urn.get(resource.parent or "")
            assert parent is not None and parent.type.startswith("trading:"), (key, resource.type, resource.name)
            assert resource.name.startswith(f"{parent.name}-"), (key, resource.name, parent.name)
        # Components nest the same way: one per stack hangs at the stack's root, every other under another.
        components = [r for r in stack.plan.registrations if r.type.startswith("trading:")]
        roots = [c for c in components if not by_urn[c.parent].type.startswith("trading:")]
        assert len(roots) == 1 and by_urn[roots[0].parent].type == "pulumi:pulumi:Stack", key
        assert all(c.name.startswith(f"{by_urn[c.parent].name}-") for c in components if c not in roots), key


# Every resource's URN holds the types of the components above it: renaming one replaces all its resources.
COMPONENT_TYPES = {
    "network": {"trading:network:Network"},
    "registry": {"trading:registry:Registry"},
    "platform": {"trading:platform:Platform", "trading:platform:NetworkPolicy", "trading:platform:PlatformEdge",
                 "trading:platform:PlatformData", "trading:platform:SigningKeyRotation"},
    "services": {"trading:services:TradingService"},
}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_component_types_are_the_ones_running_stacks_already_hold(environment_plans, environment):
    for key, stack in environment_plans(environment).items():
        found = {r.type for r in stack.plan.registrations if not r.custom and r.type.startswith("trading:")}
        assert found == COMPONENT_TYPES[key.split("/")[0]], key
