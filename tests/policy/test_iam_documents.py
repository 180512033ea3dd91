"""shared.iam's document builders, each against the document written out by hand, and the matching cases the
other tests left open: S3 grants that mix bucket and object actions, NotAction/NotResource with several
patterns, ARN-pattern overlap and resource-policy principals (issue 17.9)."""
from __future__ import annotations

import json

import pytest

from shared import iam

ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k"
GUARD = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def body(document: str) -> dict:
    return json.loads(document)


# --- S3: object actions on `bucket/*`, bucket actions on the bucket, both when mixed -------------------------

@pytest.mark.parametrize("actions, resources", [
    (("s3:GetObject",), ["arn:aws:s3:::b/*"]),
    (("s3:GetObject", "s3:PutObject", "s3:DeleteObject"), ["arn:aws:s3:::b/*"]),
    (("s3:ListBucket",), ["arn:aws:s3:::b"]),
    (("s3:ListBucket", "s3:GetObject"), ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]),
    (("sqs:SendMessage",), ["arn:aws:s3:::b"]),
])
def test_s3_grants_scope_object_actions_to_objects_and_bucket_actions_to_the_bucket(actions, resources):
    assert iam.store_resources(actions, "arn:aws:s3:::b") == resources


def test_a_mixed_s3_grant_allows_listing_the_bucket_and_reading_its_objects_only():
    grants = [("Assets", ("s3:ListBucket", "s3:GetObject"), "arn:aws:s3:::b")]
    grant_statement = iam.task_role_statements(region="us-east-1", kms_key_arn=KEY, grants=grants)[0]
    [grant] = iam.parse_document(iam.document(grant_statement))
    assert grant.allows("s3:ListBucket", "arn:aws:s3:::b") and grant.allows("s3:GetObject", "arn:aws:s3:::b/k")
    assert not grant.allows("s3:GetObject", "arn:aws:s3:::other/k")


# --- NotAction / NotResource with several patterns: outside every one of them ----------------------------

def test_not_action_with_several_patterns_excludes_each_of_them():
    [statement] = iam.parse_document({"Statement": [
        {"Effect": "Allow", "NotAction": ["iam:*", "kms:Decrypt", "s3:Delete*"], "Resource": "*"}]})
    assert statement.matches_action("s3:GetObject") and statement.matches_action("kms:Encrypt")
    assert not any(statement.matches_action(a) for a in ("iam:PassRole", "KMS:decrypt", "s3:DeleteObject"))


def test_not_resource_with_several_patterns_excludes_each_of_them():
    [statement] = iam.parse_document({"Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"]}]})
    assert statement.allows("s3:GetObject", "arn:aws:s3:::c/k")
    assert not statement.allows("s3:GetObject", "arn:aws:s3:::a/k")
    assert not statement.allows("s3:GetObject", "arn:aws:s3:::b/k")


def test_a_deny_with_not_resource_denies_everything_else():
    statements = iam.parse_document({"Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::mine", "arn:aws:s3:::mine/*"]}]})
    assert iam.allowed(statements, "s3:GetObject", "arn:aws:s3:::mine/k")
    assert not iam.allowed(statements, "s3:GetObject", "arn:aws:s3:::theirs/k")


