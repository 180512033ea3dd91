"""Closed egress, endpoint policies and log delivery: each check passes on the real plans and names exactly the
fault injected into a fresh copy of them."""
from __future__ import annotations

import copy
import json

import pytest

from tools.analysis import analyse
from tools.analysis.endpoints import Call, conditions_met, policy_allows
from tools.analysis.findings import CLOSED_EGRESS, ENDPOINT_POLICIES, LOG_DELIVERY, REACHABILITY
from tools.analysis.network import INTERNET

ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def prod(plan_document) -> dict:
    return plan_document("prod")


@pytest.fixture
def document(prod) -> dict:
    return copy.deepcopy(prod)


def entry(document: dict, resource_name: str) -> dict:
    [found] = [r for s in document["stacks"] for r in s["resources"] if r["name"] == resource_name]
    return found


def change(document: dict, resource_name: str, **values) -> None:
    found = entry(document, resource_name)
    found["state"].update(values)
    found["inputs"].update(values)


def drop(document: dict, name: str) -> None:
    for stack in document["stacks"]:
        stack["resources"] = [r for r in stack["resources"] if r["name"] != name]


def add_copy(document: dict, name: str, new_name: str, **values) -> None:
    for stack in document["stacks"]:
        for resource in list(stack["resources"]):
            if resource["name"] == name:
                clone = copy.deepcopy(resource)
                clone["name"], clone["id"] = new_name, f"sgr-{new_name}"
                clone["state"].update(values)
                clone["inputs"].update(values)
                stack["resources"].append(clone)


def failures(document: dict) -> list:
    return analyse(document).failures


def where(findings: list) -> list[tuple[str, str, str]]:
    """(check, subject, logical name of the resource) of each finding."""
    return [(f.rule, f.stack, f.resource.split(" ")[0]) for f in findings]


def test_the_real_plans_pass_the_hardening_checks(plan_document):
    for environment in ("dev", "prod"):
        findings = analyse(plan_document(environment)).findings
        for check in (CLOSED_EGRESS, ENDPOINT_POLICIES):
            assert [f for f in findings if f.rule == check and f.failed] == []
            assert [f for f in findings if f.rule == check]


# -- closed egress ---------------------------------------------------------------------------------------------
def test_internet_egress_on_a_service_that_does_not_need_it_is_a_violation(document):
    # GIVEN prod, where every AWS API of frontend has an endpoint, WHEN frontend may reach the internet on 443
    add_copy(document, "platform-network-policy-frontend-eg-endpoints-443", "frontend-to-internet",
             cidrIpv4=INTERNET, referencedSecurityGroupId=None)
    found = failures(document)
    # THEN exactly that rule is named
    assert where(found) == [(CLOSED_EGRESS, "frontend", "frontend-to-internet")]
    assert "which it does not need" in found[0].message


def test_an_all_protocols_rule_to_the_internet_is_never_needed(document):
    change(document, "platform-network-policy-processing-service-eg-internet-443", ipProtocol="-1")
    found = failures(document)
    assert [(f.rule, f.stack) for f in found] == [(CLOSED_EGRESS, "processing-service")]


def test_internet_egress_is_needed_where_an_api_has_no_endpoint(plan_document):
    # dev has no sqs/sns endpoints: api-gateway's 443 to the internet is needed, and said why
    findings = analyse(plan_document("dev")).findings
    [reason] = [f.message for f in findings if f.rule == CLOSED_EGRESS and f.stack == "api-gateway"]
    assert reason == "internet egress on [443] is needed (AWS APIs without an endpoint: sns, sqs)"


def test_the_endpoint_group_admitting_an_address_range_is_a_violation(document):
    add_copy(document, "platform-network-policy-endpoints-in-frontend-443", "endpoints-from-vpc",
             cidrIpv4="10.20.0.0/16", referencedSecurityGroupId=None)
    found = failures(document)
    assert where(found) == [(CLOSED_EGRESS, "network", "endpoints-from-vpc")]


def test_a_function_outside_the_vpc_is_not_held_to_its_paths(document):
    change(document, "platform-data-jwt-rotation-function", vpcConfig=None)
    findings = analyse(document).findings
    assert not [f for f in findings if f.stack == "lambda-jwt-rotation-prod"] and not [f for f in findings if f.failed]


def test_the_rotation_function_without_its_way_to_the_endpoint_cannot_reach_secrets_manager(document):
    drop(document, "platform-network-policy-jwt-rotation-eg-endpoints-443")
    found = failures(document)
    assert {(f.rule, f.stack) for f in found} == {(REACHABILITY, "lambda-jwt-rotation-prod")}
    assert all(f.message.startswith("secretsmanager: the task's security groups") for f in found)


