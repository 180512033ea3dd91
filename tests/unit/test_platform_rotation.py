"""The platform's JWT signing-key rotation as the dev platform stack plans it: the function, its role and log group,
who may invoke it, the first key set it writes, and the schedule. Values are written out by hand."""
from __future__ import annotations

import json

import pytest

from tests.conftest import Stack, policy
from tools.plan.mocks import ACCOUNT_ID, REGION

FUNCTION = "aws:lambda/function:Function"
ARN = f"{REGION}:{ACCOUNT_ID}"


@pytest.fixture(scope="module")
def dev(environment_plans) -> Stack:
    """The dev platform stack as the environment's plan has it."""
    return environment_plans("dev")["platform/dev"]


@pytest.fixture(scope="module")
def network(environment_plans) -> dict:
    return environment_plans("dev")["network/dev"].outputs


def rotation(stack: Stack, typ: str):
    [found] = [r for r in stack.of_type(typ) if r.name.startswith("platform-data-jwt-rotation-")]
    return found


def secret(stack: Stack):
    return stack.one("aws:secretsmanager/secret:Secret", "platform-data-jwt-signing-key")


def test_the_function_runs_the_packaged_handler_small_and_short_on_arm(dev):
    function = rotation(dev, FUNCTION).inputs
    assert function["name"] == "lambda-jwt-rotation-dev"
    assert (function["runtime"], function["handler"]) == ("python3.12", "jwt_rotation.handler.lambda_handler")
    assert (function["timeout"], function["memorySize"], function["architectures"]) == (30, 128, ["arm64"])
    assert function["description"] == \
        "Rotates the JWT signing key set (two-phase: every task verifies a key before any signs)"
    # The package's modules under jwt_rotation/ (the handler's import path), and nothing else.
    assert sorted(function["code"]["archive"]) == [
        "jwt_rotation/__init__.py", "jwt_rotation/handler.py", "jwt_rotation/keyset.py"]
    assert function["environment"] == {"variables": {"SECRET_ARN": secret(dev).state["arn"]}}


def test_the_function_runs_in_the_private_subnets_behind_its_own_group_and_logs_json_to_its_group(dev, network):
    function = rotation(dev, FUNCTION)
    group = dev.one("aws:ec2/securityGroup:SecurityGroup", "platform-network-policy-jwt-rotation")
    assert function.inputs["vpcConfig"] == {"subnetIds": network["privateSubnetIds"],
                                            "securityGroupIds": [group.id]}
    assert function.inputs["loggingConfig"] == {"logFormat": "JSON", "logGroup": "log-jwt-rotation-dev"}
    assert function.delete_before_replace is True


def test_the_log_group_keeps_30_days_under_the_platform_key(dev):
    group = rotation(dev, "aws:cloudwatch/logGroup:LogGroup")
    assert group.inputs["name"] == "log-jwt-rotation-dev" and group.inputs["retentionInDays"] == 30
    assert group.inputs["kmsKeyId"] == dev.one("aws:kms/key:Key").state["arn"]
    assert group.delete_before_replace is True


def test_the_role_is_lambdas_and_its_policy_reaches_the_secret_key_logs_and_its_network_only(dev, network):
    role = rotation(dev, "aws:iam/role:Role")
    assert role.inputs["name"] == "role-jwt-rotation-dev" and role.delete_before_replace is True
    assert role.inputs["description"] == "JWT signing-key rotation: its secret, key and ENIs only"
    [trust] = policy(role, "assumeRolePolicy")["Statement"]
    assert trust["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID},
                                  "ArnLike": {"aws:SourceArn": f"arn:aws:lambda:{ARN}:function:*"}}
    function, role_policy = rotation(dev, FUNCTION), rotation(dev, "aws:iam/rolePolicy:RolePolicy")
    assert function.inputs["role"] == role.state["arn"] and role_policy.inputs["role"] == role.id
    statements = {s["Sid"]: s for s in policy(role_policy)["Statement"]}
    assert statements["RotateItsSecret"]["Resource"] == [secret(dev).state["arn"]]
    assert statements["EncryptItsSecretViaSecretsManager"]["Resource"] == [dev.one("aws:kms/key:Key").state["arn"]]
    assert statements["WriteOwnLogs"]["Resource"] == [f"arn:aws:logs:{ARN}:log-group:log-jwt-rotation-dev:*"]
    group = dev.one("aws:ec2/securityGroup:SecurityGroup", "platform-network-policy-jwt-rotation")
    [interfaces] = [s for s in statements.values() if s["Action"] == ["ec2:CreateNetworkInterface"]]
    assert sorted(interfaces["Resource"]) == sorted(
        [f"arn:aws:ec2:{ARN}:network-interface/*", f"arn:aws:ec2:{ARN}:security-group/{group.id}"]
        + [f"arn:aws:ec2:{ARN}:subnet/{subnet}" for subnet in network["privateSubnetIds"]])
    # Lambda checks the role may create the function's network interfaces when it creates the function.
    assert role_policy.urn in function.dependencies


def test_only_secrets_manager_of_this_account_may_invoke_the_function(dev):
    assert rotation(dev, "aws:lambda/permission:Permission").inputs == {
        "action": "lambda:InvokeFunction", "function": "lambda-jwt-rotation-dev",
        "principal": "secretsmanager.amazonaws.com", "sourceAccount": ACCOUNT_ID}


def test_the_first_key_set_is_the_functions_bootstrap_of_the_secret_once_its_network_is_open(dev):
    invocation = rotation(dev, "aws:lambda/invocation:Invocation")
    assert invocation.inputs["functionName"] == "lambda-jwt-rotation-dev"
    assert json.loads(invocation.inputs["input"]) == {"Step": "bootstrap", "SecretId": secret(dev).state["arn"]}
    # Else a first `up` could invoke it before its group may reach Secrets Manager through the endpoint.
    egress = {r.urn for r in dev.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
              if r.name.startswith("platform-network-policy-jwt-rotation-")}
    assert egress and egress <= set(invocation.dependencies)


def test_the_schedule_rotates_every_configured_days_not_at_once_and_after_the_first_set(dev):
    schedule = rotation(dev, "aws:secretsmanager/secretRotation:SecretRotation")
    assert schedule.inputs["secretId"] == secret(dev).id
    assert schedule.inputs["rotationLambdaArn"] == rotation(dev, FUNCTION).state["arn"]
    assert schedule.inputs["rotationRules"] == {"automaticallyAfterDays": 30}
    assert schedule.inputs["rotateImmediately"] is False
    # Secrets Manager tests the configuration by invoking the function: the permission and the first set first.
    assert {rotation(dev, "aws:lambda/permission:Permission").urn,
            rotation(dev, "aws:lambda/invocation:Invocation").urn} <= set(schedule.dependencies)


def test_every_rotation_resource_is_a_child_of_the_rotation_component_under_the_data_layer(dev):
    # A child's URN holds its parents' types: another parent is a new URN, and `up` would replace the function.
    [component] = dev.of_type("trading:platform:SigningKeyRotation")
    assert component.parent == dev.one("trading:platform:PlatformData").urn
    children = [r for r in dev.resources if r.name.startswith("platform-data-jwt-rotation-")]
    assert len(children) == 7 and all(r.parent == component.urn for r in children)


def test_the_component_registers_its_function_and_log_group_as_outputs(dev):
    assert dev.one("trading:platform:SigningKeyRotation").outputs == {
        "functionArn": f"arn:aws:lambda:{ARN}:function:lambda-jwt-rotation-dev", "logGroupName": "log-jwt-rotation-dev"}
