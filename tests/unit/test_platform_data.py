"""The platform program (part 2): KMS key policy, secrets, data stores, access logs, WAF and alarm topic."""
import json

import pytest

from shared.catalog import Secret, Store
from shared.iam import parse_document
from shared.resource_policies import KEY_USE_ACTIONS
from shared.stack_config import OFFLINE_SECRET
from tests.conftest import Stack, policy
from tools.plan.mocks import ACCOUNT_ID, ELB_ACCOUNT_ID, GENERATED_SECRET, MASK
from tools.plan.runner import plan_document

KEY = "aws:kms/key:Key"
SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
PASSWORD = "random:index/randomPassword:RandomPassword"
BUCKET = "aws:s3/bucket:Bucket"
QUEUE = "aws:sqs/queue:Queue"
TOPIC = "aws:sns/topic:Topic"
ROOT = f"arn:aws:iam::{ACCOUNT_ID}:root"


@pytest.fixture(scope="module")
def dev(environment_plans) -> Stack:
    return environment_plans("dev")["platform/dev"]


@pytest.fixture(scope="module")
def prod(environment_plans) -> Stack:
    return environment_plans("prod")["platform/prod"]


def key_arn(stack: Stack) -> str:
    return stack.one(KEY).state["arn"]


def test_key_rotates_and_its_policy_names_no_role(dev):
    key = dev.one(KEY)
    assert key.inputs["enableKeyRotation"] is True and key.inputs["deletionWindowInDays"] == 7
    statements = {s.sid: s for s in parse_document(key.inputs["policy"])}
    assert set(statements) == {"AccountAdministersKey", "AccountUsesKeyOnlyThroughDataServices",
                               "CloudWatchLogsUsesKeyForTheseGroups", "CloudWatchAlarmsPublishToEncryptedTopic"}
    # No statement names a role: the service roles are created later and KMS rejects unknown principals.
    assert all(":role/" not in p for s in statements.values() for p in s.principals)
    assert all(s.effect == "Allow" and s.resources == ("*",) for s in statements.values())

    admin = statements["AccountAdministersKey"]
    assert admin.principals == (ROOT,) and "kms:*" not in admin.actions
    assert not {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"} & set(admin.actions)
    # Grants could hand out direct decryption: no wildcard that covers kms:CreateGrant outside a data service.
    assert not {"kms:Create*", "kms:CreateGrant", "kms:*"} & set(admin.actions)

    use = statements["AccountUsesKeyOnlyThroughDataServices"]
    assert use.principals == (ROOT,) and set(use.actions) == set(KEY_USE_ACTIONS)
    assert use.condition == {"StringEquals": {"kms:CallerAccount": ACCOUNT_ID, "kms:ViaService": [
        f"{s}.us-east-1.amazonaws.com" for s in ("secretsmanager", "sqs", "sns", "dynamodb", "s3")]}}

    logs = statements["CloudWatchLogsUsesKeyForTheseGroups"]
    assert logs.principals == ("logs.us-east-1.amazonaws.com",)
    assert logs.condition == {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": [
        f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:log-*-dev",
        f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:aws-waf-logs-waf-dev"]}}

    alarms = statements["CloudWatchAlarmsPublishToEncryptedTopic"]
    assert alarms.principals == ("cloudwatch.amazonaws.com",)
    assert set(alarms.actions) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    assert dev.outputs["kmsKeyArn"] == key_arn(dev)


def test_every_secret_is_encrypted_with_the_key_and_its_value_marked_secret(dev, prod):
    for stack, window in ((dev, 0), (prod, 30)):
        secrets = {s.inputs["name"]: s for s in stack.of_type(SECRET)}
        suffix = stack.plan.stack.stack
        assert set(secrets) == {f"secret-{s.value.lower().replace('_', '-')}-{suffix}" for s in Secret}
        assert all(s.inputs["kmsKeyId"] == key_arn(stack) for s in secrets.values())
        assert all(s.inputs["recoveryWindowInDays"] == window for s in secrets.values())
        assert {v.inputs["secretString"] for v in stack.of_type(VERSION)} == {"[secret]"}
        # The JWT key set has no version in Pulumi: the rotation function writes it.
        assert "platform-data-jwt-signing-key-version" not in {v.name for v in stack.of_type(VERSION)}
        assert stack.outputs["secretArns"] == {
            s.inputs["tags"]["Secret"]: s.state["arn"] for s in secrets.values()}


def test_generated_values_flow_into_the_secret_versions(dev, prod):
    # dev: both placeholders are generated; prod: nothing (they are config). The JWT key set never is.
    assert sorted(p.name for p in dev.of_type(PASSWORD)) == [
        "platform-data-database-url-value", "platform-data-third-party-api-keys-value"]
    assert prod.of_type(PASSWORD) == []
    password = dev.one(PASSWORD, "platform-data-database-url-value")
    assert password.inputs == {"length": 64, "special": False}
    version = dev.one(VERSION, "platform-data-database-url-version")
    assert version.property_dependencies["secretString"] == [password.urn]


def test_no_generated_or_configured_secret_value_appears_in_the_plan_or_outputs(environment_plans):
    # The mock answers every RandomPassword with GENERATED_SECRET (marked secret, as the provider does) and
    # every `secure:` value with OFFLINE_SECRET; neither may appear anywhere in clear.
    for environment in ("dev", "prod"):
        stacks = environment_plans(environment)
        text = json.dumps(plan_document(environment, [s.plan for s in stacks.values()]))
        outputs = json.dumps([s.plan.outputs.values for s in stacks.values()])
        for value in (GENERATED_SECRET, OFFLINE_SECRET):
            assert value not in text and value not in outputs


def test_a_configured_database_url_is_used_and_never_shown(run_project):
    stack = run_project("platform", "dev", {"generateSecretPlaceholders": "false",
                                            "databaseUrl": "postgresql://trader:s3cr3t-value@db:5432/trading",
                                            "thirdPartyApiKeys": '{"venue": "k3y-value"}'},
                        secret_keys=["databaseUrl", "thirdPartyApiKeys"])
    assert stack.of_type(PASSWORD) == []
    # each configured value reaches its secret version, masked (a version without one would show null)
    assert {v.name: v.inputs["secretString"] for v in stack.of_type(VERSION)} == {
        "platform-data-database-url-version": MASK, "platform-data-third-party-api-keys-version": MASK}
    text = json.dumps(plan_document("dev", [stack.plan]))
    assert "s3cr3t-value" not in text and "k3y-value" not in text


def test_assets_bucket_is_private_tls_only_destroyable_and_encrypted_with_the_key(dev):
    bucket = dev.one(BUCKET, "platform-data-assets")
    assert bucket.inputs["bucketPrefix"] == "s3-assets-dev-" and bucket.inputs["forceDestroy"] is True
    block = dev.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                    "platform-data-assets-public-access-block")
    assert all(block.inputs[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                                  "restrictPublicBuckets"))
    encryption = dev.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                         "platform-data-assets-encryption")
    assert encryption.inputs["rules"] == [{"applyServerSideEncryptionByDefault": {
        "sseAlgorithm": "aws:kms", "kmsMasterKeyId": key_arn(dev)}, "bucketKeyEnabled": True}]
    [deny] = policy(dev.one("aws:s3/bucketPolicy:BucketPolicy", "platform-data-assets-policy"))["Statement"]
    arn = bucket.state["arn"]
    assert deny == {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                    "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    ownership = dev.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "platform-data-assets-ownership")
    assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_table_queues_and_topics_are_encrypted_with_the_key(dev):
    table = dev.one("aws:dynamodb/table:Table").inputs
    assert table["billingMode"] == "PAY_PER_REQUEST" and table["pointInTimeRecovery"] == {"enabled": True}
    assert table["serverSideEncryption"] == {"enabled": True, "kmsKeyArn": key_arn(dev)}
    assert table["deletionProtectionEnabled"] is False
    assert all(q.inputs["kmsMasterKeyId"] == key_arn(dev) for q in dev.of_type(QUEUE))
    assert sorted(t.inputs["name"] for t in dev.of_type(TOPIC)) == ["sns-alarms-dev", "sns-events-dev"]
    assert all(t.inputs["kmsMasterKeyId"] == key_arn(dev) for t in dev.of_type(TOPIC))
    # The console lists queues, topics and the table by their Name tag: the physical name, as everywhere.
    for store in (*dev.of_type(QUEUE), *dev.of_type(TOPIC), dev.one("aws:dynamodb/table:Table")):
        assert store.inputs["tags"]["Name"] == store.inputs["name"], store.name


def test_orders_queue_redrives_to_its_dead_letter_queue(dev):
    dlq = dev.one(QUEUE, "platform-data-orders-dlq")
    queue = dev.one(QUEUE, "platform-data-orders")
    assert json.loads(queue.inputs["redrivePolicy"]) == {"deadLetterTargetArn": dlq.state["arn"], "maxReceiveCount": 5}
    assert dlq.inputs["messageRetentionSeconds"] == 14 * 24 * 3600


def test_store_outputs_give_tasks_names_and_iam_arns(dev):
    bucket = dev.one(BUCKET, "platform-data-assets")
    queue = dev.one(QUEUE, "platform-data-orders")
    events = dev.one(TOPIC, "platform-data-events")
    table = dev.one("aws:dynamodb/table:Table")
    assert dev.outputs["storeNames"] == {
        Store.ASSETS_BUCKET.value: bucket.state["bucket"], Store.TRADES_TABLE.value: "ddb-trades-dev",
        Store.ORDERS_QUEUE.value: queue.state["url"], Store.EVENTS_TOPIC.value: events.state["arn"]}
    assert dev.outputs["storeArns"] == {
        Store.ASSETS_BUCKET.value: bucket.state["arn"], Store.TRADES_TABLE.value: table.state["arn"],
        Store.ORDERS_QUEUE.value: queue.state["arn"], Store.EVENTS_TOPIC.value: events.state["arn"]}



def test_every_bucket_policy_waits_for_its_public_access_block(dev, prod):
    # S3 refuses a policy change while the block is being applied ("conflicting conditional operation").
    for stack in (dev, prod):
        for bucket_policy in stack.of_type("aws:s3/bucketPolicy:BucketPolicy"):
            bucket = bucket_policy.name.removesuffix("-policy")
            block = stack.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"{bucket}-public-access-block")
            assert block.urn in bucket_policy.dependencies, bucket_policy.name


