"""The network policy of the platform: one security group per catalog service plus the ALB's.

Owned here, not by the service stacks, so a service stack never edits another's group and never depends on
another service stack. Rules come from `shared.netpolicy` (the catalog's call graph) and are separate
`aws.vpc.SecurityGroup{Ingress,Egress}Rule` resources that reference group ids: inline rules would make
groups that reference each other a cycle, and would fight any separate rule on the same group.
"""
from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared.catalog import SERVICES, Service, validate_catalog
from shared.components import component_type
from shared.naming import physical_name
from shared.netpolicy import ALB, Direction, Rule, network_rules, security_groups


@dataclass(frozen=True)
class NetworkPolicyArgs:
    """Inputs of the network policy.

    suffix: the environmentSuffix of physical names.
    vpc_id: the network stack's VPC.
    https: whether the ALB has an HTTPS listener (opens 443 on the ALB group only then).
    services: the catalog; defaults to `shared.catalog.SERVICES` (tests inject another).
    """

    suffix: str
    vpc_id: pulumi.Input[str]
    https: bool
    services: tuple[Service, ...] = SERVICES


class NetworkPolicy(pulumi.ComponentResource):
    groups: dict[str, aws.ec2.SecurityGroup]
    rules: list[Rule]

    def __init__(self, name: str, args: NetworkPolicyArgs, opts: pulumi.ResourceOptions | None = None):
        services = validate_catalog(args.services)
        names = {group: physical_name("secgroup", args.suffix, group) for group in security_groups(services)}
        rules = network_rules(services, https=args.https)
        super().__init__(component_type("platform", "NetworkPolicy"), name, None, opts)
        self.rules = rules

        # Without inline rules the provider removes the allow-all egress rule AWS adds to a new group, so
        # each group allows exactly the rules below.
        self.groups = {
            group: aws.ec2.SecurityGroup(
                f"{name}-{group}", name_prefix=f"{physical}-", vpc_id=args.vpc_id,
                description="Application load balancer" if group == ALB else f"Tasks of service {group}",
                tags={"Name": physical}, opts=pulumi.ResourceOptions(parent=self))
            for group, physical in names.items()}
        for rule in self.rules:
            self._rule(name, rule)

        self.register_outputs({"securityGroupIds": {g: sg.id for g, sg in self.groups.items()}})

    def _rule(self, name: str, rule: Rule) -> None:
        peer = ({"referenced_security_group_id": self.groups[rule.peer].id} if rule.peer
                else {"cidr_ipv4": rule.cidr})
        kind = (aws.vpc.SecurityGroupIngressRule if rule.direction is Direction.INGRESS
                else aws.vpc.SecurityGroupEgressRule)
        kind(f"{name}-{rule.key}", security_group_id=self.groups[rule.group].id, ip_protocol="tcp",
             from_port=rule.port, to_port=rule.port, description=rule.description, **peer,
             opts=pulumi.ResourceOptions(parent=self))
