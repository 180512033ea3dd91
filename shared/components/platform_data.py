"""The platform's encryption key, secrets, data stores and alarm topic: what service stacks are given.

Everything here is encrypted with one customer-managed key of the platform (the log buckets are the exception:
ALB and S3 server access log delivery support SSE-S3 only). The key policy is an input of the key itself, so
every resource that references the key (and every service log group created later from the exported
`kmsKeyArn`) exists only after the policy that admits it.

The JWT signing key set is not generated here: its secret has no version in Pulumi, and the rotation function
(`platform_rotation`) writes the first set and every later one.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from shared import resource_policies
from shared.catalog import Secret, Store
from shared.components import component_type
from shared.components.context import AwsContext, customer_managed_key, named_opts
from shared.components.platform_rotation import SigningKeyRotation, SigningKeyRotationArgs
from shared.naming import physical_name
from shared.settings.platform import EXTERNAL_SECRET_KEYS, PlatformSettings

GENERATED_SECRET_LENGTH = 64
# Shapes of the placeholders generated for external secrets when `generateSecretPlaceholders` is on, so
# a dev task parses them like real values (and fails to connect to the `.invalid` host, RFC 2606).
PLACEHOLDER_FORMATS: dict[Secret, str] = {
    Secret.DATABASE_URL: "postgresql://placeholder:{}@trading-db.invalid:5432/trading",
    Secret.THIRD_PARTY_API_KEYS: '{{"placeholder-venue": "{}"}}',
}
TRADES_TABLE_KEY = "tradeId"
ORDERS_VISIBILITY_TIMEOUT_SECONDS = 60  # longer than one execution against a venue
ORDERS_MAX_RECEIVES = 5                 # then the order goes to the dead-letter queue for a human
DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # SQS maximum: time to investigate a failed order
KMS_DATA_KEY_REUSE_SECONDS = 300        # SQS default: fewer KMS calls, each data key lives 5 minutes
ROTATED_SECRETS = frozenset({Secret.JWT_SIGNING_KEY})  # values written by the rotation function, never by Pulumi
ASSETS_NONCURRENT_VERSION_DAYS = 30     # an overwritten or deleted asset stays recoverable this long
INCOMPLETE_UPLOAD_DAYS = 7              # a multipart upload not completed by then is aborted (its parts cost)
ACCESS_LOG_RETENTION_DAYS = 90          # S3 server access logs, as long as the ALB's
S3_ACCESS_LOG_PREFIX = "s3-access"
WAF_LOG_GROUP_PREFIX = "aws-waf-logs-"  # WAF delivers to CloudWatch Logs only into groups named so


def waf_log_group_name(suffix: str) -> str:
    """`aws-waf-logs-waf-<suffix>`: the logs of web ACL `waf-<suffix>`; WAF requires the prefix
    (https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html)."""
    return f"{WAF_LOG_GROUP_PREFIX}{physical_name('waf', suffix)}"


def abort_incomplete_uploads_rule() -> aws.s3.BucketLifecycleConfigurationRuleArgsDict:
    """Every bucket's lifecycle aborts multipart uploads left incomplete (FSBP S3.13 asks for a lifecycle;
    the parts of an abandoned upload are billed until aborted)."""
    return {"id": "abort-incomplete-uploads", "status": "Enabled", "filter": {},
            "abort_incomplete_multipart_upload": {"days_after_initiation": INCOMPLETE_UPLOAD_DAYS}}


def slug(secret: Secret) -> str:
    """`JWT_SIGNING_KEY` -> `jwt-signing-key`: the secret's name component and logical-name part."""
    return secret.value.lower().replace("_", "-")


def service_log_group_pattern(suffix: str) -> str:
    """Names of this environment's log groups: service stacks name theirs `physical_name("log", suffix,
    <service>)`, i.e. `log-<service>-<suffix>`."""
    return f"log-*-{suffix}"


