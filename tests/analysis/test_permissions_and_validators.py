"""Runtime permissions, the real validators (botocore's ECS model, the IAM action database), the shared IAM
matching they rest on, and the report."""
from __future__ import annotations

import dataclasses
import json

import pytest

from shared import iam
from shared.catalog import SERVICES
from tests.analysis.builder import ACCOUNT, KEY_ARN, STORE_ARNS, PlanBuilder, build_plan, edit_policy, set_state
from tools.analysis import analyse, iamdb
from tools.analysis.findings import CONTAINER, IAM_ACTIONS, RUNTIME, failed, passed
from tools.analysis.report import Report
from tools.analysis.runtime import object_resource
from tools.analysis.validators import container_problems


def failures(document, check) -> list:
    found = analyse(document).failures
    assert found and {f.rule for f in found} == {check}, [f.message for f in found]
    return found


# -- runtime permissions ------------------------------------------------------------------------------------
def test_object_actions_expect_the_bucket_objects():
    bucket = STORE_ARNS["assetsBucket"]
    assert object_resource("s3:GetObject", bucket) == f"{bucket}/*"
    assert object_resource("s3:ListBucket", bucket) == bucket


def test_a_missing_catalog_grant_is_named():
    document = build_plan()
    edit_policy(document, "processing-service-task-policy", lambda s: s[0]["Action"].remove("sqs:DeleteMessage"))
    [failure] = failures(document, RUNTIME)
    assert failure.stack == "processing-service"
    assert failure.message.startswith(f"role does not allow sqs:DeleteMessage on {STORE_ARNS['ordersQueue']}, which "
                                     f"catalog: ordersQueue")


def test_a_wildcard_action_expands_to_everything_it_grants():
    document = build_plan()
    edit_policy(document, "frontend-task-policy", lambda s: s[0].update(Action=["s3:GetObject*"]))
    found = failures(document, RUNTIME)
    assert "s3:GetObjectAcl" in " ".join(f.message for f in found)


