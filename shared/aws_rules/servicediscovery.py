"""Argument rules of the servicediscovery (Cloud Map) resources this repository creates (see
shared/aws_rules/model.py): the private DNS namespace and the services registered in it.
"""
from __future__ import annotations

from typing import Any

from shared.aws_rules.model import Check, Length, OneOf, Pattern, Range, ResourceRules, Rule

_TF = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/servicediscovery/"
NAMESPACE_SOURCE = _TF + "private_dns_namespace.go"
SERVICE_SOURCE = _TF + "service.go"
_API = "https://docs.aws.amazon.com/cloud-map/latest/api/"
API_CREATE_NAMESPACE = _API + "API_CreatePrivateDnsNamespace.html"
API_CREATE_SERVICE = _API + "API_CreateService.html"
API_DNS_CONFIG = _API + "API_DnsConfig.html"
API_DNS_RECORD = _API + "API_DnsRecord.html"
API_CUSTOM_HEALTH = _API + "API_HealthCheckCustomConfig.html"

# CreateService Name: DNS labels of up to 63 characters, up to 127 in all (or ".")
_SERVICE_NAME = (r"((?=^.{1,127}$)^([a-zA-Z0-9_][a-zA-Z0-9-_]{0,61}[a-zA-Z0-9_]|[a-zA-Z0-9])"
                 r"(\.([a-zA-Z0-9_][a-zA-Z0-9-_]{0,61}[a-zA-Z0-9_]|[a-zA-Z0-9]))*$)|(^\.$)")

NAMESPACE = ResourceRules(
    type="aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace",
    source=NAMESPACE_SOURCE,
    forces_replacement=frozenset({"name", "vpc"}),
    rules=(
        Rule(id="servicediscovery.private-dns-namespace.name.length", argument="name", constraint=Length(1, 253),
             message="Name: Length Constraints: Maximum length of 253.", source=API_CREATE_NAMESPACE,
             fix="shorten the namespace name to 253 characters", ok=("n", "n" * 253), bad=("", "n" * 254)),
        Rule(id="servicediscovery.private-dns-namespace.name.pattern", argument="name",
             constraint=Pattern(r"[!-~]{1,1024}", "printable ASCII without spaces"),
             message="Name: Pattern: ^[!-~]{1,1024}$", source=API_CREATE_NAMESPACE,
             fix="use a DNS name such as trading-dev.internal", ok=("trading-dev.internal",),
             bad=("trading dev.internal", "tradíng.internal")),
        Rule(id="servicediscovery.private-dns-namespace.description.length", argument="description",
             constraint=Length(0, 1024), message="Description: Maximum length of 1024.", source=API_CREATE_NAMESPACE,
             fix="shorten the namespace description to 1024 characters", ok=("d" * 1024, ""), bad=("d" * 1025,)),
        Rule(id="servicediscovery.private-dns-namespace.vpc.id", argument="vpc",
             constraint=Pattern(r"vpc-[0-9a-f]{8,17}", "a VPC id (vpc-...)"),
             message="Vpc: The ID of the Amazon VPC that you want to associate the namespace with.",
             source=API_CREATE_NAMESPACE, fix="pass the VPC id (vpc=, not vpc_id=, in pulumi-aws v7)",
             ok=("vpc-77fd32c5f33683a9b",), bad=("arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1", "network-vpc")),
    ),
)