def private_bucket(parent: pulumi.Resource, name: str, prefix: str,
                   encryption: aws.s3.BucketServerSideEncryptionConfigurationRuleArgsDict,
                   policy: Callable[[str], pulumi.Input[str]]) -> tuple[aws.s3.Bucket, aws.s3.BucketPolicy]:
    """A bucket nobody outside the account can reach: all public access blocked, ACLs disabled, the given
    default encryption, and the policy `policy(bucket_arn)`. `force_destroy` so `destroy` empties it.
    Returns the bucket and its policy (a writer such as ELB may depend on the policy being in place)."""
    opts = pulumi.ResourceOptions(parent=parent)
    bucket = aws.s3.Bucket(name, bucket_prefix=f"{prefix}-", force_destroy=True, tags={"Name": prefix}, opts=opts)
    block = aws.s3.BucketPublicAccessBlock(f"{name}-public-access-block", bucket=bucket.bucket,
                                           block_public_acls=True, block_public_policy=True,
                                           ignore_public_acls=True, restrict_public_buckets=True, opts=opts)
    aws.s3.BucketOwnershipControls(f"{name}-ownership", bucket=bucket.bucket,
                                   rule={"object_ownership": "BucketOwnerEnforced"}, opts=opts)
    aws.s3.BucketServerSideEncryptionConfiguration(f"{name}-encryption", bucket=bucket.bucket,
                                                   rules=[encryption], opts=opts)
    # After the public access block: S3 refuses policy changes while the block is being applied.
    bucket_policy = aws.s3.BucketPolicy(
        f"{name}-policy", bucket=bucket.bucket, policy=bucket.arn.apply(policy),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[block]))
    return bucket, bucket_policy


@dataclass(frozen=True)
class PlatformDataArgs:
    """Inputs of the platform's data layer.

    settings: validated platform settings (secrets, recovery window, rotation, access logs, alarm e-mails).
    context: account, partition and region lookups.
    private_subnet_ids: the network's private subnets, where the rotation function runs.
    rotation_security_group_id: the rotation function's group from the network policy.
    rotation_network_ready: ids of the security-group rules that let the function reach the endpoints; its first
        invocation waits for them (created inside an apply, so no resource depends on them otherwise).
    """

    settings: PlatformSettings
    context: AwsContext
    private_subnet_ids: pulumi.Input[Sequence[str]]
    rotation_security_group_id: pulumi.Input[str]
    rotation_network_ready: pulumi.Input[Sequence[str]]


