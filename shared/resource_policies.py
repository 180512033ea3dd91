"""Resource policies of the registry and platform (ECR lifecycle, KMS key, buckets, topic). Pure data.

Built as JSON strings here so `plan.json` shows exactly what AWS receives and tests parse the same text
(`shared.iam.parse_document`).
"""
from __future__ import annotations

import json

from shared import iam

# --- ECR lifecycle -------------------------------------------------------------------------------------------
# https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html: an image matched by a rule's
# tag selection is never expired by a rule with a higher priority number, and the `any` rule must carry the
# highest priority number.
UNTAGGED_PRIORITY, RELEASE_PRIORITY, ANY_PRIORITY = 1, 2, 3


def ecr_lifecycle_policy(expire_days: int, release_images_kept: int, release_tag_patterns: tuple[str, ...]) -> str:
    """Untagged images expire after `expire_days`; release tags keep the newest `release_images_kept`
    (release images are then safe from the last rule); any other image expires after `expire_days`."""
    return json.dumps({"rules": [
        {"rulePriority": UNTAGGED_PRIORITY, "description": f"untagged images expire after {expire_days} days",
         "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                       "countNumber": expire_days},
         "action": {"type": "expire"}},
        {"rulePriority": RELEASE_PRIORITY,
         "description": f"keep the newest {release_images_kept} release images (rollback targets)",
         "selection": {"tagStatus": "tagged", "tagPatternList": list(release_tag_patterns),
                       "countType": "imageCountMoreThan", "countNumber": release_images_kept},
         "action": {"type": "expire"}},
        {"rulePriority": ANY_PRIORITY,
         "description": f"any other image (non-release tags) expires after {expire_days} days",
         "selection": {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days",
                       "countNumber": expire_days},
         "action": {"type": "expire"}},
    ]}, sort_keys=True)


# --- KMS -----------------------------------------------------------------------------------------------------
# What a key administrator needs: AWS's "key administrators" list, with `kms:Create*` narrowed to aliases so
# that grants (which could hand out direct decryption) are only created through a data service.
KEY_ADMIN_ACTIONS = ("kms:CreateAlias", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
                     "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource",
                     "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
                     "kms:RotateKeyOnDemand")
KEY_USE_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*",
                   "kms:CreateGrant")
# AWS services that encrypt the platform's data with its key, on behalf of the caller.
VIA_SERVICES = ("secretsmanager", "sqs", "sns", "dynamodb", "s3")


def registry_key_policy(partition: str, account_id: str) -> str:
    """ECR encrypts through grants it creates with the caller's permissions; IAM policies govern both."""
    return iam.document(iam.account_root_statement(partition, account_id))


def platform_key_policy(partition: str, region: str, account_id: str, log_group_arn_pattern: str) -> str:
    """The platform key cannot name the service roles (they are created by later stacks and KMS rejects
    principals that do not exist). So: the account administers the key; the account's principals may use it
    only through the platform's data services (each principal still needs an IAM grant, and the data
    service's own permissions decide what it may read); CloudWatch Logs may use it only for this
    environment's log groups; CloudWatch alarms may use it to publish to the encrypted alarm topic."""
    root = {"AWS": f"arn:{partition}:iam::{account_id}:root"}
    return iam.document(
        iam.principal_statement("AccountAdministersKey", root, KEY_ADMIN_ACTIONS),
        iam.principal_statement(
            "AccountUsesKeyOnlyThroughDataServices", root, KEY_USE_ACTIONS,
            condition={"StringEquals": {
                "kms:CallerAccount": account_id,
                "kms:ViaService": [f"{service}.{region}.amazonaws.com" for service in VIA_SERVICES]}}),
        iam.logs_key_statement(region, account_id, [log_group_arn_pattern]),
        # CloudWatch alarm actions publish to an SSE-KMS topic only if the key admits the CloudWatch principal
        # (https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns, AWS's form, without conditions);
        # which alarms may publish is decided by the alarm topic's policy (`alarm_topic_policy`).
        iam.principal_statement("CloudWatchAlarmsPublishToEncryptedTopic", {"Service": "cloudwatch.amazonaws.com"},
                                ["kms:Decrypt", "kms:GenerateDataKey*"]),
    )


# --- S3 and SNS ----------------------------------------------------------------------------------------------
def tls_only_statement(bucket_arn: str) -> dict:
    """Deny every request that does not use TLS (FSBP S3.5)."""
    return {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [bucket_arn, f"{bucket_arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def tls_only_bucket_policy(bucket_arn: str) -> str:
    return iam.document(tls_only_statement(bucket_arn))


def alb_log_bucket_policy(bucket_arn: str, prefix: str, account_id: str, elb_account_arn: str) -> str:
    """The region's ELB account (us-east-1 predates the log-delivery service principal) may write this
    account's access logs under `prefix`, and nothing else; TLS only."""
    return iam.document(
        iam.principal_statement("ElbWritesAccessLogs", {"AWS": elb_account_arn}, ["s3:PutObject"],
                                f"{bucket_arn}/{prefix}/AWSLogs/{account_id}/*"),
        tls_only_statement(bucket_arn),
    )


def alarm_topic_policy(partition: str, region: str, account_id: str, topic_arn: str) -> str:
    """Only this account's CloudWatch alarms in this region (and principals of the account that IAM allows)
    publish to the alarm topic (https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger)."""
    return iam.document(
        iam.principal_statement("CloudWatchAlarmsOfThisAccountPublish", {"Service": "cloudwatch.amazonaws.com"},
                                ["sns:Publish"], topic_arn,
                                condition={"ArnLike": {
                                    "aws:SourceArn": f"arn:{partition}:cloudwatch:{region}:{account_id}:alarm:*"}}),
        iam.principal_statement("AccountManagesTopic", {"AWS": f"arn:{partition}:iam::{account_id}:root"},
                                ["sns:GetTopicAttributes", "sns:Publish", "sns:Subscribe",
                                 "sns:ListSubscriptionsByTopic"], topic_arn),
    )
