"""Service call paths: every call the catalog declares is open, and nothing else reaches a service.

For each caller -> callee edge, the caller's groups let the callee's port out to the callee and the callee's
groups let it in from the caller (security groups are stateful, so the reply needs nothing more). The ALB
reaches each public service the same way, and the service is registered in a target group that a listener
rule of that ALB forwards to. Every other ingress rule on a service's groups is an error: a service is
reached by its catalog callers (and the ALB when public), on its port, and by nothing else.
"""
from __future__ import annotations

from shared.catalog import PublicRoute, callees
from tools.analysis import network
from tools.analysis.findings import CALL_PATHS, failed, passed
from tools.analysis.plan import SECURITY_GROUP, SUBNET, Plan, Resource, ServiceView
from tools.findings import Finding

LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"


class Endpoint:
    """One side of a path: a name for messages, its security groups and its subnets."""

    def __init__(self, name: str, groups: list[Resource], subnets: list[Resource]):
        self.name = name
        self.groups = groups
        self.subnets = subnets
        self.group_ids = network.group_ids(groups)
        self.label = ", ".join(g.label for g in groups) or "no security group"


def _view_endpoint(view: ServiceView) -> Endpoint:
    return Endpoint(view.service.name, view.security_groups, view.subnets)


def _path(plan: Plan, source: Endpoint, target: Endpoint, port: int, subject_out: str,
          subject_in: str) -> list[Finding]:
    """Both halves of one flow: egress on the source side, ingress on the target side."""
    out = network.opening(network.rules(plan, source.group_ids, ingress=False), port, groups=target.group_ids,
                          cidrs=network.cidrs(target.subnets))
    into = network.opening(network.rules(plan, target.group_ids, ingress=True), port, groups=source.group_ids,
                           cidrs=network.cidrs(source.subnets))
    findings = []
    if out is None:
        findings.append(failed(CALL_PATHS, subject_out, source.label,
                               f"no egress on port {port} from {source.name} to {target.name}'s groups "
                               f"{target.group_ids} (or its subnets); {source.name} cannot call {target.name}"))
    else:
        findings.append(passed(CALL_PATHS, subject_out, source.label,
                               f"{source.name} -> {target.name}:{port} out by {out.source}"))
    if into is None:
        findings.append(failed(CALL_PATHS, subject_in, target.label,
                               f"no ingress on port {port} from {source.name}'s groups {source.group_ids} (or its "
                               f"subnets); {source.name} cannot call {target.name}"))
    else:
        findings.append(passed(CALL_PATHS, subject_in, target.label,
                               f"{source.name} -> {target.name}:{port} in by {into.source}"))
    return findings


def _load_balancer(plan: Plan) -> tuple[Resource | None, Endpoint]:
    albs = [lb for lb in plan.of_type(LOAD_BALANCER) if lb.get("loadBalancerType", "application") == "application"]
    alb = albs[0] if albs else None
    groups = [g for g in (plan.by_id(SECURITY_GROUP, i) for i in (alb.get("securityGroups") or [] if alb else [])) if g]
    subnets = [s for s in (plan.by_id(SUBNET, i) for i in (alb.get("subnets") or [] if alb else [])) if s]
    return alb, Endpoint("the ALB", groups, subnets)


def _forwards_to(rule: Resource, target_group_arn: str) -> bool:
    for action in rule.get("actions") or []:
        forward = action.get("forward") or {}
        if action.get("targetGroupArn") == target_group_arn or any(
                t.get("arn") == target_group_arn for t in forward.get("targetGroups") or []):
            return True
    return False


def _routing(plan: Plan, view: ServiceView, route: PublicRoute, alb: Resource) -> Finding:
    """The ECS service registers its port in a target group that a rule of the ALB's listeners forwards to."""
    name, port = view.service.name, view.service.port
    binding = next((b for b in view.ecs_service.get("loadBalancers") or [] if b.get("containerPort") == port), None)
    if binding is None:
        return failed(CALL_PATHS, name, view.ecs_service.label,
                      f"no loadBalancers entry registers container port {port} in a target group; the ALB cannot "
                      f"send traffic to the tasks")
    target_group = plan.by_arn(binding.get("targetGroupArn", ""), TARGET_GROUP)
    if target_group is None or target_group.get("targetType") != "ip":
        return failed(CALL_PATHS, name, view.ecs_service.label,
                      f"target group {binding.get('targetGroupArn')} is not an 'ip' target group of the plan "
                      f"(awsvpc tasks register by IP)")
    listeners = {lst.arn for lst in plan.of_type(LISTENER) if lst.get("loadBalancerArn") == alb.arn}
    rule = next((r for r in plan.of_type(LISTENER_RULE)
                 if r.get("listenerArn") in listeners and _forwards_to(r, target_group.arn)), None)
    if rule is None:
        return failed(CALL_PATHS, name, target_group.label,
                      f"no listener rule of {alb.label} forwards to the target group; "
                      f"{route.path_pattern} never reaches {name}")
    return passed(CALL_PATHS, name, target_group.label,
                  f"{rule.label} on {alb.label} forwards {route.path_pattern} to port {port}")


def _nothing_else(plan: Plan, view: ServiceView, allowed: dict[str, str]) -> list[Finding]:
    """Every ingress rule of the service's groups admits an allowed peer group on the service's port only."""
    name, port = view.service.name, view.service.port
    findings = []
    for rule in network.rules(plan, network.group_ids(view.security_groups), ingress=True):
        exact = rule.protocol in network.TCP and rule.from_port == rule.to_port == port
        if rule.peer_group in allowed and exact:
            findings.append(passed(CALL_PATHS, name, rule.source, f"ingress from {allowed[rule.peer_group]} on {port}"))
        else:
            who = ", ".join(sorted(set(allowed.values()))) or "nothing"
            findings.append(failed(CALL_PATHS, name, rule.source,
                                   f"ingress from {rule.peer} on {rule.protocol} {rule.from_port}-{rule.to_port} is "
                                   f"not a catalog call: only {who} may reach {name}, on port {port}; remove "
                                   f"the rule"))
    return findings


def check(plan: Plan) -> list[Finding]:
    findings: list[Finding] = []
    alb, alb_side = _load_balancer(plan)
    for view in plan.views:
        service = view.service
        allowed: dict[str, str] = {}
        for callee in callees(service, plan.services):
            target = plan.view(callee.name)
            if target is not None:
                findings += _path(plan, _view_endpoint(view), _view_endpoint(target), callee.port, service.name,
                                  callee.name)
        # A caller missing from the plan (already a wiring failure) leaves its groups unknown: judging the
        # callee's ingress without them would blame its correct rules.
        sources = [plan.view(caller) for caller in service.callers]
        for source in (s for s in sources if s is not None):
            allowed.update(dict.fromkeys(network.group_ids(source.security_groups), source.service.name))
        route = service.public
        if route is not None:
            if alb is None:
                findings.append(failed(CALL_PATHS, service.name, view.ecs_service.label,
                                       "the catalog makes the service public, but the plan holds no application "
                                       "load balancer"))
                continue
            findings += _path(plan, alb_side, _view_endpoint(view), service.port, service.name, service.name)
            findings.append(_routing(plan, view, route, alb))
            allowed.update(dict.fromkeys(alb_side.group_ids, "the ALB"))
        if None not in sources:
            findings += _nothing_else(plan, view, allowed)
    return findings