# -- endpoint policies ------------------------------------------------------------------------------------------
def test_an_endpoint_without_a_policy_lets_data_out(document):
    change(document, "network-gw-s3", policy=None)
    found = failures(document)
    assert [(f.rule, f.resource.split(" ")[0]) for f in found] == [(ENDPOINT_POLICIES, "network-gw-s3")]
    assert "a copy into a bucket of another account (it has no policy)" in found[0].message


def test_an_s3_policy_without_the_ecr_layer_bucket_breaks_every_image_pull(document):
    statements = json.loads(entry(document, "network-gw-s3")["inputs"]["policy"])
    statements["Statement"] = statements["Statement"][:1]
    change(document, "network-gw-s3", policy=json.dumps(statements))
    found = failures(document)
    assert {f.stack for f in found} == {"frontend", "api-gateway", "processing-service"}
    assert all("image pull: layers from ECR's bucket" in f.message for f in found)


def test_an_interface_policy_for_another_account_refuses_this_accounts_secrets(document):
    text = entry(document, "network-if-secretsmanager")["inputs"]["policy"].replace(ACCOUNT, "111111111111")
    change(document, "network-if-secretsmanager", policy=text)
    found = failures(document)
    assert {f.rule for f in found} == {ENDPOINT_POLICIES}
    assert {f.stack for f in found} == {"frontend", "api-gateway", "processing-service", "lambda-jwt-rotation-prod"}


def test_an_interface_policy_open_to_every_principal_is_a_violation(document):
    open_policy = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})
    change(document, "network-if-sqs", policy=open_policy)
    found = failures(document)
    assert [(f.rule, f.stack) for f in found] == [(ENDPOINT_POLICIES, "network/prod")]
    assert "a principal of another account (its policy allows it)" in found[0].message


def test_a_dynamodb_policy_for_every_table_is_a_violation(document):
    policy = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "dynamodb:*",
                                        "Resource": "*"}]})
    change(document, "network-gw-dynamodb", policy=policy)
    found = failures(document)
    assert [(f.rule, f.resource.split(" ")[0]) for f in found] == [(ENDPOINT_POLICIES, "network-gw-dynamodb")]


def test_the_policy_evaluation_reads_denies_and_conditions():
    call = Call("s3", "s3:GetObject", "arn:aws:s3:::b/k", ACCOUNT, "read")
    allow = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "s3:*",
             "Resource": "*"}
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    from shared import iam
    assert policy_allows(iam.parse_document({"Statement": [allow]}), call, ACCOUNT)
    assert not policy_allows(iam.parse_document({"Statement": [allow, deny]}), call, ACCOUNT)
    assert not policy_allows(iam.parse_document({"Statement": [allow]}), call, "999999999999")
    context = {"aws:principalaccount": ACCOUNT}
    assert conditions_met({"StringLike": {"aws:PrincipalAccount": "1234*"}}, context)
    assert not conditions_met({"StringEquals": {"aws:PrincipalAccount": ["1"]}}, context)
    assert not conditions_met({"Bool": {"aws:SecureTransport": "true"}}, context)  # unread: not met
    assert not conditions_met({"StringEquals": {"aws:SourceVpc": "vpc-1"}}, context)  # no such context


# -- log delivery -----------------------------------------------------------------------------------------------
def test_a_log_bucket_policy_without_the_logging_service_drops_access_logs(document):
    policy = json.loads(entry(document, "platform-data-s3-access-logs-policy")["inputs"]["policy"])
    policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != "S3WritesServerAccessLogs"]
    change(document, "platform-data-s3-access-logs-policy", policy=json.dumps(policy))
    found = failures(document)
    assert where(found) == [(LOG_DELIVERY, "platform/prod", "platform-data-assets-access-logging")]
    assert "S3 drops the access logs" in found[0].message


def test_access_logging_into_a_bucket_outside_the_plan_is_named(document):
    change(document, "platform-data-assets-access-logging", targetBucket="somewhere-else")
    found = failures(document)
    assert [f.message for f in found if f.rule == LOG_DELIVERY] == ["the source or target bucket is not in the plan"]


def test_waf_logs_to_a_group_without_the_prefix_or_outside_the_key_are_named(document):
    change(document, "platform-edge-waf-logs", name="log-waf-prod")
    found = failures(document)
    assert where(found) == [(LOG_DELIVERY, "platform/prod", "platform-edge-waf-logging")]
    document2 = copy.deepcopy(document)
    change(document2, "platform-edge-waf-logging", logDestinationConfigs=["arn:aws:logs:us-east-1:1:log-group:x"])
    assert [f.rule for f in failures(document2)] == [LOG_DELIVERY]
