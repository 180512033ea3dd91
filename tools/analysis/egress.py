"""Closed egress: a workload's security groups let it out to the internet only when it needs the internet, and the
interface endpoints admit only the groups of workloads, never an address range.

Needs the internet on 443: an AWS API it calls has no VPC endpoint on its path (reachability's `endpoint_for`),
or a declared external call uses 443; on another port: a declared external call uses it. Everything else goes to
the endpoints' group, the gateways' prefix lists, or a callee's group. The network's endpoint group admits groups
only: a CIDR (the whole VPC, public subnets included) lets anything in that range use the endpoints.
"""
from __future__ import annotations

from tools.analysis import network
from tools.analysis.findings import CLOSED_EGRESS, failed, passed
from tools.analysis.plan import Plan
from tools.analysis.reachability import clients, endpoint_for
from tools.findings import Finding

HTTPS = 443


def check(plan: Plan) -> list[Finding]:
    findings: list[Finding] = []
    for client, view in clients(plan):
        external = {call.port for call in view.service.external} if view else set()
        uncovered = sorted({api for subnet in client.subnets for api in client.apis
                            if endpoint_for(plan, subnet, api) is None})
        world = [rule for rule in network.rules(plan, network.group_ids(client.groups), ingress=False)
                 if rule.cidr is not None and rule.admits([], [network.INTERNET])]
        for rule in world:
            needed = {port for port in external | {HTTPS}
                      if rule.opens(port) and (port in external or uncovered)}
            if rule.protocol in network.ALL_PROTOCOLS or not needed:
                findings.append(failed(CLOSED_EGRESS, client.name, rule.source,
                                       f"{rule.source} lets {client.name} out to {network.INTERNET} on "
                                       f"{rule.protocol} {rule.from_port}-{rule.to_port}, which it does not need: "
                                       f"only declared external calls and AWS APIs without a VPC endpoint may go "
                                       f"there; remove the rule (shared.netpolicy.egress_rules)"))
            else:
                why = f"AWS APIs without an endpoint: {', '.join(uncovered)}" if uncovered else "external calls"
                findings.append(passed(CLOSED_EGRESS, client.name, rule.source,
                                       f"internet egress on {sorted(needed)} is needed ({why})"))
        if not world:
            findings.append(passed(CLOSED_EGRESS, client.name, client.name,
                                   "no egress to the internet: every AWS API through an endpoint"))
    endpoint_groups = sorted({g for e in plan.of_type(network.VPC_ENDPOINT) for g in e.get("securityGroupIds") or []})
    for rule in network.rules(plan, endpoint_groups, ingress=True):
        if rule.cidr is not None:
            findings.append(failed(CLOSED_EGRESS, "network", rule.source,
                                   f"{rule.source} admits {rule.cidr} to the interface endpoints: every address in it "
                                   f"(public subnets included) may use them; admit the groups that need them instead"))
    return findings