@pytest.mark.parametrize("document, expected", [
    ({"Statement": [{"Principal": {"AWS": ["arn:aws:iam::1:root", "arn:aws:iam::2:root"]}, "Action": "kms:*"}]},
     {"principals": ("arn:aws:iam::1:root", "arn:aws:iam::2:root"), "effect": "Allow", "resources": (),
      "condition": {}, "not_actions": (), "sid": ""}),
    ({"Statement": [{"Sid": "S", "Effect": "Deny", "Principal": "*", "Action": ["a:B"], "Resource": ["r"],
                     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]},
     {"principals": ("*",), "effect": "Deny", "resources": ("r",), "actions": ("a:B",),
      "condition": {"Bool": {"aws:SecureTransport": "false"}}, "sid": "S"}),
])
def test_parsing_keeps_every_field(document, expected):
    [statement] = iam.parse_document(json.dumps(document))
    assert {k: getattr(statement, k) for k in expected} == expected


def test_a_document_without_statements_parses_to_none():
    assert iam.parse_document("{}") == []


# --- builders, each against the document written out by hand -------------------------------------------

def test_statement_sorts_actions_and_keeps_a_single_resource_a_string():
    assert iam.statement("S", ["b:Y", "a:X"], "*") == {"Sid": "S", "Effect": "Allow", "Action": ["a:X", "b:Y"],
                                                       "Resource": "*"}
    assert iam.statement("S", ["a:X"], ("r1", "r2"), condition={"Bool": {"k": "v"}}) == {
        "Sid": "S", "Effect": "Allow", "Action": ["a:X"], "Resource": ["r1", "r2"], "Condition": {"Bool": {"k": "v"}}}
    assert "Condition" not in iam.statement("S", ["a:X"], "*", condition={})


def test_document_is_sorted_json_of_version_2012_10_17():
    assert iam.document({"b": 1, "a": 2}) == '{"Statement": [{"a": 2, "b": 1}], "Version": "2012-10-17"}'


def test_service_trust_policies_pin_the_account_and_the_source():
    assert body(iam.service_trust_policy("x.amazonaws.com", ACCOUNT)) == {"Version": "2012-10-17", "Statement": [
        {"Sid": "TrustService", "Effect": "Allow", "Principal": {"Service": "x.amazonaws.com"},
         "Action": "sts:AssumeRole", "Condition": GUARD}]}
    assert body(iam.ecs_tasks_trust_policy("aws", "us-east-1", ACCOUNT))["Statement"] == [
        {"Sid": "TrustService", "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
         "Action": "sts:AssumeRole",
         "Condition": {**GUARD, "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:*"}}}]
    assert body(iam.lambda_trust_policy("aws", "us-east-1", ACCOUNT))["Statement"] == [
        {"Sid": "TrustService", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
         "Action": "sts:AssumeRole",
         "Condition": {**GUARD, "ArnLike": {"aws:SourceArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:*"}}}]
    assert body(iam.ecs_infrastructure_trust_policy()) == {"Version": "2012-10-17", "Statement": [
        {"Sid": "TrustEcsInfrastructure", "Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"},
         "Action": "sts:AssumeRole"}]}


