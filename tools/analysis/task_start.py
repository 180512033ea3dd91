"""Task start: can the ECS agent start each service's task with its execution role?

Before the container runs, Fargate uses the execution role to log in to ECR and pull the image, to create
the log stream and write to it, and to read each secret of the task definition (decrypting it with its KMS
key). Every one of those calls is derived from the plan's task definition, then proven against the role's
policies and the keys' policies; and whatever else the role's policies grant (an action beyond those, or
those on wider resources) is an error, compared the way `runtime` compares the task role. Sources:
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
"""
from __future__ import annotations

from dataclasses import dataclass, field

from shared import iam
from tools.analysis.findings import TASK_START, failed, passed
from tools.analysis.grants import grants_beyond, key_admits, role_allows, service_principal_admitted
from tools.analysis.plan import LOG_GROUP, SECRET, Plan, Resource, ServiceView
from tools.findings import Finding

REPOSITORY = "aws:ecr/repository:Repository"
ECS_TASKS = "ecs-tasks.amazonaws.com"
# Pulling an image: a registry token (authorised only against "*"), then the layer check, the manifest and
# the layers (the three repository actions of the documented execution role policy).
ECR_LOGIN = "ecr:GetAuthorizationToken"
ECR_PULL = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
LOG_WRITE = ("logs:CreateLogStream", "logs:PutLogEvents")
# What CloudWatch Logs needs on the key of an encrypted log group (the documented key policy statement).
LOGS_KEY_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey")
# A task id in a log stream name (`prefix/container/task-id`), to build a concrete stream ARN to test.
SAMPLE_TASK_ID = "0123456789abcdef0123456789abcdef"


@dataclass
class Needs:
    """What the execution role must be allowed, as (action, resource as the policy writes it). `complete`
    turns False when the task definition names something the plan lacks (an image, a group, a secret, a
    key): what it needs is then unknown, so nothing is called excess (the missing thing is the finding)."""

    pairs: set[tuple[str, str]] = field(default_factory=set)
    complete: bool = True


def secret_arn(value_from: str) -> str:
    """The secret's ARN from a `valueFrom`: a JSON-key selector (`:key:stage:version`) is stripped, since
    IAM authorises GetSecretValue against the secret itself."""
    return ":".join(value_from.split(":")[:7])


def trusts_ecs_tasks(check: str, subject: str, role: Resource) -> Finding:
    statements = iam.parse_document(role.get("assumeRolePolicy") or "{}")
    if any(s.is_allow and s.matches_action("sts:AssumeRole") and ECS_TASKS in s.principal_types.get("Service", ())
           for s in statements):
        return passed(check, subject, role.label, f"trust policy lets {ECS_TASKS} assume the role")
    return failed(check, subject, role.label, f"trust policy does not let {ECS_TASKS} assume the role; ECS cannot "
                                              f"use it for the task")


def check(plan: Plan) -> list[Finding]:
    return [finding for view in plan.views for finding in _service(plan, view)]


def _service(plan: Plan, view: ServiceView) -> list[Finding]:
    name = view.service.name
    role = view.execution_role
    if role is None:
        return [failed(TASK_START, name, view.task_definition.label,
                       "the task definition has no executionRoleArn; Fargate needs one to pull from ECR, write "
                       "awslogs and read secrets")]
    findings = [trusts_ecs_tasks(TASK_START, name, role)]
    sources, unreadable = plan.identity_policies(role)
    findings += [failed(TASK_START, name, role.label, f"attached policy {arn} is not in the plan (an AWS-managed "
                                                      f"policy?), so what it allows cannot be proven; grant the "
                                                      f"execution role's needs in a policy of the stack")
                 for arn in unreadable]
    needs = Needs()
    for container in view.containers:
        findings += _image(plan, view, role, sources, container, needs)
        findings += _logs(plan, view, role, sources, container, needs)
        findings += _secrets(plan, view, role, sources, container, needs)
    if not needs.complete:
        return findings
    return findings + grants_beyond(TASK_START, name, role, sources, needs.pairs,
                                    f"starting {name}'s task does not need; remove it")