def test_the_component_registers_its_key_secrets_stores_and_topic_as_outputs(dev):
    """What `pulumi stack export` shows under the data layer, and what a program could read from it."""
    assert dev.one("trading:platform:PlatformData").outputs == {
        "kmsKeyArn": dev.one(KEY).state["arn"], "secretArns": dev.outputs["secretArns"],
        "storeArns": dev.outputs["storeArns"], "alarmTopicArn": dev.outputs["alarmTopicArn"]}
    assert set(dev.outputs["secretArns"]) == {secret.value for secret in Secret}
    assert dev.one("aws:kms/alias:Alias").inputs["name"] == "alias/alias-kms-platform-dev"


def test_alarm_topic_admits_this_accounts_alarms_and_subscribes_the_configured_emails(dev, prod):
    topic = prod.one(TOPIC, "platform-data-alarms")
    assert prod.outputs["alarmTopicArn"] == topic.state["arn"]
    statements = {s.sid: s for s in parse_document(prod.one("aws:sns/topicPolicy:TopicPolicy").inputs["policy"])}
    # The only statement: principals of this account need none (IAM alone grants same-account access).
    assert set(statements) == {"CloudWatchAlarmsOfThisAccountPublish"}
    publish = statements["CloudWatchAlarmsOfThisAccountPublish"]
    assert publish.actions == ("sns:Publish",) and publish.principals == ("cloudwatch.amazonaws.com",)
    assert publish.resources == (topic.state["arn"],)
    assert publish.condition == {"ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT_ID}:alarm:*"}}
    [subscription] = prod.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert subscription.inputs == {"protocol": "email", "endpoint": "trading-oncall@example.com",
                                   "topic": topic.state["arn"]}
    assert dev.of_type("aws:sns/topicSubscription:TopicSubscription") == []


