"""Argument rules of the s3 resources this repository creates (see shared/aws_rules/model.py)."""
from __future__ import annotations

import re
from typing import Any

from shared.aws_rules.iam import POLICY_JSON, VERIFY_SOURCE
from shared.aws_rules.model import (
    Check,
    ConflictsWith,
    Length,
    NotPrefix,
    NotSuffix,
    OneOf,
    Pattern,
    Range,
    ResourceRules,
    Rule,
)

_TF = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/s3"
BUCKET_SOURCE = f"{_TF}/bucket.go"
LIFECYCLE_SOURCE = f"{_TF}/bucket_lifecycle_configuration.go"
OWNERSHIP_SOURCE = f"{_TF}/bucket_ownership_controls.go"
POLICY_SOURCE = f"{_TF}/bucket_policy.go"
PAB_SOURCE = f"{_TF}/bucket_public_access_block.go"
SSE_SOURCE = f"{_TF}/bucket_server_side_encryption_configuration.go"
NAMING_RULES = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"
LIFECYCLE_EXPIRATION = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleExpiration.html"
SSE_BY_DEFAULT = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_ServerSideEncryptionByDefault.html"

RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
SSE_ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse", "aws:fsx")
_BUCKET = "s3-assets-dev-00613855782945869492825269"


def _ip_address(value: Any) -> str | None:
    if isinstance(value, str) and re.fullmatch(r"(\d{1,3}\.){3}\d{1,3}", value):
        return "must not be formatted as an IP address"
    return None


def _kms_key_needs_kms(rule: Any) -> str | None:
    if isinstance(rule, dict) and rule.get("kmsMasterKeyId") and rule.get("sseAlgorithm") not in (
            "aws:kms", "aws:kms:dsse"):
        return "kmsMasterKeyId is allowed only when sseAlgorithm is aws:kms or aws:kms:dsse"
    return None


_NAME_RULES = (
    ("length", Length(3, 63), "must contain from 3 to 63 characters", ("abc", "b" * 63), ("ab", "b" * 64)),
    ("pattern", Pattern(r"[a-z0-9][a-z0-9.-]*[a-z0-9]", "lower-case letters, digits, '.' and '-', beginning and "
                        "ending with a letter or digit"),
     "only lowercase alphanumeric characters and hyphens allowed", ("s3-assets-dev", "logs.example"),
     ("S3-Assets", "s3_assets", "-s3-assets", "s3-assets-", ".s3")),
    ("ip-address", Check(_ip_address, "not an IP address"), "must not be formatted as an IP address",
     ("s3-assets-dev",), ("192.168.5.4",)),
    ("double-period", Pattern(r"(?!.*\.\.).*", "free of '..'"), "can be only one period between labels",
     ("a.b.c",), ("a..b",)),
    ("reserved-prefix", NotPrefix(RESERVED_PREFIXES), "Bucket names must not start with the prefix xn--, sthree- "
     "or amzn-s3-demo-", ("s3-assets-dev",), ("xn--assets", "sthree-assets", "amzn-s3-demo-bucket")),
    ("reserved-suffix", NotSuffix(RESERVED_SUFFIXES), "Bucket names must not end with the suffix -s3alias, "
     "--ol-s3, .mrap, --x-s3 or --table-s3", ("s3-assets-dev",), ("assets-s3alias", "assets--ol-s3")),
)

BUCKET = ResourceRules(
    type="aws:s3/bucket:Bucket",
    source=BUCKET_SOURCE,
    forces_replacement=frozenset({"bucket", "bucketPrefix", "objectLockEnabled"}),
    rules=(
        *(Rule(id=f"s3.bucket.bucket.{what}", argument="bucket", constraint=constraint, message=message,
               source=NAMING_RULES, fix="name buckets with physical_name('s3', ...): lower-case, 3..63, no reserved "
               "prefix or suffix", ok=ok, bad=bad)
          for what, constraint, message, ok, bad in _NAME_RULES),
        Rule(id="s3.bucket.bucket-prefix.length", argument="bucketPrefix", constraint=Length(0, 37),
             message="expected length of bucket_prefix to be in the range (0 - 37)", source=BUCKET_SOURCE,
             fix="keep the prefix to 63 - 26 = 37 characters: the provider appends a 26-character unique suffix",
             ok=("", "s3-assets-dev-", "b" * 37), bad=("b" * 38,)),
        Rule(id="s3.bucket.bucket-prefix.pattern", argument="bucketPrefix",
             constraint=Pattern(r"([a-z0-9][a-z0-9.-]*)?", "lower-case letters, digits, '.' and '-', beginning with "
                                "a letter or digit"),
             message="only lowercase alphanumeric characters and hyphens allowed", source=NAMING_RULES,
             fix="use lower-case letters, digits, '-' and '.' (the name is the prefix plus 26 digits)",
             ok=("s3-assets-dev-", "s3-alb-logs-prod-"), bad=("S3-assets-", "s3_assets-", "-s3-")),
        Rule(id="s3.bucket.bucket-prefix.reserved-prefix", argument="bucketPrefix",
             constraint=NotPrefix(RESERVED_PREFIXES),
             message="Bucket names must not start with the prefix xn--, sthree- or amzn-s3-demo-",
             source=NAMING_RULES, fix="start the prefix with the type token (s3-...)", ok=("s3-assets-dev-",),
             bad=("xn--assets-", "sthree-assets-")),
        Rule(id="s3.bucket.bucket.conflicts", argument="", constraint=ConflictsWith(("bucket", "bucketPrefix")),
             message='"bucket": conflicts with bucket_prefix', source=BUCKET_SOURCE,
             fix="set bucket or bucketPrefix", ok=({"bucketPrefix": "s3-assets-dev-"},),
             bad=({"bucket": "s3-assets-dev", "bucketPrefix": "s3-assets-dev-"},)),
    ),
)

