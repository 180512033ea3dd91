"""Settings of the platform project: HTTPS, capacity providers, secrets and their rotation, log and protection
switches, WAF, alarms."""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from shared.catalog import Secret
from shared.fargate import CapacityShare
from shared.settings import REGION, CommonSettings, ConfigReader, ConfigSource, SecretValue, read_common
from shared.stacks import PROTECTED_ENVIRONMENTS

CERTIFICATE_ARN = re.compile(rf"^arn:aws:acm:{REGION}:\d{{12}}:certificate/"
                             r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")

# https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html: 0 (force delete
# without recovery) or 7..30 days.
RECOVERY_WINDOW_MIN, RECOVERY_WINDOW_MAX = 7, 30
# https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html: Limit 10..2,000,000,000.
WAF_RATE_LIMIT_MIN, WAF_RATE_LIMIT_MAX = 10, 2_000_000_000
# https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html:
# AutomaticallyAfterDays 1..1000.
ROTATION_DAYS_MIN, ROTATION_DAYS_MAX = 1, 1000

# Secrets whose value lives outside this platform (the trading database, the venues' API keys): they come
# from secret stack config. Every other catalog secret is generated here. Their keys are optional secrets of
# shared/stack_config.py (OPTIONAL_SECRETS), not declared in Pulumi.yaml: the CLI would require them on every
# stack, dev included; here they are required unless generateSecretPlaceholders.
EXTERNAL_SECRET_KEYS: dict[Secret, str] = {
    Secret.DATABASE_URL: "databaseUrl",
    Secret.THIRD_PARTY_API_KEYS: "thirdPartyApiKeys",
}


class ContainerInsights(Enum):
    ENHANCED = "enhanced"  # per-task and per-container metrics, where the region offers it
    ENABLED = "enabled"    # cluster- and service-level metrics only


@dataclass(frozen=True)
class PlatformSettings:
    common: CommonSettings
    certificate_arn: str | None
    container_insights: ContainerInsights
    capacity: tuple[CapacityShare, ...]
    secret_recovery_days: int
    # Secret -> value from secret config, or None: generate a placeholder (generateSecretPlaceholders).
    external_secrets: dict[Secret, SecretValue | None]
    access_logs: bool
    s3_access_logs: bool  # server access logs of the assets bucket, into a log bucket of their own
    waf: bool
    waf_rate_limit: int
    alarm_emails: tuple[str, ...]
    jwt_rotation_days: int  # days between two rotations of the JWT signing key set

    @property
    def https(self) -> bool:
        return self.certificate_arn is not None


def _external_secrets(reader: ConfigReader, environment: str) -> dict[Secret, SecretValue | None]:
    placeholders = reader.boolean("generateSecretPlaceholders")
    reader.check(not (placeholders and environment in PROTECTED_ENVIRONMENTS), "generateSecretPlaceholders", True,
                 f"is refused in {environment}: its tasks would run on generated placeholder secrets (a database "
                 f"URL that points nowhere, venue keys nobody issued)",
                 f"set generateSecretPlaceholders: false and the real values with `pulumi config set --secret "
                 f"{reader.qualified('databaseUrl')} <value>` (and thirdPartyApiKeys)")
    values: dict[Secret, SecretValue | None] = {}
    for secret, key in EXTERNAL_SECRET_KEYS.items():
        value = reader.secret(key)
        reader.check(not (value is None and not placeholders), key, None,
                     "is not set and generateSecretPlaceholders is false",
                     f"run `pulumi config set --secret {reader.qualified(key)} <value>`, or set "
                     f"generateSecretPlaceholders: true in a non-production stack",
                     after=("generateSecretPlaceholders",))
        reader.check(not (value is not None and placeholders), key, "[secret]",
                     "is set while generateSecretPlaceholders is true (which of the two is meant?)",
                     "set generateSecretPlaceholders: false, or remove the value",
                     after=("generateSecretPlaceholders",))
        values[secret] = value
    return values


def load_platform_settings(source: ConfigSource) -> PlatformSettings:
    reader = ConfigReader(source)
    common = read_common(reader, environment=source.stack)
    certificate = reader.string("certificateArn", default="")
    reader.check(not certificate or bool(CERTIFICATE_ARN.fullmatch(certificate)), "certificateArn", certificate,
                 f"is not an ACM certificate ARN in {REGION} (an ALB only takes certificates of its region)",
                 f"give arn:aws:acm:{REGION}:<account>:certificate/<uuid>, or leave it empty for HTTP only")
    require_https = reader.boolean("requireHttps")
    reader.check(bool(certificate) or not require_https, "certificateArn", certificate,
                 "is empty but requireHttps is true (this environment must serve HTTPS only)",
                 f"set {reader.qualified('certificateArn')} to the environment's ACM certificate ARN",
                 after=("requireHttps",))
    insights = reader.enum("containerInsights", ContainerInsights)
    capacity = reader.capacity_strategy("defaultCapacityStrategy")
    recovery = reader.integer("secretRecoveryWindowDays", minimum=0, maximum=RECOVERY_WINDOW_MAX)
    reader.check(recovery == 0 or recovery >= RECOVERY_WINDOW_MIN, "secretRecoveryWindowDays", recovery,
                 f"Secrets Manager accepts 0 or {RECOVERY_WINDOW_MIN}..{RECOVERY_WINDOW_MAX}",
                 f"use 0 (delete at once, names reusable) or {RECOVERY_WINDOW_MIN}..{RECOVERY_WINDOW_MAX}")
    secrets = _external_secrets(reader, common.environment)
    access_logs = reader.boolean("albAccessLogs")
    s3_access_logs = reader.boolean("s3AccessLogs")
    waf = reader.boolean("waf")
    rate = reader.integer("wafRateLimit", minimum=WAF_RATE_LIMIT_MIN, maximum=WAF_RATE_LIMIT_MAX)
    emails = reader.string_list("alarmEmails")
    bad = [e for e in emails if not EMAIL.fullmatch(e)]
    reader.check(not bad, "alarmEmails", bad, "are not e-mail addresses", "give addresses like oncall@example.com")
    rotation = reader.integer("jwtRotationDays", minimum=ROTATION_DAYS_MIN, maximum=ROTATION_DAYS_MAX)
    return reader.finish(PlatformSettings(
        common=common,
        certificate_arn=certificate or None,
        container_insights=insights,
        capacity=capacity,
        secret_recovery_days=recovery,
        external_secrets=secrets,
        access_logs=access_logs,
        s3_access_logs=s3_access_logs,
        waf=waf,
        waf_rate_limit=rate,
        alarm_emails=emails,
        jwt_rotation_days=rotation,
    ))
