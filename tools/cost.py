"""A monthly cost estimate read from an offline plan: what each priced resource costs, at minimum and maximum capacity.

Counts and sizes come from the plan's inputs (task definition cpu/memory, the autoscaling target's min and max,
the ECS service's capacity provider strategy or else the cluster's default, NAT gateways, interface endpoints
and their subnets, load balancers, EIPs, web ACL rules, keys, secrets, discovery services, log groups,
alarms); prices and traffic assumptions come from `tools/prices.py`. Fargate tasks split between on-demand
and Spot as ECS places them: each provider's `base` first, the rest by `weight` (fractional tasks: an
expected value). Only Fargate and Cloud Map instances scale with the task count; every other item is the
same in both columns.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tools.plan_diff import plan_here, plan_ref, read_plan_file
from tools.prices import HOURS_PER_MONTH, NOT_ESTIMATED, PRICES, Traffic, traffic

SPOT = "FARGATE_SPOT"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
ECS_SERVICE = "aws:ecs/service:Service"
SCALING_TARGET = "aws:appautoscaling/target:Target"
CLUSTER_CAPACITY = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"


class CostError(ValueError):
    """The plan holds something this estimate cannot price (another architecture, an unreadable size)."""


@dataclass(frozen=True)
class LineItem:
    item: str
    detail: str
    minimum: float  # USD per month at minimum capacity
    maximum: float  # at maximum capacity


@dataclass(frozen=True)
class Estimate:
    environment: str
    items: tuple[LineItem, ...]

    @property
    def minimum(self) -> float:
        return sum(i.minimum for i in self.items)

    @property
    def maximum(self) -> float:
        return sum(i.maximum for i in self.items)


def price(key: str) -> float:
    return PRICES[key].amount


def hourly(key: str, count: float = 1) -> float:
    """`count` things billed per hour, for a month."""
    return count * price(key) * HOURS_PER_MONTH


def _resources(document: Mapping, typ: str) -> Iterator[tuple[str, Mapping]]:
    for stack in document["stacks"]:
        for resource in stack["resources"]:
            if resource["type"] == typ:
                yield f"{stack['project']}/{stack['stack']}", resource


def _count(document: Mapping, typ: str) -> int:
    return sum(1 for _ in _resources(document, typ))


def _n(value: float) -> str:
    return f"{value:g}"


# --- Fargate ------------------------------------------------------------------------------------------------------
def spot_share(tasks: float, strategy: Sequence[Mapping]) -> float:
    """Tasks on Spot out of `tasks`: every provider's base first (in strategy order), the rest by weight."""
    remaining, spot = tasks, 0.0
    for entry in strategy:
        placed = min(float(entry.get("base", 0)), remaining)
        remaining -= placed
        spot += placed if entry["capacityProvider"] == SPOT else 0.0
    weights = sum(float(e.get("weight", 0)) for e in strategy)
    if weights:
        spot += remaining * sum(float(e.get("weight", 0)) for e in strategy if e["capacityProvider"] == SPOT) / weights
    return spot


def task_month(cpu_units: float, memory_mb: float, spot: bool = False) -> float:
    """One task running all month."""
    on_demand = hourly("fargate_vcpu_hour", cpu_units / 1024) + hourly("fargate_gb_hour", memory_mb / 1024)
    return on_demand * (1 - price("fargate_spot_discount")) if spot else on_demand


@dataclass(frozen=True)
class FargateService:
    stack: str
    name: str
    cpu: float  # units (1024 = 1 vCPU)
    memory: float  # MiB
    minimum: float
    maximum: float
    strategy: tuple[Mapping, ...]
    discovery: bool  # registers its tasks in Cloud Map

    def monthly(self, tasks: float) -> float:
        spot = spot_share(tasks, self.strategy)
        return task_month(self.cpu, self.memory) * (tasks - spot) + task_month(self.cpu, self.memory, True) * spot


def _family(task_definition_arn: str) -> str:
    return str(task_definition_arn).rsplit("/", 1)[-1].split(":")[0]


