"""What every rule module shares: the resource types the pack governs, the enforcement levels, and the two
builders that turn a check into a policy.

A resource rule reports through `Report`, a one-argument callback: its violation is always on the resource
it validates. pulumi-policy types its callback `Callable[[str, Optional[str]], None]` (the URN without its
default), so `resource_policy` adapts it once here instead of every rule passing `None`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidation,
    StackValidationPolicy,
)

MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY

ECR_REPOSITORY = "aws:ecr/repository:Repository"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
ECS_SERVICE = "aws:ecs/service:Service"
ECS_CLUSTER = "aws:ecs/cluster:Cluster"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
IAM_ROLE = "aws:iam/role:Role"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LEGACY_SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
SUBNET = "aws:ec2/subnet:Subnet"
BUCKET = "aws:s3/bucket:Bucket"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_LOGGING = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")
BUCKET_VERSIONING = ("aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2")
BUCKET_LIFECYCLE = ("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2")
BUCKET_SSE = ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
              "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")
SECRET = "aws:secretsmanager/secret:Secret"
TABLE = "aws:dynamodb/table:Table"
QUEUE = "aws:sqs/queue:Queue"
TOPIC = "aws:sns/topic:Topic"

Report = Callable[[str], None]
Check = Callable[[ResourceValidationArgs, Report], None]
Policy = ResourceValidationPolicy | StackValidationPolicy
InputCheck = Callable[[Mapping[str, Any], Report, Mapping[str, Any]], None]


def for_types(*types: str) -> Callable[[InputCheck], Check]:
    """Run the check only for resources of `types`, handing it the inputs and the policy config."""

    def wrap(check: InputCheck) -> Check:
        def validate(args: ResourceValidationArgs, report: Report) -> None:
            if args.resource_type in types:
                check(args.props, report, args.get_config())
        validate.__doc__ = check.__doc__
        return validate

    return wrap


def report_all(report: Report, problems: Iterable[str]) -> None:
    for problem in problems:
        report(problem)


def resource_policy(name: str, description: str, check: Check, level: EnforcementLevel = MANDATORY,
                    schema: PolicyConfigSchema | None = None) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        check(args, lambda message: report_violation(message, None))

    validate.__doc__ = check.__doc__
    return ResourceValidationPolicy(name=name, description=description, validate=validate, enforcement_level=level,
                                    config_schema=schema)


def stack_policy(name: str, description: str, validate: StackValidation, schema: PolicyConfigSchema | None = None,
                 level: EnforcementLevel = MANDATORY) -> StackValidationPolicy:
    return StackValidationPolicy(name=name, description=description, validate=validate, enforcement_level=level,
                                 config_schema=schema)
