"""A read-only view of one environment's plan document, with the lookups every check needs.

Values are read from each resource's `state` (the mock's answer: inputs plus computed ARNs and ids), which
is what a consumer of that resource received, so an ARN in a task definition resolves to the role that
produced it even across stacks. The document is never modified.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from shared import iam
from shared.catalog import Service
from shared.stacks import SERVICES_PROJECT, service_stack_name
from tools.analysis.findings import PLAN, failed
from tools.findings import SECRET_MARKER, Finding

ECS_SERVICE = "aws:ecs/service:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
MANAGED_POLICY = "aws:iam/policy:Policy"
SUBNET = "aws:ec2/subnet:Subnet"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
KMS_KEY = "aws:kms/key:Key"
KMS_KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
SECRET = "aws:secretsmanager/secret:Secret"


@dataclass(frozen=True)
class Resource:
    stack: str
    type: str
    name: str
    id: str | None
    state: dict

    def get(self, key: str, default: Any = None) -> Any:
        return self.state.get(key, default)

    @property
    def arn(self) -> str:
        """The resource's ARN, '' for a resource that has none (a rule, an attachment)."""
        return str(self.state.get("arn") or "")

    @property
    def label(self) -> str:
        """How messages name a resource: its logical name, plus its physical name or id when it has one."""
        physical = self.state.get("name") or self.id
        return f"{self.name} ({physical})" if physical and physical != self.name else self.name


@dataclass(frozen=True)
class PolicySource:
    """Statements of one identity policy and where they came from (for messages)."""

    label: str
    statements: tuple[iam.Statement, ...]


@dataclass
class ServiceView:
    """What the plan holds for one catalog service, resolved through ids and ARNs."""

    service: Service
    stack: str
    ecs_service: Resource
    task_definition: Resource
    containers: list[dict]
    execution_role: Resource | None
    task_role: Resource | None
    subnets: list[Resource]
    security_groups: list[Resource]
    problems: list[str] = field(default_factory=list)


def parse_containers(task_definition: Resource) -> tuple[list[dict] | None, str]:
    """The container definitions as ECS receives them (a JSON string), or why they cannot be read."""
    raw = task_definition.get("containerDefinitions")
    if raw == SECRET_MARKER:
        return None, ("containerDefinitions is secret in the plan (a secret value leaked into it, which makes "
                      "the whole document secret); pass secrets through `secrets` so the definition stays readable")
    try:
        parsed = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as error:
        return None, f"containerDefinitions is not valid JSON ({error})"
    if not isinstance(parsed, list):
        return None, f"containerDefinitions must be a JSON list of containers, got {type(parsed).__name__}"
    return parsed, ""


