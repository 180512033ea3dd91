"""The issue-19 rules: closed egress, group-only ingress, endpoint policies, functions in the VPC, bucket
versioning, lifecycles and access logs, one owner per secret value, WAF logging, scoped service principals.
Each rule with a compliant and a violating case; the committed plans pass them (tests/policy/test_gate.py)."""
from __future__ import annotations

import json

import pytest

from shared import resource_policies
from tests.policy.support import document, stack_violations, violations

ACCOUNT = "123456789012"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG = "aws:ec2/securityGroup:SecurityGroup"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
BUCKET = "aws:s3/bucket:Bucket"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
SECRET = "aws:secretsmanager/secret:Secret"
ALL_ENDPOINTS = {"interfaceEndpoints": ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "sqs", "sns"],
                 "gatewayEndpoints": ["s3", "dynamodb"], "environmentSuffix": "dev"}
DEV_ENDPOINTS = {**ALL_ENDPOINTS, "interfaceEndpoints": ["ecr.api", "ecr.dkr", "logs", "secretsmanager"]}


def group(workload: str) -> tuple:
    return (SG, f"sg-{workload}", {"id": f"sg-{workload}", "tags": {"Name": f"secgroup-{workload}-dev"}})


def to_internet(name: str, workload: str, port: float = 443.0, protocol: str = "tcp") -> tuple:
    return (EGRESS, name, {"securityGroupId": f"sg-{workload}", "ipProtocol": protocol, "fromPort": port,
                           "toPort": port, "cidrIpv4": "0.0.0.0/0"})


# -- sg-internet-egress-needs-a-reason ------------------------------------------------------------------------
def test_internet_egress_where_a_reason_exists_passes():
    resources = [group("frontend"), group("api-gateway"), group("processing-service"),
                 to_internet("venues", "processing-service"), to_internet("sqs-via-nat", "api-gateway"),
                 (EGRESS, "to-endpoints", {"securityGroupId": "sg-frontend", "ipProtocol": "tcp", "fromPort": 443.0,
                                           "toPort": 443.0, "referencedSecurityGroupId": "sg-endpoints"})]
    # dev has no sqs/sns endpoints, so api-gateway needs NAT; processing-service calls the venues
    assert stack_violations("sg-internet-egress-needs-a-reason", resources, DEV_ENDPOINTS) == []
    # without the endpoint lists every AWS API counts as through NAT
    assert stack_violations("sg-internet-egress-needs-a-reason", [*resources[:3], to_internet("x", "frontend")],
                            {"environmentSuffix": "dev"}) == []


@pytest.mark.parametrize("rule, fragment", [
    (to_internet("frontend-out", "frontend"), "frontend-out lets frontend out to the internet on tcp 443.0-443.0"),
    (to_internet("gw-out", "api-gateway"), "gw-out lets api-gateway out"),
    (to_internet("odd-port", "processing-service", 8443.0), "odd-port lets processing-service out"),
    (to_internet("all", "processing-service", -1.0, "-1"), "all lets processing-service out"),
    (to_internet("rotation-out", "jwt-rotation"), "rotation-out lets jwt-rotation out"),
    (to_internet("alb-out", "alb"), "alb-out lets a group that is no workload of the catalog out"),
])
def test_internet_egress_without_a_reason_is_a_violation(rule, fragment):
    resources = [group("frontend"), group("api-gateway"), group("processing-service"), group("jwt-rotation"), rule]
    [(message, urn)] = stack_violations("sg-internet-egress-needs-a-reason", resources, ALL_ENDPOINTS)
    assert message.startswith(fragment) and urn == f"urn:{rule[1]}"


def test_ipv6_internet_egress_counts_too():
    rule = (EGRESS, "v6", {"securityGroupId": "sg-frontend", "ipProtocol": "tcp", "fromPort": 443.0,
                           "toPort": 443.0, "cidrIpv6": "::/0"})
    assert len(stack_violations("sg-internet-egress-needs-a-reason", [group("frontend"), rule], ALL_ENDPOINTS)) == 1


# -- sg-ingress-from-groups -------------------------------------------------------------------------------------
def test_ingress_from_a_group_or_the_internet_passes_and_from_a_range_is_a_violation():
    assert violations("sg-ingress-from-groups", INGRESS, {"referencedSecurityGroupId": "sg-1"}) == []
    assert violations("sg-ingress-from-groups", INGRESS, {"cidrIpv4": "0.0.0.0/0"}) == []  # sg-no-open-ingress's
    [message] = violations("sg-ingress-from-groups", INGRESS, {"cidrIpv4": "10.20.0.0/16"})
    assert message.startswith("the rule admits the address range 10.20.0.0/16")


