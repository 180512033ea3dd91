"""Stack policies: rules that need relations between resources (which groups are the ALB's, which bucket
receives ALB logs, which bucket a block or an encryption configuration belongs to). Props are outputs."""
from __future__ import annotations

import pytest

from tests.policy.support import KEY_ARN, OTHER_KEY_ARN, stack_violations

ALB = ("aws:lb/loadBalancer:LoadBalancer", "alb",
       {"id": "arn:alb", "loadBalancerType": "application", "internal": False, "securityGroups": ["sg-alb"],
        "accessLogs": {"bucket": "s3-alb-logs-dev", "enabled": True}})
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LEGACY = "aws:ec2/securityGroupRule:SecurityGroupRule"
BUCKET = "aws:s3/bucket:Bucket"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"


def ingress(name: str, group: str, port: float, cidr: str = "0.0.0.0/0", protocol: str = "tcp",
            to_port: float | None = None) -> tuple:
    key = "cidrIpv6" if ":" in cidr else "cidrIpv4"
    return (INGRESS, name, {"id": f"sgr-{name}", "securityGroupId": group, "ipProtocol": protocol, "fromPort": port,
                            "toPort": port if to_port is None else to_port, key: cidr})


def test_the_internet_facing_alb_may_take_80_and_443_from_the_internet():
    resources = [ALB, ingress("alb-http", "sg-alb", 80.0), ingress("alb-https", "sg-alb", 443.0),
                 ingress("alb-https6", "sg-alb", 443.0, "::/0"),
                 ingress("svc-from-vpc", "sg-svc", 8080.0, "10.0.0.0/16"),
                 (INGRESS, "from-alb", {"securityGroupId": "sg-svc", "referencedSecurityGroupId": "sg-alb",
                                        "ipProtocol": "tcp", "fromPort": 8080.0, "toPort": 8080.0})]
    assert stack_violations("sg-no-open-ingress", resources) == []


@pytest.mark.parametrize("rule, fragment", [
    (ingress("svc-open", "sg-svc", 8080.0), "svc-open opens tcp 8080.0-8080.0 to 0.0.0.0/0"),
    (ingress("alb-ssh", "sg-alb", 22.0), "alb-ssh opens tcp 22.0-22.0 to 0.0.0.0/0"),
    (ingress("alb-range", "sg-alb", 80.0, to_port=443.0), "opens tcp 80.0-443.0"),
    (ingress("alb-all", "sg-alb", -1.0, protocol="-1"), "alb-all opens -1"),
    (ingress("svc-open6", "sg-svc", 443.0, "::/0"), "to ::/0"),
    # Any prefix shorter than /8 opens a large share of the internet, not only /0.
    (ingress("svc-half", "sg-svc", 8080.0, "0.0.0.0/1"), "svc-half opens tcp 8080.0-8080.0 to 0.0.0.0/1"),
    (ingress("svc-upper", "sg-svc", 8080.0, "128.0.0.0/7"), "to 128.0.0.0/7"),
    (ingress("svc-v6", "sg-svc", 8080.0, "2000::/3"), "to 2000::/3"),
    ((LEGACY, "legacy-wide", {"type": "ingress", "securityGroupId": "sg-svc", "protocol": "tcp", "fromPort": 22.0,
                              "toPort": 22.0, "cidrBlocks": ["10.0.0.0/16", "64.0.0.0/2"]}), "to 64.0.0.0/2"),
    ((LEGACY, "legacy", {"type": "ingress", "securityGroupId": "sg-svc", "protocol": "tcp", "fromPort": 443.0,
                         "toPort": 443.0, "cidrBlocks": ["0.0.0.0/0"]}), "legacy opens tcp 443.0-443.0 to 0.0.0.0/0"),
])
def test_any_other_ingress_from_the_internet_is_reported_on_its_rule(rule, fragment):
    [(message, urn)] = stack_violations("sg-no-open-ingress", [ALB, rule])
    assert fragment in message and "only the internet-facing ALB's security group" in message
    assert urn == f"urn:{rule[1]}"


def test_an_internal_or_network_load_balancer_does_not_open_its_groups_to_the_internet():
    internal = ("aws:lb/loadBalancer:LoadBalancer", "internal",
                {"loadBalancerType": "application", "internal": True, "securityGroups": ["sg-int"]})
    network = ("aws:lb/loadBalancer:LoadBalancer", "nlb", {"loadBalancerType": "network", "securityGroups": ["sg-n"]})
    found = stack_violations("sg-no-open-ingress", [internal, network, ingress("a", "sg-int", 443.0),
                                                    ingress("b", "sg-n", 443.0)])
    assert len(found) == 2