def fargate_services(document: Mapping) -> list[FargateService]:
    definitions = {r["inputs"].get("family"): r["inputs"] for _, r in _resources(document, TASK_DEFINITION)}
    targets = {r["inputs"].get("resourceId", "").rsplit("/", 1)[-1]: r["inputs"]
               for _, r in _resources(document, SCALING_TARGET) if r["inputs"].get("serviceNamespace") == "ecs"}
    default: Sequence[Mapping] = next((r["inputs"].get("defaultCapacityProviderStrategies", [])
                    for _, r in _resources(document, CLUSTER_CAPACITY)), [])
    found = []
    for stack, resource in _resources(document, ECS_SERVICE):
        inputs = resource["inputs"]
        definition = definitions.get(_family(inputs.get("taskDefinition", "")))
        if definition is None:
            raise CostError(f"{stack} {resource['name']}: its task definition is not in the plan")
        architecture = (definition.get("runtimePlatform") or {}).get("cpuArchitecture", "X86_64")
        if architecture != "X86_64":
            raise CostError(f"{stack} {resource['name']}: {architecture} tasks are not in the price table")
        target = targets.get(inputs.get("name", ""), {})
        desired = float(inputs.get("desiredCount", 1))
        if inputs.get("capacityProviderStrategies"):
            strategy = inputs["capacityProviderStrategies"]
        elif inputs.get("launchType"):
            strategy = [{"capacityProvider": inputs["launchType"], "weight": 1}]
        else:
            strategy = default
        found.append(FargateService(stack, inputs.get("name", resource["name"]), float(definition["cpu"]),
                                    float(definition["memory"]), float(target.get("minCapacity", desired)),
                                    float(target.get("maxCapacity", desired)), tuple(strategy),
                                    bool(inputs.get("serviceRegistries"))))
    return found


def fargate_items(services: Sequence[FargateService]) -> list[LineItem]:
    items = []
    for s in services:
        share = [spot_share(n, s.strategy) / n if n else 0.0 for n in (s.minimum, s.maximum)]
        detail = (f"{_n(s.minimum)}..{_n(s.maximum)} tasks x {_n(s.cpu / 1024)} vCPU / {_n(s.memory / 1024)} GB, "
                  f"Spot {share[0]:.0%}..{share[1]:.0%}")
        items.append(LineItem(f"Fargate {s.stack}", detail, s.monthly(s.minimum), s.monthly(s.maximum)))
    return items


# --- everything else ----------------------------------------------------------------------------------------------
def _fixed(item: str, detail: str, dollars: float) -> LineItem:
    return LineItem(item, detail, dollars, dollars)


def network_items(document: Mapping, usage: Traffic) -> list[LineItem]:
    items = []
    nats = _count(document, "aws:ec2/natGateway:NatGateway")
    if nats:
        items.append(_fixed("NAT gateways", f"{nats} x {HOURS_PER_MONTH} h + {_n(usage.nat_gb)} GB processed",
                            hourly("nat_gateway_hour", nats) + usage.nat_gb * price("nat_gateway_gb")))
    endpoints = [r["inputs"] for _, r in _resources(document, "aws:ec2/vpcEndpoint:VpcEndpoint")
                 if r["inputs"].get("vpcEndpointType") == "Interface"]
    if endpoints:
        azs = sum(len(e.get("subnetIds", [])) for e in endpoints)
        items.append(_fixed("Interface endpoints",
                            f"{len(endpoints)} endpoints, {azs} AZ-ENIs x {HOURS_PER_MONTH} h + "
                            f"{_n(usage.endpoint_gb)} GB processed",
                            hourly("interface_endpoint_az_hour", azs)
                            + usage.endpoint_gb * price("interface_endpoint_gb")))
    albs = [r["inputs"] for _, r in _resources(document, "aws:lb/loadBalancer:LoadBalancer")
            if r["inputs"].get("loadBalancerType", "application") == "application"]
    if albs:
        items.append(_fixed("Application load balancers",
                            f"{len(albs)} x {HOURS_PER_MONTH} h + {_n(usage.alb_lcu)} LCU each (assumed)",
                            hourly("alb_hour", len(albs)) + hourly("alb_lcu_hour", usage.alb_lcu * len(albs))))
    eips = _count(document, "aws:ec2/eip:Eip")
    alb_ips = sum(len(a.get("subnets", [])) for a in albs if not a.get("internal", False))
    if eips or alb_ips:
        items.append(_fixed("Public IPv4 addresses", f"{eips} EIPs + {alb_ips} of the public ALBs (one per AZ)",
                            hourly("public_ipv4_hour", eips + alb_ips)))
    return items


def service_items(document: Mapping, usage: Traffic, services: Sequence[FargateService]) -> list[LineItem]:
    items = []
    acls = [r["inputs"] for _, r in _resources(document, "aws:wafv2/webAcl:WebAcl")]
    if acls:
        rules = sum(len(a.get("rules", [])) for a in acls)
        items.append(_fixed("WAF", f"{len(acls)} web ACLs, {rules} rules, {_n(usage.waf_million_requests)}M requests",
                            len(acls) * price("waf_web_acl_month") + rules * price("waf_rule_month")
                            + usage.waf_million_requests * price("waf_million_requests")))
    for typ, item, key in (("aws:kms/key:Key", "KMS keys", "kms_key_month"),
                           ("aws:secretsmanager/secret:Secret", "Secrets Manager secrets", "secret_month"),
                           ("aws:cloudwatch/metricAlarm:MetricAlarm", "CloudWatch alarms", "alarm_month")):
        count = _count(document, typ)
        if count:
            items.append(_fixed(item, f"{count} x ${price(key):.2f}/month", count * price(key)))
    zones = _count(document, "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace")
    registered = [s for s in services if s.discovery]
    if zones or registered:
        low, high = (sum(getattr(s, side) for s in registered) for side in ("minimum", "maximum"))
        each = price("cloud_map_instance_month")
        items.append(LineItem("Cloud Map", f"{zones} namespaces (hosted zones), {_n(low)}..{_n(high)} instances",
                              zones * price("hosted_zone_month") + low * each,
                              zones * price("hosted_zone_month") + high * each))
    groups = _count(document, "aws:cloudwatch/logGroup:LogGroup")
    if groups:
        items.append(_fixed("CloudWatch Logs", f"{groups} log groups x {_n(usage.log_gb_per_group)} GB ingested",
                            groups * usage.log_gb_per_group * price("logs_ingested_gb")))
    return items


