"""The price table and traffic assumptions behind `./dev cost`: us-east-1 list prices, one place.

HONESTY NOTE: these are the us-east-1 on-demand list prices as published on the AWS pricing pages named in
each `source`, RECALLED when this table was written (the `taken` date), not fetched live: this repository
works offline and no pricing API is called. Check a figure against its page before quoting it; a price AWS
changes is changed here, with a new `taken` date. Prices are in USD, before tax, free tier, Savings Plans and
credits. A month is 730 hours (AWS's own convention on its pricing pages).

What the plan cannot say (how much traffic, how many log lines) is an assumption per environment, below, next
to the prices it multiplies; change an assumption here and every estimate follows.
"""
from __future__ import annotations

from dataclasses import dataclass

HOURS_PER_MONTH = 730
TAKEN = "2026-12-01"  # the day this table was written from memory of the pages below (not a fetch)


@dataclass(frozen=True)
class Price:
    amount: float  # USD per `unit`
    unit: str
    source: str
    taken: str = TAKEN


FARGATE = "https://aws.amazon.com/fargate/pricing/"
VPC = "https://aws.amazon.com/vpc/pricing/"
PRIVATELINK = "https://aws.amazon.com/privatelink/pricing/"
ELB = "https://aws.amazon.com/elasticloadbalancing/pricing/"
WAF = "https://aws.amazon.com/waf/pricing/"
KMS = "https://aws.amazon.com/kms/pricing/"
SECRETS = "https://aws.amazon.com/secrets-manager/pricing/"
CLOUD_MAP = "https://aws.amazon.com/cloud-map/pricing/"
ROUTE53 = "https://aws.amazon.com/route53/pricing/"
CLOUDWATCH = "https://aws.amazon.com/cloudwatch/pricing/"

PRICES: dict[str, Price] = {
    # Linux/x86_64, per second with a one-minute minimum; billed on the task's cpu and memory.
    "fargate_vcpu_hour": Price(0.04048, "vCPU-hour", FARGATE),
    "fargate_gb_hour": Price(0.004445, "GB-hour", FARGATE),
    # Fargate Spot prices move with spare capacity; the page quotes "up to 70%" off on-demand, used here.
    "fargate_spot_discount": Price(0.70, "fraction of the on-demand price saved", FARGATE),
    "nat_gateway_hour": Price(0.045, "NAT gateway-hour", VPC),
    "nat_gateway_gb": Price(0.045, "GB processed", VPC),
    "interface_endpoint_az_hour": Price(0.01, "endpoint ENI (AZ)-hour", PRIVATELINK),
    "interface_endpoint_gb": Price(0.01, "GB processed (first PB)", PRIVATELINK),
    "alb_hour": Price(0.0225, "ALB-hour", ELB),
    "alb_lcu_hour": Price(0.008, "LCU-hour", ELB),
    # Every public IPv4 address, in use or not (EIPs, a public ALB's per-AZ addresses), since Feb 2024.
    "public_ipv4_hour": Price(0.005, "address-hour", VPC),
    "waf_web_acl_month": Price(5.00, "web ACL-month", WAF),
    "waf_rule_month": Price(1.00, "rule-month (a managed rule group counts as one)", WAF),
    "waf_million_requests": Price(0.60, "million requests", WAF),
    "kms_key_month": Price(1.00, "customer managed key-month", KMS),
    "secret_month": Price(0.40, "secret-month", SECRETS),
    "cloud_map_instance_month": Price(0.10, "registered instance-month", CLOUD_MAP),
    # A private DNS namespace creates a Route 53 private hosted zone.
    "hosted_zone_month": Price(0.50, "hosted zone-month", ROUTE53),
    "logs_ingested_gb": Price(0.50, "GB ingested (standard class)", CLOUDWATCH),
    "alarm_month": Price(0.10, "standard-resolution alarm-month", CLOUDWATCH),
}


@dataclass(frozen=True)
class Traffic:
    """Usage the plan does not show, per environment, per month."""

    nat_gb: float  # through all NAT gateways together (venue calls, anything without an endpoint)
    endpoint_gb: float  # through all interface endpoints together (image layers, logs, secrets)
    alb_lcu: float  # average LCUs of each ALB (1 LCU = 25 new connections/s, 1 GB/h, 1000 rule evaluations/s)
    waf_million_requests: float  # requests the web ACL inspects
    log_gb_per_group: float  # ingested into each log group (service logs, VPC flow logs)


TRAFFIC: dict[str, Traffic] = {
    # A development environment: a few people testing, light load.
    "dev": Traffic(nat_gb=10, endpoint_gb=20, alb_lcu=0.2, waf_million_requests=1, log_gb_per_group=2),
    # Trading hours traffic of a small platform.
    "prod": Traffic(nat_gb=100, endpoint_gb=200, alb_lcu=2, waf_million_requests=10, log_gb_per_group=10),
}
DEFAULT_TRAFFIC = "dev"  # an environment without its own line (staging, a PR copy) is assumed to be dev-sized

# Said under every estimate, so nobody reads the total as the whole bill.
NOT_ESTIMATED = ("data transfer out to the internet", "Container Insights metrics", "KMS and Secrets Manager API "
                 "requests", "DynamoDB, SQS, SNS and S3 usage (per request)", "ECR storage", "Route 53 DNS queries",
                 "market-hours scheduled minimums (the minimum column uses the autoscaling target's minCapacity)")


def traffic(environment: str) -> Traffic:
    return TRAFFIC.get(environment, TRAFFIC[DEFAULT_TRAFFIC])