def test_prefixes_of_eight_bits_or_longer_and_unreadable_cidrs_are_not_the_internet():
    # /8 is the boundary (10.0.0.0/8 is private); a value that is no CIDR is left to AWS's own validation.
    resources = [ingress("svc-ten", "sg-svc", 8080.0, "10.0.0.0/8"), ingress("svc-junk", "sg-svc", 8080.0, "vpc-cidr"),
                 ingress("svc-v6", "sg-svc", 8080.0, "fd00::/8")]
    assert stack_violations("sg-no-open-ingress", resources) == []


def test_egress_and_legacy_egress_rules_are_not_ingress():
    egress = ("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "out",
              {"securityGroupId": "sg-svc", "ipProtocol": "tcp", "fromPort": 443.0, "toPort": 443.0,
               "cidrIpv4": "0.0.0.0/0"})
    legacy = (LEGACY, "legacy-out", {"type": "egress", "securityGroupId": "sg-svc", "cidrBlocks": ["0.0.0.0/0"]})
    assert stack_violations("sg-no-open-ingress", [egress, legacy]) == []


# --- buckets -----------------------------------------------------------------------------------------------

def bucket(name: str) -> tuple:
    return (BUCKET, name, {"id": name, "bucket": name, "arn": f"arn:aws:s3:::{name}", "forceDestroy": True})


def block(name: str, target: str) -> tuple:
    return (PAB, name, {"bucket": target, "blockPublicAcls": True, "blockPublicPolicy": True,
                        "ignorePublicAcls": True, "restrictPublicBuckets": True})


def sse(name: str, target: str, algorithm: str, key: str | None = None) -> tuple:
    rule = {"sseAlgorithm": algorithm, **({"kmsMasterKeyId": key} if key else {})}
    return (SSE, name, {"bucket": target, "rules": [{"applyServerSideEncryptionByDefault": rule,
                                                     "bucketKeyEnabled": True}]})


def test_every_bucket_with_its_public_access_block_passes():
    resources = [bucket("s3-assets-dev"), block("assets-pab", "s3-assets-dev"), bucket("s3-alb-logs-dev"),
                 block("logs-pab", "s3-alb-logs-dev")]
    assert stack_violations("s3-bucket-has-public-access-block", resources) == []


def test_a_bucket_without_a_public_access_block_is_reported():
    resources = [bucket("s3-assets-dev"), bucket("s3-alb-logs-dev"), block("logs-pab", "s3-alb-logs-dev"),
                 block("stray", "no-such-bucket")]
    [(message, urn)] = stack_violations("s3-bucket-has-public-access-block", resources)
    assert "bucket s3-assets-dev has no BucketPublicAccessBlock" in message and urn == "urn:s3-assets-dev"


def test_assets_bucket_with_the_platform_key_and_log_bucket_with_sse_s3_pass():
    resources = [ALB, bucket("s3-assets-dev"), sse("assets-sse", "s3-assets-dev", "aws:kms", KEY_ARN),
                 bucket("s3-alb-logs-dev"), sse("logs-sse", "s3-alb-logs-dev", "AES256"),
                 sse("stray", "no-such-bucket", "AES256")]
    assert stack_violations("s3-bucket-encryption", resources, {"platformKeyArns": [KEY_ARN]}) == []


@pytest.mark.parametrize("resources, fragment", [
    ([bucket("s3-assets-dev")], "bucket s3-assets-dev has no server-side encryption configuration"),
    ([bucket("s3-assets-dev"), sse("e", "s3-assets-dev", "AES256")],
     "bucket s3-assets-dev uses 'AES256'; encrypt it with the platform key"),
    ([bucket("s3-assets-dev"), (SSE, "e", {"bucket": "s3-assets-dev", "rules": []})], "uses None"),
    ([bucket("s3-assets-dev"), sse("e", "s3-assets-dev", "aws:kms")],
     "bucket s3-assets-dev is not encrypted with a customer-managed KMS key"),
    ([bucket("s3-assets-dev"), sse("e", "s3-assets-dev", "aws:kms", OTHER_KEY_ARN)],
     f"bucket s3-assets-dev uses key {OTHER_KEY_ARN}, not the platform key"),
    ([ALB, bucket("s3-alb-logs-dev"), sse("e", "s3-alb-logs-dev", "aws:kms", KEY_ARN)],
     "bucket s3-alb-logs-dev receives ALB or S3 access logs, which their delivery can write only with SSE-S3"),
])
def test_bucket_encryption_violations_name_the_bucket_and_the_fix(resources, fragment):
    [(message, urn)] = stack_violations("s3-bucket-encryption", resources, {"platformKeyArns": [KEY_ARN]})
    assert fragment in message and urn.startswith("urn:s3-")
