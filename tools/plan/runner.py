"""Run every project's real `__main__.py` under mocks, in deploy order, chaining stack outputs.

This stands in for the Pulumi CLI: it applies `Pulumi.yaml` config defaults and the stack file, resolves
StackReferences to the outputs of stacks planned earlier in the same run, and records every registration
(inputs, parent, dependencies, options) for `plan.json`. What it cannot know is listed in the README.
"""
from __future__ import annotations

import json
import runpy
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pulumi
from pulumi.runtime import mocks, settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from shared.catalog import SERVICES, Service
from shared.stack_config import StackConfigError, load_environment_config, load_stack_config
from tools.plan.mocks import MASK, PlanMocks, RecordingMonitor, Registration, StackOutputs
from shared.stacks import StackId, deploy_order, stack_reference_name


class PlanError(RuntimeError):
    """A stack's program failed under the offline plan; the message names the stack and the cause."""


def stack_exists(stack: StackId) -> bool:
    return (stack.directory / "__main__.py").exists() and (stack.directory / f"Pulumi.{stack.stack}.yaml").exists()


@dataclass
class StackPlan:
    stack: StackId
    registrations: list[Registration]
    outputs: StackOutputs

    def resources_by_type(self) -> Counter:
        return Counter(r.type for r in self.registrations if r.custom)

    def to_json(self) -> dict:
        return {
            "project": self.stack.project,
            "stack": self.stack.stack,
            "resources": [r.to_json() for r in self.registrations],
            "outputs": {k: MASK if k in self.outputs.secret_names else v for k, v in self.outputs.values.items()},
        }


def run_stack(stack: StackId, upstream: dict[str, StackOutputs],
              config: tuple[dict[str, str], list[str]] | None = None,
              program: Callable[[], Any] | None = None) -> StackPlan:
    """Run one project program for one stack; raise PlanError with the program's own message on failure.
    `program` replaces the project's `__main__.py` (tests build a component with an injected catalog)."""
    values, secret_keys = config if config is not None else load_stack_config(stack)
    plan_mocks = PlanMocks(upstream=upstream)
    monitor = RecordingMonitor(plan_mocks)
    settings.ROOT.set(None)
    settings.SETTINGS.rpc_manager.clear()
    settings.SETTINGS.outputs.clear()
    mocks.set_mocks(plan_mocks, project=stack.project, stack=stack.stack, preview=False, monitor=monitor)
    pulumi.runtime.set_all_config(values, secret_keys=secret_keys)
    try:
        _sync_await(run_pulumi_func(program or (lambda: runpy.run_path(str(stack.directory), run_name="__main__"))))
    except Exception as error:  # noqa: BLE001 - any program failure becomes one named plan error
        raise PlanError(f"stack {stack} failed: {error}") from error
    root = settings.get_root_resource()
    values_out: dict[str, Any] = {}
    secret_names: list[str] = []
    for key, value in root.outputs.items():
        output = pulumi.Output.from_input(value)
        values_out[key] = _sync_await(output.future())
        if _sync_await(output.is_secret()):
            secret_names.append(key)
    return StackPlan(stack, monitor.registrations, StackOutputs(values_out, secret_names))


def reference_key(stack: StackId) -> str:
    """The StackReference name consumers use for `stack` (service stacks are never referenced)."""
    return stack_reference_name(stack.project, stack.stack)


def plan_environment(environment: str, services: tuple[Service, ...] = SERVICES) -> list[StackPlan]:
    """Plan every existing stack of an environment in deploy order. Every stack's config is read and checked
    first (the CLI's rules and this repository's): the problems of all stacks are one PlanError, raised before
    any program runs."""
    upstream: dict[str, StackOutputs] = {}
    plans = []
    existing = [stack for stack in deploy_order(environment, services) if stack_exists(stack)]
    try:
        configs = load_environment_config(existing)
    except StackConfigError as error:
        raise PlanError(f"{environment}: {error}") from None
    for stack in existing:
        plan = run_stack(stack, upstream, configs[stack].program_config)
        upstream[reference_key(stack)] = plan.outputs
        plans.append(plan)
    return plans


def plan_document(environment: str, plans: list[StackPlan]) -> dict:
    return {"environment": environment, "stacks": [p.to_json() for p in plans]}


def plan_path(build_dir: Path, environment: str) -> Path:
    return build_dir / "plan" / environment / "plan.json"


def write_plan(build_dir: Path, environment: str, plans: list[StackPlan]) -> Path:
    path = plan_path(build_dir, environment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plan_document(environment, plans), indent=1, sort_keys=False) + "\n")
    return path


def summary(plans: list[StackPlan]) -> str:
    lines = []
    for plan in plans:
        counts = plan.resources_by_type()
        lines.append(f"{plan.stack}: {sum(counts.values())} resources, {len(plan.outputs.values)} outputs")
        lines.extend(f"    {count:3d}  {typ}" for typ, count in sorted(counts.items()))
    return "\n".join(lines)