def test_not_action_grants_cannot_be_bounded():
    document = build_plan()
    edit_policy(document, "frontend-task-policy", lambda s: s.append(
        {"Sid": "Rest", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))
    [failure] = failures(document, RUNTIME)
    assert "statement Rest uses NotAction/NotResource, which grants everything else" in failure.message


def test_deny_statements_grant_nothing_and_unknown_actions_count_as_extra():
    document = build_plan()
    edit_policy(document, "frontend-task-policy", lambda s: s.extend([
        {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:NoSuchAction", "Resource": "*"}]))
    found = analyse(document).failures
    assert {(f.rule, f.message.split(",")[0]) for f in found} == {
        (RUNTIME, "frontend-task-policy (frontend-task) allows s3:NoSuchAction on *"),
        (IAM_ACTIONS, "statement (no Sid): action s3:NoSuchAction does not exist in the IAM action database")}


def test_no_task_role_is_refused_when_the_catalog_grants_something():
    document = build_plan()
    set_state(document, "frontend-task", taskRoleArn=None)
    [failure] = failures(document, RUNTIME)
    assert failure.message == "the task definition has no taskRoleArn, but the catalog grants ['kms:Decrypt', " \
                             "'s3:GetObject']"


def test_an_attached_policy_the_plan_cannot_show_may_grant_more():
    document = build_plan()
    set_state(document, "frontend-task-role", managedPolicyArns=["arn:aws:iam::aws:policy/AmazonS3FullAccess"])
    [failure] = failures(document, RUNTIME)
    assert "AmazonS3FullAccess is not in the plan, so the role may allow more" in failure.message


def test_missing_platform_outputs_are_named():
    document = build_plan()
    outputs = next(s for s in document["stacks"] if s["project"] == "platform")["outputs"]
    del outputs["storeArns"]["eventsTopic"], outputs["kmsKeyArn"]
    found = analyse(document).failures
    assert {f.message for f in found if f.rule == RUNTIME and f.resource == "platform/dev"} == {
        "the platform exports no kmsKeyArn, the key that encrypts the catalog's stores",
        "the platform exports no storeArns['eventsTopic'] for the catalog's grant ['sns:Publish']"}


def test_a_platform_key_that_is_not_in_the_plan_is_named():
    document = build_plan()
    next(s for s in document["stacks"] if s["project"] == "platform")["outputs"]["kmsKeyArn"] = "arn:aws:kms:x:1:key/k"
    for name in ("frontend-task-policy", "api-gateway-task-policy", "processing-service-task-policy"):
        edit_policy(document, name, lambda s: s[-1].update(Resource=["arn:aws:kms:x:1:key/k"]))
    found = failures(document, RUNTIME)
    assert {f.message for f in found} == {"platform kmsKeyArn arn:aws:kms:x:1:key/k is no KMS key of the plan"}


def test_ecs_exec_adds_its_channel_and_only_when_enabled():
    document = build_plan()
    channel = {"Sid": "Exec", "Effect": "Allow", "Resource": "*", "Action": [
        "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel"]}
    edit_policy(document, "frontend-task-policy", lambda s: s.append(channel))
    # ssmmessages has no endpoint: ECS Exec needs the internet (and then the closed-egress check admits it)
    platform = next(s for s in document["stacks"] if s["project"] == "platform")
    PlanBuilder.add(platform, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "frontend-exec", "sgr-x",
                    securityGroupId="sg-frontend", ipProtocol="tcp", fromPort=443.0, toPort=443.0,
                    cidrIpv4="0.0.0.0/0")
    assert len(failures(document, RUNTIME)) == 4
    set_state(document, "frontend-service", enableExecuteCommand=True)
    assert analyse(document).ok


def test_a_service_without_stores_or_task_role_passes():
    document = build_plan()
    set_state(document, "frontend-task", taskRoleArn=None)
    services = tuple(s if s.name != "frontend" else dataclasses.replace(s, stores=()) for s in SERVICES)
    report = analyse(document, services)
    assert report.ok
    assert any(f.message == "no task role, and the catalog grants the service nothing" for f in report.findings)


# -- container definitions ----------------------------------------------------------------------------------
def test_wrong_types_and_enum_values_are_refused():
    problems = container_problems("fam", [{
        "name": "a", "image": "i", "cpu": 1.5, "portMappings": [{"containerPort": 80, "protocol": "tcpx"}],
        "logConfiguration": {"logDriver": "awslog", "options": {"k": "v"}}, "essential": True}])
    assert problems == [
        "Invalid type for parameter containerDefinitions[0].cpu, value: 1.5, type: <class 'float'>, valid types: "
        "<class 'int'>",
        "containerDefinitions[0].portMappings[0].protocol: 'tcpx' is not one of tcp, udp",
        "containerDefinitions[0].logConfiguration.logDriver: 'awslog' is not one of json-file, syslog, journald, "
        "gelf, fluentd, awslogs, splunk, awsfirelens"]


def test_a_secret_container_definition_cannot_be_validated():
    document = build_plan()
    set_state(document, "frontend-task", containerDefinitions="[secret]")
    found = [f for f in analyse(document).failures if f.rule == CONTAINER]
    assert [f.stack for f in found] == ["frontend"]


def test_task_definitions_outside_service_stacks_are_attributed_to_their_stack():
    document = build_plan()
    platform = next(s for s in document["stacks"] if s["project"] == "platform")
    PlanBuilder.add(platform, "aws:ecs/taskDefinition:TaskDefinition", "migrations", "migrations",
                    family="migrations", containerDefinitions=json.dumps([{"name": "m", "image": "i", "foo": 1}]))
    [failure] = failures(document, CONTAINER)
    assert (failure.stack, failure.resource) == ("platform/dev", "migrations")


# -- IAM actions --------------------------------------------------------------------------------------------
def test_inline_role_policies_and_managed_policies_are_validated():
    document = build_plan()
    platform = next(s for s in document["stacks"] if s["project"] == "platform")
    bad = json.dumps({"Statement": [{"Sid": "S", "Effect": "Allow", "Action": "ecr:GetAuthorisationToken",
                                     "Resource": "*"}]})
    PlanBuilder.add(platform, "aws:iam/role:Role", "helper", "helper", arn=f"arn:aws:iam::{ACCOUNT}:role/helper",
                    inlinePolicies=[{"name": "inline", "policy": bad}, {"name": "none"}])
    PlanBuilder.add(platform, "aws:iam/policy:Policy", "managed", "managed", arn=f"arn:aws:iam::{ACCOUNT}:policy/m",
                    policy=bad)
    found = failures(document, IAM_ACTIONS)
    assert {f.resource for f in found} == {"helper inline inline", "managed"}
    assert all("did you mean 'ecr:GetAuthorizationToken'?" in f.message for f in found)


@pytest.mark.parametrize("statement, problem", [
    ({"Action": "nosuchservice:Get"}, "action nosuchservice:Get does not exist in the IAM action database"),
    ({"Action": "ecss:ListClusters"}, "did you mean service prefix 'ecs'?"),
    ({"Action": "ecr:Zzzzzzzzzz"}, "action ecr:Zzzzzzzzzz does not exist in the IAM action database"),
    ({"Action": "ecr:GetAuthorizationToken", "Resource": "arn:aws:ecr:us-east-1:1:repository/r"},
     "action ecr:GetAuthorizationToken cannot apply to ['arn:aws:ecr:us-east-1:1:repository/r']: its resources are "
     "only '*'"),
    ({"Action": "logs:PutLogEvents", "Resource": "arn:aws:logs:us-east-1:1:log-group:g"},
     "action logs:PutLogEvents cannot apply to ['arn:aws:logs:us-east-1:1:log-group:g']: its resources are "
     "log-stream: arn:*:logs:*:*:log-group:*:log-stream:*"),
])
def test_statement_problems(statement, problem):
    parsed = iam.parse_document({"Statement": [{"Effect": "Allow", "Resource": "*", **statement}]})[0]
    [found] = iamdb.statement_problems(parsed)
    assert problem in found
    assert ("did you mean" in found) is ("did you mean" in problem)


@pytest.mark.parametrize("statement", [
    {"Action": "*", "Resource": "*"},
    {"NotAction": "iam:*", "Resource": "arn:aws:s3:::b"},
    {"Action": "s3:GetObject", "NotResource": "arn:aws:s3:::b/secret/*"},
    {"Action": "kms:GenerateDataKey*", "Resource": KEY_ARN},
    {"Action": "logs:PutLogEvents", "Resource": "arn:aws:logs:us-east-1:1:log-group:g:*"},
])
def test_valid_statements_have_no_problems(statement):
    assert iamdb.statement_problems(iam.parse_document({"Statement": [{"Effect": "Allow", **statement}]})[0]) == []


def test_the_database_expands_and_describes_actions():
    assert iamdb.expand("kms:GenerateDataKey*") == ("kms:GenerateDataKey", "kms:GenerateDataKeyPair",
                                                    "kms:GenerateDataKeyPairWithoutPlaintext",
                                                    "kms:GenerateDataKeyWithoutPlaintext")
    assert iamdb.expand("nosuch:Thing") == ()
    assert iamdb.resource_formats("ecr:GetAuthorizationToken") == {}
    assert iamdb.resource_formats("sqs:SendMessage") == {"queue": "arn:*:sqs:*:*:*"}
    assert iamdb.suggestion("zzzzzzzz:Get") == ""


# -- shared IAM matching ------------------------------------------------------------------------------------
@pytest.mark.parametrize("first, second, overlap", [
    ("arn:aws:logs:r:1:log-group:g:*", "arn:*:logs:*:*:log-group:*:log-stream:*", True),
    ("arn:aws:logs:r:1:log-group:g", "arn:*:logs:*:*:log-group:*:log-stream:*", False),
    ("*", "anything", True), ("a?c", "abc", True), ("abc", "a?c", True), ("ab", "abc", False),
    ("a*", "*c", True), ("a*b", "*c", False), ("**", "*", True), ("abc", "ab", False), ("", "", True),
])
def test_patterns_overlap(first, second, overlap):
    assert iam.patterns_overlap(first, second) is overlap


@pytest.mark.parametrize("principal, admitted", [
    ({"AWS": "arn:aws:iam::123456789012:root"}, True), ({"AWS": "123456789012"}, True),
    ({"AWS": ["arn:aws:iam::123456789012:role/r"]}, True), ({"AWS": "*"}, True), ("*", True),
    ({"AWS": "arn:aws:iam::999999999999:root"}, False), ({"Service": "logs.amazonaws.com"}, False),
])
def test_admits_principal(principal, admitted):
    [statement] = iam.parse_document({"Statement": [{"Effect": "Allow", "Principal": principal, "Action": "kms:*",
                                                     "Resource": "*"}]})
    assert iam.admits_principal(statement, "arn:aws:iam::123456789012:role/r") is admitted


# -- report -------------------------------------------------------------------------------------------------
def test_the_report_shows_a_row_per_check_and_every_failure_in_full():
    long_reason = "x" * 300
    report = Report("dev", [
        passed("task start", "frontend", "role", "allows ecr:GetAuthorizationToken"),
        passed("runtime permissions", "frontend", "role", "a"), passed("runtime permissions", "frontend", "role", "b"),
        failed("service call paths", "api-gateway", "sg-1", long_reason),
    ])
    text = report.render()
    assert not report.ok and report.subjects() == ["frontend", "api-gateway"]
    assert [(r.rule, r.label, r.resource, r.message) for r in report.rows("frontend")] == [
        ("task start", "pass", "1 resource(s)", "allows ecr:GetAuthorizationToken"),
        ("runtime permissions", "pass", "1 resource(s)", "2 facts proven")]
    assert "-- api-gateway\nrule                status  resource  problem\n" in text
    assert f"service call paths  FAIL    sg-1      {long_reason}" in text
    assert text.endswith("deployability analysis of dev: FAIL (1 failure(s)), 4 facts checked")


def test_a_passing_report_says_so():
    assert Report("prod", [passed("task start", "s", "r", "d")]).render().endswith(
        "deployability analysis of prod: PASS, 1 facts checked")



def test_resource_formats_refuses_an_action_of_an_unknown_service():
    with pytest.raises(ValueError, match="no service 'nosuch' in the IAM action database"):
        iamdb.resource_formats("nosuch:GetThing")