class Plan:
    """Every custom resource of every stack of one environment, plus the stacks' outputs."""

    def __init__(self, document: dict, services: tuple[Service, ...]):
        self.environment: str = document["environment"]
        self.services = services
        self.stacks: dict[str, dict] = {}
        self.resources: list[Resource] = []
        for stack in document["stacks"]:
            key = f"{stack['project']}/{stack['stack']}"
            self.stacks[key] = stack.get("outputs", {})
            self.resources += [Resource(key, r["type"], r["name"], r.get("id"), r.get("state") or r["inputs"])
                               for r in stack["resources"] if r.get("custom", True)]
        # The checks ask for resources by type tens of thousands of times per plan: one pass, then lookups.
        self._by_type: dict[str, list[Resource]] = {}
        for resource in self.resources:
            self._by_type.setdefault(resource.type, []).append(resource)
        self._views: dict[str, ServiceView] = {}
        self._wiring: list[Finding] = []
        for service in services:
            self._resolve(service)

    # -- generic lookups ----------------------------------------------------------------------------------
    def of_type(self, typ: str, stack: str | None = None) -> list[Resource]:
        return [r for r in self._by_type.get(typ, ()) if stack is None or r.stack == stack]

    def by_id(self, typ: str, rid: str) -> Resource | None:
        return next((r for r in self.of_type(typ) if r.id == rid), None)

    def by_arn(self, arn: str, typ: str | None = None) -> Resource | None:
        if not arn:
            return None  # not an ARN: it names no resource, not every resource without one
        return next((r for r in self.resources if r.arn == arn and (typ is None or r.type == typ)), None)

    def outputs(self, project: str) -> dict:
        """Outputs of the environment's stack of a non-service project ({} when the plan lacks it)."""
        return self.stacks.get(f"{project}/{self.environment}", {})

    def service_stack(self, service: Service) -> str:
        return f"{SERVICES_PROJECT}/{service_stack_name(service.name, self.environment)}"

    def subject_of(self, stack: str) -> str:
        """The catalog service a stack belongs to, or the stack itself (network/dev, platform/dev...)."""
        return next((s.name for s in self.services if self.service_stack(s) == stack), stack)

    # -- services -----------------------------------------------------------------------------------------
    @property
    def views(self) -> list[ServiceView]:
        """Every catalog service the plan holds completely, in catalog order."""
        return [self._views[s.name] for s in self.services if s.name in self._views]

    def view(self, name: str) -> ServiceView | None:
        return self._views.get(name)

    def wiring_findings(self) -> list[Finding]:
        return list(self._wiring)

    def _fail(self, service: Service, resource: str, detail: str) -> None:
        self._wiring.append(failed(PLAN, service.name, resource, detail))

    def _resolve(self, service: Service) -> None:
        stack = self.service_stack(service)
        if stack not in self.stacks:
            self._fail(service, stack, f"the plan holds no stack {stack}; every catalog service needs its stack "
                                       f"file projects/services/Pulumi.{stack.split('/')[1]}.yaml")
            return
        ecs_services = self.of_type(ECS_SERVICE, stack)
        if len(ecs_services) != 1:
            self._fail(service, stack, f"expected exactly one ECS service in {stack}, found {len(ecs_services)}")
            return
        ecs = ecs_services[0]
        task_definition = self.by_arn(ecs.get("taskDefinition", ""), TASK_DEFINITION)
        if task_definition is None:
            self._fail(service, ecs.label, f"taskDefinition {ecs.get('taskDefinition')!r} is no task definition "
                                           f"of the plan")
            return
        containers, why = parse_containers(task_definition)
        if containers is None:
            self._fail(service, task_definition.label, why)
            return
        network = ecs.get("networkConfiguration") or {}
        view = ServiceView(
            service=service, stack=stack, ecs_service=ecs, task_definition=task_definition, containers=containers,
            execution_role=self._role(service, task_definition, "executionRoleArn"),
            task_role=self._role(service, task_definition, "taskRoleArn"),
            subnets=self._lookup(service, ecs, SUBNET, network.get("subnets") or [], "subnet"),
            security_groups=self._lookup(service, ecs, SECURITY_GROUP, network.get("securityGroups") or [],
                                         "security group"),
        )
        if not view.subnets or not view.security_groups:
            self._fail(service, ecs.label, "networkConfiguration must name the subnets and security groups the "
                                           "tasks run in (awsvpc); the plan's ECS service has none")
            return
        self._views[service.name] = view

    def _role(self, service: Service, task_definition: Resource, key: str) -> Resource | None:
        arn = task_definition.get(key)
        if not arn:
            return None
        role = self.by_arn(arn, ROLE)
        if role is None:
            self._fail(service, task_definition.label, f"{key} {arn} is no IAM role of the plan")
        return role

    def _lookup(self, service: Service, ecs: Resource, typ: str, ids: list[str], what: str) -> list[Resource]:
        found = []
        for rid in ids:
            resource = self.by_id(typ, rid)
            if resource is None:
                self._fail(service, ecs.label, f"{what} {rid} in networkConfiguration is not in the plan")
            else:
                found.append(resource)
        return found

    # -- IAM ----------------------------------------------------------------------------------------------
    def identity_policies(self, role: Resource) -> tuple[list[PolicySource], list[str]]:
        """Every identity policy of `role` (inline, RolePolicy, attached customer-managed) and the attached
        policies the plan cannot show (AWS-managed ones: their text is not in the plan)."""
        sources = [PolicySource(f"{role.name} inline {p.get('name', '')}".rstrip(),
                                tuple(iam.parse_document(p["policy"])))
                   for p in role.get("inlinePolicies") or [] if p.get("policy")]
        role_keys = {role.id, role.get("name"), role.arn}
        for policy in self.of_type(ROLE_POLICY):
            if policy.get("role") in role_keys:
                sources.append(PolicySource(policy.label, tuple(iam.parse_document(policy.get("policy")))))
        attached = list(role.get("managedPolicyArns") or [])
        attached += [a.get("policyArn") for a in self.of_type(ROLE_POLICY_ATTACHMENT) if a.get("role") in role_keys]
        unreadable = []
        for arn in attached:
            managed = self.by_arn(arn, MANAGED_POLICY)
            if managed is None:
                unreadable.append(arn)
            else:
                sources.append(PolicySource(managed.label, tuple(iam.parse_document(managed.get("policy")))))
        return sources, unreadable

    def key_policy(self, key: Resource) -> list[iam.Statement]:
        """A KMS key's policy: a separate KeyPolicy resource replaces the key's own `policy` input."""
        separate = [p for p in self.of_type(KMS_KEY_POLICY) if p.get("keyId") in (key.id, key.arn, key.get("keyId"))]
        text = separate[-1].get("policy") if separate else key.get("policy")
        return iam.parse_document(text) if text else []

    def kms_key(self, reference: str) -> Resource | None:
        """A key by ARN, id or key id, as `kmsKeyId` inputs may give any of them."""
        return next((k for k in self.of_type(KMS_KEY) if reference in (k.arn, k.id, k.get("keyId"))), None)