def test_prod_access_logs_go_to_an_sse_s3_bucket_the_elb_account_may_write(prod):
    bucket = prod.one(BUCKET, "platform-edge-access-logs")
    assert (bucket.inputs["bucketPrefix"], bucket.inputs["tags"]["Name"]) == ("s3-alb-logs-prod-", "s3-alb-logs-prod")
    encryption = prod.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                         "platform-edge-access-logs-encryption")
    # ALB log delivery supports SSE-S3 only: the one store not encrypted with the platform key.
    assert encryption.inputs["rules"] == [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]
    bucket_policy = prod.one("aws:s3/bucketPolicy:BucketPolicy", "platform-edge-access-logs-policy")
    statements = {s.sid: s for s in parse_document(bucket_policy.inputs["policy"])}
    writer = statements["ElbWritesAccessLogs"]
    assert writer.principals == (f"arn:aws:iam::{ELB_ACCOUNT_ID}:root",) and writer.actions == ("s3:PutObject",)
    assert writer.resources == (f"{bucket.state['arn']}/alb/AWSLogs/{ACCOUNT_ID}/*",)
    assert statements["DenyInsecureTransport"].effect == "Deny"
    alb = prod.one("aws:lb/loadBalancer:LoadBalancer")
    assert alb.inputs["tags"]["Name"] == alb.inputs["name"] == "alb-prod"
    assert alb.inputs["accessLogs"] == {"bucket": bucket.state["bucket"], "prefix": "alb", "enabled": True}
    # ELB checks its write permission when logging is turned on: the ALB waits for the bucket policy.
    assert bucket_policy.urn in alb.dependencies
    expiry = prod.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                      "platform-edge-access-logs-expiry").inputs["rules"]
    # Only ALB's own prefix expires: anything else written to the bucket stays until someone decides.
    assert expiry[0] == {"id": "expire-access-logs", "status": "Enabled", "filter": {"prefix": "alb/"},
                         "expiration": {"days": 90}}
    assert expiry[1] == ABORT_UPLOADS
    assert prod.outputs["accessLogBucket"] == bucket.state["bucket"]


