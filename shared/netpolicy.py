"""The platform's network policy, derived from the service catalog and the network's endpoints. Pure data, no
Pulumi import.

One security group per catalog service plus the ALB's (and the JWT rotation function's). Ingress follows the
call graph and nothing else (ALB -> public services, caller -> callee, on the callee's port). Egress is closed:
- to each callee's group on its port (the call graph);
- to the network's interface-endpoint group on 443, when an AWS API the workload calls has an interface
  endpoint; the endpoint group's matching ingress rule is created here too (the task groups live in the
  platform stack, so the rules that name them do as well);
- to the S3 / DynamoDB gateway endpoints' prefix lists on 443, when the workload calls those APIs;
- to `0.0.0.0/0` only when the workload needs the internet: a declared external call (its port), or an AWS
  API the environment has no endpoint for (443, through NAT). `internet_reasons` says which.

`network_rules` holds the rules that depend on the catalog alone; `egress_rules` those that also depend on
the network's endpoint list, which the platform reads from the network stack. The platform turns each `Rule`
into one `aws.vpc.SecurityGroupIngressRule` / `SecurityGroupEgressRule`, so a service stack never edits a
group and never depends on another service stack.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from shared.catalog import SERVICES, ExternalCall, Service, Store, callees

ALB = "alb"  # the load balancer's group; the catalog reserves this name (catalog.RESERVED_NAMES)
ENDPOINTS = "endpoints"  # the network stack's interface-endpoint group (reserved too)
INTERNET = "0.0.0.0/0"
HTTP, HTTPS = 80, 443

# AWS APIs every Fargate task of the catalog calls to start: the ECS agent pulls the image from ECR (the
# layers come from S3) and ships stdout through the awslogs driver.
# https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
TASK_START_APIS = ("ecr.api", "ecr.dkr", "s3", "logs")
SECRETS_API = "secretsmanager"
# The endpoint service name of each store's API (`com.amazonaws.<region>.<api>`).
STORE_API: dict[Store, str] = {
    Store.ASSETS_BUCKET: "s3",
    Store.TRADES_TABLE: "dynamodb",
    Store.ORDERS_QUEUE: "sqs",
    Store.EVENTS_TOPIC: "sns",
}


class Direction(Enum):
    INGRESS = "ingress"
    EGRESS = "egress"


@dataclass(frozen=True)
class Rule:
    """One rule of group `group`: traffic on TCP `port` to or from `peer` (a group name), `cidr`, or the
    gateway endpoint of AWS service `prefix_list` (its managed prefix list)."""

    group: str
    direction: Direction
    port: int
    description: str
    peer: str | None = None
    cidr: str | None = None
    prefix_list: str | None = None

    @property
    def key(self) -> str:
        """Stable, unique logical-name part: `<group>-<in|eg>-<peer|pl-<service>|internet>-<port>`."""
        other = self.peer or (f"pl-{self.prefix_list}" if self.prefix_list else "internet")
        return f"{self.group}-{self.direction.value[:2]}-{other}-{self.port}"


@dataclass(frozen=True)
class Endpoints:
    """The VPC endpoints of one environment, by AWS service name (`ecr.api`, `s3`), as the network exports."""

    interface: tuple[str, ...]
    gateway: tuple[str, ...]

    def covers(self, api: str) -> bool:
        return api in self.interface or api in self.gateway


@dataclass(frozen=True)
class Workload:
    """Something with its own security group that calls AWS APIs: a catalog service's tasks, or a function."""

    name: str
    apis: tuple[str, ...]
    external: tuple[ExternalCall, ...] = ()


# The JWT signing-key rotation function (shared/components/platform_data.py): it calls Secrets Manager only
# (KMS is called by Secrets Manager on its behalf; its logs are written by the Lambda service, not its ENIs).
ROTATION = Workload("jwt-rotation", (SECRETS_API,))


def service_apis(service: Service) -> tuple[str, ...]:
    """AWS APIs the tasks of `service` call, each once: starting the task, its secrets, its stores."""
    apis = list(TASK_START_APIS)
    if service.secrets:
        apis.append(SECRETS_API)
    apis += [STORE_API[access.store] for access in service.stores]
    return tuple(dict.fromkeys(apis))


def workloads(services: tuple[Service, ...] = SERVICES, *, rotation: bool = True) -> tuple[Workload, ...]:
    """Every workload of the platform: the catalog's services, then the rotation function."""
    found = tuple(Workload(s.name, service_apis(s), s.external) for s in services)
    return (*found, *((ROTATION,) if rotation else ()))


def internet_reasons(workload: Workload, endpoints: Endpoints) -> dict[int, list[str]]:
    """Why `workload` needs egress to the internet, by port: its declared external calls, and on 443 every AWS
    API that has no endpoint in this environment (reached through NAT). Empty: it needs none."""
    reasons: dict[int, list[str]] = {}
    uncovered = [api for api in workload.apis if not endpoints.covers(api)]
    if uncovered:
        reasons[HTTPS] = [f"AWS APIs without a VPC endpoint via NAT: {', '.join(uncovered)}"]
    for call in workload.external:
        reasons.setdefault(call.port, []).append(call.purpose)
    return dict(sorted(reasons.items()))


def _pair(source: str, target: str, port: int, why: str) -> list[Rule]:
    """Both halves of an allowed flow: egress on the source, ingress on the target, each naming the other."""
    return [Rule(source, Direction.EGRESS, port, f"to {target}: {why}", peer=target),
            Rule(target, Direction.INGRESS, port, f"from {source}: {why}", peer=source)]


def security_groups(services: tuple[Service, ...] = SERVICES, *, rotation: bool = True) -> tuple[str, ...]:
    """The groups the platform owns: the ALB's and one per workload."""
    return (ALB, *(w.name for w in workloads(services, rotation=rotation)))


def network_rules(services: tuple[Service, ...] = SERVICES, *, https: bool) -> list[Rule]:
    """The rules that depend on the catalog alone. `https` opens 443 on the ALB only when an HTTPS listener
    exists."""
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
    return rules


def egress_rules(all_workloads: Iterable[Workload], endpoints: Endpoints) -> list[Rule]:
    """The rules that depend on the network's endpoints: each workload's way to the AWS APIs it calls (and the
    endpoint group's ingress from it), and internet egress only where `internet_reasons` gives a reason."""
    rules: list[Rule] = []
    for workload in all_workloads:
        through_interface = [api for api in workload.apis if api in endpoints.interface]
        if through_interface:
            rules += _pair(workload.name, ENDPOINTS, HTTPS,
                           f"AWS APIs through interface endpoints: {', '.join(through_interface)}")
        for api in (a for a in workload.apis if a in endpoints.gateway and a not in endpoints.interface):
            rules.append(Rule(workload.name, Direction.EGRESS, HTTPS, f"{api} through its gateway endpoint",
                              prefix_list=api))
        for port, reasons in internet_reasons(workload, endpoints).items():
            rules.append(Rule(workload.name, Direction.EGRESS, port, "; ".join(reasons), cidr=INTERNET))
    return rules