_BUCKET_ARGUMENT = Length(1, 63)


def _bucket_length(resource: str, source: str) -> Rule:
    return Rule(id=f"s3.{resource}.bucket.length", argument="bucket", constraint=_BUCKET_ARGUMENT,
                message="expected length of bucket to be in the range (1 - 63)", source=source,
                fix="pass the bucket's name (bucket.bucket), not its ARN", ok=("b", "b" * 63, _BUCKET),
                bad=("", "b" * 64))


OWNERSHIP_CONTROLS = ResourceRules(
    type="aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    source=OWNERSHIP_SOURCE,
    forces_replacement=frozenset({"bucket"}),
    rules=(
        _bucket_length("bucket-ownership-controls", OWNERSHIP_SOURCE),
        Rule(id="s3.bucket-ownership-controls.rule.object-ownership.enum", argument="rule.objectOwnership",
             constraint=OneOf(("BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced")),
             message="expected rule.0.object_ownership to be one of [BucketOwnerPreferred ObjectWriter "
                     "BucketOwnerEnforced]", source=OWNERSHIP_SOURCE,
             fix="use BucketOwnerEnforced (ACLs disabled)", ok=("BucketOwnerEnforced",),
             bad=("BucketOwner", "bucketownerenforced")),
    ),
)

PUBLIC_ACCESS_BLOCK = ResourceRules(
    type="aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    source=PAB_SOURCE,
    forces_replacement=frozenset({"bucket"}),
    rules=(
        _bucket_length("bucket-public-access-block", PAB_SOURCE),
    ),
)

