"""The network policy of the platform: one security group per catalog service, the ALB's and the rotation
function's, and the ingress rules of the network's endpoint group that admit them.

Owned here, not by the service stacks, so a service stack never edits another's group and never depends on
another service stack. Rules come from `shared.netpolicy` (the catalog's call graph and the network's
endpoints) and are separate `aws.vpc.SecurityGroup{Ingress,Egress}Rule` resources that reference group ids:
inline rules would make groups that reference each other a cycle, and would fight any separate rule on the
same group.

The rules that depend on the network's endpoint list are registered once that list is read from the network
stack (inside `.apply`): a StackReference's outputs are known at preview as well as at update, so those rules
show in every preview, and `Upstream` fails the run, naming the fix, when the network stack lacks the list.
"""
from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared.catalog import SERVICES, Service, validate_catalog
from shared.components import component_type
from shared.naming import physical_name
from shared.netpolicy import (
    ALB,
    ENDPOINTS,
    Direction,
    Endpoints,
    Rule,
    egress_rules,
    network_rules,
    security_groups,
    workloads,
)


@dataclass(frozen=True)
class NetworkPolicyArgs:
    """Inputs of the network policy.

    suffix: the environmentSuffix of physical names.
    vpc_id: the network stack's VPC.
    https: whether the ALB has an HTTPS listener (opens 443 on the ALB group only then).
    endpoints: the network's VPC endpoints (they decide each workload's egress).
    endpoint_security_group_id: the network's interface-endpoint group (its ingress rules are created here).
    prefix_list_ids: gateway endpoint service -> prefix list id, from the network.
    services: the catalog; defaults to `shared.catalog.SERVICES` (tests inject another).
    """

    suffix: str
    vpc_id: pulumi.Input[str]
    https: bool
    endpoints: pulumi.Input[Endpoints]
    endpoint_security_group_id: pulumi.Input[str]
    prefix_list_ids: pulumi.Input[dict[str, str]]
    services: tuple[Service, ...] = SERVICES


class NetworkPolicy(pulumi.ComponentResource):
    groups: dict[str, aws.ec2.SecurityGroup]
    rules: list[Rule]                        # the catalog's rules
    # The ids of the rules the network's endpoints decide (created inside an apply on the network's outputs): a
    # resource that must reach AWS through the endpoints as soon as it exists takes this as an input.
    endpoint_rule_ids: pulumi.Output[list[str]]

    def __init__(self, name: str, args: NetworkPolicyArgs, opts: pulumi.ResourceOptions | None = None):
        services = validate_catalog(args.services)
        names = {group: physical_name("secgroup", args.suffix, group) for group in security_groups(services)}
        description = {ALB: "Application load balancer", "jwt-rotation": "JWT signing-key rotation function"}
        rules = network_rules(services, https=args.https)
        super().__init__(component_type("platform", "NetworkPolicy"), name, None, opts)
        self.rules = rules

        # Without inline rules the provider removes the allow-all egress rule AWS adds to a new group, so
        # each group allows exactly the rules below.
        self.groups = {
            group: aws.ec2.SecurityGroup(
                f"{name}-{group}", name_prefix=f"{physical}-", vpc_id=args.vpc_id,
                description=description.get(group, f"Tasks of service {group}"),
                tags={"Name": physical}, opts=pulumi.ResourceOptions(parent=self))
            for group, physical in names.items()}
        group_ids: dict[str, pulumi.Input[str]] = {g: sg.id for g, sg in self.groups.items()}
        group_ids[ENDPOINTS] = args.endpoint_security_group_id
        for rule in self.rules:
            self._rule(name, rule, group_ids, {})
        all_workloads = workloads(services)

        def endpoint_rules(values: list) -> pulumi.Output[list[str]]:
            endpoints, prefix_lists = values
            created = [self._rule(name, rule, group_ids, prefix_lists)
                       for rule in egress_rules(all_workloads, endpoints)]
            return pulumi.Output.all(*[resource.id for resource in created])

        self.endpoint_rule_ids = pulumi.Output.all(args.endpoints, args.prefix_list_ids).apply(endpoint_rules)

        self.register_outputs({"securityGroupIds": {g: sg.id for g, sg in self.groups.items()}})

    def _rule(self, name: str, rule: Rule, group_ids: dict[str, pulumi.Input[str]],
              prefix_lists: dict[str, str]) -> pulumi.CustomResource:
        """One rule resource; its peer is a group (by name), a gateway's prefix list or a CIDR."""
        kind = (aws.vpc.SecurityGroupIngressRule if rule.direction is Direction.INGRESS
                else aws.vpc.SecurityGroupEgressRule)
        return kind(f"{name}-{rule.key}", security_group_id=group_ids[rule.group], ip_protocol="tcp",
                    from_port=rule.port, to_port=rule.port, description=rule.description,
                    referenced_security_group_id=group_ids[rule.peer] if rule.peer else None,
                    prefix_list_id=prefix_lists[rule.prefix_list] if rule.prefix_list else None,
                    cidr_ipv4=rule.cidr, opts=pulumi.ResourceOptions(parent=self))
