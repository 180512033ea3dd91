"""Task start: one fault per test in the execution role, its policies, the image, logs, secrets and keys."""
from __future__ import annotations

import json

import pytest

from shared.catalog import SERVICES
from tests.analysis.builder import (
    ACCOUNT,
    KEY_ARN,
    SECRET_ARNS,
    build_plan,
    edit_containers,
    edit_policy,
    remove,
    set_state,
)
from tools.analysis import analyse
from tools.analysis.findings import TASK_START
from tools.analysis.task_start import secret_arn


def failures(document, check=TASK_START) -> list:
    found = [f for f in analyse(document).failures if f.rule == check]
    assert found, "the fault went unnoticed"
    return found


def test_a_json_key_selector_is_stripped_from_value_from():
    base = SECRET_ARNS["JWT_SIGNING_KEY"]
    assert secret_arn(f"{base}:signing_key::") == base
    assert secret_arn(base) == base


def test_a_json_key_selector_still_proves_the_secret_read():
    document = build_plan()
    edit_containers(document, "frontend-task", lambda c: c[0]["secrets"][0].update(
        valueFrom=f"{SECRET_ARNS['JWT_SIGNING_KEY']}:key::"))
    assert analyse(document).ok


def test_a_task_definition_without_execution_role_cannot_start():
    document = build_plan()
    set_state(document, "frontend-task", executionRoleArn=None)
    [failure] = failures(document)
    assert failure.stack == "frontend" and "has no executionRoleArn" in failure.message


