"""Rotation of the JWT signing key set: a Python Lambda in the private subnets, its own role and security group,
the first key set, and the schedule.

Pulumi owns the secret's container and the schedule, never the key material: there is no secret version (and so
no value in the state, nothing a refresh could revert); the function writes the first set when the platform
invokes it once at creation (`aws.lambda_.Invocation`, a no-op when the secret already holds a set) and every
later one on the schedule. The function reaches Secrets Manager through the interface endpoint (its group's
egress comes from `shared.netpolicy.ROTATION`). After a rotation the services must be redeployed so new tasks
load the new set (docs/security.md, "Rotating the JWT signing key set").
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from shared import iam
from shared.components import component_type
from shared.components.context import AwsContext, named_opts
from shared.naming import physical_name

# apps/jwt-rotation/jwt_rotation: the function's package, shipped as its .py files only (no caches).
FUNCTION_PACKAGE = Path(__file__).resolve().parents[2] / "apps" / "jwt-rotation" / "jwt_rotation"
HANDLER = "jwt_rotation.handler.lambda_handler"
RUNTIME = "python3.12"  # boto3 is part of the runtime: the package needs nothing else
TIMEOUT_SECONDS = 30    # four short Secrets Manager calls per step, through the endpoint
MEMORY_MB = 128
LOG_RETENTION_DAYS = 30
SECRET_ENV = "SECRET_ARN"  # jwt_rotation.handler.SECRET_ENV
BOOTSTRAP = {"Step": "bootstrap"}  # jwt_rotation.handler.BOOTSTRAP


def function_code() -> pulumi.AssetArchive:
    """The package's modules under `jwt_rotation/`, in a fixed order (the archive's hash changes with the code
    only)."""
    return pulumi.AssetArchive({f"jwt_rotation/{path.name}": pulumi.FileAsset(str(path))
                                for path in sorted(FUNCTION_PACKAGE.glob("*.py"))})


@dataclass(frozen=True)
class SigningKeyRotationArgs:
    """Inputs of the rotation.

    suffix: the environmentSuffix of physical names.
    context: account, partition and region lookups.
    secret: the JWT signing-key secret (created without a value).
    kms_key_arn: the platform key encrypting the secret and the function's log group.
    subnet_ids: the network's private subnets (one per AZ: the function survives an AZ outage).
    security_group_id: the function's group from the network policy (`jwt-rotation`).
    network_ready: ids of the rules that open the function's way to the endpoints; the first invocation waits for
        them, or on a first `up` it could run before its group may reach Secrets Manager and time out.
    rotation_days: days between rotations (config jwtRotationDays).
    """

    suffix: str
    context: AwsContext
    secret: aws.secretsmanager.Secret
    kms_key_arn: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[str]]
    security_group_id: pulumi.Input[str]
    network_ready: pulumi.Input[Sequence[str]]
    rotation_days: int


class SigningKeyRotation(pulumi.ComponentResource):
    function: aws.lambda_.Function
    role: aws.iam.Role
    log_group: aws.cloudwatch.LogGroup
    rotation: aws.secretsmanager.SecretRotation

    def __init__(self, name: str, args: SigningKeyRotationArgs, opts: pulumi.ResourceOptions | None = None):
        names = {
            "function": physical_name("lambda", args.suffix, "jwt-rotation"),
            "role": physical_name("role", args.suffix, "jwt-rotation"),
            "log": physical_name("log", args.suffix, "jwt-rotation"),
        }
        super().__init__(component_type("platform", "SigningKeyRotation"), name, None, opts)
        ctx, child = args.context, pulumi.ResourceOptions(parent=self)

        # The function names its group (logging_config), so Lambda never creates an unencrypted one of its own.
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs", name=names["log"], retention_in_days=LOG_RETENTION_DAYS, kms_key_id=args.kms_key_arn,
            opts=named_opts("log", self))
        self.role = aws.iam.Role(
            f"{name}-role", name=names["role"], description="JWT signing-key rotation: its secret, key and ENIs only",
            assume_role_policy=pulumi.Output.all(ctx.partition, ctx.region, ctx.account_id).apply(
                lambda p: iam.lambda_trust_policy(p[0], p[1], p[2])),
            opts=named_opts("role", self))
        policy = aws.iam.RolePolicy(
            f"{name}-policy", role=self.role.id,
            policy=pulumi.Output.all(ctx.partition, ctx.region, ctx.account_id, args.secret.arn, args.kms_key_arn,
                                     self.log_group.arn, args.subnet_ids, args.security_group_id).apply(
                lambda p: iam.rotation_function_policy(
                    partition=p[0], region=p[1], account_id=p[2], secret_arn=p[3], kms_key_arn=p[4],
                    log_group_arn=p[5], subnet_ids=list(p[6]), security_group_id=p[7])),
            opts=child)
        self.function = aws.lambda_.Function(
            f"{name}-function", name=names["function"], role=self.role.arn, runtime=RUNTIME, handler=HANDLER,
            code=function_code(), timeout=TIMEOUT_SECONDS, memory_size=MEMORY_MB, architectures=["arm64"],
            description="Rotates the JWT signing key set (two-phase: every task verifies a key before any signs)",
            environment={"variables": {SECRET_ENV: args.secret.arn}},
            vpc_config={"subnet_ids": args.subnet_ids, "security_group_ids": [args.security_group_id]},
            logging_config={"log_format": "JSON", "log_group": self.log_group.name},
            # Lambda checks the role may create the network interfaces when the function is created.
            opts=named_opts("lambda", self, depends_on=[policy]))
        # Only Secrets Manager, on behalf of this account, may invoke it (FSBP Lambda.1: no public access).
        permission = aws.lambda_.Permission(
            f"{name}-invoke", action="lambda:InvokeFunction", function=self.function.name,
            principal="secretsmanager.amazonaws.com", source_account=ctx.account_id, opts=child)
        # The first key set, written by the function itself: nothing of it passes through Pulumi. The result
        # ({"created": true|false}) holds no key material.
        first_set = aws.lambda_.Invocation(
            f"{name}-first-key-set", function_name=self.function.name,
            # The rule ids only order the call after the function's network rules; they are not part of the input.
            input=pulumi.Output.all(args.secret.arn, args.network_ready).apply(
                lambda p: json.dumps({**BOOTSTRAP, "SecretId": p[0]})), opts=child)
        # Not at once: the first set exists already; the first rotation comes rotation_days later, and Secrets
        # Manager tests the configuration now (testSecret on a copy of the current set).
        self.rotation = aws.secretsmanager.SecretRotation(
            f"{name}-schedule", secret_id=args.secret.id, rotation_lambda_arn=self.function.arn,
            rotation_rules={"automatically_after_days": args.rotation_days}, rotate_immediately=False,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[permission, first_set]))

        self.register_outputs({"functionArn": self.function.arn, "logGroupName": self.log_group.name})
