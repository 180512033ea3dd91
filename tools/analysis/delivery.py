"""Log delivery: where a bucket's server access logs or a web ACL's logs are sent, the destination accepts them.

- S3 server access logging (a BucketLogging): the target bucket's policy lets `logging.s3.amazonaws.com` put
  objects under the target prefix, for this source bucket and account (the bucket is BucketOwnerEnforced, so ACL
  grants cannot do it): https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
- WAF logging (a WebAclLoggingConfiguration): the destination is a log group of the plan named `aws-waf-logs-...`,
  and the key encrypting it admits CloudWatch Logs for that group.
"""
from __future__ import annotations

from shared import iam
from tools.analysis.findings import LOG_DELIVERY, failed, passed
from tools.analysis.plan import LOG_GROUP, Plan, Resource
from tools.findings import Finding

BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_LOGGING = "aws:s3/bucketLogging:BucketLogging"
WAF_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
S3_LOG_DELIVERY = "logging.s3.amazonaws.com"
WAF_PREFIX = "aws-waf-logs-"


def _bucket(plan: Plan, name: str) -> Resource | None:
    return next((b for b in plan.of_type(BUCKET) if b.get("bucket") == name), None)


def _s3_logging(plan: Plan, logging: Resource) -> Finding:
    source, target = _bucket(plan, str(logging.get("bucket"))), _bucket(plan, str(logging.get("targetBucket")))
    if source is None or target is None:
        return failed(LOG_DELIVERY, logging.stack, logging.label, "the source or target bucket is not in the plan")
    policy = next((p for p in plan.of_type(BUCKET_POLICY) if p.get("bucket") == target.get("bucket")), None)
    statements = iam.parse_document(policy.get("policy")) if policy else []
    account = source.stack and next((r.arn.split(":")[4] for r in plan.of_type("aws:iam/role:Role")), "")
    written = f"{target.arn}/{logging.get('targetPrefix', '')}x"
    admits = any(s.is_allow and S3_LOG_DELIVERY in s.principal_types.get("Service", ())
                 and s.matches_action("s3:PutObject") and s.matches_resource(written)
                 and any(iam.wildcard_match(p, source.arn) for p in s.condition_values("aws:SourceArn"))
                 and account in s.condition_values("aws:SourceAccount") for s in statements)
    if not admits:
        return failed(LOG_DELIVERY, logging.stack, logging.label,
                      f"the policy of {target.label} does not let {S3_LOG_DELIVERY} put {written} for source "
                      f"{source.arn} of account {account}: S3 drops the access logs")
    return passed(LOG_DELIVERY, logging.stack, logging.label, f"{S3_LOG_DELIVERY} may write {written}")


def _waf_logging(plan: Plan, logging: Resource) -> list[Finding]:
    findings = []
    for destination in logging.get("logDestinationConfigs") or []:
        group = plan.by_arn(str(destination), LOG_GROUP)
        key = plan.kms_key(str(group.get("kmsKeyId", ""))) if group else None
        arn = group.arn if group else ""
        admitted = key is not None and any(
            s.is_allow and any(p.startswith("logs.") for p in s.principal_types.get("Service", ()))
            and any(iam.wildcard_match(p, arn) for p in s.condition_values("kms:EncryptionContext:aws:logs:arn"))
            for s in plan.key_policy(key))
        if group is None or not str(group.get("name", "")).startswith(WAF_PREFIX) or not admitted:
            findings.append(failed(LOG_DELIVERY, logging.stack, logging.label,
                                   f"WAF logs go to {destination}, which is not a log group of the plan named "
                                   f"{WAF_PREFIX}... whose key admits CloudWatch Logs for it"))
        else:
            findings.append(passed(LOG_DELIVERY, logging.stack, logging.label,
                                   f"WAF logs reach {group.label}, encrypted with a key that admits them"))
    return findings


def check(plan: Plan) -> list[Finding]:
    findings = [_s3_logging(plan, logging) for logging in plan.of_type(BUCKET_LOGGING)]
    for logging in plan.of_type(WAF_LOGGING):
        findings += _waf_logging(plan, logging)
    return findings
