"""Logs: every log group keeps its logs long enough and encrypts them with a customer key; every web ACL logs."""
from __future__ import annotations

from pulumi_policy import ReportViolation, StackValidationArgs

from policy.inputs import block, items, number
from policy.rules.base import LOG_GROUP, Policy, for_types, resource_policy, stack_policy

LOG_RETENTION_MIN_DAYS = 30


@for_types(LOG_GROUP)
def _log_retention(props, report, _config):
    days = number(props.get("retentionInDays"))
    if days is None or days == 0:
        report(f"retentionInDays is not set (logs kept forever, paid forever); set "
               f"retention_in_days={LOG_RETENTION_MIN_DAYS} or more")
    elif days < LOG_RETENTION_MIN_DAYS:
        report(f"retentionInDays is {days:g}, below {LOG_RETENTION_MIN_DAYS}; set retention_in_days to "
               f"at least {LOG_RETENTION_MIN_DAYS}")


@for_types(LOG_GROUP)
def _log_kms(props, report, _config):
    if not props.get("kmsKeyId"):
        report("the log group has no kmsKeyId; encrypt it with a customer-managed KMS key whose policy "
               "admits CloudWatch Logs for this group")


def policies() -> list[Policy]:
    return [
        resource_policy("log-retention-30-days", f"FSBP CloudWatch.16 (this platform's minimum: "
                        f"{LOG_RETENTION_MIN_DAYS} days): every log group sets a retention of at least "
                        f"{LOG_RETENTION_MIN_DAYS} days.", _log_retention),
        resource_policy("log-group-kms", "Reason: every log group is encrypted with a customer-managed KMS key (AWS "
                        "Config cloudwatch-log-group-encrypted; no FSBP control).", _log_kms),
        *hardening_policies(),
    ]


WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WAF_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
WAF_LOG_PREFIX = "aws-waf-logs-"
# Headers that carry credentials: WAF must not copy them into its logs (WAF matches names in lower case).
CREDENTIAL_HEADERS = ("authorization", "cookie")


def _waf_logging(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    configs = [r for r in args.resources if r.resource_type == WAF_LOGGING]
    for acl in (r for r in args.resources if r.resource_type == WEB_ACL):
        config = next((c for c in configs if c.props.get("resourceArn") in (acl.props.get("arn"),
                                                                          acl.props.get("id"))), None)
        if config is None:
            report_violation(f"web ACL {acl.name} has no logging; add aws.wafv2.WebAclLoggingConfiguration to an "
                             f"{WAF_LOG_PREFIX}... log group", acl.urn)
            continue
        destinations = [str(d) for d in items(config.props.get("logDestinationConfigs"))]
        if not destinations or not all(f":log-group:{WAF_LOG_PREFIX}" in d for d in destinations):
            report_violation(f"{config.name} logs to {destinations}, not to a CloudWatch log group named "
                             f"{WAF_LOG_PREFIX}...", config.urn)
        redacted = {str(block(f, "singleHeader").get("name")) for f in items(config.props.get("redactedFields"))}
        missing = [h for h in CREDENTIAL_HEADERS if h not in redacted]
        if missing:
            report_violation(f"{config.name} writes the {', '.join(missing)} header(s) to its logs; redact them "
                             f"(redacted_fields single_header, lower-case names)", config.urn)


def hardening_policies() -> list[Policy]:
    return [stack_policy("waf-logging", "FSBP WAF.11: every web ACL logs to an aws-waf-logs- group, with the "
                         "authorization and cookie headers redacted (stack policy: it pairs ACLs with their logging).",
                         _waf_logging)]