# -- vpc-endpoint-policy ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("policy", [
    resource_policies.s3_endpoint_policy("aws", "us-east-1", ACCOUNT),
    resource_policies.dynamodb_endpoint_policy("aws", "us-east-1", ACCOUNT),
    resource_policies.interface_endpoint_policy(ACCOUNT),
])
def test_the_platforms_endpoint_policies_pass(policy):
    assert violations("vpc-endpoint-policy", ENDPOINT, {"policy": policy}) == []


@pytest.mark.parametrize("props, fragment", [
    ({}, "the endpoint has no policy"),
    ({"policy": document({"Sid": "All", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"})},
     "statement 'All' allows ['*'] without limiting them to this account"),
    ({"policy": document({"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*",
                          "Condition": {"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}})},
     "statement '<no Sid>' allows ['s3:*']"),
    ({"policy": document({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                          "Resource": "arn:aws:s3:::someone-elses-bucket/*"})}, "allows ['s3:GetObject'] without"),
    ({"policy": document({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": []})},
     "allows ['s3:GetObject'] without"),
])
def test_endpoint_policies_that_reach_other_accounts_are_violations(props, fragment):
    [message] = violations("vpc-endpoint-policy", ENDPOINT, props)
    assert fragment in message


# -- lambda-in-vpc ----------------------------------------------------------------------------------------------
def test_a_function_outside_the_vpc_is_a_violation():
    function = "aws:lambda/function:Function"
    assert violations("lambda-in-vpc", function, {"vpcConfig": {"subnetIds": ["s"], "securityGroupIds": ["g"]}}) == []
    assert violations("lambda-in-vpc", function, {"vpcConfig": {"subnetIds": ["s"]}})
    assert violations("lambda-in-vpc", function, {})


# -- buckets: versioning, lifecycle, access logs ------------------------------------------------------------------
ABORT = {"id": "abort", "status": "Enabled", "filter": {}, "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7}}
NONCURRENT = {"id": "old", "status": "Enabled", "filter": {}, "noncurrentVersionExpiration": {"noncurrentDays": 30}}


def data_bucket(*, versioned: bool = True, rules: tuple = (NONCURRENT, ABORT), logged: bool = True) -> list[tuple]:
    resources = [(BUCKET, "assets", {"bucket": "s3-assets-dev-1", "id": "s3-assets-dev-1"}),
                 (BUCKET, "logs", {"bucket": "s3-logs-dev-1", "id": "s3-logs-dev-1"}),
                 (LIFECYCLE, "logs-lifecycle", {"bucket": "s3-logs-dev-1", "rules": [ABORT]})]
    if versioned:
        resources.append((VERSIONING, "v", {"bucket": "s3-assets-dev-1",
                                            "versioningConfiguration": {"status": "Enabled"}}))
    if rules:
        resources.append((LIFECYCLE, "assets-lifecycle", {"bucket": "s3-assets-dev-1", "rules": list(rules)}))
    if logged:
        resources.append((LOGGING, "l", {"bucket": "s3-assets-dev-1", "targetBucket": "s3-logs-dev-1"}))
    return resources


def test_a_versioned_logged_bucket_with_its_lifecycle_and_its_log_bucket_pass():
    for policy in ("s3-versioning", "s3-lifecycle", "s3-server-access-logging"):
        assert stack_violations(policy, data_bucket()) == [], policy


def test_an_unversioned_data_bucket_is_a_violation_and_a_log_bucket_need_not_be():
    [(message, urn)] = stack_violations("s3-versioning", data_bucket(versioned=False))
    assert message.startswith("bucket assets is not versioned") and urn == "urn:assets"


@pytest.mark.parametrize("rules, fragments", [
    ((), ["bucket assets has no lifecycle rule aborting incomplete multipart uploads",
          "bucket assets is versioned but never expires noncurrent versions"]),
    ((NONCURRENT, {**ABORT, "filter": {"prefix": "tmp/"}}), ["bucket assets has no lifecycle rule aborting"]),
    ((NONCURRENT, {**ABORT, "status": "Disabled"}), ["bucket assets has no lifecycle rule aborting"]),
    ((ABORT,), ["bucket assets is versioned but never expires noncurrent versions"]),
])
def test_lifecycle_gaps_are_violations(rules, fragments):
    found = stack_violations("s3-lifecycle", data_bucket(rules=rules))
    assert len(found) == len(fragments)
    assert all(message.startswith(fragment) for (message, _), fragment in zip(found, fragments, strict=True))


def test_a_data_bucket_without_access_logs_is_an_advisory_violation():
    [(message, _)] = stack_violations("s3-server-access-logging", [
        *data_bucket(logged=False), (LOGGING, "other", {"bucket": "elsewhere", "targetBucket": "s3-logs-dev-1"})])
    assert message.startswith("bucket assets has no server access logging")


# -- secret-value-owner -----------------------------------------------------------------------------------------
def secret_with(*owners: str) -> list[tuple]:
    resources = [(SECRET, "jwt", {"name": "secret-jwt-dev", "arn": "arn:secret:jwt", "id": "arn:secret:jwt"})]
    for owner in owners:
        typ = {"version": "aws:secretsmanager/secretVersion:SecretVersion",
               "rotation": "aws:secretsmanager/secretRotation:SecretRotation"}[owner]
        resources.append((typ, owner, {"secretId": "arn:secret:jwt"}))
    return resources


def test_a_secret_has_exactly_one_owner_of_its_value():
    assert stack_violations("secret-value-owner", secret_with("version")) == []
    assert stack_violations("secret-value-owner", secret_with("rotation")) == []
    [(both, _)] = stack_violations("secret-value-owner", secret_with("version", "rotation"))
    assert "has a SecretVersion and a rotation" in both
    [(neither, _)] = stack_violations("secret-value-owner", secret_with())
    assert "has neither a value (SecretVersion) nor a rotation" in neither


# -- waf-logging ------------------------------------------------------------------------------------------------
ACL = ("aws:wafv2/webAcl:WebAcl", "acl", {"arn": "arn:acl", "id": "acl-id"})


def waf_logging(destination: str = "arn:aws:logs:us-east-1:1:log-group:aws-waf-logs-waf-dev",
                headers: tuple = ("authorization", "cookie")) -> tuple:
    return ("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "logging",
            {"resourceArn": "arn:acl", "logDestinationConfigs": [destination],
             "redactedFields": [{"singleHeader": {"name": h}} for h in headers]})


def test_a_logged_acl_with_credentials_redacted_passes():
    assert stack_violations("waf-logging", [ACL, waf_logging()]) == []


@pytest.mark.parametrize("resources, fragment", [
    ([ACL], "web ACL acl has no logging"),
    ([ACL, waf_logging("arn:aws:logs:us-east-1:1:log-group:log-waf-dev")], "logging logs to"),
    ([ACL, waf_logging(headers=("Authorization",))], "logging writes the authorization, cookie header(s)"),
])
def test_waf_logging_gaps_are_violations(resources, fragment):
    [(message, _)] = stack_violations("waf-logging", resources)
    assert message.startswith(fragment)


# -- resource-policy-service-principals-scoped -------------------------------------------------------------------
KEY = "aws:kms/key:Key"


def test_the_platform_key_and_topic_policies_pass():
    key_policy = resource_policies.platform_key_policy("aws", "us-east-1", ACCOUNT, [
        f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:log-*-dev"])
    assert violations("resource-policy-service-principals-scoped", KEY, {"policy": key_policy}) == []
    topic = resource_policies.alarm_topic_policy("aws", "us-east-1", ACCOUNT, f"arn:aws:sns:us-east-1:{ACCOUNT}:t")
    assert violations("resource-policy-service-principals-scoped", "aws:sns/topicPolicy:TopicPolicy",
                      {"policy": topic}) == []
    log_bucket = resource_policies.s3_access_log_bucket_policy("arn:aws:s3:::logs", "s3-access", ACCOUNT,
                                                               ["arn:aws:s3:::assets"])
    assert violations("resource-policy-service-principals-scoped", "aws:s3/bucketPolicy:BucketPolicy",
                      {"policy": log_bucket}) == []
    assert violations("resource-policy-service-principals-scoped", KEY, {}) == []
    assert violations("resource-policy-service-principals-scoped", "aws:sqs/queue:Queue", {"policy": "x"}) == []


@pytest.mark.parametrize("statement", [
    {"Sid": "Logs", "Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
     "Action": "kms:Encrypt", "Resource": "*"},
    {"Sid": "Logs", "Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
     "Action": "kms:Encrypt", "Resource": "*",
     "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:*:log-group:*"}}},
    {"Sid": "Delivery", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
     "Action": "s3:PutObject", "Resource": "*"},
])
def test_a_service_statement_for_any_account_is_a_violation(statement):
    [message] = violations("resource-policy-service-principals-scoped", KEY, {"policy": document(statement)})
    assert "act for any account" in message and statement["Sid"] in message


def test_lambda_permissions_for_services_name_the_source():
    permission = "aws:lambda/permission:Permission"
    base = {"principal": "secretsmanager.amazonaws.com", "action": "lambda:InvokeFunction"}
    assert violations("resource-policy-service-principals-scoped", permission, {**base, "sourceAccount": ACCOUNT}) == []
    assert violations("resource-policy-service-principals-scoped", permission,
                      {"principal": "123456789012", "action": "lambda:InvokeFunction"}) == []
    [message] = violations("resource-policy-service-principals-scoped", permission, base)
    assert message.startswith("the permission lets secretsmanager.amazonaws.com invoke the function for any account")


def test_the_unscoped_services_are_sourced():
    assert all(url.startswith("https://") for url in resource_policies.UNSCOPED_KEY_SERVICES.values())
    assert json.loads(resource_policies.interface_endpoint_policy(ACCOUNT))["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:PrincipalAccount": ACCOUNT}}
