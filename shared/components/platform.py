"""The shared platform of one environment: ECS cluster, Cloud Map namespace, network policy, edge and data.

Composed from three components (network policy, edge, data) so each reads on its own; `exports` is exactly
the platform's contract (`shared.contracts.PLATFORM`), which the project exports as is.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared.catalog import SERVICES, Service, validate_catalog
from shared.components import component_type
from shared.components.context import AwsContext, named_opts
from shared.components.platform_data import PlatformData, PlatformDataArgs
from shared.components.platform_edge import PlatformEdge, PlatformEdgeArgs
from shared.components.platform_network import NetworkPolicy, NetworkPolicyArgs
from shared.naming import physical_name
from shared.netpolicy import ALB, ROTATION, Endpoints
from shared.settings.platform import PlatformSettings


def namespace_name(suffix: str) -> str:
    """The private DNS namespace services find each other in: `<service>.trading-<suffix>.internal`."""
    return f"trading-{suffix}.internal"


@dataclass(frozen=True)
class PlatformArgs:
    """Inputs of the platform.

    settings: validated platform settings (shared.settings.platform).
    context: account, partition and region lookups.
    vpc_id: the network stack's VPC (security groups, Cloud Map namespace).
    public_subnet_ids: the network stack's public subnets (the ALB).
    private_subnet_ids: the network stack's private subnets (the rotation function).
    endpoints: the network stack's VPC endpoints (they decide each workload's egress).
    endpoint_security_group_id: the network stack's interface-endpoint group.
    prefix_list_ids: the network stack's gateway endpoint prefix lists, by service.
    services: the catalog; defaults to `shared.catalog.SERVICES` (tests inject another).
    """

    settings: PlatformSettings
    context: AwsContext
    vpc_id: pulumi.Input[str]
    public_subnet_ids: pulumi.Input[Sequence[str]]
    private_subnet_ids: pulumi.Input[Sequence[str]]
    endpoints: pulumi.Input[Endpoints]
    endpoint_security_group_id: pulumi.Input[str]
    prefix_list_ids: pulumi.Input[dict[str, str]]
    services: tuple[Service, ...] = SERVICES


class Platform(pulumi.ComponentResource):
    cluster: aws.ecs.Cluster
    namespace: aws.servicediscovery.PrivateDnsNamespace
    network_policy: NetworkPolicy
    edge: PlatformEdge
    data: PlatformData
    exports: dict[str, pulumi.Input]

    def __init__(self, name: str, args: PlatformArgs, opts: pulumi.ResourceOptions | None = None):
        # Refuse a bad catalog before the cluster exists, not when the network policy reaches it.
        validate_catalog(args.services)
        settings = args.settings
        suffix = settings.common.environment_suffix
        cluster_name = physical_name("cluster", suffix)
        super().__init__(component_type("platform", "Platform"), name, None, opts)

        self.cluster = aws.ecs.Cluster(
            f"{name}-cluster", name=cluster_name,
            settings=[{"name": "containerInsights", "value": settings.container_insights.value}],
            tags={"Name": cluster_name}, opts=named_opts("cluster", self))
        aws.ecs.ClusterCapacityProviders(
            f"{name}-capacity", cluster_name=self.cluster.name, capacity_providers=["FARGATE", "FARGATE_SPOT"],
            default_capacity_provider_strategies=[
                {"capacity_provider": share.provider, "base": share.base, "weight": share.weight}
                for share in settings.capacity],
            opts=pulumi.ResourceOptions(parent=self))
        # The namespace is a DNS domain, not a `<type>-<suffix>` name; two namespaces of one name cannot
        # share a VPC, so a replacement deletes the old one first.
        self.namespace = aws.servicediscovery.PrivateDnsNamespace(
            f"{name}-namespace", name=namespace_name(suffix), vpc=args.vpc_id,
            description=f"Service discovery of environment {suffix}",
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True))

        self.network_policy = NetworkPolicy(f"{name}-network-policy", NetworkPolicyArgs(
            suffix=suffix, vpc_id=args.vpc_id, https=settings.https, endpoints=args.endpoints,
            endpoint_security_group_id=args.endpoint_security_group_id, prefix_list_ids=args.prefix_list_ids,
            services=args.services), opts=pulumi.ResourceOptions(parent=self))
        groups = self.network_policy.groups
        # Data first: the edge's WAF log group is encrypted with the data layer's key.
        self.data = PlatformData(f"{name}-data", PlatformDataArgs(
            settings=settings, context=args.context, private_subnet_ids=args.private_subnet_ids,
            rotation_security_group_id=groups[ROTATION.name].id,
            rotation_network_ready=self.network_policy.endpoint_rule_ids), opts=pulumi.ResourceOptions(parent=self))
        self.edge = PlatformEdge(f"{name}-edge", PlatformEdgeArgs(
            settings=settings, context=args.context, public_subnet_ids=args.public_subnet_ids,
            security_group_id=groups[ALB].id, kms_key_arn=self.data.key.arn), opts=pulumi.ResourceOptions(parent=self))

        edge, data = self.edge, self.data
        self.exports = {
            "environmentSuffix": suffix,
            "clusterName": self.cluster.name,
            "clusterArn": self.cluster.arn,
            "albArn": edge.alb.arn,
            "albDnsName": edge.alb.dns_name,
            "albZoneId": edge.alb.zone_id,
            "albArnSuffix": edge.alb.arn_suffix,
            "httpListenerArn": edge.http_listener.arn,
            "httpsListenerArn": edge.https_listener.arn if edge.https_listener else "",
            "serviceListenerArn": edge.service_listener.arn,
            "namespaceId": self.namespace.id,
            "namespaceName": self.namespace.name,
            "namespaceArn": self.namespace.arn,
            "serviceSecurityGroupIds": {g: sg.id for g, sg in groups.items() if g not in (ALB, ROTATION.name)},
            "albSecurityGroupId": groups[ALB].id,
            "kmsKeyArn": data.key.arn,
            "secretArns": {secret.value: s.arn for secret, s in data.secrets.items()},
            "storeNames": {store.value: value for store, value in data.store_names.items()},
            "storeArns": {store.value: arn for store, arn in data.store_arns.items()},
            "alarmTopicArn": data.alarm_topic.arn,
            "webAclArn": edge.web_acl.arn if edge.web_acl else "",
            "accessLogBucket": edge.access_log_bucket.bucket if edge.access_log_bucket else "",
        }
        self.register_outputs(self.exports)
