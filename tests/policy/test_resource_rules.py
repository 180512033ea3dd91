"""Every resource policy against a violating resource (the message is asserted) and a compliant one.

Inputs are shaped as the engine sends them for pulumi-aws v7 (camelCase, numbers as floats, JSON strings);
`test_gate.py` runs the same policies over the real programs' offline plans.
"""
from __future__ import annotations

import json

import pytest

from policy.rules import (
    ECR_REPOSITORY,
    ECS_CLUSTER,
    ECS_SERVICE,
    IAM_ROLE,
    LOG_GROUP,
    PUBLIC_ACCESS_BLOCK,
    QUEUE,
    SECRET,
    SECURITY_GROUP,
    SUBNET,
    TABLE,
    TASK_DEFINITION,
    TOPIC,
)
from tests.policy.support import KEY_ARN, OTHER_KEY_ARN, TAGS, container, document, task_definition, violations

ALB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
BUCKET = "aws:s3/bucket:Bucket"

REPOSITORY = {"name": "ecr-frontend-dev", "imageTagMutability": "IMMUTABLE", "forceDelete": True,
              "imageScanningConfiguration": {"scanOnPush": True},
              "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": KEY_ARN}], "tags": TAGS}
SERVICE = {"name": "svc-frontend-dev", "desiredCount": 2.0,
           "networkConfiguration": {"subnets": ["subnet-1"], "securityGroups": ["sg-1"], "assignPublicIp": False},
           "deploymentCircuitBreaker": {"enable": True, "rollback": True},
           "capacityProviderStrategies": [{"capacityProvider": "FARGATE", "base": 1.0, "weight": 1.0}], "tags": TAGS}
CLUSTER = {"name": "cluster-dev", "settings": [{"name": "containerInsights", "value": "enhanced"}], "tags": TAGS}
LOGS = {"name": "log-frontend-dev", "retentionInDays": 30.0, "kmsKeyId": KEY_ARN, "tags": TAGS}
TRUST = document({"Sid": "TrustService", "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                  "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}})
ROLE = {"name": "role-frontend-task-dev", "assumeRolePolicy": TRUST, "tags": TAGS}
READ_OWN = {"Sid": "ReadOwn", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
            "Resource": ["arn:aws:secretsmanager:us-east-1:123456789012:secret:jwt-dev-AbCdEf"]}
