"""The platform's network policy, derived from the service catalog alone. Pure data, no Pulumi import.

One security group per catalog service plus the ALB's. Ingress follows the call graph and nothing else
(ALB -> public services, caller -> callee, on the callee's port); egress is HTTPS to anywhere (AWS APIs through
NAT or VPC endpoints, and declared external calls) plus the ports of the services a service calls. The
platform turns each `Rule` into one `aws.vpc.SecurityGroupIngressRule` / `SecurityGroupEgressRule`, so a
service stack never edits a group and never depends on another service stack.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from shared.catalog import SERVICES, Service, callees

ALB = "alb"  # the load balancer's group; the catalog reserves this name (catalog.RESERVED_NAMES)
INTERNET = "0.0.0.0/0"
HTTP, HTTPS = 80, 443


class Direction(Enum):
    INGRESS = "ingress"
    EGRESS = "egress"


@dataclass(frozen=True)
class Rule:
    """One rule of group `group`: traffic on TCP `port` to or from `peer` (a group name) or `cidr`."""

    group: str
    direction: Direction
    port: int
    description: str
    peer: str | None = None
    cidr: str | None = None

    @property
    def key(self) -> str:
        """Stable, unique logical-name part: `<group>-<in|eg>-<peer|internet>-<port>`."""
        other = self.peer or "internet"
        return f"{self.group}-{self.direction.value[:2]}-{other}-{self.port}"


def _pair(source: str, target: str, port: int, why: str) -> list[Rule]:
    """Both halves of an allowed flow: egress on the source, ingress on the target, each naming the other."""
    return [Rule(source, Direction.EGRESS, port, f"to {target}: {why}", peer=target),
            Rule(target, Direction.INGRESS, port, f"from {source}: {why}", peer=source)]


def security_groups(services: tuple[Service, ...] = SERVICES) -> tuple[str, ...]:
    return (ALB,) + tuple(s.name for s in services)


def network_rules(services: tuple[Service, ...] = SERVICES, *, https: bool) -> list[Rule]:
    """Every rule of every group. `https` opens 443 on the ALB only when an HTTPS listener exists."""
    rules = [Rule(ALB, Direction.INGRESS, HTTP, "HTTP from the internet (redirected to HTTPS when enabled)",
                  cidr=INTERNET)]
    if https:
        rules.append(Rule(ALB, Direction.INGRESS, HTTPS, "HTTPS from the internet", cidr=INTERNET))
    for service in services:
        if service.public is not None:
            rules += _pair(ALB, service.name, service.port, f"public route {service.public.path_pattern}")
    for service in services:
        for callee in callees(service, services):
            rules += _pair(service.name, callee.name, callee.port, "catalog call graph")
    for service in services:
        ports = sorted({HTTPS} | {call.port for call in service.external})
        for port in ports:
            why = ", ".join(c.purpose for c in service.external if c.port == port)
            aws = "AWS APIs via NAT or VPC endpoints" if port == HTTPS else ""
            rules.append(Rule(service.name, Direction.EGRESS, port,
                              "; ".join(part for part in (aws, why) if part), cidr=INTERNET))
    return rules