def estimate(document: Mapping) -> Estimate:
    environment = document["environment"]
    usage = traffic(environment)
    services = fargate_services(document)
    return Estimate(environment, tuple(fargate_items(services) + network_items(document, usage)
                                       + service_items(document, usage, services)))


# --- rendering ----------------------------------------------------------------------------------------------------
def _money(value: float) -> str:
    return f"${value:,.2f}"


def _signed(value: float) -> str:
    return f"{'+' if value >= 0 else '-'}${abs(value):,.2f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], markdown: bool) -> list[str]:
    """Money columns right-aligned; the last column (the detail) left as it is."""
    if markdown:
        return [f"| {' | '.join(header)} |", f"|{'|'.join(['---'] + ['---:'] * (len(header) - 2) + ['---'])}|",
                *(f"| {' | '.join(row)} |" for row in rows)]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return ["  ".join([row[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(row[1:-1], widths[1:-1], strict=True)),
                       row[-1]]).rstrip() for row in [header, *rows]]


def render(estimates: Sequence[Estimate], markdown: bool = False) -> str:
    out = []
    for e in estimates:
        out.append(f"### Monthly cost: {e.environment}" if markdown else f"== monthly cost: {e.environment}")
        rows = [(i.item, _money(i.minimum), _money(i.maximum), i.detail) for i in e.items]
        rows.append(("total", _money(e.minimum), _money(e.maximum), "USD per month, us-east-1 list prices"))
        out += _table(("item", "at minimum", "at maximum", "detail"), rows, markdown)
    out.append(_footer(markdown))
    return "\n".join(out) + "\n"


def render_delta(pairs: Sequence[tuple[Estimate, Estimate]], markdown: bool = False) -> str:
    """Base against head, per item (an item only one side has counts as zero on the other)."""
    out = []
    for base, head in pairs:
        out.append(f"### Cost change: {head.environment}" if markdown else f"== cost change: {head.environment}")
        old = {i.item: i for i in base.items}
        new = {i.item: i for i in head.items}
        rows = []
        for name in [*new, *(n for n in old if n not in new)]:
            before = old.get(name, LineItem(name, "", 0, 0))
            after = new.get(name, LineItem(name, "", 0, 0))
            if (before.minimum, before.maximum) != (after.minimum, after.maximum):
                rows.append((name, _money(before.minimum), _money(after.minimum),
                             _signed(after.minimum - before.minimum), _signed(after.maximum - before.maximum)))
        rows.append(("total", _money(base.minimum), _money(head.minimum), _signed(head.minimum - base.minimum),
                     _signed(head.maximum - base.maximum)))
        out += _table(("item", "base (min)", "head (min)", "change (min)", "change (max)"), rows, markdown)
    out.append(_footer(markdown))
    return "\n".join(out) + "\n"


def _footer(markdown: bool) -> str:
    text = (f"Prices: tools/prices.py (list prices recalled from the AWS pricing pages, not fetched). "
            f"Not estimated: {'; '.join(NOT_ESTIMATED)}.")
    return f"\n_{text}_" if markdown else text


FORMATS = ("text", "markdown")


def main(environments: Sequence[str], base: str | None = None, plan_file: Path | None = None, fmt: str = "text",
         plan_base: Callable[..., dict] = plan_ref, plan_head: Callable[..., dict] = plan_here) -> str:
    """What `./dev cost` prints: the estimate of each environment's plan (this checkout's, or `plan_file`), or
    with `base` the change from the base ref's plans (planned in a worktree, as plan-diff does)."""
    if fmt not in FORMATS:
        raise CostError(f"unknown format {fmt!r}; use {' or '.join(FORMATS)}")
    markdown = fmt == "markdown"
    if plan_file is not None:
        if base:
            raise CostError("give --plan or --base, not both")
        return render([estimate(read_plan_file(plan_file))], markdown)
    head = plan_head(environments)
    if base:
        old = plan_base(base, environments)
        return render_delta([(estimate(old.get(env) or {"environment": env, "stacks": []}), estimate(head[env]))
                             for env in environments], markdown)
    return render([estimate(head[env]) for env in environments], markdown)
