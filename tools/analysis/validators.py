"""Real validators: what AWS's own models say about the plan's inputs, instead of what the mocks echo.

Container definitions are parsed from the task definition's JSON string (the mocks' inputs turn numbers into
floats; the string keeps them as ECS receives them) and validated with botocore's `ParamValidator` against
`RegisterTaskDefinition`'s input shape from botocore's bundled ECS service model: unknown keys (which ECS
would reject or the provider silently drop) and wrong types fail. `ParamValidator` does not check enum
values, so a walk over the same shape does. IAM identity policies (inline, RolePolicy and customer-managed
policies of every stack) are checked against the offline IAM action database (`iamdb`).
"""
from __future__ import annotations

import functools

from botocore.session import get_session
from botocore.validate import ParamValidator

from shared import iam
from tools.analysis import iamdb
from tools.analysis.findings import CONTAINER, IAM_ACTIONS, failed, passed
from tools.analysis.plan import MANAGED_POLICY, ROLE, ROLE_POLICY, TASK_DEFINITION, Plan, parse_containers
from tools.findings import Finding

OPERATION = ("ecs", "RegisterTaskDefinition")


@functools.cache
def register_task_definition_shape():
    service, operation = OPERATION
    return get_session().get_service_model(service).operation_model(operation).input_shape


def _enum_problems(value, shape, path: str) -> list[str]:
    if shape.type_name == "structure" and isinstance(value, dict):
        return [p for key, item in value.items() if key in shape.members
                for p in _enum_problems(item, shape.members[key], f"{path}.{key}")]
    if shape.type_name == "list" and isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _enum_problems(item, shape.member, f"{path}[{i}]")]
    if shape.type_name == "string" and shape.enum and value not in shape.enum:
        return [f"{path}: {value!r} is not one of {', '.join(shape.enum)}"]
    return []


def container_problems(family: str, containers: list) -> list[str]:
    """Every way `containers` breaks the ECS API's shape; [] when RegisterTaskDefinition would accept it."""
    shape = register_task_definition_shape()
    params = {"family": family, "containerDefinitions": containers}
    report = ParamValidator().validate(params, shape)
    # The "must be one of: <40 keys>" tail of an unknown-key error drowns the key itself.
    problems = [line.split(", must be one of")[0] for line in report.generate_report().splitlines()]
    return problems + _enum_problems(containers, shape.members["containerDefinitions"], "containerDefinitions")


def _containers(plan: Plan) -> list[Finding]:
    findings = []
    for task_definition in plan.of_type(TASK_DEFINITION):
        subject = plan.subject_of(task_definition.stack)
        containers, why = parse_containers(task_definition)
        if containers is None:
            findings.append(failed(CONTAINER, subject, task_definition.label, f"{why} (ECS RegisterTaskDefinition)"))
            continue
        problems = container_problems(task_definition.get("family", ""), containers)
        findings += [failed(CONTAINER, subject, task_definition.label, f"{p} (ECS RegisterTaskDefinition)")
                     for p in problems]
        if not problems:
            findings.append(passed(CONTAINER, subject, task_definition.label,
                                   f"{len(containers)} container definition(s) valid for ECS RegisterTaskDefinition"))
    return findings


def identity_policies(plan: Plan) -> list[tuple[str, str, str]]:
    """(stack, label, policy JSON) of every identity policy in the plan."""
    found = [(r.stack, r.label, r.get("policy")) for r in plan.of_type(ROLE_POLICY) + plan.of_type(MANAGED_POLICY)]
    for role in plan.of_type(ROLE):
        found += [(role.stack, f"{role.label} inline {p.get('name', '')}".rstrip(), p.get("policy"))
                  for p in role.get("inlinePolicies") or [] if p.get("policy")]
    return found


def _actions(plan: Plan) -> list[Finding]:
    findings = []
    for stack, label, text in identity_policies(plan):
        subject = plan.subject_of(stack)
        problems = [f"statement {s.sid or '(no Sid)'}: {p}" for s in iam.parse_document(text)
                    for p in iamdb.statement_problems(s)]
        findings += [failed(IAM_ACTIONS, subject, label, p) for p in problems]
        if not problems:
            findings.append(passed(IAM_ACTIONS, subject, label, "every action exists and applies to its resources"))
    return findings


def check(plan: Plan) -> list[Finding]:
    return _containers(plan) + _actions(plan)