def test_a_role_that_ecs_tasks_cannot_assume_is_named():
    document = build_plan()
    set_state(document, "frontend-execution-role", assumeRolePolicy=json.dumps({"Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}))
    [failure] = failures(document)
    assert failure.resource == "frontend-execution-role (frontend-execution-dev)"
    assert "does not let ecs-tasks.amazonaws.com assume the role" in failure.message


def test_an_aws_managed_policy_cannot_be_read_offline():
    document = build_plan()
    set_state(document, "frontend-execution-role",
              managedPolicyArns=["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"])
    [failure] = failures(document)
    assert "AmazonECSTaskExecutionRolePolicy is not in the plan" in failure.message


def test_an_image_outside_the_registry_is_named():
    document = build_plan()
    edit_containers(document, "frontend-task", lambda c: c[0].update(image="docker.io/library/nginx:1.27"))
    [failure] = failures(document)
    assert "image 'docker.io/library/nginx:1.27' is not in any ECR repository of the plan" in failure.message


def test_an_image_by_digest_resolves_to_its_repository():
    document = build_plan()
    edit_containers(document, "frontend-task", lambda c: c[0].update(
        image=c[0]["image"].rsplit(":", 1)[0] + "@sha256:" + "a" * 64))
    assert analyse(document).ok


def test_pulling_from_another_repository_is_refused():
    document = build_plan()
    edit_policy(document, "frontend-execution-policy", lambda s: s[1].update(
        Resource=[f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/api-gateway-dev"]))
    other = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/api-gateway-dev"
    found = failures(document)
    missing = {f"role does not allow {a}" for a in ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                                                   "ecr:GetDownloadUrlForLayer")}
    excess = {f"frontend-execution-policy (frontend-execution) allows {a}" for a in (
        "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")}
    assert {f.message.split(" on ")[0] for f in found} == missing | excess
    assert all(other in f.message for f in found if " allows " in f.message)


def test_other_log_drivers_need_no_logs_permission():
    document = build_plan()
    edit_containers(document, "frontend-task", lambda c: c[0].update(logConfiguration={"logDriver": "json-file"}))
    edit_policy(document, "frontend-execution-policy", lambda s: s.pop(2))
    assert analyse(document).ok


def test_a_log_group_the_plan_does_not_create_is_named():
    document = build_plan()
    remove(document, "frontend-logs")
    [failure] = failures(document)
    assert "logs to group '/ecs/frontend-dev', which the plan does not create" in failure.message


def test_an_unencrypted_log_group_needs_no_key_policy():
    document = build_plan()
    set_state(document, "frontend-logs", kmsKeyId=None)
    assert analyse(document).ok


@pytest.mark.parametrize("name, label", [
    ("frontend-logs", "frontend-logs (/ecs/frontend-dev)"),
    ("platform-secret-jwt_signing_key", "platform-secret-jwt_signing_key (jwt_signing_key-dev)"),
])
def test_a_key_that_is_not_in_the_plan_is_named(name, label):
    document = build_plan()
    set_state(document, name, kmsKeyId="alias/ghost")
    found = failures(document)
    assert {f.resource for f in found} == {label}
    assert all("kmsKeyId alias/ghost is no KMS key of the plan" in f.message for f in found)


def test_a_key_policy_without_the_logs_principal_is_named():
    document = build_plan()
    edit_policy(document, "platform-key", lambda s: s.pop(1))
    found = failures(document)
    assert {f.resource for f in found} == {f"platform-key ({KEY_ARN.split('/')[-1]})"}
    assert {f.message.split(",")[0] for f in found} == {
        f"key policy does not admit service principal logs.us-east-1.amazonaws.com for {a}"
        for a in ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey")}


def test_a_key_policy_without_iam_delegation_blocks_the_secret():
    document = build_plan()
    edit_policy(document, "platform-key", lambda s: s.pop(0))
    found = failures(document)
    assert any("key policy admits neither arn:aws:iam::123456789012:role/frontend-execution-dev nor its account"
               in f.message for f in found)


def test_a_secret_that_is_not_in_the_plan_is_named():
    document = build_plan()
    edit_containers(document, "frontend-task", lambda c: c[0]["secrets"][0].update(
        valueFrom="arn:aws:ssm:us-east-1:123456789012:parameter/jwt"))
    [failure] = failures(document)
    assert "is no Secrets Manager secret of the plan" in failure.message


def test_a_secret_under_the_aws_managed_key_needs_no_kms_grant():
    document = build_plan()
    set_state(document, "platform-secret-jwt_signing_key", kmsKeyId=None)
    edit_policy(document, "frontend-execution-policy", lambda s: s.pop())
    found = failures(document)  # api-gateway reads the same secret and still grants the decrypt: not needed
    assert [(f.stack, f.message) for f in found] == [(
        "api-gateway", f"api-gateway-execution-policy (api-gateway-execution) allows kms:Decrypt on {KEY_ARN}, which "
                       f"starting api-gateway's task does not need; remove it")]
    edit_policy(document, "api-gateway-execution-policy", lambda s: s.pop())
    assert analyse(document).ok


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ACCOUNT},
                                       {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                                       {"AWS": f"arn:aws:iam::{ACCOUNT}:role/frontend-execution-dev"}])
def test_a_key_policy_deny_for_the_role_or_its_account_blocks_the_secret(principal):
    # An explicit Deny in the key policy wins over the account-root Allow, whatever the role's policy says.
    document = build_plan()
    edit_policy(document, "platform-key", lambda s: s.append({
        "Sid": "NoDecrypt", "Effect": "Deny", "Principal": principal, "Action": "kms:Decrypt", "Resource": "*"}))
    frontend = [f for f in failures(document) if f.stack == "frontend"]
    assert {f.resource for f in frontend} == {f"platform-key ({KEY_ARN.split('/')[-1]})"}
    expected = {"key policy statement NoDecrypt denies arn:aws:iam::123456789012:role/frontend-execution-dev "
                "kms:Decrypt"}
    if principal in ("*", {"AWS": "*"}):  # everyone: CloudWatch Logs as well
        expected.add("key policy statement NoDecrypt denies logs.us-east-1.amazonaws.com kms:Decrypt")
    assert sorted(f.message.split(",")[0] for f in frontend) == sorted(expected)


def test_a_key_policy_deny_for_someone_else_or_another_action_blocks_nothing():
    document = build_plan()
    edit_policy(document, "platform-key", lambda s: s.extend([
        {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"},
        {"Effect": "Deny", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "kms:*", "Resource": "*"}]))
    assert analyse(document).ok


def test_a_key_policy_deny_for_the_logs_service_blocks_the_encrypted_log_group():
    document = build_plan()
    edit_policy(document, "platform-key", lambda s: s.append({
        "Effect": "Deny", "Principal": {"Service": "logs.us-east-1.amazonaws.com"}, "Action": "kms:Encrypt",
        "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}))
    found = failures(document)
    assert {f.stack for f in found} == {s.name for s in SERVICES}
    assert {f.message for f in found} == {
        'key policy statement (no Sid) denies logs.us-east-1.amazonaws.com kms:Encrypt, which log group '
        f'/ecs/{s}-dev is encrypted with it; remove the Deny or narrow it; condition recorded, not evaluated: '
        '{"Bool": {"aws:SecureTransport": "false"}}' for s in (service.name for service in SERVICES)}


NOT_NEEDED = "which starting frontend's task does not need; remove it"


@pytest.mark.parametrize("statement, extra", [
    # Pulling from every repository (and the right one): the grant is proven, the excess named.
    ({"Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": "*"}, {("ecr:BatchGetImage", "*")}),
    ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::assets-dev/*"},
     {("s3:GetObject", "arn:aws:s3:::assets-dev/*")}),
    ({"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:*"},
     {("logs:PutLogEvents", f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:*")}),
    ({"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": SECRET_ARNS["THIRD_PARTY_API_KEYS"]},
     {("secretsmanager:GetSecretValue", SECRET_ARNS["THIRD_PARTY_API_KEYS"])}),
    ({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": KEY_ARN}, {("kms:Encrypt", KEY_ARN)}),
    # A wildcard action is expanded: each action it grants beyond the pull is named.
    ({"Effect": "Allow", "Action": "ecr:Put*", "Resource": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/frontend-dev"},
     {(a, f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/frontend-dev") for a in (
         "ecr:PutImage", "ecr:PutImageScanningConfiguration", "ecr:PutImageTagMutability", "ecr:PutLifecyclePolicy",
         "ecr:PutRegistryPolicy", "ecr:PutRegistryScanningConfiguration", "ecr:PutReplicationConfiguration",
         "ecr:PutAccountSetting", "ecr:PutSigningConfiguration")}),
])
def test_an_execution_role_granting_more_than_the_task_needs_is_refused(statement, extra):
    document = build_plan()
    edit_policy(document, "frontend-execution-policy", lambda s: s.append(statement))
    found = failures(document)
    assert {(f.stack, f.resource) for f in found} == {("frontend", "frontend-execution-role (frontend-execution-dev)")}
    assert {f.message for f in found} == {f"frontend-execution-policy (frontend-execution) allows {action} on "
                                         f"{resource}, {NOT_NEEDED}" for action, resource in extra}


def test_an_execution_role_with_not_action_cannot_be_bounded():
    document = build_plan()
    edit_policy(document, "frontend-execution-policy", lambda s: s.append(
        {"Sid": "Rest", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))
    [failure] = failures(document)
    assert failure.message == ("frontend-execution-policy (frontend-execution) statement Rest uses NotAction/"
                              "NotResource, which grants everything else")
