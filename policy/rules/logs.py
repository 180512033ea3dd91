"""CloudWatch Logs: every log group keeps its logs long enough and encrypts them with a customer key."""
from __future__ import annotations

from policy.inputs import number
from policy.rules.base import LOG_GROUP, Policy, for_types, resource_policy

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
    ]
