"""Deployability analysis of an offline plan: what a real `pulumi up` would trip over, found without AWS.

The mocks accept anything, so a plan can be perfectly recorded and still undeployable: an execution role that
cannot decrypt its secret's key, a misspelled IAM action, a container-definition key ECS silently drops, a
private subnet with no way to ECR once NAT is off, a security-group path that never opens. This package reads
one environment's plan document (`build/plan/<env>/plan.json`, all stacks at once) and proves or refutes
each of those facts. Pure: no Pulumi import, no AWS call.

Expected facts come from the service catalog (`shared.catalog`) and from the plan itself (inputs, state ARNs
and ids, stack outputs), never from per-environment constants. One module per family of checks:
`task_start`, `reachability`, `egress` (closed egress), `endpoints` (endpoint policies), `call_paths`, `runtime`,
`validators`, `delivery` (log delivery); `report` renders the verdict.
"""
from __future__ import annotations

import json
from pathlib import Path

from shared.catalog import SERVICES, Service
from tools.analysis import call_paths, delivery, egress, endpoints, reachability, runtime, task_start, validators
from tools.analysis.plan import Plan
from tools.analysis.report import Report
from tools.findings import Finding


def analyse(document: dict, services: tuple[Service, ...] = SERVICES) -> Report:
    """Run every check over one environment's plan document."""
    plan = Plan(document, services)
    findings: list[Finding] = list(plan.wiring_findings())
    for module in (task_start, reachability, egress, endpoints, call_paths, runtime, validators, delivery):
        findings += module.check(plan)
    return Report(plan.environment, findings)


def analyse_file(path: Path, services: tuple[Service, ...] = SERVICES) -> Report:
    """Analyse a written `plan.json`: exactly what `invoke plan` left for inspection."""
    return analyse(json.loads(path.read_text()), services)
