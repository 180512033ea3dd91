"""Data at rest: buckets closed to the public and encrypted, and secrets, the table, queues and topics under
the platform's customer-managed key."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import PolicyConfigSchema, ReportViolation, ResourceValidationArgs, StackValidationArgs

from policy.inputs import block, is_true, items
from policy.rules.base import (
    ADVISORY,
    BUCKET,
    BUCKET_LIFECYCLE,
    BUCKET_LOGGING,
    BUCKET_SSE,
    BUCKET_VERSIONING,
    LOAD_BALANCERS,
    PUBLIC_ACCESS_BLOCK,
    QUEUE,
    SECRET,
    TABLE,
    TOPIC,
    Policy,
    Report,
    for_types,
    resource_policy,
    stack_policy,
)

AWS_MANAGED_KEY = re.compile(r"(^|:)alias/aws/")

KEY_SCHEMA = PolicyConfigSchema(properties={"platformKeyArns": {
    "type": "array", "items": {"type": "string"},
    "description": "ARNs of the platform KMS key; unset checks only that a customer-managed key is used."}})


@for_types(PUBLIC_ACCESS_BLOCK)
def _public_access_block(props, report, _config):
    off = [k for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
           if not is_true(props.get(k))]
    if off:
        report(f"public access block leaves {', '.join(off)} off; set all four to True")


def key_problem(what: str, key: Any, config: Mapping[str, Any]) -> str | None:
    """Why `key` is not the platform key, or None. Without `platformKeyArns` in config any customer-managed
    key passes (the offline gate always supplies them; see the module docstring)."""
    if not key:
        return f"{what} is not encrypted with a customer-managed KMS key; give it the platform key's ARN"
    if AWS_MANAGED_KEY.search(str(key)):
        return f"{what} uses the AWS-managed key {key}; give it the platform key's ARN"
    platform = [str(k) for k in items(config.get("platformKeyArns"))]
    if platform and not any(key == arn or arn.endswith(f"/{key}") for arn in platform):
        return f"{what} uses key {key}, not the platform key ({', '.join(platform)})"
    return None


def _platform_key(args: ResourceValidationArgs, report: Report) -> None:
    props, config = args.props, args.get_config()
    if args.resource_type == TABLE:
        sse = block(props, "serverSideEncryption")
        problem = (key_problem("the table", sse.get("kmsKeyArn"), config) if is_true(sse.get("enabled"))
                   else "the table uses the AWS-owned key (serverSideEncryption not enabled); set "
                        "server_side_encryption={'enabled': True, 'kms_key_arn': <platform key ARN>}")
    elif args.resource_type == SECRET:
        problem = key_problem("the secret", props.get("kmsKeyId"), config)
    elif args.resource_type in (QUEUE, TOPIC):  # both call it kmsMasterKeyId
        problem = key_problem(f"the {args.resource_type.split(':')[-1].lower()}", props.get("kmsMasterKeyId"),
                              config)
    else:
        return
    if problem:
        report(problem)


def _identifiers(props: Mapping[str, Any]) -> set[str]:
    """What other resources use to refer to this one: its id, name or ARN (the engine's outputs)."""
    return {str(props[k]) for k in ("id", "bucket", "arn", "name") if props.get(k)}



def _bucket_of(resource, buckets: list) -> Any:
    target = str(resource.props.get("bucket"))
    return next((b for b in buckets if target in _identifiers(b.props)), None)


def alb_log_buckets(resources: Iterable) -> set[str]:
    """Buckets that receive ALB access logs (by the name the load balancer's accessLogs gives)."""
    return {str(block(r.props, "accessLogs").get("bucket")) for r in resources
            if r.resource_type in LOAD_BALANCERS and block(r.props, "accessLogs").get("bucket")}


def access_log_buckets(resources: Iterable) -> set[str]:
    """Buckets that receive S3 server access logs (the targetBucket of a BucketLogging)."""
    return {str(r.props.get("targetBucket")) for r in resources
            if r.resource_type in BUCKET_LOGGING and r.props.get("targetBucket")}


def _sse_rule(props: Mapping[str, Any]) -> Mapping[str, Any]:
    rules = items(props.get("rules"))
    return block(rules[0], "applyServerSideEncryptionByDefault") if rules else {}


def _bucket_public_access(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    buckets = [r for r in args.resources if r.resource_type == BUCKET]
    covered = {id(_bucket_of(r, buckets)) for r in args.resources if r.resource_type == PUBLIC_ACCESS_BLOCK}
    for bucket in buckets:
        if id(bucket) not in covered:
            report_violation(f"bucket {bucket.name} has no BucketPublicAccessBlock; add one with all four settings "
                             f"True", bucket.urn)


def _bucket_encryption(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    buckets = [r for r in args.resources if r.resource_type == BUCKET]
    log_buckets = alb_log_buckets(args.resources) | access_log_buckets(args.resources)
    encrypted: dict[int, Mapping[str, Any]] = {}
    for resource in args.resources:
        if resource.resource_type in BUCKET_SSE:
            bucket = _bucket_of(resource, buckets)
            if bucket is not None:
                encrypted[id(bucket)] = _sse_rule(resource.props)
    for bucket in buckets:
        sse = encrypted.get(id(bucket))
        if sse is None:
            report_violation(f"bucket {bucket.name} has no server-side encryption configuration; add "
                             f"BucketServerSideEncryptionConfiguration", bucket.urn)
        elif _identifiers(bucket.props) & log_buckets:
            if sse.get("sseAlgorithm") != "AES256":
                report_violation(f"bucket {bucket.name} receives ALB or S3 access logs, which their delivery can "
                                 f"write only with SSE-S3; set sse_algorithm='AES256'", bucket.urn)
        elif sse.get("sseAlgorithm") != "aws:kms":
            report_violation(f"bucket {bucket.name} uses {sse.get('sseAlgorithm')!r}; encrypt it with the platform "
                             f"key (sse_algorithm='aws:kms', kms_master_key_id=<platform key ARN>)", bucket.urn)
        else:
            problem = key_problem(f"bucket {bucket.name}", sse.get("kmsMasterKeyId"), args.get_config())
            if problem:
                report_violation(problem, bucket.urn)



def policies() -> list[Policy]:
    return [
        resource_policy("s3-public-access-block", "FSBP S3.8: bucket public access blocks turn on all four settings.",
                        _public_access_block),
        stack_policy("s3-bucket-has-public-access-block", "FSBP S3.8: every bucket has a public access block (stack "
                     "policy: it pairs buckets with their blocks).", _bucket_public_access),
        resource_policy("platform-key-encryption", "FSBP SQS.1 and SNS.1, extended: secrets, the table, queues and "
                        "topics are encrypted with the platform's customer-managed key (config platformKeyArns).",
                        _platform_key, schema=KEY_SCHEMA),
        stack_policy("s3-bucket-encryption", "FSBP S3.17: buckets are encrypted with the platform key; the ALB and "
                     "S3 access-log buckets with SSE-S3, the only encryption their log delivery supports (stack "
                     "policy: it needs the load balancer's accessLogs and the buckets' logging).", _bucket_encryption,
                     schema=KEY_SCHEMA),
        *hardening_policies(),
    ]


# --- versioning, lifecycles, access logs, secret ownership (issue 19) --------------------------------------------
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"


def _log_buckets(resources: list) -> set[str]:
    return alb_log_buckets(resources) | access_log_buckets(resources)


def _per_bucket(resources: list, types: tuple[str, ...]) -> dict[int, list]:
    """bucket (by id()) -> the resources of `types` that configure it."""
    buckets = [r for r in resources if r.resource_type == BUCKET]
    found: dict[int, list] = {}
    for resource in resources:
        if resource.resource_type in types:
            bucket = _bucket_of(resource, buckets)
            if bucket is not None:
                found.setdefault(id(bucket), []).append(resource)
    return found


def _bucket_versioning(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    resources = list(args.resources)
    logs = _log_buckets(resources)
    versioned = _per_bucket(resources, BUCKET_VERSIONING)
    for bucket in (r for r in resources if r.resource_type == BUCKET and not _identifiers(r.props) & logs):
        status = [block(v.props, "versioningConfiguration").get("status") for v in versioned.get(id(bucket), [])]
        if "Enabled" not in status:
            report_violation(f"bucket {bucket.name} is not versioned; add aws.s3.BucketVersioning with status "
                             f"Enabled (an overwritten or deleted object stays recoverable)", bucket.urn)


def _rules_cover_all(rule: Mapping[str, Any]) -> bool:
    """A lifecycle rule that applies to every object: enabled, with no filter or an empty one."""
    flt = block(rule, "filter")
    return rule.get("status") == "Enabled" and not any(flt.get(k) for k in ("prefix", "and", "tag",
                                                                             "objectSizeGreaterThan",
                                                                             "objectSizeLessThan"))


def _bucket_lifecycle(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    resources = list(args.resources)
    lifecycles = _per_bucket(resources, BUCKET_LIFECYCLE)
    versioned = {key for key, found in _per_bucket(resources, BUCKET_VERSIONING).items()
                 if any(block(v.props, "versioningConfiguration").get("status") == "Enabled" for v in found)}
    for bucket in (r for r in resources if r.resource_type == BUCKET):
        rules = [rule for lifecycle in lifecycles.get(id(bucket), []) for rule in items(lifecycle.props.get("rules"))]
        if not any(_rules_cover_all(r) and block(r, "abortIncompleteMultipartUpload") for r in rules):
            report_violation(f"bucket {bucket.name} has no lifecycle rule aborting incomplete multipart uploads for "
                             f"every object; add one (shared.components.platform_data.abort_incomplete_uploads_rule)",
                             bucket.urn)
        if id(bucket) in versioned and not any(_rules_cover_all(r) and block(r, "noncurrentVersionExpiration")
                                               for r in rules):
            report_violation(f"bucket {bucket.name} is versioned but never expires noncurrent versions; add a "
                             f"noncurrent_version_expiration rule", bucket.urn)


def _bucket_access_logging(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    resources = list(args.resources)
    logs = _log_buckets(resources)
    logged = _per_bucket(resources, BUCKET_LOGGING)
    for bucket in (r for r in resources if r.resource_type == BUCKET and not _identifiers(r.props) & logs):
        if id(bucket) not in logged:
            report_violation(f"bucket {bucket.name} has no server access logging (platform config s3AccessLogs; "
                             f"docs/security.md lists where it is off and why)", bucket.urn)


def _secret_owner(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Exactly one owner per secret value: Pulumi (a SecretVersion) or a rotation function (a SecretRotation)."""
    resources = list(args.resources)
    secrets = [r for r in resources if r.resource_type == SECRET]

    def owners(typ: str, key: str) -> set[int]:
        return {id(s) for r in resources if r.resource_type == typ for s in secrets
                if str(r.props.get(key)) in _identifiers(s.props)}

    versioned, rotated = owners(SECRET_VERSION, "secretId"), owners(SECRET_ROTATION, "secretId")
    for secret in secrets:
        if id(secret) in versioned and id(secret) in rotated:
            report_violation(f"secret {secret.name} has a SecretVersion and a rotation: the next `up` after a "
                             f"rotation would write the old value back; let the rotation function write the value",
                             secret.urn)
        elif id(secret) not in versioned | rotated:
            report_violation(f"secret {secret.name} has neither a value (SecretVersion) nor a rotation: tasks reading "
                             f"it fail to start", secret.urn)


def hardening_policies() -> list[Policy]:
    return [
        stack_policy("s3-versioning", "FSBP S3.14: buckets that hold data are versioned (log buckets are not: their "
                     "objects are written once and expire).", _bucket_versioning),
        stack_policy("s3-lifecycle", "FSBP S3.13: every bucket has a lifecycle that aborts incomplete multipart "
                     "uploads, and a versioned bucket expires its noncurrent versions.", _bucket_lifecycle),
        stack_policy("s3-server-access-logging", "FSBP S3.9 (advisory: off in dev by config s3AccessLogs, see "
                     "docs/security.md): buckets that hold data log their access.", _bucket_access_logging,
                     level=ADVISORY),
        stack_policy("secret-value-owner", "FSBP SecretsManager.1 and Reason: a secret's value has one owner - Pulumi "
                     "(a SecretVersion from config) or a rotation function (a SecretRotation), never both.",
                     _secret_owner),
    ]