def _image(plan: Plan, view: ServiceView, role: Resource, sources, container: dict,
           needs: Needs) -> list[Finding]:
    name, image = view.service.name, container.get("image", "")
    url = image.split("@")[0].rsplit(":", 1)[0]  # drop a digest or a tag; ECR URLs hold no other ':'
    repository = next((r for r in plan.of_type(REPOSITORY) if r.get("repositoryUrl") == url), None)
    if repository is None:
        needs.complete = False
        return [failed(TASK_START, name, view.task_definition.label,
                       f"container {container.get('name')} image {image!r} is not in any ECR repository of the plan; "
                       f"use the registry stack's repository URL")]
    needs.pairs.add((ECR_LOGIN, "*"))
    needs.pairs.update((action, repository.arn) for action in ECR_PULL)
    findings = [role_allows(TASK_START, name, role, sources, ECR_LOGIN, "*", "AWS authorises only against '*'")]
    findings += [role_allows(TASK_START, name, role, sources, action, repository.arn,
                             f"pulling {image} needs") for action in ECR_PULL]
    return findings


def _logs(plan: Plan, view: ServiceView, role: Resource, sources, container: dict,
          needs: Needs) -> list[Finding]:
    name = view.service.name
    logging = container.get("logConfiguration") or {}
    if logging.get("logDriver") != "awslogs":
        return []
    options = logging.get("options") or {}
    group_name = options.get("awslogs-group")
    group = next((g for g in plan.of_type(LOG_GROUP) if g.get("name") == group_name), None)
    if group is None:
        needs.complete = False
        return [failed(TASK_START, name, view.task_definition.label,
                       f"container {container.get('name')} logs to group {group_name!r}, which the plan does not "
                       f"create; the task would fail to start")]
    group_arn = group.arn.removesuffix(":*")
    # Stream actions authorise against `log-group:NAME:log-stream:STREAM`: the group's streams are `NAME:*`.
    needs.pairs.update((action, f"{group_arn}:*") for action in LOG_WRITE)
    stream = (f"{group_arn}:log-stream:{options.get('awslogs-stream-prefix', '')}/{container.get('name')}/"
              f"{SAMPLE_TASK_ID}")
    findings = [role_allows(TASK_START, name, role, sources, action, stream, f"awslogs writing to {group_name} "
                                                                              f"needs") for action in LOG_WRITE]
    if group.get("kmsKeyId"):
        key = plan.kms_key(group.get("kmsKeyId"))
        if key is None:
            return [*findings, failed(TASK_START, name, group.label,
                                      f"kmsKeyId {group.get('kmsKeyId')} is no KMS key of the plan")]
        region = group_arn.split(":")[3]
        findings += service_principal_admitted(TASK_START, name, key, plan.key_policy(key),
                                               f"logs.{region}.amazonaws.com", LOGS_KEY_ACTIONS,
                                               f"log group {group_name} is encrypted with it")
    return findings


def _secrets(plan: Plan, view: ServiceView, role: Resource, sources, container: dict,
             needs: Needs) -> list[Finding]:
    name = view.service.name
    findings = []
    for entry in container.get("secrets") or []:
        arn = secret_arn(entry.get("valueFrom", ""))
        secret = plan.by_arn(arn, SECRET)
        if secret is None:
            needs.complete = False
            findings.append(failed(TASK_START, name, view.task_definition.label,
                                   f"secret {entry.get('name')} valueFrom {entry.get('valueFrom')!r} is no Secrets "
                                   f"Manager secret of the plan"))
            continue
        needs.pairs.add(("secretsmanager:GetSecretValue", arn))
        findings.append(role_allows(TASK_START, name, role, sources, "secretsmanager:GetSecretValue", arn,
                                    f"injecting {entry.get('name')} needs"))
        if not secret.get("kmsKeyId"):
            continue  # the AWS-managed aws/secretsmanager key: no grant needed
        key = plan.kms_key(secret.get("kmsKeyId"))
        if key is None:
            needs.complete = False
            findings.append(failed(TASK_START, name, secret.label,
                                   f"kmsKeyId {secret.get('kmsKeyId')} is no KMS key of the plan"))
            continue
        why = f"decrypting secret {secret.label} needs"
        needs.pairs.add(("kms:Decrypt", key.arn))
        findings.append(role_allows(TASK_START, name, role, sources, "kms:Decrypt", key.arn, why))
        findings.append(key_admits(TASK_START, name, key, plan.key_policy(key), role.arn, "kms:Decrypt", why))
    return findings
