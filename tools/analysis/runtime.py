"""Runtime permissions: each task role allows exactly what the catalog grants, and nothing more.

Expected: the catalog's data-store actions on those stores' ARNs (the platform's `storeArns` output; an
action authorising against objects, such as `s3:GetObject`, on `<bucket ARN>/*`, as the IAM database says),
the KMS actions their encryption requires on the platform key (`kms:Decrypt`, plus `kms:GenerateDataKey` for
producers: `catalog.WRITE_ACTIONS`), and ECS Exec's channel when the ECS service enables it. Granted: every
(action, resource) pair of the role's Allow statements, wildcards expanded with the IAM database. Anything
granted and not expected is an error, as is anything expected and not granted; the key policy must admit
the KMS use. Conditions (such as `kms:ViaService`) are recorded, not evaluated.
"""
from __future__ import annotations

from shared.catalog import WRITE_ACTIONS
from shared.iam import patterns_overlap
from tools.analysis import iamdb
from tools.analysis.findings import RUNTIME, failed, passed
from tools.analysis.grants import grants_beyond, key_admits, role_allows
from tools.analysis.plan import Plan, Resource, ServiceView
from tools.analysis.task_start import trusts_ecs_tasks
from tools.findings import Finding

# The Session Manager channel ECS Exec opens from the task; AWS authorises these only against "*".
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html#ecs-exec-required-iam-permissions
ECS_EXEC_ACTIONS = ("ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel")


def object_resource(action: str, arn: str) -> str:
    """The store's ARN, or its objects (`arn/*`) when only those match one of the action's resource types."""
    formats = iamdb.resource_formats(action).values()
    return arn if any(patterns_overlap(arn, f) for f in formats) else f"{arn}/*"


def expected_grants(plan: Plan, view: ServiceView) -> tuple[dict[tuple[str, str], str], list[Finding]]:
    """(action, resource) -> why, from the catalog and the platform's outputs."""
    name = view.service.name
    outputs = plan.outputs("platform")
    store_arns, key_arn = outputs.get("storeArns") or {}, outputs.get("kmsKeyArn")
    expected: dict[tuple[str, str], str] = {}
    problems: list[Finding] = []
    if view.service.stores and not key_arn:
        problems.append(failed(RUNTIME, name, f"platform/{plan.environment}",
                               "the platform exports no kmsKeyArn, the key that encrypts the catalog's stores"))
    for access in view.service.stores:
        arn = store_arns.get(access.store.value)
        if arn is None:
            problems.append(failed(RUNTIME, name, f"platform/{plan.environment}",
                                   f"the platform exports no storeArns[{access.store.value!r}] for the catalog's "
                                   f"grant {list(access.actions)}"))
            continue
        for action in access.actions:
            expected[(action, object_resource(action, arn))] = f"catalog: {access.store.value}"
        kms = ("kms:Decrypt", "kms:GenerateDataKey") if set(access.actions) & WRITE_ACTIONS else ("kms:Decrypt",)
        if not key_arn:
            continue  # reported once above
        for action in kms:
            stores = expected.get((action, key_arn), "platform key encrypting:")
            expected[(action, key_arn)] = f"{stores} {access.store.value}"
    if view.ecs_service.get("enableExecuteCommand"):
        expected.update({(action, "*"): "ECS Exec is enabled on the service" for action in ECS_EXEC_ACTIONS})
    return expected, problems


def check(plan: Plan) -> list[Finding]:
    return [finding for view in plan.views for finding in _service(plan, view)]


def _service(plan: Plan, view: ServiceView) -> list[Finding]:
    name = view.service.name
    expected, findings = expected_grants(plan, view)
    role = view.task_role
    if role is None:
        if expected:
            return [*findings, failed(RUNTIME, name, view.task_definition.label,
                                      f"the task definition has no taskRoleArn, but the catalog grants "
                                      f"{sorted(a for a, _ in expected)}")]
        return [*findings, passed(RUNTIME, name, view.task_definition.label,
                                  "no task role, and the catalog grants the service nothing")]
    findings.append(trusts_ecs_tasks(RUNTIME, name, role))
    sources, unreadable = plan.identity_policies(role)
    findings += [failed(RUNTIME, name, role.label, f"attached policy {arn} is not in the plan, so the role may "
                                                   f"allow more than the catalog grants; remove it")
                 for arn in unreadable]
    findings += grants_beyond(RUNTIME, name, role, sources, expected, f"the catalog does not grant {name}; remove "
                                                                        f"it (or add it to the catalog)")
    for (action, resource), why in expected.items():
        findings.append(role_allows(RUNTIME, name, role, sources, action, resource, why))
        if action.startswith("kms:"):
            findings += _key(plan, view, role, action, resource, why)
    return findings


def _key(plan: Plan, view: ServiceView, role: Resource, action: str, key_arn: str, why: str) -> list[Finding]:
    key = plan.kms_key(key_arn)
    if key is None:
        return [failed(RUNTIME, view.service.name, role.label, f"platform kmsKeyArn {key_arn} is no KMS key of the "
                                                               f"plan")]
    return [key_admits(RUNTIME, view.service.name, key, plan.key_policy(key), role.arn, action, why)]