SSE_CONFIGURATION = ResourceRules(
    type="aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    source=SSE_SOURCE,
    forces_replacement=frozenset({"bucket", "expectedBucketOwner"}),
    rules=(
        _bucket_length("bucket-server-side-encryption-configuration", SSE_SOURCE),
        Rule(id="s3.bucket-server-side-encryption-configuration.sse-algorithm.enum",
             argument="rules[].applyServerSideEncryptionByDefault.sseAlgorithm", constraint=OneOf(SSE_ALGORITHMS),
             message=f"expected sse_algorithm to be one of [{' '.join(SSE_ALGORITHMS)}]", source=SSE_SOURCE,
             fix="use aws:kms (with a key) or AES256", ok=("aws:kms", "AES256"), bad=("KMS", "aes256")),
        Rule(id="s3.bucket-server-side-encryption-configuration.kms-master-key-id.needs-kms",
             argument="rules[].applyServerSideEncryptionByDefault",
             constraint=Check(_kms_key_needs_kms, "kmsMasterKeyId only with aws:kms or aws:kms:dsse"),
             message="KMSMasterKeyID can only be set if SSEAlgorithm is aws:kms or aws:kms:dsse",
             source=SSE_BY_DEFAULT, fix="drop kmsMasterKeyId or use sseAlgorithm aws:kms",
             ok=({"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "arn:aws:kms:us-east-1:123456789012:key/k"},
                 {"sseAlgorithm": "AES256"}),
             bad=({"sseAlgorithm": "AES256", "kmsMasterKeyId": "arn:aws:kms:us-east-1:123456789012:key/k"},)),
    ),
)

LIFECYCLE_CONFIGURATION = ResourceRules(
    type="aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    source=LIFECYCLE_SOURCE,
    forces_replacement=frozenset({"bucket", "expectedBucketOwner"}),
    rules=(
        _bucket_length("bucket-lifecycle-configuration", LIFECYCLE_SOURCE),
        Rule(id="s3.bucket-lifecycle-configuration.rules.id.length", argument="rules[].id", constraint=Length(1, 255),
             message="Attribute rule[0].id string length must be between 1 and 255", source=LIFECYCLE_SOURCE,
             fix="name each rule in 1..255 characters", ok=("r", "r" * 255), bad=("", "r" * 256)),
        Rule(id="s3.bucket-lifecycle-configuration.rules.status.enum", argument="rules[].status",
             constraint=OneOf(("Enabled", "Disabled")),
             message='Attribute rule[0].status value must be one of: ["Enabled" "Disabled"]', source=LIFECYCLE_SOURCE,
             fix="use Enabled or Disabled", ok=("Enabled", "Disabled"), bad=("enabled", "On")),
        Rule(id="s3.bucket-lifecycle-configuration.rules.expiration.days.range", argument="rules[].expiration.days",
             constraint=Range(1, None), message="'Days' for Expiration action must be a positive integer",
             source=LIFECYCLE_EXPIRATION, fix="expire after at least 1 day", ok=(1.0, 90.0), bad=(0.0,)),
        Rule(id="s3.bucket-lifecycle-configuration.rules.noncurrent-days.range",
             argument="rules[].noncurrentVersionExpiration.noncurrentDays", constraint=Range(1, None),
             message="Attribute rule[0].noncurrent_version_expiration[0].noncurrent_days value must be at least 1",
             source=LIFECYCLE_SOURCE, fix="expire noncurrent versions after at least 1 day", ok=(1.0,), bad=(0.0,)),
        Rule(id="s3.bucket-lifecycle-configuration.rules.expiration.exactly-one", argument="rules[].expiration",
             constraint=Check(lambda e: None if not isinstance(e, dict) or sum(
                 1 for k in ("date", "days", "expiredObjectDeleteMarker") if e.get(k)) <= 1
                 else "set only one of date, days, expiredObjectDeleteMarker", "one of date, days, "
                 "expiredObjectDeleteMarker"),
             message="Invalid Attribute Combination: only one of date, days, expired_object_delete_marker",
             source=LIFECYCLE_SOURCE, fix="expire by days (or by date), not both", ok=({"days": 90.0},),
             bad=({"days": 90.0, "date": "2030-01-01T00:00:00Z"},)),
    ),
)

BUCKET_POLICY = ResourceRules(
    type="aws:s3/bucketPolicy:BucketPolicy",
    source=POLICY_SOURCE,
    forces_replacement=frozenset({"bucket"}),
    rules=(
        _bucket_length("bucket-policy", POLICY_SOURCE),
        Rule(id="s3.bucket-policy.policy.json", argument="policy", constraint=POLICY_JSON,
             message='"policy" contains an invalid JSON policy', source=VERIFY_SOURCE,
             fix="pass the policy as a JSON object string", ok=('{"Version": "2012-10-17", "Statement": []}',),
             bad=("", "[]", "{")),
        Rule(id="s3.bucket-policy.policy.size", argument="policy", constraint=Length(1, 20480),
             message="Policies exceed the maximum allowed document size (20 KB)", source=(
                 "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html"),
             fix="shorten the bucket policy", ok=("{", "{" + " " * 20478 + "}"), bad=("", "{" + " " * 20479 + "}")),
    ),
)

VERSIONING_SOURCE = f"{_TF}/bucket_versioning.go"
LOGGING_SOURCE = f"{_TF}/bucket_logging.go"
PUT_BUCKET_LOGGING = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLogging.html"

VERSIONING = ResourceRules(
    type="aws:s3/bucketVersioning:BucketVersioning",
    source=VERSIONING_SOURCE,
    forces_replacement=frozenset({"bucket", "expectedBucketOwner"}),
    rules=(
        _bucket_length("bucket-versioning", VERSIONING_SOURCE),
        Rule(id="s3.bucket-versioning.status.enum", argument="versioningConfiguration.status",
             constraint=OneOf(("Enabled", "Suspended", "Disabled")),
             message='expected versioning_configuration.0.status to be one of ["Enabled" "Suspended" "Disabled"]',
             source=VERSIONING_SOURCE, fix="use Enabled (Disabled only for a bucket never versioned)",
             ok=("Enabled", "Suspended"), bad=("enabled", "On")),
    ),
)

LOGGING = ResourceRules(
    type="aws:s3/bucketLogging:BucketLogging",
    source=LOGGING_SOURCE,
    forces_replacement=frozenset({"bucket", "expectedBucketOwner"}),
    rules=(
        _bucket_length("bucket-logging", LOGGING_SOURCE),
        Rule(id="s3.bucket-logging.target-bucket.length", argument="targetBucket", constraint=_BUCKET_ARGUMENT,
             message="expected length of target_bucket to be in the range (1 - 63)", source=LOGGING_SOURCE,
             fix="pass the log bucket's name (bucket.bucket)", ok=("b", "b" * 63), bad=("", "b" * 64)),
        Rule(id="s3.bucket-logging.target-is-another-bucket", argument="",
             constraint=Check(lambda i: "a bucket logging into itself logs its own log writes without end"
                              if i.get("bucket") and i.get("bucket") == i.get("targetBucket") else None,
                              "targetBucket differs from bucket"),
             message="TargetBucket: the bucket where server access logs are delivered (another bucket)",
             source=PUT_BUCKET_LOGGING, fix="deliver the logs into a separate log bucket",
             ok=({"bucket": "a", "targetBucket": "b"},), bad=({"bucket": "a", "targetBucket": "a"},)),
    ),
)

RESOURCES: tuple[ResourceRules, ...] = (BUCKET, OWNERSHIP_CONTROLS, PUBLIC_ACCESS_BLOCK, SSE_CONFIGURATION,
                                        LIFECYCLE_CONFIGURATION, BUCKET_POLICY, VERSIONING, LOGGING)