def _cname_routing(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    types = [r.get("type") for r in value.get("dnsRecords") or [] if isinstance(r, dict)]
    if "CNAME" in types and value.get("routingPolicy") == "MULTIVALUE":
        return "CNAME records need routingPolicy WEIGHTED"
    if "CNAME" in types and len(types) > 1:
        return "a CNAME record cannot be combined with other records"
    return None


SERVICE = ResourceRules(
    type="aws:servicediscovery/service:Service",
    source=SERVICE_SOURCE,
    forces_replacement=frozenset({"name", "namespaceId", "healthCheckCustomConfig", "type"}),
    rules=(
        Rule(id="servicediscovery.service.name.pattern", argument="name",
             constraint=Pattern(_SERVICE_NAME, "DNS labels of 1..63 characters, 127 in all"),
             message="Name: Pattern: ((?=^.{1,127}$)^([a-zA-Z0-9_][a-zA-Z0-9-_]{0,61}[a-zA-Z0-9_]|[a-zA-Z0-9])"
                     "(\\.([a-zA-Z0-9_][a-zA-Z0-9-_]{0,61}[a-zA-Z0-9_]|[a-zA-Z0-9]))*$)|(^\\.$)",
             source=API_CREATE_SERVICE, fix="use the service name as a DNS label (letters, digits, -, _; 63 max)",
             ok=("frontend", "processing-service", "a" * 63, "_grpc.api"),
             bad=("-frontend", "frontend-", "a" * 64, "api gateway", "")),
        Rule(id="servicediscovery.service.description.length", argument="description", constraint=Length(0, 1024),
             message="Description: Maximum length of 1024.", source=API_CREATE_SERVICE,
             fix="shorten the description to 1024 characters", ok=("d" * 1024,), bad=("d" * 1025,)),
        Rule(id="servicediscovery.service.dns-config.routing-policy.enum", argument="dnsConfig.routingPolicy",
             constraint=OneOf(("MULTIVALUE", "WEIGHTED")),
             message='expected dns_config.0.routing_policy to be one of ["MULTIVALUE" "WEIGHTED"]',
             source=SERVICE_SOURCE, fix="use MULTIVALUE for A records of tasks", ok=("MULTIVALUE", "WEIGHTED"),
             bad=("multivalue", "FAILOVER")),
        Rule(id="servicediscovery.service.dns-config.record-type.enum", argument="dnsConfig.dnsRecords[].type",
             constraint=OneOf(("SRV", "A", "AAAA", "CNAME")),
             message='expected dns_config.0.dns_records.0.type to be one of ["SRV" "A" "AAAA" "CNAME"]',
             source=SERVICE_SOURCE, fix="use A records for awsvpc tasks", ok=("A", "SRV"), bad=("a", "TXT")),
        Rule(id="servicediscovery.service.dns-config.ttl.range", argument="dnsConfig.dnsRecords[].ttl",
             constraint=Range(0, 2147483647),
             message="TTL: Valid Range: Minimum value of 0. Maximum value of 2147483647.", source=API_DNS_RECORD,
             fix="use a TTL of 0 seconds or more", ok=(0.0, 2147483647.0, 10.0), bad=(-1.0, 2147483648.0)),
        Rule(id="servicediscovery.service.dns-config.cname", argument="dnsConfig",
             constraint=Check(_cname_routing, "CNAME only alone and with WEIGHTED routing"),
             message="If you want AWS Cloud Map to create a CNAME record, RoutingPolicy must be WEIGHTED; you can't "
                     "combine a CNAME record with other records.",
             source=API_DNS_CONFIG, fix="use A records with MULTIVALUE routing",
             ok=({"routingPolicy": "MULTIVALUE", "dnsRecords": [{"type": "A", "ttl": 10.0}]},
                 {"routingPolicy": "WEIGHTED", "dnsRecords": [{"type": "CNAME", "ttl": 10.0}]}),
             bad=({"routingPolicy": "MULTIVALUE", "dnsRecords": [{"type": "CNAME", "ttl": 10.0}]},
                  {"routingPolicy": "WEIGHTED", "dnsRecords": [{"type": "CNAME"}, {"type": "A"}]})),
        Rule(id="servicediscovery.service.health-check-custom-config.failure-threshold.range",
             argument="healthCheckCustomConfig.failureThreshold", constraint=Range(1, 10),
             message="expected health_check_custom_config.0.failure_threshold to be in the range (1 - 10)",
             source=API_CUSTOM_HEALTH, fix="leave failureThreshold at 1 (deprecated; Cloud Map always uses 1)",
             ok=(1.0, 10.0), bad=(0.0, 11.0)),
    ),
)

RESOURCES: tuple[ResourceRules, ...] = (NAMESPACE, SERVICE)
