"""shared.iam's parsing and wildcard matching: the one module the policy pack and the deployability
analysis share."""
from __future__ import annotations

import pytest

from shared import iam


@pytest.mark.parametrize("pattern, value, expected", [
    ("*", "anything:at/all", True),
    ("arn:aws:logs:us-east-1:1:log-group:app:*", "arn:aws:logs:us-east-1:1:log-group:app:log-stream:x", True),
    ("arn:aws:logs:us-east-1:1:log-group:app:*", "arn:aws:logs:us-east-1:1:log-group:other:*", False),
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", False),
    ("arn:aws:s3:::bucket?", "arn:aws:s3:::bucket1", True),
    ("arn:aws:s3:::bucket?", "arn:aws:s3:::bucket12", False),
    ("arn:aws:s3:::a.b", "arn:aws:s3:::aXb", False),  # '.' is literal, not a regex
    ("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket", False),
])
def test_resource_patterns_match_like_iam(pattern, value, expected):
    assert iam.resource_matches(pattern, value) is expected


@pytest.mark.parametrize("pattern, action, expected", [
    ("s3:GetObject", "S3:getobject", True),
    ("kms:GenerateDataKey*", "kms:GenerateDataKeyWithoutPlaintext", True),
    ("kms:GenerateDataKey*", "kms:Decrypt", False),
    ("sqs:*", "sqs:SendMessage", True),
])
def test_actions_match_case_insensitively(pattern, action, expected):
    assert iam.action_matches(pattern, action) is expected


@pytest.mark.parametrize("action, expected", [
    ("*", True), ("s3:*", True), ("s3:Get*", False), ("s3:GetObject", False),
    # Spellings of the same wildcard: only stars and question marks, with a star, match every action.
    ("**", True), ("*?", True), ("s3:**", True), ("s3:?*", True), ("iam:?*", True),
    ("?", False), ("s3:?", False), ("s3:????", False),  # fixed lengths: some actions, not all
])
def test_service_wildcards_are_whole_services_only(action, expected):
    assert iam.is_service_wildcard_action(action) is expected


@pytest.mark.parametrize("resource, expected", [
    ("*", True), ("arn:aws:s3:::*", True), ("arn:aws:secretsmanager:*:*:*", True),
    ("arn:aws:s3:::bucket/*", False), ("arn:aws:logs:us-east-1:1:log-group:x:*", False), ("not-an-arn", False),
    ("arn:aws:iam::123456789012:*", True),  # every IAM resource of the account
    # IAM's `*` crosses ':' and '/': a short pattern ending in `*` covers every ARN it prefixes.
    ("arn:aws:iam::*", True), ("arn:*", True), ("arn:aws:*", True),
    ("**", True), ("?*", True), ("arn:aws:s3:::*/*", True), ("arn:aws:s3:::?*", True),
    ("arn:aws:s3:::*/b", False), ("arn:aws:s3:::bucket*", False), ("arn:aws:s3:::", False),
    ("arn:aws:iam::123456789012", False),  # five parts and no wildcard: one literal string
])
def test_unbounded_resources(resource, expected):
    assert iam.is_unbounded_resource(resource) is expected


def test_parse_keeps_principal_types_not_action_and_not_resource():
    [trust, anyone, rest] = iam.parse_document({"Statement": [
        {"Sid": "T", "Effect": "Allow", "Principal": {"Service": ["a.amazonaws.com", "b.amazonaws.com"],
                                                     "AWS": "arn:aws:iam::1:root"}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"},
        {"Effect": "Deny", "NotAction": "s3:*", "NotResource": ["arn:aws:s3:::b/*"]},
    ]})
    assert trust.principal_types == {"Service": ("a.amazonaws.com", "b.amazonaws.com"), "AWS": ("arn:aws:iam::1:root",)}
    assert trust.principals == ("a.amazonaws.com", "b.amazonaws.com", "arn:aws:iam::1:root")
    assert anyone.principal_types == {"AWS": ("*",)} and anyone.principals == ("*",)
    assert rest.not_actions == ("s3:*",) and rest.not_resources == ("arn:aws:s3:::b/*",) and not rest.is_allow


def test_a_single_statement_object_is_a_list_of_one():
    [only] = iam.parse_document('{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}')
    assert only.actions == ("s3:GetObject",) and only.effect == "Allow" and only.sid == ""


def test_allows_matches_actions_and_resources_and_ignores_conditions():
    [statement] = iam.parse_document(iam.document(iam.statement(
        "Logs", ["logs:CreateLogStream", "logs:PutLogEvents"], ["arn:aws:logs:us-east-1:1:log-group:app:*"],
        condition={"StringEquals": {"aws:SourceAccount": "1"}})))
    assert statement.allows("logs:PutLogEvents", "arn:aws:logs:us-east-1:1:log-group:app:log-stream:s")
    assert not statement.allows("logs:DeleteLogGroup", "arn:aws:logs:us-east-1:1:log-group:app:*")
    assert not statement.allows("logs:PutLogEvents", "arn:aws:logs:us-east-1:1:log-group:other:*")


def test_not_action_and_not_resource_invert_the_match():
    [statement] = iam.parse_document({"Statement": [
        {"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret/*"}]})
    assert statement.allows("s3:GetObject", "arn:aws:s3:::public/x")
    assert not statement.allows("iam:CreateUser", "arn:aws:iam::1:user/x")
    assert not statement.allows("s3:GetObject", "arn:aws:s3:::secret/x")


def test_an_explicit_deny_wins_over_an_allow():
    statements = iam.parse_document({"Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]})
    assert iam.allowed(statements, "s3:GetObject", "arn:aws:s3:::b/k")
    assert not iam.allowed(statements, "s3:DeleteObject", "arn:aws:s3:::b/k")
    assert not iam.allowed(statements, "s3:GetObject", "arn:aws:s3:::other/k")
    assert not iam.allowed([], "s3:GetObject", "arn:aws:s3:::b/k")


def test_condition_values_are_found_under_any_operator_case_insensitively():
    [statement] = iam.parse_document(iam.service_trust_policy("ecs-tasks.amazonaws.com", "123456789012",
                                                              "arn:aws:ecs:us-east-1:123456789012:*"))
    assert statement.condition_values("AWS:SourceAccount") == ("123456789012",)
    assert statement.condition_values("aws:SourceArn") == ("arn:aws:ecs:us-east-1:123456789012:*",)
    assert statement.condition_values("aws:PrincipalOrgID") == ()
