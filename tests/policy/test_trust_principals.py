"""iam-trust-service-principal: a trust statement must name service principals and nothing else. Mixed and empty
principals are the two shapes where "some other type" and "no Service" disagree (issue 17.9: with `or` turned
into `and`, both passed)."""
from __future__ import annotations

import pytest

from policy.rules import IAM_ROLE
from tests.policy.support import TAGS, document, violations

GUARD = {"StringEquals": {"aws:SourceAccount": "123456789012"}}
FIX = "trust only AWS service principals (e.g. ecs-tasks.amazonaws.com)"


def trust(statement: dict) -> list[str]:
    props = {"name": "role-frontend-task-dev", "tags": TAGS, "assumeRolePolicy": document(statement)}
    return violations("iam-trust-service-principal", IAM_ROLE, props)


def test_an_aws_principal_next_to_a_service_principal_is_refused():
    found = trust({"Sid": "Mixed", "Effect": "Allow", "Action": "sts:AssumeRole", "Condition": GUARD,
                   "Principal": {"Service": "ecs-tasks.amazonaws.com", "AWS": "arn:aws:iam::999999999999:root"}})
    assert found == [f"trust statement 'Mixed' trusts {{'Service': ('ecs-tasks.amazonaws.com',), "
                     f"'AWS': ('arn:aws:iam::999999999999:root',)}}; {FIX}"]


def test_a_statement_with_no_principal_is_refused():
    found = trust({"Sid": "Nobody", "Effect": "Allow", "Action": "sts:AssumeRole", "Condition": GUARD})
    assert found == [f"trust statement 'Nobody' trusts no principal; {FIX}"]


def test_an_empty_service_principal_list_is_no_service_principal():
    found = trust({"Sid": "Empty", "Effect": "Allow", "Action": "sts:AssumeRole", "Condition": GUARD,
                   "Principal": {"Service": []}})
    assert found == [f"trust statement 'Empty' trusts {{'Service': ()}}; {FIX}"]


@pytest.mark.parametrize("services", ["ecs-tasks.amazonaws.com", ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"]])
def test_service_principals_alone_with_the_guard_pass(services):
    assert trust({"Sid": "Ok", "Effect": "Allow", "Action": "sts:AssumeRole", "Condition": GUARD,
                  "Principal": {"Service": services}}) == []


def test_a_deny_statement_is_not_a_trust_grant():
    assert trust({"Sid": "NoOne", "Effect": "Deny", "Action": "sts:AssumeRole", "Principal": "*"}) == []
