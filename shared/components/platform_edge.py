"""The platform's edge: an internet-facing ALB, its listeners, optional access logs and optional WAF (logged).

Service stacks add listener rules to `service_listener` (HTTPS when a certificate is set, else HTTP); the
default action of every listener is a fixed 404, so a path no service claims reaches nothing.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared import resource_policies
from shared.components import component_type
from shared.components.context import AwsContext, named_opts
from shared.components.platform_data import (
    ACCESS_LOG_RETENTION_DAYS,
    abort_incomplete_uploads_rule,
    private_bucket,
    waf_log_group_name,
)
from shared.naming import physical_name
from shared.settings.platform import PlatformSettings

# Set explicitly: the provider's default policy still accepts TLS 1.0.
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
ACCESS_LOG_PREFIX = "alb"
WAF_LOG_RETENTION_DAYS = 30
# Request headers WAF must not write to its logs: the trader's token and session cookies. WAF matches header
# names in lower case. https://docs.aws.amazon.com/waf/latest/developerguide/logging-management.html
REDACTED_HEADERS = ("authorization", "cookie")
NOT_FOUND: aws.lb.ListenerDefaultActionArgsDict = {
    "type": "fixed-response",
    "fixed_response": {"content_type": "text/plain", "message_body": "Not Found", "status_code": "404"}}
# AWS managed rule groups of the web ACL, in priority order; the rate limit comes after them.
MANAGED_RULE_GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet")


@dataclass(frozen=True)
class PlatformEdgeArgs:
    """Inputs of the edge.

    settings: validated platform settings (certificate, access logs, WAF).
    context: account, partition and region lookups.
    public_subnet_ids: the network stack's public subnets, one per AZ (the ALB spans all three).
    security_group_id: the ALB's group from the network policy.
    kms_key_arn: the platform key, encrypting the WAF's log group (its policy admits that group).
    """

    settings: PlatformSettings
    context: AwsContext
    public_subnet_ids: pulumi.Input[Sequence[str]]
    security_group_id: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]


class PlatformEdge(pulumi.ComponentResource):
    alb: aws.lb.LoadBalancer
    http_listener: aws.lb.Listener
    https_listener: aws.lb.Listener | None
    service_listener: aws.lb.Listener
    access_log_bucket: aws.s3.Bucket | None
    web_acl: aws.wafv2.WebAcl | None
    waf_log_group: aws.cloudwatch.LogGroup | None

    def __init__(self, name: str, args: PlatformEdgeArgs, opts: pulumi.ResourceOptions | None = None):
        settings = args.settings
        suffix = settings.common.environment_suffix
        names = {"alb": physical_name("alb", suffix), "logs": physical_name("s3", suffix, "alb-logs"),
                 "waf": physical_name("waf", suffix)}
        super().__init__(component_type("platform", "PlatformEdge"), name, None, opts)

        access_logs, log_writers = self._access_logs(name, names["logs"], args.context, settings.access_logs)
        self.alb = aws.lb.LoadBalancer(
            f"{name}-alb", name=names["alb"], load_balancer_type="application", internal=False,
            subnets=args.public_subnet_ids, security_groups=[args.security_group_id],
            # Requests whose header names are not valid HTTP never reach a service (request smuggling).
            drop_invalid_header_fields=True, enable_deletion_protection=False, access_logs=access_logs,
            tags={"Name": names["alb"]},
            # ELB checks it may write to the bucket when logging is turned on, so the policy comes first.
            opts=named_opts("alb", self, depends_on=log_writers))

        child = pulumi.ResourceOptions(parent=self)
        self.https_listener = None
        if settings.certificate_arn:
            self.https_listener = aws.lb.Listener(
                f"{name}-https", load_balancer_arn=self.alb.arn, port=443, protocol="HTTPS", ssl_policy=TLS_POLICY,
                certificate_arn=settings.certificate_arn, default_actions=[NOT_FOUND], opts=child)
            http_default: aws.lb.ListenerDefaultActionArgsDict = {
                "type": "redirect", "redirect": {"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"}}
        else:
            http_default = NOT_FOUND
        self.http_listener = aws.lb.Listener(f"{name}-http", load_balancer_arn=self.alb.arn, port=80,
                                             protocol="HTTP", default_actions=[http_default], opts=child)
        self.service_listener = self.https_listener or self.http_listener

        self.web_acl, self.waf_log_group = None, None
        if settings.waf:
            self.web_acl = self._waf(name, names["waf"], settings.waf_rate_limit)
            self.waf_log_group = self._waf_logging(name, self.web_acl, suffix, args.kms_key_arn)

        self.register_outputs({"albArn": self.alb.arn, "serviceListenerArn": self.service_listener.arn})

    def _access_logs(self, name: str, prefix: str, ctx: AwsContext,
                     enabled: bool) -> tuple[aws.lb.LoadBalancerAccessLogsArgsDict | None, list[pulumi.Resource]]:
        """A bucket for ALB access logs, or nothing when the switch is off."""
        self.access_log_bucket = None
        if not enabled:
            return None, []
        elb_account = aws.elb.get_service_account_output().arn
        bucket, policy = private_bucket(
            self, f"{name}-access-logs", prefix,
            # ALB access-log delivery supports SSE-S3 only, not SSE-KMS, so this bucket (alone of the
            # platform's stores) is not encrypted with the platform key:
            # https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
            {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}},
            lambda arn: pulumi.Output.all(ctx.account_id, elb_account).apply(
                lambda p: resource_policies.alb_log_bucket_policy(arn, ACCESS_LOG_PREFIX, p[0], p[1])))
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-access-logs-expiry", bucket=bucket.bucket,
            rules=[{"id": "expire-access-logs", "status": "Enabled", "filter": {"prefix": f"{ACCESS_LOG_PREFIX}/"},
                    "expiration": {"days": ACCESS_LOG_RETENTION_DAYS}}, abort_incomplete_uploads_rule()],
            opts=pulumi.ResourceOptions(parent=self))
        self.access_log_bucket = bucket
        return {"bucket": bucket.bucket, "prefix": ACCESS_LOG_PREFIX, "enabled": True}, [policy]

    def _waf(self, name: str, physical: str, rate_limit: int) -> aws.wafv2.WebAcl:
        def visibility(metric: str) -> aws.wafv2.WebAclVisibilityConfigArgsDict:
            return {"cloudwatch_metrics_enabled": True, "metric_name": f"{physical}-{metric}",
                    "sampled_requests_enabled": True}

        rules: list[aws.wafv2.WebAclRuleArgsDict] = [{
            "name": group, "priority": priority,
            # Managed rule groups take an override action, not an action; "none" keeps their own blocks.
            "override_action": {"none": {}},
            "statement": {"managed_rule_group_statement": {"vendor_name": "AWS", "name": group}},
            "visibility_config": visibility(group),
        } for priority, group in enumerate(MANAGED_RULE_GROUPS, start=1)]
        rules.append({
            "name": "rate-limit-per-ip", "priority": len(MANAGED_RULE_GROUPS) + 1, "action": {"block": {}},
            "statement": {"rate_based_statement": {"limit": rate_limit, "aggregate_key_type": "IP"}},
            "visibility_config": visibility("rate-limit-per-ip"),
        })
        acl = aws.wafv2.WebAcl(f"{name}-waf", name=physical, scope="REGIONAL", default_action={"allow": {}},
                               rules=rules, visibility_config=visibility("acl"), tags={"Name": physical},
                               opts=named_opts("waf", self))
        aws.wafv2.WebAclAssociation(f"{name}-waf-alb", resource_arn=self.alb.arn, web_acl_arn=acl.arn,
                                    opts=pulumi.ResourceOptions(parent=self))
        return acl

    def _waf_logging(self, name: str, acl: aws.wafv2.WebAcl, suffix: str,
                     kms_key_arn: pulumi.Input[str]) -> aws.cloudwatch.LogGroup:
        """Every request the web ACL sees, logged to CloudWatch Logs (FSBP WAF.11) for 30 days under the
        platform key, without the trader's token or cookies. WAF adds the log group's resource policy for its
        log delivery itself (https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html)."""
        group = aws.cloudwatch.LogGroup(
            f"{name}-waf-logs", name=waf_log_group_name(suffix), retention_in_days=WAF_LOG_RETENTION_DAYS,
            kms_key_id=kms_key_arn, opts=named_opts("log", self))
        aws.wafv2.WebAclLoggingConfiguration(
            f"{name}-waf-logging", resource_arn=acl.arn, log_destination_configs=[group.arn],
            redacted_fields=[{"single_header": {"name": header}} for header in REDACTED_HEADERS],
            opts=pulumi.ResourceOptions(parent=self))
        return group