ABORT_UPLOADS = {"id": "abort-incomplete-uploads", "status": "Enabled", "filter": {},
                 "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7}}


def test_assets_are_versioned_and_their_lifecycle_bounds_old_versions_and_aborts_uploads(dev, prod):
    for stack in (dev, prod):
        assets = stack.one(BUCKET, "platform-data-assets")
        versioning = stack.one("aws:s3/bucketVersioning:BucketVersioning")
        assert versioning.inputs == {"bucket": assets.state["bucket"], "versioningConfiguration": {"status": "Enabled"}}
        lifecycle = stack.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                              "platform-data-assets-lifecycle")
        assert lifecycle.inputs["rules"] == [
            {"id": "expire-noncurrent-versions", "status": "Enabled", "filter": {},
             "noncurrentVersionExpiration": {"noncurrentDays": 30}}, ABORT_UPLOADS]
        assert versioning.urn in lifecycle.dependencies


def test_prod_assets_access_logs_go_to_a_bucket_only_s3_logging_of_this_account_may_write(prod):
    assets = prod.one(BUCKET, "platform-data-assets")
    logs = prod.one(BUCKET, "platform-data-s3-access-logs")
    assert logs.inputs["bucketPrefix"] == "s3-s3-logs-prod-"
    logging = prod.one("aws:s3/bucketLogging:BucketLogging")
    assert logging.inputs == {"bucket": assets.state["bucket"], "targetBucket": logs.state["bucket"],
                              "targetPrefix": "s3-access/s3-assets-prod/"}
    encryption = prod.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                          "platform-data-s3-access-logs-encryption")
    assert encryption.inputs["rules"] == [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]
    log_policy = prod.one("aws:s3/bucketPolicy:BucketPolicy", "platform-data-s3-access-logs-policy")
    statements = {s.sid: s for s in parse_document(log_policy.inputs["policy"])}
    writer = statements["S3WritesServerAccessLogs"]
    assert writer.principal_types == {"Service": ("logging.s3.amazonaws.com",)}
    assert writer.actions == ("s3:PutObject",) and writer.resources == (f"{logs.state['arn']}/s3-access/*",)
    assert writer.condition == {"ArnLike": {"aws:SourceArn": [assets.state["arn"]]},
                                "StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}
    assert statements["DenyInsecureTransport"].effect == "Deny"
    # S3 checks the policy when logging is turned on.
    assert log_policy.urn in logging.dependencies
    lifecycle = prod.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                         "platform-data-s3-access-logs-lifecycle").inputs["rules"]
    assert lifecycle == [{"id": "expire-access-logs", "status": "Enabled", "filter": {"prefix": "s3-access/"},
                          "expiration": {"days": 90}}, ABORT_UPLOADS]


def test_prod_waf_logs_to_an_encrypted_group_without_tokens_or_cookies(prod):
    group = prod.one("aws:cloudwatch/logGroup:LogGroup", "platform-edge-waf-logs")
    assert group.inputs["name"] == "aws-waf-logs-waf-prod" and group.inputs["retentionInDays"] == 30
    assert group.inputs["kmsKeyId"] == key_arn(prod)
    logging = prod.one("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration")
    assert logging.inputs == {
        "resourceArn": prod.one("aws:wafv2/webAcl:WebAcl").state["arn"],
        "logDestinationConfigs": [group.state["arn"]],
        "redactedFields": [{"singleHeader": {"name": "authorization"}}, {"singleHeader": {"name": "cookie"}}]}


