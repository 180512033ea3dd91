"""Cross-project contracts: what each project exports and what each consumer reads. Pure data.

A project exports exactly its declared keys (checked at export time) and a consumer may only read keys it
declares here, from projects deployed before it; `check_contracts` proves every read is exported and tests
call it, so a renamed output breaks a test instead of a deploy.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.stacks import PROJECT_ORDER


@dataclass(frozen=True)
class Export:
    key: str
    description: str
    secret: bool = False


@dataclass(frozen=True)
class ProjectContract:
    project: str
    exports: tuple[Export, ...]
    reads: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def export_keys(self) -> frozenset[str]:
        return frozenset(e.key for e in self.exports)

    @property
    def secret_keys(self) -> frozenset[str]:
        return frozenset(e.key for e in self.exports if e.secret)


NETWORK = ProjectContract("network", (
    Export("vpcId", "VPC id"),
    Export("vpcCidr", "VPC IPv4 CIDR"),
    Export("availabilityZones", "the three AZ names, in subnet order"),
    Export("publicSubnetIds", "public subnet ids, one per AZ in AZ order (ALB, NAT)"),
    Export("privateSubnetIds", "private subnet ids, one per AZ in AZ order (tasks, endpoints)"),
    Export("privateRouteTableIds", "private route table ids, one per AZ in AZ order"),
    Export("natStrategy", "single | one_per_az | none"),
    Export("natGatewayIds", "NAT gateway ids (empty under none)"),
    Export("endpointSecurityGroupId", "security group of the interface endpoints (the platform admits 443 from the "
                                      "groups that need them)"),
    Export("interfaceEndpoints", "AWS services reached through interface endpoints, e.g. ecr.api"),
    Export("gatewayEndpoints", "AWS services reached through gateway endpoints (s3, dynamodb)"),
    Export("gatewayPrefixListIds", "map gateway endpoint service -> its prefix list id (egress rules name it)"),
    Export("flowLogGroupName", "log group receiving the VPC flow logs"),
))

REGISTRY = ProjectContract("registry", (
    Export("repositoryUrls", "map service -> ECR repository URL"),
    Export("repositoryArns", "map service -> ECR repository ARN"),
    Export("kmsKeyArn", "KMS key encrypting the repositories"),
))

PLATFORM = ProjectContract("platform", (
    Export("environmentSuffix", "the platform's name suffix; a service stack must use the same one (the platform "
                                "key admits only log groups named log-*-<suffix>)"),
    Export("clusterName", "ECS cluster name"),
    Export("clusterArn", "ECS cluster ARN"),
    Export("albArn", "application load balancer ARN"),
    Export("albDnsName", "ALB DNS name"),
    Export("albZoneId", "ALB hosted zone id, for alias records"),
    Export("albArnSuffix", "ALB ARN suffix, the CloudWatch LoadBalancer dimension"),
    Export("httpListenerArn", "port-80 listener (redirects to HTTPS when a certificate is set)"),
    Export("httpsListenerArn", "port-443 listener, or empty when no certificate is set"),
    Export("serviceListenerArn", "listener that service rules attach to: HTTPS when present, else HTTP"),
    Export("namespaceId", "Cloud Map private DNS namespace id"),
    Export("namespaceName", "Cloud Map namespace name, e.g. trading-dev.internal"),
    Export("namespaceArn", "Cloud Map namespace ARN"),
    Export("serviceSecurityGroupIds", "map service -> its security group id"),
    Export("albSecurityGroupId", "the ALB's security group id"),
    Export("kmsKeyArn", "platform KMS key (secrets, data stores, service log groups)"),
    Export("secretArns", "map secret purpose (catalog Secret value) -> Secrets Manager ARN"),
    Export("storeNames", "map store (catalog Store value) -> name, URL or ARN a task is given"),
    Export("storeArns", "map store (catalog Store value) -> ARN for IAM"),
    Export("alarmTopicArn", "SNS topic that service alarms notify"),
    Export("webAclArn", "WAF web ACL associated with the ALB, or empty when the WAF is off"),
    Export("accessLogBucket", "bucket receiving ALB access logs, or empty when they are off"),
), reads={
    # The endpoints decide the task groups' egress (shared.netpolicy.egress_rules); the private subnets host the
    # JWT rotation function.
    "network": ("vpcId", "publicSubnetIds", "privateSubnetIds", "endpointSecurityGroupId", "interfaceEndpoints",
                "gatewayEndpoints", "gatewayPrefixListIds"),
})

SERVICES = ProjectContract("services", (
    Export("serviceName", "ECS service name"),
    Export("serviceArn", "ECS service ARN"),
    Export("taskDefinitionArn", "task definition ARN (with revision)"),
    Export("logGroupName", "the service's log group"),
    Export("discoveryName", "Cloud Map DNS name callers use"),
    Export("targetGroupArn", "target group ARN, or empty for internal services"),
    Export("deploymentStrategy", "ROLLING or BLUE_GREEN"),
), reads={
    "network": ("vpcId", "privateSubnetIds"),  # target groups need the VPC
    "registry": ("repositoryUrls", "repositoryArns"),
    "platform": ("environmentSuffix", "clusterName", "clusterArn", "serviceListenerArn", "namespaceId", "namespaceName",
                 "serviceSecurityGroupIds", "kmsKeyArn", "secretArns", "storeNames", "storeArns",
                 "alarmTopicArn", "albArnSuffix"),
})

CONTRACTS: dict[str, ProjectContract] = {c.project: c for c in (NETWORK, REGISTRY, PLATFORM, SERVICES)}


def missing_reads(keys: Iterable[str], present: Mapping[str, Any] | None) -> list[str]:
    """The keys a consumer reads that an upstream stack's outputs lack (None counts as absent): the one
    "upstream ready" rule, used inside a program (`shared.stackio.Upstream`) and by the deploy tooling before
    anything changes (`tools.deploy.deploy.check_upstream`)."""
    return [key for key in keys if (present or {}).get(key) is None]


def deploy_command(producer: str, environment: str) -> str:
    """What makes an upstream stack ready: deploying its project."""
    return f"invoke deploy --project {producer} --env {environment}"


class ContractError(ValueError):
    """A consumer reads what its producer does not export, or reads from a project deployed after it."""


def check_contracts(contracts: dict[str, ProjectContract] = CONTRACTS) -> None:
    problems = []
    for consumer in contracts.values():
        for producer_name, keys in consumer.reads.items():
            producer = contracts.get(producer_name)
            if producer is None:
                problems.append(f"{consumer.project} reads from unknown project {producer_name!r}")
                continue
            if PROJECT_ORDER.index(producer_name) >= PROJECT_ORDER.index(consumer.project):
                problems.append(f"{consumer.project} reads from {producer_name}, which deploys after it")
            for key in sorted(set(keys) - producer.export_keys):
                problems.append(f"{consumer.project} reads {producer_name}.{key}, which {producer_name} does not "
                                f"export (exports: {', '.join(sorted(producer.export_keys))})")
    if problems:
        raise ContractError("broken stack contracts:\n" + "\n".join(f"  - {p}" for p in problems))
