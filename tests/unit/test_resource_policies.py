"""The resource policies of the registry, network and platform, each document written out as AWS receives it:
a principal, action, resource or condition off by one word is access granted or refused in production."""
from __future__ import annotations

import json

from shared import resource_policies as rp

ACCOUNT = "123456789012"
ROOT = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}


def statements(document: str) -> list[dict]:
    parsed = json.loads(document)
    assert parsed["Version"] == "2012-10-17"
    return parsed["Statement"]


def test_ecr_lifecycle_expires_untagged_then_keeps_the_newest_releases_then_expires_the_rest():
    text = rp.ecr_lifecycle_policy(14, 30, ("v*", "release-*"))
    assert json.loads(text) == {"rules": [
        {"rulePriority": 1, "description": "untagged images expire after 14 days",
         "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                       "countNumber": 14},
         "action": {"type": "expire"}},
        {"rulePriority": 2, "description": "keep the newest 30 release images (rollback targets)",
         "selection": {"tagStatus": "tagged", "tagPatternList": ["v*", "release-*"],
                       "countType": "imageCountMoreThan", "countNumber": 30},
         "action": {"type": "expire"}},
        {"rulePriority": 3, "description": "any other image (non-release tags) expires after 14 days",
         "selection": {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
         "action": {"type": "expire"}},
    ]}
    # keys sorted: the text in plan.json does not change between two runs
    assert text.startswith('{"rules": [{"action": {"type": "expire"}, "description": ')


def test_the_registry_key_delegates_to_iam_policies_of_the_account():
    assert statements(rp.registry_key_policy("aws", ACCOUNT)) == [
        {"Sid": "AccountRootAdministers", "Effect": "Allow", "Principal": ROOT, "Action": ["kms:*"],
         "Resource": "*"}]


def test_the_platform_key_administers_by_the_account_and_is_used_only_through_data_services_logs_and_alarms():
    groups = [f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:log-*-dev"]
    assert statements(rp.platform_key_policy("aws", "eu-west-1", ACCOUNT, groups)) == [
        {"Sid": "AccountAdministersKey", "Effect": "Allow", "Principal": ROOT, "Resource": "*",
         "Action": ["kms:CancelKeyDeletion", "kms:CreateAlias", "kms:Delete*", "kms:Describe*", "kms:Disable*",
                    "kms:Enable*", "kms:Get*", "kms:List*", "kms:Put*", "kms:Revoke*", "kms:RotateKeyOnDemand",
                    "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:Update*"]},
        {"Sid": "AccountUsesKeyOnlyThroughDataServices", "Effect": "Allow", "Principal": ROOT, "Resource": "*",
         "Action": ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*",
                    "kms:ReEncrypt*"],
         "Condition": {"StringEquals": {
             "kms:CallerAccount": ACCOUNT,
             "kms:ViaService": ["secretsmanager.eu-west-1.amazonaws.com", "sqs.eu-west-1.amazonaws.com",
                                "sns.eu-west-1.amazonaws.com", "dynamodb.eu-west-1.amazonaws.com",
                                "s3.eu-west-1.amazonaws.com"]}}},
        {"Sid": "CloudWatchLogsUsesKeyForTheseGroups", "Effect": "Allow",
         "Principal": {"Service": "logs.eu-west-1.amazonaws.com"}, "Resource": "*",
         "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
         "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": groups}}},
        {"Sid": "CloudWatchAlarmsPublishToEncryptedTopic", "Effect": "Allow",
         "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Resource": "*",
         "Action": ["kms:Decrypt", "kms:GenerateDataKey*"]},
    ]
    # the one service principal admitted without a source condition, with the page that documents why
    assert rp.UNSCOPED_KEY_SERVICES == {
        "cloudwatch.amazonaws.com": "https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns"}


def test_gateway_endpoints_reach_this_accounts_buckets_and_tables_and_the_ecr_layer_bucket_only():
    assert rp.ecr_layer_bucket_arn("aws-cn", "cn-north-1") == "arn:aws-cn:s3:::prod-cn-north-1-starport-layer-bucket"
    assert statements(rp.GATEWAY_ENDPOINT_POLICIES["s3"]("aws", "eu-west-1", ACCOUNT)) == [
        {"Sid": "ThisAccountsBuckets", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["s3:*"],
         "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceAccount": ACCOUNT}}},
        {"Sid": "EcrImageLayers", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["s3:GetObject"],
         "Resource": "arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*"},
    ]
    assert statements(rp.GATEWAY_ENDPOINT_POLICIES["dynamodb"]("aws", "eu-west-1", ACCOUNT)) == [
        {"Sid": "ThisAccountsTables", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["dynamodb:*"],
         "Resource": f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/*"}]
    assert set(rp.GATEWAY_ENDPOINT_POLICIES) == {"s3", "dynamodb"}


def test_an_interface_endpoint_serves_principals_of_this_account_only():
    assert statements(rp.interface_endpoint_policy(ACCOUNT)) == [
        {"Sid": "ThisAccountsPrincipals", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["*"],
         "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}}]


TLS_ONLY = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def test_buckets_refuse_requests_without_tls():
    assert statements(rp.tls_only_bucket_policy("arn:aws:s3:::b")) == [TLS_ONLY]


def test_the_alb_log_bucket_admits_the_elb_account_under_its_prefix_only():
    elb = "arn:aws:iam::127311923021:root"
    assert statements(rp.alb_log_bucket_policy("arn:aws:s3:::b", "alb", ACCOUNT, elb)) == [
        {"Sid": "ElbWritesAccessLogs", "Effect": "Allow", "Principal": {"AWS": elb}, "Action": ["s3:PutObject"],
         "Resource": f"arn:aws:s3:::b/alb/AWSLogs/{ACCOUNT}/*"},
        TLS_ONLY]


def test_the_access_log_bucket_admits_s3_logging_for_the_named_buckets_of_this_account_only():
    policy = rp.s3_access_log_bucket_policy("arn:aws:s3:::b", "s3-access", ACCOUNT,
                                            ["arn:aws:s3:::web", "arn:aws:s3:::assets"])
    assert statements(policy) == [
        {"Sid": "S3WritesServerAccessLogs", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
         "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::b/s3-access/*",
         "Condition": {"ArnLike": {"aws:SourceArn": ["arn:aws:s3:::assets", "arn:aws:s3:::web"]},
                       "StringEquals": {"aws:SourceAccount": ACCOUNT}}},
        TLS_ONLY]


def test_only_this_accounts_alarms_of_this_region_publish_to_the_alarm_topic():
    topic = f"arn:aws:sns:eu-west-1:{ACCOUNT}:alarms"
    assert statements(rp.alarm_topic_policy("aws", "eu-west-1", ACCOUNT, topic)) == [
        {"Sid": "CloudWatchAlarmsOfThisAccountPublish", "Effect": "Allow",
         "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": ["sns:Publish"], "Resource": topic,
         "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:*"}}}]
