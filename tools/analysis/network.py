"""Security-group rules and routes of the plan, as the reachability and call-path checks read them.

A security group created by the provider starts with no rules at all (the provider removes the default
allow-all egress), so only the plan's `aws.vpc.SecurityGroup{Ingress,Egress}Rule` resources open anything.
A rule's peer is a security group, an IPv4 CIDR or a managed prefix list (a gateway endpoint's).
Inline `ingress`/`egress` blocks are not read (the policy pack refuses them): a path they alone open is
reported closed, an error on the safe side. Routes come from `aws.ec2.Route` resources and subnet
associations; a subnet without an association uses the VPC's main route table, which the plan cannot show.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from tools.analysis.plan import EGRESS_RULE, INGRESS_RULE, SUBNET, Plan, Resource

ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
ROUTE = "aws:ec2/route:Route"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
INTERNET = "0.0.0.0/0"
ALL_PROTOCOLS = ("-1", "all")
TCP = ("tcp", "6")


@dataclass(frozen=True)
class Rule:
    """One rule of group `group_id`, normalised from its rule resource."""

    source: str  # label of the resource holding the rule
    group_id: str
    ingress: bool
    protocol: str
    from_port: int
    to_port: int
    cidr: str | None
    peer_group: str | None
    prefix_list: str | None = None

    def opens(self, port: int) -> bool:
        if self.protocol in ALL_PROTOCOLS:
            return True
        return self.protocol in TCP and self.from_port <= port <= self.to_port

    def admits(self, groups: Iterable[str], cidrs: Iterable[str], prefix_lists: Iterable[str] = ()) -> bool:
        """The rule's peer is one of `groups` or `prefix_lists`, or its CIDR holds every one of `cidrs`."""
        if self.peer_group is not None:
            return self.peer_group in set(groups)
        if self.prefix_list is not None:
            return self.prefix_list in set(prefix_lists)
        if self.cidr is None:
            return False  # an IPv6 peer: not read, so never counted as open
        wanted = [ipaddress.IPv4Network(c) for c in cidrs]  # subnets' cidrBlock: IPv4 (IPv6 peers are not read)
        return bool(wanted) and all(ipaddress.IPv4Network(self.cidr).supernet_of(w) for w in wanted)

    @property
    def peer(self) -> str:
        return self.peer_group or self.prefix_list or self.cidr or "?"


def _port(value, default: int) -> int:
    return default if value is None else int(value)


def rules(plan: Plan, group_ids: Iterable[str], *, ingress: bool) -> list[Rule]:
    groups = set(group_ids)
    found = []
    for resource in plan.of_type(INGRESS_RULE if ingress else EGRESS_RULE):
        if resource.get("securityGroupId") in groups:
            found.append(Rule(resource.label, resource.get("securityGroupId"), ingress,
                              str(resource.get("ipProtocol", "")).lower(), _port(resource.get("fromPort"), 0),
                              _port(resource.get("toPort"), 65535), resource.get("cidrIpv4"),
                              resource.get("referencedSecurityGroupId"), resource.get("prefixListId")))
    return found


def opening(found: list[Rule], port: int, *, groups: Iterable[str] = (), cidrs: Iterable[str] = (),
            prefix_lists: Iterable[str] = ()) -> Rule | None:
    groups, cidrs, prefix_lists = list(groups), list(cidrs), list(prefix_lists)
    return next((r for r in found if r.opens(port) and r.admits(groups, cidrs, prefix_lists)), None)


def group_ids(groups: list[Resource]) -> list[str]:
    return [g.id for g in groups if g.id is not None]


def cidrs(subnets: list[Resource]) -> list[str]:
    return [s.get("cidrBlock") for s in subnets]


def route_table_id(plan: Plan, subnet: Resource) -> str | None:
    return next((a.get("routeTableId") for a in plan.of_type(ROUTE_TABLE_ASSOCIATION)
                 if a.get("subnetId") == subnet.id), None)


def default_route(plan: Plan, table_id: str | None) -> Resource | None:
    return next((r for r in plan.of_type(ROUTE) if r.get("routeTableId") == table_id
                 and r.get("destinationCidrBlock") == INTERNET), None)


def nat_path(plan: Plan, subnet: Resource) -> tuple[bool, str]:
    """Whether `subnet` reaches the internet through a NAT gateway whose own subnet routes to an internet
    gateway, and the evidence (or what is missing) in words."""
    table = route_table_id(plan, subnet)
    if table is None:
        return False, f"subnet {subnet.label} has no route table association (the main table is not in the plan)"
    route = default_route(plan, table)
    nat = plan.by_id(NAT_GATEWAY, route.get("natGatewayId", "")) if route else None
    if nat is None:
        return False, f"route table {table} has no {INTERNET} route to a NAT gateway of the plan"
    nat_subnet = plan.by_id(SUBNET, nat.get("subnetId", ""))
    nat_route = default_route(plan, route_table_id(plan, nat_subnet)) if nat_subnet else None
    if nat_route is None or plan.by_id(INTERNET_GATEWAY, nat_route.get("gatewayId", "")) is None:
        return False, f"NAT gateway {nat.label} sits in no subnet routing {INTERNET} to an internet gateway"
    return True, f"route table {table} sends {INTERNET} to NAT gateway {nat.label}"


def endpoint_service(endpoint: Resource) -> str:
    """`com.amazonaws.us-east-1.ecr.api` -> `ecr.api`."""
    return str(endpoint.get("serviceName", "")).split(".", 3)[-1]