def test_dev_has_no_access_logs_no_waf(dev):
    assert [b.name for b in dev.of_type(BUCKET)] == ["platform-data-assets"]
    assert dev.of_type("aws:s3/bucketLogging:BucketLogging") == []
    assert dev.of_type("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration") == []
    assert "accessLogs" not in dev.one("aws:lb/loadBalancer:LoadBalancer").inputs
    assert dev.of_type("aws:wafv2/webAcl:WebAcl") == [] and dev.outputs["webAclArn"] == ""
    assert dev.outputs["accessLogBucket"] == ""


def test_prod_waf_is_associated_with_the_alb_with_managed_rules_and_a_rate_limit(prod):
    acl = prod.one("aws:wafv2/webAcl:WebAcl")
    assert acl.inputs["scope"] == "REGIONAL" and acl.inputs["defaultAction"] == {"allow": {}}
    rules = {r["name"]: r for r in acl.inputs["rules"]}
    for priority, group in enumerate(("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"), 1):
        assert rules[group]["priority"] == priority and rules[group]["overrideAction"] == {"none": {}}
        assert rules[group]["statement"] == {"managedRuleGroupStatement": {"vendorName": "AWS", "name": group}}
    rate = rules["rate-limit-per-ip"]
    assert rate["action"] == {"block": {}} and rate["priority"] == 3
    assert rate["statement"] == {"rateBasedStatement": {"limit": 2000, "aggregateKeyType": "IP"}}
    association = prod.one("aws:wafv2/webAclAssociation:WebAclAssociation").inputs
    assert association == {"resourceArn": prod.one("aws:lb/loadBalancer:LoadBalancer").state["arn"],
                           "webAclArn": acl.state["arn"]}
    assert prod.outputs["webAclArn"] == acl.state["arn"]


def test_switches_turn_waf_and_access_logs_on_in_dev(run_project):
    stack = run_project("platform", "dev", {"waf": "true", "wafRateLimit": "500", "albAccessLogs": "true"})
    acl = stack.one("aws:wafv2/webAcl:WebAcl")
    assert next(r for r in acl.inputs["rules"] if r["name"] == "rate-limit-per-ip")["statement"][
        "rateBasedStatement"]["limit"] == 500
    assert stack.one("aws:lb/loadBalancer:LoadBalancer").inputs["accessLogs"]["enabled"] is True


def test_the_orders_queue_outlasts_one_execution_and_both_queues_reuse_data_keys_five_minutes(dev):
    queue, dlq = dev.one(QUEUE, "platform-data-orders").inputs, dev.one(QUEUE, "platform-data-orders-dlq").inputs
    assert (queue["name"], dlq["name"]) == ("sqs-orders-dev", "sqs-orders-dlq-dev")
    # Shorter than one execution against a venue, a second consumer would receive the order while it runs.
    assert queue["visibilityTimeoutSeconds"] == 60
    assert queue["kmsDataKeyReusePeriodSeconds"] == dlq["kmsDataKeyReusePeriodSeconds"] == 300


def test_the_trades_table_is_keyed_by_trade_id(dev):
    table = dev.one("aws:dynamodb/table:Table").inputs
    assert table["name"] == "ddb-trades-dev" and table["hashKey"] == "tradeId"
    assert table["attributes"] == [{"name": "tradeId", "type": "S"}]


def test_secrets_and_the_key_say_what_they_hold(dev):
    for secret in Secret:
        slug = secret.value.lower().replace("_", "-")
        found = dev.one(SECRET, f"platform-data-{slug}").inputs
        assert found["description"] == f"{secret.value} of environment dev"
        assert (found["tags"]["Name"], found["tags"]["Secret"]) == (f"secret-{slug}-dev", secret.value)
    assert dev.one(KEY).inputs["description"] == "Platform data of environment dev: secrets, stores, log groups"


def test_prod_waf_reports_metrics_and_samples_for_the_acl_and_each_rule(prod):
    # Without them a blocked request shows in no CloudWatch metric and no sample: nothing to tell a false positive.
    acl = prod.one("aws:wafv2/webAcl:WebAcl").inputs
    assert acl["name"] == acl["tags"]["Name"] == "waf-prod"
    assert acl["visibilityConfig"] == {"cloudwatchMetricsEnabled": True, "metricName": "waf-prod-acl",
                                       "sampledRequestsEnabled": True}
    assert [r["visibilityConfig"] for r in acl["rules"]] == [
        {"cloudwatchMetricsEnabled": True, "metricName": f"waf-prod-{name}", "sampledRequestsEnabled": True}
        for name in ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "rate-limit-per-ip")]