class PlatformData(pulumi.ComponentResource):
    key: aws.kms.Key
    secrets: dict[Secret, aws.secretsmanager.Secret]
    store_names: dict[Store, pulumi.Output[str]]
    store_arns: dict[Store, pulumi.Output[str]]
    dead_letter_queue: aws.sqs.Queue
    alarm_topic: aws.sns.Topic
    rotation: SigningKeyRotation

    def __init__(self, name: str, args: PlatformDataArgs, opts: pulumi.ResourceOptions | None = None):
        settings = args.settings
        suffix = settings.common.environment_suffix
        names: dict[str | Secret, str] = {
            "alias": physical_name("alias", suffix, "kms-platform"),
            "assets": physical_name("s3", suffix, "assets"),
            "table": physical_name("ddb", suffix, "trades"),
            "queue": physical_name("sqs", suffix, "orders"),
            "dlq": physical_name("sqs", suffix, "orders-dlq"),
            "events": physical_name("sns", suffix, "events"),
            "alarms": physical_name("sns", suffix, "alarms"),
            "access_logs": physical_name("s3", suffix, "s3-logs"),
            **{secret: physical_name("secret", suffix, slug(secret)) for secret in Secret},
        }
        super().__init__(component_type("platform", "PlatformData"), name, None, opts)
        ctx = args.context

        self.key = customer_managed_key(
            name, self, description=f"Platform data of environment {suffix}: secrets, stores, log groups",
            alias=names["alias"],
            policy=pulumi.Output.all(ctx.partition, ctx.region, ctx.account_id,
                                     ctx.arn("logs", f"log-group:{service_log_group_pattern(suffix)}"),
                                     ctx.arn("logs", f"log-group:{waf_log_group_name(suffix)}")).apply(
                lambda p: resource_policies.platform_key_policy(p[0], p[1], p[2], [p[3], p[4]])))

        self.secrets = {secret: self._secret(name, secret, names[secret], settings) for secret in Secret}
        self.rotation = SigningKeyRotation(f"{name}-jwt-rotation", SigningKeyRotationArgs(
            suffix=suffix, context=ctx, secret=self.secrets[Secret.JWT_SIGNING_KEY], kms_key_arn=self.key.arn,
            subnet_ids=args.private_subnet_ids, security_group_id=args.rotation_security_group_id,
            network_ready=args.rotation_network_ready, rotation_days=settings.jwt_rotation_days),
            opts=pulumi.ResourceOptions(parent=self))
        self.store_names, self.store_arns = self._stores(name, names, settings, ctx)
        self.alarm_topic = self._alarm_topic(name, names["alarms"], settings.alarm_emails, ctx)

        self.register_outputs({
            "kmsKeyArn": self.key.arn,
            "secretArns": {secret.value: s.arn for secret, s in self.secrets.items()},
            "storeArns": {store.value: arn for store, arn in self.store_arns.items()},
            "alarmTopicArn": self.alarm_topic.arn,
        })

    def _secret(self, name: str, secret: Secret, physical: str,
                settings: PlatformSettings) -> aws.secretsmanager.Secret:
        """One Secrets Manager secret and, unless the rotation function writes it, its value: external ones from
        secret config (or a generated placeholder). Values reach only the secret version, marked secret."""
        logical = f"{name}-{slug(secret)}"
        resource = aws.secretsmanager.Secret(
            logical, name=physical, kms_key_id=self.key.arn,
            description=f"{secret.value} of environment {settings.common.environment_suffix}",
            # 0 deletes at once so `destroy` then `up` can reuse the name; 7..30 keeps a deleted secret
            # recoverable for that long but blocks its name until then (see README).
            recovery_window_in_days=settings.secret_recovery_days,
            tags={"Name": physical, "Secret": secret.value}, opts=named_opts("secret", self))
        if secret in ROTATED_SECRETS:
            return resource
        external = settings.external_secrets.get(secret) if secret in EXTERNAL_SECRET_KEYS else None
        if external is not None:
            value: pulumi.Output[str] = pulumi.Output.secret(external)
        else:
            generated = random.RandomPassword(f"{logical}-value", length=GENERATED_SECRET_LENGTH, special=False,
                                              opts=pulumi.ResourceOptions(parent=self))
            value = pulumi.Output.secret(generated.result.apply(PLACEHOLDER_FORMATS[secret].format))
        aws.secretsmanager.SecretVersion(f"{logical}-version", secret_id=resource.id, secret_string=value,
                                         opts=pulumi.ResourceOptions(parent=self))
        return resource

    def _stores(self, name: str, names: dict, settings: PlatformSettings,
                ctx: AwsContext) -> tuple[dict[Store, pulumi.Output[str]], dict[Store, pulumi.Output[str]]]:
        """The data stores the catalog's permissions refer to, each encrypted with the platform key."""
        assets, _ = private_bucket(
            self, f"{name}-assets", names["assets"],
            {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": self.key.arn},
             # A bucket key cuts KMS requests (and their cost) by reusing a data key per bucket.
             "bucket_key_enabled": True},
            resource_policies.tls_only_bucket_policy)
        self._protect_assets(name, names, assets, settings.s3_access_logs, ctx)
        table = aws.dynamodb.Table(
            f"{name}-trades", name=names["table"], billing_mode="PAY_PER_REQUEST", hash_key=TRADES_TABLE_KEY,
            attributes=[{"name": TRADES_TABLE_KEY, "type": "S"}],
            point_in_time_recovery={"enabled": True},
            server_side_encryption={"enabled": True, "kms_key_arn": self.key.arn},
            deletion_protection_enabled=False,  # everything here must be destroyable
            tags={"Name": names["table"]}, opts=named_opts("ddb", self))
        self.dead_letter_queue = aws.sqs.Queue(
            f"{name}-orders-dlq", name=names["dlq"], message_retention_seconds=DLQ_RETENTION_SECONDS,
            kms_master_key_id=self.key.arn, kms_data_key_reuse_period_seconds=KMS_DATA_KEY_REUSE_SECONDS,
            tags={"Name": names["dlq"]}, opts=named_opts("sqs", self))
        queue = aws.sqs.Queue(
            f"{name}-orders", name=names["queue"], visibility_timeout_seconds=ORDERS_VISIBILITY_TIMEOUT_SECONDS,
            kms_master_key_id=self.key.arn, kms_data_key_reuse_period_seconds=KMS_DATA_KEY_REUSE_SECONDS,
            redrive_policy=self.dead_letter_queue.arn.apply(lambda arn: json.dumps(
                {"deadLetterTargetArn": arn, "maxReceiveCount": ORDERS_MAX_RECEIVES})),
            tags={"Name": names["queue"]}, opts=named_opts("sqs", self))
        events = aws.sns.Topic(f"{name}-events", name=names["events"], kms_master_key_id=self.key.arn,
                               tags={"Name": names["events"]}, opts=named_opts("sns", self))
        store_names = {Store.ASSETS_BUCKET: assets.bucket, Store.TRADES_TABLE: table.name,
                       Store.ORDERS_QUEUE: queue.url, Store.EVENTS_TOPIC: events.arn}
        store_arns = {Store.ASSETS_BUCKET: assets.arn, Store.TRADES_TABLE: table.arn,
                      Store.ORDERS_QUEUE: queue.arn, Store.EVENTS_TOPIC: events.arn}
        return store_names, store_arns

    def _protect_assets(self, name: str, names: dict, assets: aws.s3.Bucket, access_logs: bool,
                        ctx: AwsContext) -> None:
        """Versioning (an overwritten or deleted asset can be restored), a lifecycle that bounds what versioning
        keeps, and server access logs into a bucket of their own when `s3AccessLogs` is on.

        Their own bucket, not the ALB's: that one exists only with albAccessLogs, and each log switch stays
        independent; both are SSE-S3, the only encryption S3 log delivery supports."""
        opts = pulumi.ResourceOptions(parent=self)
        versioning = aws.s3.BucketVersioning(f"{name}-assets-versioning", bucket=assets.bucket,
                                             versioning_configuration={"status": "Enabled"}, opts=opts)
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-assets-lifecycle", bucket=assets.bucket,
            rules=[{"id": "expire-noncurrent-versions", "status": "Enabled", "filter": {},
                    "noncurrent_version_expiration": {"noncurrent_days": ASSETS_NONCURRENT_VERSION_DAYS}},
                   abort_incomplete_uploads_rule()],
            # S3 refuses noncurrent-version rules until versioning is configured.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]))
        if not access_logs:
            return
        log_bucket, log_policy = private_bucket(
            self, f"{name}-s3-access-logs", names["access_logs"],
            {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}},
            lambda arn: pulumi.Output.all(ctx.account_id, assets.arn).apply(
                lambda p: resource_policies.s3_access_log_bucket_policy(arn, S3_ACCESS_LOG_PREFIX, p[0], [p[1]])))
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-s3-access-logs-lifecycle", bucket=log_bucket.bucket,
            rules=[{"id": "expire-access-logs", "status": "Enabled", "filter": {"prefix": f"{S3_ACCESS_LOG_PREFIX}/"},
                    "expiration": {"days": ACCESS_LOG_RETENTION_DAYS}}, abort_incomplete_uploads_rule()],
            opts=opts)
        aws.s3.BucketLogging(
            f"{name}-assets-access-logging", bucket=assets.bucket, target_bucket=log_bucket.bucket,
            target_prefix=f"{S3_ACCESS_LOG_PREFIX}/{names['assets']}/",
            # S3 checks that the log bucket's policy admits its delivery when logging is turned on.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_policy]))

    def _alarm_topic(self, name: str, physical: str, emails: tuple[str, ...], ctx: AwsContext) -> aws.sns.Topic:
        topic = aws.sns.Topic(f"{name}-alarms", name=physical, kms_master_key_id=self.key.arn,
                              tags={"Name": physical}, opts=named_opts("sns", self))
        aws.sns.TopicPolicy(
            f"{name}-alarms-policy", arn=topic.arn,
            policy=pulumi.Output.all(ctx.partition, ctx.region, ctx.account_id, topic.arn).apply(
                lambda p: resource_policies.alarm_topic_policy(p[0], p[1], p[2], p[3])),
            opts=pulumi.ResourceOptions(parent=self))
        for index, email in enumerate(emails):
            # E-mail subscriptions stay pending until the recipient confirms; `destroy` drops unconfirmed ones
            # from state and AWS expires them after three days.
            aws.sns.TopicSubscription(f"{name}-alarms-email-{index}", topic=topic.arn, protocol="email",
                                      endpoint=email, opts=pulumi.ResourceOptions(parent=self))
        return topic
