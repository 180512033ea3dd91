"""The platform's encryption key, secrets, data stores and alarm topic: what service stacks are given.

Everything here is encrypted with one customer-managed key of the platform (the ALB access-log bucket, in
`platform_edge`, is the one exception: ALB log delivery supports SSE-S3 only). The key policy is an input of
the key itself, so every resource that references the key (and every service log group created later from
the exported `kmsKeyArn`) exists only after the policy that admits it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from shared import resource_policies
from shared.catalog import Secret, Store
from shared.components import component_type
from shared.components.context import AwsContext, customer_managed_key, named_opts
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


def slug(secret: Secret) -> str:
    """`JWT_SIGNING_KEY` -> `jwt-signing-key`: the secret's name component and logical-name part."""
    return secret.value.lower().replace("_", "-")


def service_log_group_pattern(suffix: str) -> str:
    """Names of this environment's log groups: service stacks name theirs `physical_name("log", suffix,
    <service>)`, i.e. `log-<service>-<suffix>`."""
    return f"log-*-{suffix}"


def private_bucket(parent: pulumi.Resource, name: str, prefix: str, encryption: dict,
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

    settings: validated platform settings (secrets, recovery window, alarm e-mails).
    context: account, partition and region lookups.
    """

    settings: PlatformSettings
    context: AwsContext


class PlatformData(pulumi.ComponentResource):
    key: aws.kms.Key
    secrets: dict[Secret, aws.secretsmanager.Secret]
    store_names: dict[Store, pulumi.Output[str]]
    store_arns: dict[Store, pulumi.Output[str]]
    dead_letter_queue: aws.sqs.Queue
    alarm_topic: aws.sns.Topic

    def __init__(self, name: str, args: PlatformDataArgs, opts: pulumi.ResourceOptions | None = None):
        settings = args.settings
        suffix = settings.common.environment_suffix
        names = {
            "alias": physical_name("alias", suffix, "kms-platform"),
            "assets": physical_name("s3", suffix, "assets"),
            "table": physical_name("ddb", suffix, "trades"),
            "queue": physical_name("sqs", suffix, "orders"),
            "dlq": physical_name("sqs", suffix, "orders-dlq"),
            "events": physical_name("sns", suffix, "events"),
            "alarms": physical_name("sns", suffix, "alarms"),
            **{secret: physical_name("secret", suffix, slug(secret)) for secret in Secret},
        }
        super().__init__(component_type("platform", "PlatformData"), name, None, opts)
        ctx = args.context

        self.key = customer_managed_key(
            name, self, description=f"Platform data of environment {suffix}: secrets, stores, log groups",
            alias=names["alias"],
            policy=pulumi.Output.all(ctx.partition, ctx.region, ctx.account_id,
                                     ctx.arn("logs", f"log-group:{service_log_group_pattern(suffix)}")).apply(
                lambda p: resource_policies.platform_key_policy(p[0], p[1], p[2], p[3])))

        self.secrets = {secret: self._secret(name, secret, names[secret], settings) for secret in Secret}
        self.store_names, self.store_arns = self._stores(name, names)
        self.alarm_topic = self._alarm_topic(name, names["alarms"], settings.alarm_emails, ctx)

        self.register_outputs({
            "kmsKeyArn": self.key.arn,
            "secretArns": {secret.value: s.arn for secret, s in self.secrets.items()},
            "storeArns": {store.value: arn for store, arn in self.store_arns.items()},
            "alarmTopicArn": self.alarm_topic.arn,
        })

    def _secret(self, name: str, secret: Secret, physical: str,
                settings: PlatformSettings) -> aws.secretsmanager.Secret:
        """One Secrets Manager secret and its value: external ones from secret config (or a generated
        placeholder), the others generated here. Values reach only the secret version, marked secret."""
        logical = f"{name}-{slug(secret)}"
        if secret in EXTERNAL_SECRET_KEYS and settings.external_secrets[secret] is not None:
            value: pulumi.Output[str] = pulumi.Output.secret(settings.external_secrets[secret])
        else:
            generated = random.RandomPassword(f"{logical}-value", length=GENERATED_SECRET_LENGTH, special=False,
                                              opts=pulumi.ResourceOptions(parent=self))
            template = PLACEHOLDER_FORMATS.get(secret, "{}") if secret in EXTERNAL_SECRET_KEYS else "{}"
            value = pulumi.Output.secret(generated.result.apply(template.format))
        resource = aws.secretsmanager.Secret(
            logical, name=physical, kms_key_id=self.key.arn,
            description=f"{secret.value} of environment {settings.common.environment_suffix}",
            # 0 deletes at once so `destroy` then `up` can reuse the name; 7..30 keeps a deleted secret
            # recoverable for that long but blocks its name until then (see README).
            recovery_window_in_days=settings.secret_recovery_days,
            tags={"Name": physical, "Secret": secret.value}, opts=named_opts("secret", self))
        aws.secretsmanager.SecretVersion(f"{logical}-version", secret_id=resource.id, secret_string=value,
                                         opts=pulumi.ResourceOptions(parent=self))
        return resource

    def _stores(self, name: str, names: dict) -> tuple[dict[Store, pulumi.Output[str]],
                                                        dict[Store, pulumi.Output[str]]]:
        """The data stores the catalog's permissions refer to, each encrypted with the platform key."""
        assets, _ = private_bucket(
            self, f"{name}-assets", names["assets"],
            {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": self.key.arn},
             # A bucket key cuts KMS requests (and their cost) by reusing a data key per bucket.
             "bucket_key_enabled": True},
            resource_policies.tls_only_bucket_policy)
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
