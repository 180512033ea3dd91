"""Which projects exist, in what order they deploy, and how their stacks are named: declared once.

The offline plan, the invoke tasks and the contracts all read this module, so a project added here is
planned, deployed, destroyed and reference-checked everywhere.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from shared.catalog import SERVICES, Service

REPO_ROOT = Path(__file__).resolve().parent.parent
PROJECTS_DIR = REPO_ROOT / "projects"
# Deploy order; `services` holds one stack per catalog service, which deploy in parallel.
PROJECT_ORDER = ("network", "registry", "platform", "services")
SERVICES_PROJECT = "services"
# Environments that real traders depend on: destroying one needs its name typed back, and its platform stack may
# never run on generated placeholder secrets.
PROTECTED_ENVIRONMENTS = frozenset({"prod"})
DEFAULT_ORGANIZATION = "organization"  # the org name of Pulumi's self-managed (file/S3) backends


def discover_environments(projects_dir: Path = PROJECTS_DIR) -> tuple[str, ...]:
    """The environments are the stacks of the first project in deploy order (`projects/network/Pulumi.<env>.yaml`):
    adding `staging` is adding its stack files, with no code change. The plan refuses an environment that lacks
    any other project's or service's stack file."""
    prefix, suffix = "Pulumi.", ".yaml"
    files = (projects_dir / PROJECT_ORDER[0]).glob(f"{prefix}*{suffix}")
    return tuple(sorted(f.name[len(prefix):-len(suffix)] for f in files))  # the glob never matches Pulumi.yaml


ENVIRONMENTS = discover_environments()


@dataclass(frozen=True)
class StackId:
    project: str
    stack: str

    @property
    def directory(self) -> Path:
        return PROJECTS_DIR / self.project

    def __str__(self) -> str:
        return f"{self.project}/{self.stack}"


def service_stack_name(service: str, environment: str) -> str:
    return f"{service}-{environment}"


def stacks_for(project: str, environment: str, services: tuple[Service, ...] = SERVICES) -> list[StackId]:
    if project == SERVICES_PROJECT:
        return [StackId(project, service_stack_name(s.name, environment)) for s in services]
    return [StackId(project, environment)]


def deploy_order(environment: str, services: tuple[Service, ...] = SERVICES) -> list[StackId]:
    return [stack for project in PROJECT_ORDER for stack in stacks_for(project, environment, services)]


def organization() -> str:
    """The org part of `org/project/stack`; Pulumi Cloud users set PULUMI_ORG to their organization."""
    return os.environ.get("PULUMI_ORG", DEFAULT_ORGANIZATION)


def qualified_stack_name(stack: StackId) -> str:
    """`org/project/stack`: the one name form every backend accepts (self-managed ones need org
    `organization`), used for StackReferences and for every CLI `--stack`, so the two never disagree."""
    return f"{organization()}/{stack.project}/{stack.stack}"


def stack_reference_name(project: str, environment: str) -> str:
    """The fully qualified name a consumer gives its StackReference to an upstream (non-service) stack."""
    return qualified_stack_name(StackId(project, environment))


def split_service_stack(stack: str, services: tuple[Service, ...] = SERVICES) -> tuple[Service, str]:
    """`frontend-dev` -> (frontend, "dev"); raises naming the known services when nothing matches."""
    for service in sorted(services, key=lambda s: len(s.name), reverse=True):
        prefix = f"{service.name}-"
        if stack.startswith(prefix) and len(stack) > len(prefix):
            return service, stack[len(prefix):]
    known = ", ".join(s.name for s in services)
    raise ValueError(f"stack {stack!r} names no catalog service; service stacks are named "
                     f"<service>-<environment> with service one of: {known}")