def test_key_policy_statements():
    assert iam.account_root_statement("aws", ACCOUNT) == {
        "Sid": "AccountRootAdministers", "Effect": "Allow", "Action": ["kms:*"], "Resource": "*",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}
    assert iam.logs_key_statement("us-east-1", ACCOUNT, ["arn:g1", "arn:g2"]) == {
        "Sid": "CloudWatchLogsUsesKeyForTheseGroups", "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
        "Resource": "*", "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
        "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": ["arn:g1", "arn:g2"]}}}
    assert iam.principal_statement("P", {"AWS": "*"}, ["s3:GetObject"], "arn:b/*", condition=GUARD) == {
        "Sid": "P", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:b/*", "Principal": {"AWS": "*"},
        "Condition": GUARD}


def test_via_service_names_each_service_once_in_the_region():
    assert iam.via_service("us-east-1", "sqs", "s3", "sqs") == {
        "StringEquals": {"kms:ViaService": ["s3.us-east-1.amazonaws.com", "sqs.us-east-1.amazonaws.com"]}}


def test_execution_role_policy_with_and_without_secrets():
    arguments = {"region": "us-east-1", "repository_arn": "arn:repo", "log_group_arn": "arn:group",
                 "kms_key_arn": KEY}
    base = [
        {"Sid": "EcrLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"},
        {"Sid": "PullOwnImage", "Effect": "Allow", "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                                                              "ecr:GetDownloadUrlForLayer"], "Resource": ["arn:repo"]},
        {"Sid": "WriteOwnLogs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": ["arn:group:*"]},
    ]
    assert body(iam.execution_role_policy(secret_arns=[], **arguments)) == {"Version": "2012-10-17",
                                                                              "Statement": base}
    assert body(iam.execution_role_policy(secret_arns=["arn:s2", "arn:s1"], **arguments))["Statement"] == [
        *base,
        {"Sid": "ReadOwnSecrets", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
         "Resource": ["arn:s1", "arn:s2"]},
        {"Sid": "DecryptSecretsViaSecretsManager", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [KEY],
         "Condition": {"StringEquals": {"kms:ViaService": ["secretsmanager.us-east-1.amazonaws.com"]}}}]


def test_task_role_statements_grant_the_catalog_actions_and_the_kms_use_through_their_services():
    statements = iam.task_role_statements(region="us-east-1", kms_key_arn=KEY, execute_command=True, grants=[
        ("Queue", ("sqs:SendMessage",), "arn:q"), ("Table", ("dynamodb:GetItem",), "arn:t"),
        ("Topic", ("sns:Publish",), "arn:n"), ("Bucket", ("s3:GetObject",), "arn:aws:s3:::b")])
    assert statements == [
        {"Sid": "Queue", "Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": ["arn:q"]},
        {"Sid": "Table", "Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": ["arn:t"]},
        {"Sid": "Topic", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": ["arn:n"]},
        {"Sid": "Bucket", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]},
        {"Sid": "DecryptFromStores", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [KEY],
         "Condition": {"StringEquals": {"kms:ViaService": ["dynamodb.us-east-1.amazonaws.com",
                                                           "s3.us-east-1.amazonaws.com"]}}},
        {"Sid": "EncryptForStores", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
         "Resource": [KEY], "Condition": {"StringEquals": {"kms:ViaService": ["sns.us-east-1.amazonaws.com",
                                                                               "sqs.us-east-1.amazonaws.com"]}}},
        {"Sid": "EcsExecChannel", "Effect": "Allow", "Action": [
            "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel"], "Resource": "*"}]
    assert iam.task_role_statements(region="us-east-1", kms_key_arn=KEY, grants=[]) == []


def test_the_rotation_function_gets_its_secret_key_logs_and_network_interfaces_only():
    ec2 = f"arn:aws:ec2:us-east-1:{ACCOUNT}"
    assert body(iam.rotation_function_policy(
        partition="aws", region="us-east-1", account_id=ACCOUNT, secret_arn="arn:secret", kms_key_arn=KEY,
        log_group_arn="arn:group", subnet_ids=["subnet-b", "subnet-a"], security_group_id="sg-1"))["Statement"] == [
        {"Sid": "RotateItsSecret", "Effect": "Allow", "Action": [
            "secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue",
            "secretsmanager:UpdateSecretVersionStage"], "Resource": ["arn:secret"]},
        {"Sid": "EncryptItsSecretViaSecretsManager", "Effect": "Allow",
         "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": [KEY],
         "Condition": {"StringEquals": {"kms:ViaService": ["secretsmanager.us-east-1.amazonaws.com"]}}},
        {"Sid": "WriteOwnLogs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": ["arn:group:*"]},
        {"Sid": "NetworkInterfacesInItsSubnets", "Effect": "Allow", "Action": ["ec2:CreateNetworkInterface"],
         "Resource": [f"{ec2}:network-interface/*", f"{ec2}:security-group/sg-1", f"{ec2}:subnet/subnet-a",
                      f"{ec2}:subnet/subnet-b"]},
        {"Sid": "ReleaseItsNetworkInterfaces", "Effect": "Allow", "Action": [
            "ec2:AssignPrivateIpAddresses", "ec2:DeleteNetworkInterface", "ec2:UnassignPrivateIpAddresses"],
         "Resource": [f"{ec2}:network-interface/*"]},
        {"Sid": "FindNetworkInterfaces", "Effect": "Allow", "Action": ["ec2:DescribeNetworkInterfaces",
                                                                       "ec2:DescribeSubnets"], "Resource": "*"}]


# --- ARN-pattern overlap and resource-policy principals ------------------------------------------------

@pytest.mark.parametrize("first, second, expected", [
    ("arn:aws:logs:r:1:log-group:app:*", "arn:aws:logs:r:1:log-group:*:log-stream:*", True),
    ("arn:aws:s3:::b/*", "arn:aws:s3:::b", False),
    ("arn:aws:s3:::b", "arn:aws:s3:::b/*", False),
    ("arn:aws:s3:::b*", "arn:aws:s3:::c*", False),
    ("*", "anything", True), ("anything", "*", True), ("", "", True), ("", "*", True), ("*", "", True),
    ("a?c", "abc", True), ("abc", "a?c", True), ("a?c", "abd", False), ("ab", "abc", False), ("abc", "ab", False),
    ("a*c", "a*d", False), ("*b", "a*", True), ("x*", "*y", True), ("a**", "ab", True), ("ab", "*a", False),
])
def test_patterns_overlap_when_some_string_matches_both(first, second, expected):
    assert iam.patterns_overlap(first, second) is expected


def test_pattern_overlap_visits_each_pair_of_positions_once():
    # Twelve stars a side: without remembering the pairs already seen, the search takes exponential time.
    assert not iam.patterns_overlap("*a" * 12 + "b", "*a" * 12 + "c")


ROLE = f"arn:aws:iam::{ACCOUNT}:role/frontend-task-dev"


@pytest.mark.parametrize("principal, admitted", [
    ("*", True), (ROLE, True), (ACCOUNT, True), (f"arn:aws:iam::{ACCOUNT}:root", True),
    ("arn:aws:iam::999999999999:root", False), (f"arn:aws-cn:iam::{ACCOUNT}:root", False),
    (f"arn:aws:iam::{ACCOUNT}:role/other", False),
])
def test_a_resource_policy_admits_the_role_itself_its_account_or_anyone(principal, admitted):
    [statement] = iam.parse_document({"Statement": [{"Effect": "Allow", "Principal": {"AWS": principal},
                                                      "Action": "kms:Decrypt", "Resource": "*"}]})
    assert iam.admits_principal(statement, ROLE) is admitted


def test_a_service_principal_is_not_an_aws_principal():
    [statement] = iam.parse_document({"Statement": [{"Effect": "Allow", "Principal": {"Service": ACCOUNT},
                                                      "Action": "kms:Decrypt"}]})
    assert not iam.admits_principal(statement, ROLE)


@pytest.mark.parametrize("action, expected", [("?*", True), ("s3:*?", True), ("s3:Get*", False), ("", False),
                                              ("s3:", False), ("*:Get", False), ("s3:X*", False),
                                              ("s3:*:?*", False)])
def test_service_wildcards_however_spelled(action, expected):
    assert iam.is_service_wildcard_action(action) is expected


@pytest.mark.parametrize("resource, expected", [
    ("arn:aws:s3:::*", True), ("arn:aws:s3:::*/*/*", True), ("arn:aws:s3:::*b", False),
    ("arn:aws:sqs:us-east-1:1:*", True), ("arn:aws:sqs:us-east-1:1:q*", False), ("arn:aws:sqs:*", True),
    ("arn:aws:sqs:us-east-1", False), ("arn:aws:sqs:us-east-1:1:a:b:*", False),
    ("arn:aws:s3:::*:x", False), ("arn:aws:s3:::X*", False),
])
def test_unbounded_resources_more(resource, expected):
    assert iam.is_unbounded_resource(resource) is expected


def test_action_names_match_case_insensitively_and_resources_do_not():
    assert iam.action_matches("s3:getobject", "S3:GetObject")
    assert not iam.resource_matches("arn:aws:s3:::B", "arn:aws:s3:::b")
    assert iam.wildcard_match("A*", "abc", case_sensitive=False) and not iam.wildcard_match("A*", "abc")
