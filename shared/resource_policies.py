"""Resource policies of the registry, network and platform (ECR lifecycle, KMS key, VPC endpoints, buckets, topic).
Pure data.

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


# Service principals a key policy admits without an aws:SourceAccount / aws:SourceArn condition, each with the
# AWS page that documents the statement without one: CloudWatch alarm actions publishing to an SSE-KMS topic
# send neither key today. Everything else in a key policy of this repository is tied to this account (the
# policy pack's `kms-service-statements-scoped` holds the line).
UNSCOPED_KEY_SERVICES: dict[str, str] = {
    "cloudwatch.amazonaws.com": "https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns",
}


def platform_key_policy(partition: str, region: str, account_id: str, log_group_arn_patterns: list[str]) -> str:
    """The platform key cannot name the service roles (they are created by later stacks and KMS rejects
    principals that do not exist). So: the account administers the key; the account's principals may use it
    only through the platform's data services (each principal still needs an IAM grant, and the data
    service's own permissions decide what it may read); CloudWatch Logs may use it only for this
    environment's log groups (service and function groups, the WAF's); CloudWatch alarms may use it to publish
    to the encrypted alarm topic."""
    root = {"AWS": f"arn:{partition}:iam::{account_id}:root"}
    return iam.document(
        iam.principal_statement("AccountAdministersKey", root, KEY_ADMIN_ACTIONS),
        iam.principal_statement(
            "AccountUsesKeyOnlyThroughDataServices", root, KEY_USE_ACTIONS,
            condition={"StringEquals": {
                "kms:CallerAccount": account_id,
                "kms:ViaService": [f"{service}.{region}.amazonaws.com" for service in VIA_SERVICES]}}),
        # Tied to this account by the encryption context: the log group ARN holds the account id (the form
        # https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html documents).
        iam.logs_key_statement(region, account_id, log_group_arn_patterns),
        # CloudWatch alarm actions publish to an SSE-KMS topic only if the key admits the CloudWatch principal
        # (https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns, AWS's form: CloudWatch sends no
        # aws:SourceAccount / aws:SourceArn to KMS, so no condition can be added; UNSCOPED_KEY_SERVICES);
        # which alarms may publish is decided by the alarm topic's policy (`alarm_topic_policy`).
        iam.principal_statement("CloudWatchAlarmsPublishToEncryptedTopic", {"Service": "cloudwatch.amazonaws.com"},
                                ["kms:Decrypt", "kms:GenerateDataKey*"]),
    )


# --- VPC endpoints -------------------------------------------------------------------------------------------
# The S3 bucket ECR keeps image layers in: an image pull from the private subnets fetches the layers from it
# through the S3 gateway endpoint, so the endpoint policy must admit it although it belongs to AWS.
# https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html#ecr-setting-up-s3-gateway
ECR_LAYER_BUCKET_DOC = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html"


def ecr_layer_bucket_arn(partition: str, region: str) -> str:
    return f"arn:{partition}:s3:::prod-{region}-starport-layer-bucket"


def s3_endpoint_policy(partition: str, region: str, account_id: str) -> str:
    """The S3 gateway endpoint reaches this account's buckets (`aws:ResourceAccount`: a bucket ARN carries no
    account) and the ECR layer bucket, nothing else: no copy of data into a bucket of another account."""
    return iam.document(
        iam.principal_statement("ThisAccountsBuckets", {"AWS": "*"}, ["s3:*"],
                                condition={"StringEquals": {"aws:ResourceAccount": account_id}}),
        # Only reads of layers (ECR signs the request; the principal is AWS's, so no principal condition).
        iam.principal_statement("EcrImageLayers", {"AWS": "*"}, ["s3:GetObject"],
                                f"{ecr_layer_bucket_arn(partition, region)}/*"),
    )


def dynamodb_endpoint_policy(partition: str, region: str, account_id: str) -> str:
    """The DynamoDB gateway endpoint reaches this account's tables of this region only."""
    return iam.document(iam.principal_statement(
        "ThisAccountsTables", {"AWS": "*"}, ["dynamodb:*"], f"arn:{partition}:dynamodb:{region}:{account_id}:table/*"))


def interface_endpoint_policy(account_id: str) -> str:
    """An interface endpoint serves principals of this account only (stolen credentials of another account
    cannot use it to move data out); what each principal may do is still decided by IAM."""
    return iam.document(iam.principal_statement(
        "ThisAccountsPrincipals", {"AWS": "*"}, ["*"],
        condition={"StringEquals": {"aws:PrincipalAccount": account_id}}))


GATEWAY_ENDPOINT_POLICIES = {"s3": s3_endpoint_policy, "dynamodb": dynamodb_endpoint_policy}


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


def s3_access_log_bucket_policy(bucket_arn: str, prefix: str, account_id: str, source_bucket_arns: list[str]) -> str:
    """S3 server access logging (`logging.s3.amazonaws.com`) may write under `prefix`, only for the named
    buckets of this account; TLS only. A bucket policy, not an ACL grant: the bucket is BucketOwnerEnforced
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html)."""
    return iam.document(
        iam.principal_statement("S3WritesServerAccessLogs", {"Service": "logging.s3.amazonaws.com"},
                                ["s3:PutObject"], f"{bucket_arn}/{prefix}/*",
                                condition={"ArnLike": {"aws:SourceArn": sorted(source_bucket_arns)},
                                           "StringEquals": {"aws:SourceAccount": account_id}}),
        tls_only_statement(bucket_arn),
    )


def alarm_topic_policy(partition: str, region: str, account_id: str, topic_arn: str) -> str:
    """Only this account's CloudWatch alarms in this region publish to the alarm topic
    (https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger).

    Nothing else is granted here: principals of this account need no statement in the topic's policy (an
    identity policy alone allows same-account access), so the former account statement (publish, subscribe,
    list, get attributes to the whole account) only widened what a role without IAM permissions could do."""
    return iam.document(
        iam.principal_statement("CloudWatchAlarmsOfThisAccountPublish", {"Service": "cloudwatch.amazonaws.com"},
                                ["sns:Publish"], topic_arn,
                                condition={"ArnLike": {
                                    # The ARN's account field pins the source account.
                                    "aws:SourceArn": f"arn:{partition}:cloudwatch:{region}:{account_id}:alarm:*"}}),
    )