ECR_LOGIN = {"Sid": "EcrLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
LB = {"name": "alb-dev", "loadBalancerType": "application", "internal": False, "dropInvalidHeaderFields": True,
      "enableDeletionProtection": False, "securityGroups": ["sg-alb"], "tags": TAGS}
HTTPS = {"protocol": "HTTPS", "port": 443.0, "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
         "certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"}
PAB = {"bucket": "s3-assets-dev", "blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True,
       "restrictPublicBuckets": True}
TABLE_PROPS = {"name": "ddb-trades-dev", "hashKey": "tradeId", "serverSideEncryption": {"enabled": True,
                                                                                          "kmsKeyArn": KEY_ARN}}


def one(messages: list[str], fragment: str) -> str:
    matching = [m for m in messages if fragment in m]
    assert matching, f"no violation mentions {fragment!r}: {messages}"
    return matching[0]


# (policy, type, violating inputs, fragment of the message, config) and (policy, type, compliant inputs)
VIOLATING = [
    ("ecr-immutable-tags", ECR_REPOSITORY, {**REPOSITORY, "imageTagMutability": "MUTABLE"},
     "imageTagMutability is 'MUTABLE'; set image_tag_mutability='IMMUTABLE'"),
    ("ecr-immutable-tags", ECR_REPOSITORY, {**REPOSITORY, "imageTagMutability": "IMMUTABLE_WITH_EXCLUSION"},
     "'IMMUTABLE_WITH_EXCLUSION'"),
    ("ecr-scan-on-push", ECR_REPOSITORY, {**REPOSITORY, "imageScanningConfiguration": {"scanOnPush": False}},
     "not scanned on push"),
    ("ecr-scan-on-push", ECR_REPOSITORY, {k: v for k, v in REPOSITORY.items() if k != "imageScanningConfiguration"},
     "scan_on_push"),
    ("ecs-no-public-ip", ECS_SERVICE, {**SERVICE, "networkConfiguration": {**SERVICE["networkConfiguration"],
                                                                           "assignPublicIp": True}},
     "assignPublicIp is true"),
    ("ecs-no-public-ip", ECS_SERVICE, {k: v for k, v in SERVICE.items() if k != "networkConfiguration"},
     "no networkConfiguration"),
    ("ecs-container-insights", ECS_CLUSTER, {**CLUSTER, "settings": [{"name": "containerInsights",
                                                                      "value": "disabled"}]},
     "Container Insights is disabled"),
    ("ecs-container-insights", ECS_CLUSTER, {"name": "cluster-dev"}, "Container Insights is not set"),
    ("ecs-circuit-breaker-rollback", ECS_SERVICE, {**SERVICE, "deploymentCircuitBreaker": {"enable": True,
                                                                                           "rollback": False}},
     "'rollback': False"),
    ("ecs-circuit-breaker-rollback", ECS_SERVICE, {k: v for k, v in SERVICE.items()
                                                   if k != "deploymentCircuitBreaker"},
     "deploymentCircuitBreaker is not set"),
    ("ecs-capacity-provider-strategy", ECS_SERVICE, {**SERVICE, "launchType": "FARGATE"},
     "launchType is 'FARGATE'; remove it"),
    ("ecs-capacity-provider-strategy", ECS_SERVICE, {**SERVICE, "capacityProviderStrategies": []},
     "no capacityProviderStrategies"),
    ("log-retention-30-days", LOG_GROUP, {**LOGS, "retentionInDays": 7.0}, "retentionInDays is 7, below 30"),
    ("log-retention-30-days", LOG_GROUP, {k: v for k, v in LOGS.items() if k != "retentionInDays"},
     "retentionInDays is not set"),
    ("log-retention-30-days", LOG_GROUP, {**LOGS, "retentionInDays": 0.0}, "retentionInDays is not set"),
    ("log-group-kms", LOG_GROUP, {k: v for k, v in LOGS.items() if k != "kmsKeyId"}, "no kmsKeyId"),
    ("iam-no-wildcard-action", ROLE_POLICY, {"policy": document({**READ_OWN, "Action": "*"})},
     "statement 'ReadOwn' allows *; list the actions"),
    ("iam-no-wildcard-action", "aws:iam/policy:Policy", {"policy": document({**READ_OWN, "Action": ["s3:*"]})},
     "allows s3:*"),
    ("iam-no-wildcard-action", IAM_ROLE, {**ROLE, "inlinePolicies": [{"name": "inline", "policy": document(
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})}]}, "inline policy 'inline' statement "
                                                                        "'<no Sid>' allows NotAction"),
    ("iam-no-wildcard-action", ATTACHMENT, {"role": "r", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
     "attaches arn:aws:iam::aws:policy/AdministratorAccess"),
    ("iam-no-wildcard-action", ROLE_POLICY, {"policy": "{not json"}, "policy is not a JSON policy document"),
    # Other spellings of "every action": only stars and question marks after the service prefix.
    ("iam-no-wildcard-action", ROLE_POLICY, {"policy": document({**READ_OWN, "Action": ["**"]})}, "allows **;"),
    ("iam-no-wildcard-action", ROLE_POLICY, {"policy": document({**READ_OWN, "Action": ["s3:**"]})}, "allows s3:**;"),
    ("iam-no-wildcard-action", ROLE_POLICY, {"policy": document({**READ_OWN, "Action": ["iam:?*"]})},
     "allows iam:?*;"),
    # Every attachment type and a role's managedPolicyArns: an AWS administrator policy is refused on all.
    ("iam-no-wildcard-action", "aws:iam/userPolicyAttachment:UserPolicyAttachment",
     {"user": "u", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
     "attaches arn:aws:iam::aws:policy/AdministratorAccess, which allows every action"),
    ("iam-no-wildcard-action", "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
     {"group": "g", "policyArn": "arn:aws:iam::aws:policy/IAMFullAccess"}, "attaches arn:aws:iam::aws:policy/IAMFull"),
    ("iam-no-wildcard-action", "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
     {"roleName": "r", "policyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess",
                                      "arn:aws:iam::aws:policy/AdministratorAccess"]},
     "policyArns attaches arn:aws:iam::aws:policy/AdministratorAccess"),
    ("iam-no-wildcard-action", IAM_ROLE, {**ROLE, "managedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]},
     "managedPolicyArns attaches arn:aws:iam::aws:policy/AdministratorAccess"),
    ("iam-no-wildcard-action", IAM_ROLE,
     {**ROLE, "managedPolicyArns": ["arn:aws-us-gov:iam::aws:policy/PowerUserAccess"]},
     "attaches arn:aws-us-gov:iam::aws:policy/PowerUserAccess"),
    ("iam-wildcard-resource-allow-list", ROLE_POLICY, {"policy": document({**READ_OWN, "Resource": "*"})},
     "allows secretsmanager:GetSecretValue on every resource"),
    ("iam-wildcard-resource-allow-list", ROLE_POLICY, {"policy": document(
        {**ECR_LOGIN, "Action": ["ecr:GetAuthorizationToken", "ecr:BatchGetImage"],
         "Resource": "arn:aws:ecr:us-east-1:123456789012:*"})}, "allows ecr:BatchGetImage on every resource"),
    ("iam-wildcard-resource-allow-list", ROLE_POLICY, {"policy": document(
        {"Sid": "Rest", "Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::x/*"})},
     "statement 'Rest' uses NotResource"),
    # Other spellings of "every resource": IAM's `*` crosses ':' and '/'.
    ("iam-wildcard-resource-allow-list", ROLE_POLICY, {"policy": document({**READ_OWN, "Resource": "arn:*"})},
     "allows secretsmanager:GetSecretValue on every resource"),
    ("iam-wildcard-resource-allow-list", ROLE_POLICY, {"policy": document({**READ_OWN, "Resource": "arn:aws:*"})},
     "allows secretsmanager:GetSecretValue on every resource"),
    ("iam-wildcard-resource-allow-list", ROLE_POLICY, {"policy": document({**READ_OWN, "Resource": "**"})},
     "allows secretsmanager:GetSecretValue on every resource"),
    ("iam-wildcard-resource-allow-list", ROLE_POLICY, {"policy": document(
        {**READ_OWN, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*/*"})}, "allows s3:GetObject on every"),
    ("iam-trust-service-principal", IAM_ROLE, {**ROLE, "assumeRolePolicy": document(
        {"Sid": "Anyone", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
         "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}})},
     "trust statement 'Anyone' trusts {'AWS': ('arn:aws:iam::999999999999:root',)}"),
    ("iam-trust-service-principal", IAM_ROLE, {**ROLE, "assumeRolePolicy": document(
        {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"})}, "trust only AWS service principals"),
    ("iam-trust-service-principal", IAM_ROLE, {**ROLE, "assumeRolePolicy": document(
        {"Sid": "NoGuard", "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
         "Action": "sts:AssumeRole"})}, "trust statement 'NoGuard' has no aws:SourceAccount condition"),
    ("iam-trust-service-principal", IAM_ROLE, {**ROLE, "assumeRolePolicy": document(
        {"Sid": "Wild", "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
         "Action": "sts:AssumeRole", "Condition": {"StringLike": {"aws:SourceAccount": "*"}}})},
     "'Wild' has no aws:SourceAccount condition naming this account"),
    ("iam-trust-service-principal", IAM_ROLE, {**ROLE, "assumeRolePolicy": "[]"}, "assumeRolePolicy is not a JSON"),
    # Only equality with literal account ids guards: a negation, a Null test, IfExists, a set operator or
    # anything but a 12-digit id does not.
    ("iam-trust-service-principal", IAM_ROLE, {**ROLE, "assumeRolePolicy": document(
        {"Sid": "NotEquals", "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
         "Action": "sts:AssumeRole", "Condition": {"StringNotEquals": {"aws:SourceAccount": "999999999999"}}})},
     "'NotEquals' has no aws:SourceAccount condition naming this account"),
    ("iam-trust-service-principal", IAM_ROLE, {**ROLE, "assumeRolePolicy": document(
        {"Sid": "Null", "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
         "Action": "sts:AssumeRole", "Condition": {"Null": {"aws:SourceAccount": "false"}}})},
     "'Null' has no aws:SourceAccount condition naming this account"),
    ("iam-trust-service-principal", IAM_ROLE, {**ROLE, "assumeRolePolicy": document(
        {"Sid": "IfExists", "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
         "Action": "sts:AssumeRole", "Condition": {"StringEqualsIfExists": {"aws:SourceAccount": "123456789012"}}})},
     "'IfExists' has no aws:SourceAccount condition naming this account"),
    ("iam-trust-service-principal", IAM_ROLE, {**ROLE, "assumeRolePolicy": document(
        {"Sid": "ForAny", "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
         "Action": "sts:AssumeRole",
         "Condition": {"ForAnyValue:StringEquals": {"aws:SourceAccount": "123456789012"}}})},
     "'ForAny' has no aws:SourceAccount condition naming this account"),
    ("iam-trust-service-principal", IAM_ROLE, {**ROLE, "assumeRolePolicy": document(
        {"Sid": "Short", "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
         "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:SourceAccount": ["123456789012", "12345"]}}})},
     "'Short' has no aws:SourceAccount condition naming this account"),
    ("iam-trust-service-principal", IAM_ROLE, {**ROLE, "assumeRolePolicy": document(
        {"Sid": "Variable", "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
         "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}}})},
     "'Variable' has no aws:SourceAccount condition naming this account"),
    ("iam-trust-service-principal", IAM_ROLE, {**ROLE, "assumeRolePolicy": document(
        {"Sid": "ArnWild", "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
         "Action": "sts:AssumeRole", "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:ecs:us-east-1:*:*"}}})},
     "'ArnWild' has no aws:SourceAccount condition naming this account"),
    ("iam-trust-service-principal", IAM_ROLE, {**ROLE, "assumeRolePolicy": document(
        {"Sid": "ArnNot", "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
         "Action": "sts:AssumeRole",
         "Condition": {"ArnNotLike": {"aws:SourceArn": "arn:aws:ecs:us-east-1:123456789012:*"}}})},
     "'ArnNot' has no aws:SourceAccount condition naming this account"),
    ("iam-trust-service-principal", IAM_ROLE, {**ROLE, "assumeRolePolicy": document(
        {"Sid": "Empty", "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
         "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:SourceAccount": []}}})},
     "'Empty' has no aws:SourceAccount condition naming this account"),
    ("iam-trust-service-principal", IAM_ROLE, {**ROLE, "assumeRolePolicy": document(
        {"Sid": "ArnShort", "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
         "Action": "sts:AssumeRole", "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:ecs"}}})},
     "'ArnShort' has no aws:SourceAccount condition naming this account"),
    # The documented exception covers only ecs.amazonaws.com: mixed with another service, the guard is required.
    ("iam-trust-service-principal", IAM_ROLE, {**ROLE, "assumeRolePolicy": document(
        {"Sid": "Mixed", "Effect": "Allow", "Principal": {"Service": ["ecs.amazonaws.com", "ec2.amazonaws.com"]},
         "Action": "sts:AssumeRole"})}, "'Mixed' has no aws:SourceAccount condition"),
    ("iam-trust-service-principal", IAM_ROLE, {**ROLE, "assumeRolePolicy": document(
        {"Sid": "EcsWild", "Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"},
         "Action": "sts:AssumeRole", "Condition": {"StringLike": {"aws:SourceAccount": "12345678901?"}}})},
     "'EcsWild' has no aws:SourceAccount condition naming this account"),
    ("sg-no-inline-rules", SECURITY_GROUP, {"namePrefix": "sg-x-dev-", "ingress": [
        {"protocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrBlocks": ["10.0.0.0/16"]}]},
     "declares ingress rules inline; declare each rule as an aws.vpc.SecurityGroupIngressRule"),
    ("sg-no-inline-rules", SECURITY_GROUP, {"namePrefix": "sg-x-dev-", "egress": [
        {"protocol": "-1", "fromPort": 0.0, "toPort": 0.0, "cidrBlocks": ["0.0.0.0/0"]}]},
     "aws.vpc.SecurityGroupEgressRule"),
    ("alb-drop-invalid-headers", ALB, {**LB, "dropInvalidHeaderFields": False}, "dropInvalidHeaderFields is not true"),
    ("alb-drop-invalid-headers", "aws:alb/loadBalancer:LoadBalancer",
     {k: v for k, v in LB.items() if k not in ("dropInvalidHeaderFields", "loadBalancerType")},
     "drop_invalid_header_fields=True"),
    ("alb-tls12-policy", LISTENER, {**HTTPS, "sslPolicy": "ELBSecurityPolicy-2016-08"},
     "uses ssl policy ELBSecurityPolicy-2016-08, not on the TLS 1.2+ allow-list"),
    ("alb-tls12-policy", LISTENER, {k: v for k, v in HTTPS.items() if k != "sslPolicy"},
     "uses ssl policy the provider default"),
    ("subnet-no-public-ip-on-launch", SUBNET, {"cidrBlock": "10.0.0.0/20", "mapPublicIpOnLaunch": True},
     "mapPublicIpOnLaunch is true"),
    ("s3-public-access-block", PUBLIC_ACCESS_BLOCK, {**PAB, "blockPublicPolicy": False, "ignorePublicAcls": False},
     "leaves blockPublicPolicy, ignorePublicAcls off"),
    ("platform-key-encryption", SECRET, {"name": "secret-jwt-dev"}, "the secret is not encrypted with a "
                                                                     "customer-managed KMS key"),
    ("platform-key-encryption", SECRET, {"name": "secret-jwt-dev", "kmsKeyId": "alias/aws/secretsmanager"},
     "uses the AWS-managed key alias/aws/secretsmanager"),
    ("platform-key-encryption", SECRET, {"name": "secret-jwt-dev", "kmsKeyId": OTHER_KEY_ARN},
     f"uses key {OTHER_KEY_ARN}, not the platform key ({KEY_ARN})", {"platformKeyArns": [KEY_ARN]}),
    ("platform-key-encryption", TABLE, {**TABLE_PROPS, "serverSideEncryption": {"enabled": False}},
     "the table uses the AWS-owned key"),
    ("platform-key-encryption", TABLE, {**TABLE_PROPS, "serverSideEncryption": {"enabled": True}},
     "the table is not encrypted"),
    ("platform-key-encryption", QUEUE, {"name": "sqs-orders-dev", "sqsManagedSseEnabled": True},
     "the queue is not encrypted with a customer-managed KMS key"),
    ("platform-key-encryption", TOPIC, {"name": "sns-events-dev", "kmsMasterKeyId": "alias/aws/sns"},
     "the topic uses the AWS-managed key"),
    ("no-deletion-protection", ALB, {**LB, "enableDeletionProtection": True}, "enableDeletionProtection is true"),
    ("no-deletion-protection", TABLE, {**TABLE_PROPS, "deletionProtectionEnabled": True},
     "deletionProtectionEnabled is true"),
    ("no-deletion-protection", LOG_GROUP, {**LOGS, "deletionProtectionEnabled": True},
     "deletionProtectionEnabled is true"),
    ("no-deletion-protection", ECR_REPOSITORY, {**REPOSITORY, "forceDelete": False}, "forceDelete is not true"),
    ("no-deletion-protection", BUCKET, {"bucket": "s3-assets-dev"}, "forceDestroy is not true"),
    ("no-protect-or-retain", LOG_GROUP, {**LOGS, "skipDestroy": True}, "skipDestroy is true"),
    ("physical-name-suffix", LOG_GROUP, {**LOGS, "name": "log-frontend-prod"},
     "name 'log-frontend-prod' does not carry the environment suffix 'dev'"),
    ("physical-name-suffix", LOG_GROUP, {**LOGS, "name": "log-frontend-dev"},
     "does not carry the environment suffix 'dev-pr42'", {"environmentSuffix": "dev-pr42"}),
    ("physical-name-suffix", SECURITY_GROUP, {"namePrefix": "sg-frontend-", "tags": TAGS},
     "namePrefix 'sg-frontend-' does not carry"),
    ("physical-name-suffix", BUCKET, {"bucketPrefix": "s3-assets-", "forceDestroy": True, "tags": TAGS},
     "bucketPrefix 's3-assets-'"),
    ("physical-name-suffix", TASK_DEFINITION, {**task_definition(), "family": "td-frontend"}, "family 'td-frontend'"),
    ("physical-name-suffix", "aws:ec2/vpc:Vpc", {"tags": {**TAGS, "Name": "main-vpc"}},
     "tags.Name 'main-vpc' does not carry"),
    ("physical-name-suffix", "aws:ec2/vpc:Vpc", {"tags": {**TAGS, "Name": "vpc-devops"}},
     "'vpc-devops' does not carry the environment suffix 'dev'"),
    ("required-tags", LOG_GROUP, {**LOGS, "tags": {"Environment": "dev", "Owner": ""}},
     "tags lack Project, Owner, ManagedBy, CostCenter"),
    ("required-tags", LOG_GROUP, {**LOGS, "tags": None}, "tags lack Environment, Project"),
]

COMPLIANT = [
    ("ecr-immutable-tags", ECR_REPOSITORY, REPOSITORY),
    ("ecr-scan-on-push", ECR_REPOSITORY, REPOSITORY),
    ("ecs-no-public-ip", ECS_SERVICE, SERVICE),
    ("ecs-container-insights", ECS_CLUSTER, CLUSTER),
    ("ecs-container-insights", ECS_CLUSTER, {"settings": [{"name": "containerInsights", "value": "enabled"}]}),
    ("ecs-circuit-breaker-rollback", ECS_SERVICE, SERVICE),
    ("ecs-capacity-provider-strategy", ECS_SERVICE, SERVICE),
    ("log-retention-30-days", LOG_GROUP, LOGS),
    ("log-retention-30-days", LOG_GROUP, {**LOGS, "retentionInDays": 365.0}),
    ("log-group-kms", LOG_GROUP, LOGS),
    ("iam-no-wildcard-action", ROLE_POLICY, {"policy": document(READ_OWN, ECR_LOGIN, {
        "Sid": "Prefix", "Effect": "Allow", "Action": "kms:GenerateDataKey*", "Resource": KEY_ARN})}),
    ("iam-no-wildcard-action", ROLE_POLICY, {"policy": document({"Effect": "Deny", "Action": "*", "Resource": "*"})}),
    ("iam-no-wildcard-action", IAM_ROLE, {**ROLE, "inlinePolicies": [{"name": "own", "policy": document(READ_OWN)}]}),
    ("iam-no-wildcard-action", ATTACHMENT, {"role": "r", "policyArn":
                                            "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"}),
    ("iam-no-wildcard-action", "aws:kms/key:Key", {"policy": document(
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*",
         "Resource": "*"})}),
    ("iam-wildcard-resource-allow-list", ROLE_POLICY, {"policy": document(READ_OWN, ECR_LOGIN, {
        "Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "*"})}),
    ("iam-wildcard-resource-allow-list", ROLE_POLICY, {"policy": document({**READ_OWN, "Effect": "Deny",
                                                                           "Resource": "*"})}),
    ("iam-trust-service-principal", IAM_ROLE, ROLE),
    # An equality operator or, for the source ARN, ArnLike, with literal account ids: each guards alone.
    ("iam-trust-service-principal", IAM_ROLE, {**ROLE, "assumeRolePolicy": document(
        {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole",
         "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:ecs:us-east-1:123456789012:*"}}})}),
    ("iam-trust-service-principal", IAM_ROLE, {**ROLE, "assumeRolePolicy": document(
        {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole",
         "Condition": {"StringNotEquals": {"aws:SourceAccount": "999999999999"},
                       "StringEqualsIgnoreCase": {"AWS:SourceAccount": ["123456789012", "210987654321"]}}})}),
    ("iam-no-wildcard-action", IAM_ROLE, {**ROLE, "managedPolicyArns": [
        "arn:aws:iam::123456789012:policy/AdministratorAccess"]}),  # a customer policy of that name: its document
    # ECS's infrastructure role for load balancers, exactly as AWS documents its trust policy.
    ("iam-trust-service-principal", IAM_ROLE, {**ROLE, "assumeRolePolicy": document(
        {"Sid": "AllowAccessToECSForInfrastructureManagement", "Effect": "Allow",
         "Principal": {"Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"})}),
    ("iam-trust-service-principal", IAM_ROLE, {**ROLE, "assumeRolePolicy": document(json.loads(TRUST)["Statement"][0], {
        "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"})}),
    ("sg-no-inline-rules", SECURITY_GROUP, {"namePrefix": "sg-x-dev-", "vpcId": "vpc-1", "ingress": [],
                                            "egress": None}),
    ("alb-drop-invalid-headers", ALB, LB),
    ("alb-drop-invalid-headers", ALB, {**LB, "loadBalancerType": "network", "dropInvalidHeaderFields": False}),
    ("alb-tls12-policy", LISTENER, HTTPS),
    ("alb-tls12-policy", LISTENER, {"protocol": "HTTP", "port": 80.0}),
    ("subnet-no-public-ip-on-launch", SUBNET, {"cidrBlock": "10.0.0.0/20", "mapPublicIpOnLaunch": False}),
    ("s3-public-access-block", PUBLIC_ACCESS_BLOCK, PAB),
    ("platform-key-encryption", SECRET, {"name": "secret-jwt-dev", "kmsKeyId": KEY_ARN},
     {"platformKeyArns": [KEY_ARN]}),
    ("platform-key-encryption", SECRET, {"name": "secret-jwt-dev", "kmsKeyId": KEY_ARN.split("/")[-1]},
     {"platformKeyArns": [KEY_ARN]}),
    ("platform-key-encryption", SECRET, {"name": "secret-jwt-dev", "kmsKeyId": OTHER_KEY_ARN}),
    ("platform-key-encryption", TABLE, TABLE_PROPS, {"platformKeyArns": [KEY_ARN]}),
    ("platform-key-encryption", QUEUE, {"name": "sqs-orders-dev", "kmsMasterKeyId": KEY_ARN}),
    ("platform-key-encryption", TOPIC, {"name": "sns-events-dev", "kmsMasterKeyId": KEY_ARN}),
    ("platform-key-encryption", LOG_GROUP, {"name": "log-x-dev"}),
    ("no-deletion-protection", ALB, LB),
    ("no-deletion-protection", ECR_REPOSITORY, REPOSITORY),
    ("no-deletion-protection", BUCKET, {"bucket": "s3-assets-dev", "forceDestroy": True}),
    ("no-deletion-protection", SUBNET, {"cidrBlock": "10.0.0.0/20"}),
    ("no-protect-or-retain", LOG_GROUP, LOGS),
    ("no-protect-or-retain", TASK_DEFINITION, {**task_definition(), "skipDestroy": False}),
    ("physical-name-suffix", LOG_GROUP, LOGS),
    ("physical-name-suffix", LOG_GROUP, {**LOGS, "name": "/ecs/frontend-dev-pr42"}, {"environmentSuffix": "dev-pr42"}),
    ("physical-name-suffix", SECURITY_GROUP, {"namePrefix": "sg-endpoints-dev-", "tags": {**TAGS,
                                                                                        "Name": "sg-endpoints-dev"}}),
    ("physical-name-suffix", "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace",
     {"name": "trading-dev.internal", "tags": TAGS}),
    ("physical-name-suffix", "aws:servicediscovery/service:Service", {"name": "api-gateway", "tags": TAGS}),
    ("physical-name-suffix", "aws:ec2/vpc:Vpc", {"tags": {**TAGS, "Name": "vpc-dev"}}),
    ("physical-name-suffix", "aws:iam/rolePolicy:RolePolicy", {"name": "inline", "role": "r"}),
    ("physical-name-suffix", "pulumi:pulumi:StackReference", {"name": "organization/network/prod"}),
    ("physical-name-suffix", BUCKET, {"bucket": "s3-assets-dev", "tags": TAGS}),
    ("required-tags", LOG_GROUP, LOGS),
    ("required-tags", "aws:iam/rolePolicy:RolePolicy", {"policy": "{}", "role": "r"}),
    ("required-tags", "random:index/randomPassword:RandomPassword", {"length": 32.0, "tags": {}}),
]


def padded(cases: list[tuple], width: int) -> list:
    """Cases with the optional config filled in (None), each with an id naming its policy."""
    return [pytest.param(*case, *(None,) * (width - len(case)), id=f"{case[0]}-{i}") for i, case in enumerate(cases)]


@pytest.mark.parametrize("policy, resource_type, props, fragment, config", padded(VIOLATING, 5))
def test_a_violating_resource_is_reported_with_the_fix(policy, resource_type, props, fragment, config):
    one(violations(policy, resource_type, props, config), fragment)


@pytest.mark.parametrize("policy, resource_type, props, config", padded(COMPLIANT, 4))
def test_a_compliant_resource_passes(policy, resource_type, props, config):
    assert violations(policy, resource_type, props, config) == []


def test_protected_and_retained_resources_are_reported_from_their_options():
    messages = violations("no-protect-or-retain", LOG_GROUP, LOGS, protect=True, retain=True)
    one(messages, "the resource is protected; remove protect=True")
    one(messages, "retained on delete; remove retain_on_delete=True")


def test_physical_names_are_not_checked_without_an_environment():
    assert violations("physical-name-suffix", LOG_GROUP, {"name": "log-anything"}) == []


def test_every_policy_ignores_resource_types_it_does_not_govern():
    from pulumi_policy import ResourceValidationPolicy

    from tests.policy.support import POLICIES
    for name, policy in POLICIES.items():
        if isinstance(policy, ResourceValidationPolicy):
            assert violations(name, "aws:ec2/routeTable:RouteTable", {"vpcId": "vpc-1"}) == [], name


# --- task definitions --------------------------------------------------------------------------------------

CONTAINER_CASES = [
    ("ecs-not-privileged", container(privileged=True), "container 'frontend' runs privileged"),
    ("ecs-read-only-root", container(readonlyRootFilesystem=False), "container 'frontend' has a writable root"),
    ("ecs-read-only-root", {k: v for k, v in container().items() if k != "readonlyRootFilesystem"},
     "readonlyRootFilesystem: true"),
    ("ecs-non-root-user", {k: v for k, v in container().items() if k != "user"}, "container 'frontend' sets no user"),
    ("ecs-non-root-user", container(user="root"), "container 'frontend' runs as 'root'"),
    ("ecs-non-root-user", container(user="0:0"), "runs as '0:0'"),
    ("ecs-non-root-user", container(user="00"), "runs as '00'"),
    ("ecs-non-root-user", container(user="000:10001"), "runs as '000:10001'"),
    ("ecs-non-root-user", container(user="10001:0"), "runs as '10001:0'"),
    ("ecs-non-root-user", container(user="10001:root"), "runs as '10001:root'"),
    ("ecs-secrets-via-secrets-manager", container(environment=[{"name": "JWT_SIGNING_KEY", "value": "x"}]),
     "passes 'JWT_SIGNING_KEY' in environment"),
    ("ecs-secrets-via-secrets-manager", container(environment=[{"name": "DB_PASSWORD", "value": "x"}]),
     "passes 'DB_PASSWORD' in environment"),
    ("ecs-secrets-via-secrets-manager", container(environment=[{"name": "AWS_SECRET_ACCESS_KEY", "value": "x"}]),
     "'AWS_SECRET_ACCESS_KEY'"),
    ("ecs-secrets-via-secrets-manager", container(environment=[{"name": "KEY_ID", "value": "AKIAABCDEFGHIJKLMNOP"}]),
     "'KEY_ID' holds what looks like an AWS access key id"),
    ("ecs-secrets-via-secrets-manager", container(environment=[
        {"name": "VENUE_URL", "value": "https://trader:hunter2@venue.example.com/api"}]), "a URL with a password"),
    ("ecs-secrets-via-secrets-manager", container(environment=[
        {"name": "CERT", "value": "-----BEGIN RSA PRIVATE KEY-----\nMIIE"}]), "a PEM private key"),
    ("ecs-secrets-via-secrets-manager", container(environment=[
        {"name": "SESSION", "value": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"}]), "a JSON web token"),
    ("ecs-secrets-via-secrets-manager", container(secrets=[
        {"name": "JWT_SIGNING_KEY", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/jwt"}]),
     "secret 'JWT_SIGNING_KEY' comes from 'arn:aws:ssm:"),
]


@pytest.mark.parametrize("policy, bad_container, fragment", CONTAINER_CASES)
def test_a_violating_container_is_reported_and_its_neighbours_are_not(policy, bad_container, fragment):
    good = container(name="sidecar")
    messages = violations(policy, TASK_DEFINITION, task_definition(good, bad_container))
    assert len(messages) == 1
    one(messages, fragment)


@pytest.mark.parametrize("policy", sorted({case[0] for case in CONTAINER_CASES} |
                                          {"ecs-container-definitions-not-secret"}))
def test_the_services_container_shape_passes_every_container_rule(policy):
    assert violations(policy, TASK_DEFINITION, task_definition(container(), container(name="b", environment=None,
                                                                                       secrets=None))) == []


def test_a_secret_container_definitions_document_is_the_leak_signal():
    props = {**task_definition(), "containerDefinitions": "[secret]"}
    one(violations("ecs-container-definitions-not-secret", TASK_DEFINITION, props),
        "containerDefinitions is a secret: a secret value leaked into it")
    # The other container rules cannot read it and leave the finding to the rule above.
    assert violations("ecs-non-root-user", TASK_DEFINITION, props) == []


@pytest.mark.parametrize("value", ["{not json", json.dumps({"name": "x"}), json.dumps(["x"])])
def test_container_definitions_that_are_not_a_list_of_objects_are_reported(value):
    props = {**task_definition(), "containerDefinitions": value}
    one(violations("ecs-container-definitions-not-secret", TASK_DEFINITION, props),
        "containerDefinitions is not a JSON list of container objects")


def test_an_unnamed_container_is_named_as_such():
    messages = violations("ecs-not-privileged", TASK_DEFINITION, task_definition({"privileged": "true"}))
    one(messages, "container '<unnamed>' runs privileged")
