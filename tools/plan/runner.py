"""Run every project's real `__main__.py` under mocks, in deploy order, chaining stack outputs.

This stands in for the Pulumi CLI: it applies `Pulumi.yaml` config defaults and the stack file, resolves
StackReferences to the outputs of stacks planned earlier in the same run, and records every registration
(inputs, parent, dependencies, options) for `plan.json`. What it cannot know is listed in the README.

Each stack runs in its own worker process, forked after the provider modules are imported once here, so
every program starts from a fresh SDK state through public calls only (`reset_options`, `configure`,
`set_all_config`, `run_in_stack`: what the Automation API does for an inline program) and the fork costs
milliseconds instead of the seconds those imports take. The stacks of one project (the service stacks)
plan in parallel, as they deploy. What comes back is plain data: registrations, outputs, secret names.
"""
from __future__ import annotations

import asyncio
import functools
import gc
import importlib
import itertools
import json
import keyword
import multiprocessing
import os
import pkgutil
import runpy
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import pulumi

import shared
from shared.catalog import SERVICES, Service
from shared.stack_config import StackConfigError, load_environment_config, load_stack_config
from shared.stacks import StackId, deploy_order, stack_reference_name
from tools.plan.mocks import MASK, PlanMocks, RecordingMonitor, Registration, StackOutputs

# Provider modules the programs use, imported before any worker forks (about 1 s each for the large ones,
# paid once instead of once per stack). pulumi-aws loads a module on first attribute access; a module missing
# here costs only time, and a test holds this list to the resource types and invokes of the plans.
PROVIDER_MODULES = (
    "pulumi_aws", "pulumi_aws.appautoscaling", "pulumi_aws.cloudwatch", "pulumi_aws.dynamodb", "pulumi_aws.ec2",
    "pulumi_aws.ecr", "pulumi_aws.ecs", "pulumi_aws.elb", "pulumi_aws.iam", "pulumi_aws.kms", "pulumi_aws.lambda_",
    "pulumi_aws.lb",
    "pulumi_aws.s3", "pulumi_aws.secretsmanager", "pulumi_aws.servicediscovery", "pulumi_aws.sns",
    "pulumi_aws.sqs", "pulumi_aws.vpc", "pulumi_aws.wafv2", "pulumi_random",
)
WORKERS = os.cpu_count() or 1
# Fork keeps the imports; spawn would pay them again in every worker.
FORK = multiprocessing.get_context("fork")


Config = tuple[dict[str, str], list[str]]  # values by `project:key`, and which keys are secret


class PlanError(RuntimeError):
    """A stack's program failed under the offline plan; the message names the stack and the cause."""


class WorkerTraceback(Exception):
    """The traceback of a failure inside a worker process, attached as the PlanError's cause."""


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
        # Registrations arrive in the order the SDK's threads send them, which varies from run to run; the
        # URN order does not (a plan of one commit is byte-identical every time).
        return {
            "project": self.stack.project,
            "stack": self.stack.stack,
            "resources": [r.to_json() for r in sorted(self.registrations, key=lambda r: r.urn)],
            "outputs": {k: MASK if k in self.outputs.secret_names else v for k, v in self.outputs.values.items()},
        }


def provider_module(token: str) -> str:
    """The Python module defining a provider type or function: `aws:ec2/vpc:Vpc` -> `pulumi_aws.ec2`,
    `aws:index/getRegion:getRegion` -> `pulumi_aws`, `aws:lambda/function:Function` -> `pulumi_aws.lambda_` (a
    Python keyword gets a trailing underscore)."""
    package, module = token.split(":")[0], token.split(":")[1].split("/")[0]
    return f"pulumi_{package}" + ("" if module == "index" else f".{module}{'_' if keyword.iskeyword(module) else ''}")


@functools.cache
def preload() -> None:
    """Import, in this process, what every worker would otherwise import again: the provider modules and
    the library the programs are built from. Importing an imported module is a dictionary lookup."""
    for name in PROVIDER_MODULES:
        # pulumi-aws's submodules are lazy: importing one runs nothing until an attribute is read.
        getattr(importlib.import_module(name), "__all__", None)
    for module in pkgutil.walk_packages(shared.__path__, f"{shared.__name__}."):
        importlib.import_module(module.name)
    # The imported modules are hundreds of thousands of long-lived objects: out of the collector's reach, a
    # worker's collections neither walk them nor copy their pages (the use `gc.freeze` is documented for).
    gc.freeze()


def _execute(stack: StackId, upstream: dict[str, StackOutputs], config: Config,
             program: Callable[[], Any]) -> StackPlan:
    """In a worker: run `program` as stack `stack` against the mocks, to completion."""
    values, secret_keys = config
    monitor = RecordingMonitor(PlanMocks(upstream=upstream))
    # A fresh root and settings (reset_options), then the recording monitor in the settings: what
    # `pulumi.runtime.set_mocks` does, minus the finished root stack it creates (run_in_stack makes one).
    pulumi.runtime.reset_options(project=stack.project, stack=stack.stack, preview=False)
    pulumi.runtime.configure(pulumi.runtime.Settings(project=stack.project, stack=stack.stack, monitor=monitor,
                                                     dry_run=False))
    pulumi.runtime.set_all_config(values, secret_keys)
    # run_in_stack creates the root stack, runs the program, waits for every registration and every apply
    # (an exception raised in either fails it) and sends the stack's exports to the monitor.
    asyncio.new_event_loop().run_until_complete(pulumi.runtime.run_in_stack(program))
    return StackPlan(stack, monitor.registrations, monitor.stack_outputs)


def _work(connection: Connection, stack: StackId, upstream: dict[str, StackOutputs], config: Config,
          program: Callable[[], Any]) -> None:
    """The worker's body: one message back, the plan or the program's failure as text (an exception object
    may not survive pickling; its message and traceback do)."""
    try:
        message: tuple = ("plan", _execute(stack, upstream, config, program))
    except Exception as error:  # noqa: BLE001 - any program failure becomes one named plan error
        message = ("error", f"stack {stack} failed: {error}", traceback.format_exc())
    connection.send(message)
    connection.close()


@dataclass(frozen=True)
class Job:
    """One stack to plan; `config` defaults to its committed config, `program` to its project's `__main__.py`."""

    stack: StackId
    config: Config | None = None
    program: Callable[[], Any] | None = None


@dataclass(frozen=True)
class _Worker:
    stack: StackId
    process: BaseProcess
    connection: Connection


def _start(job: Job, upstream: dict[str, StackOutputs]) -> _Worker:
    preload()
    stack = job.stack
    config = job.config if job.config is not None else load_stack_config(stack)
    program = job.program or (lambda: runpy.run_path(str(stack.directory), run_name="__main__"))
    receiver, sender = FORK.Pipe(duplex=False)
    process = FORK.Process(target=_work, args=(sender, stack, upstream, config, program), name=f"plan {stack}",
                           daemon=True)
    process.start()
    sender.close()  # the worker holds the only sending end: its exit without a message reads as EOF
    return _Worker(stack, process, receiver)


def _finish(worker: _Worker) -> StackPlan | PlanError:
    try:
        message = worker.connection.recv()
    except EOFError:  # the worker died before answering (killed, os._exit, an unpicklable result)
        message = None
    worker.connection.close()
    worker.process.join()
    if message is None:
        return PlanError(f"stack {worker.stack} failed: its plan worker exited with code "
                         f"{worker.process.exitcode} and no result")
    if message[0] == "plan":
        return message[1]
    error = PlanError(message[1])
    error.__cause__ = WorkerTraceback(message[2])
    return error


def run_jobs(jobs: Sequence[Job], upstream: dict[str, StackOutputs], workers: int = WORKERS) -> list[StackPlan]:
    """Plan stacks that do not read each other, `workers` at a time; plans come back in the order of `jobs`.
    When any fails, the first failure in that order is raised, once all have finished."""
    results: dict[StackId, StackPlan | PlanError] = {}
    waiting = list(jobs)
    running: list[_Worker] = []
    while waiting or running:
        while waiting and len(running) < workers:
            running.append(_start(waiting.pop(0), upstream))
        ready = wait([worker.connection for worker in running])
        for worker in [worker for worker in running if worker.connection in ready]:
            running.remove(worker)
            results[worker.stack] = _finish(worker)
    plans = []
    for job in jobs:
        result = results[job.stack]
        if isinstance(result, PlanError):
            raise result
        plans.append(result)
    return plans


def run_stack(stack: StackId, upstream: dict[str, StackOutputs], config: Config | None = None,
              program: Callable[[], Any] | None = None) -> StackPlan:
    """Run one project program for one stack; raise PlanError with the program's own message on failure.
    `program` replaces the project's `__main__.py` (tests build a component with an injected catalog)."""
    [plan] = run_jobs([Job(stack, config, program)], upstream)
    return plan


def reference_key(stack: StackId) -> str:
    """The StackReference name consumers use for `stack` (service stacks are never referenced)."""
    return stack_reference_name(stack.project, stack.stack)


def plan_environment(environment: str, services: tuple[Service, ...] = SERVICES) -> list[StackPlan]:
    """Plan every stack of an environment in deploy order, a project's stacks in parallel. Every
    stack's config is read and checked first (the CLI's rules and this repository's): the problems of all
    stacks are one PlanError, raised before any program runs."""
    upstream: dict[str, StackOutputs] = {}
    plans = []
    # A project whose program is absent from the tree is not planned (tests plan partial trees); a project
    # that is here must have this environment's stack files, or the environment is only half defined.
    existing = [stack for stack in deploy_order(environment, services) if (stack.directory / "__main__.py").exists()]
    missing = [stack for stack in existing if not stack_exists(stack)]
    if missing:
        files = ", ".join(f"projects/{s.project}/Pulumi.{s.stack}.yaml" for s in missing)
        raise PlanError(f"{environment}: no stack file {files}: every project, and every catalog service, needs "
                        f"one per environment (copy another environment's file and adjust its values)")
    try:
        configs = load_environment_config(existing)
    except StackConfigError as error:
        raise PlanError(f"{environment}: {error}") from None
    for _, phase in itertools.groupby(existing, key=lambda stack: stack.project):
        for plan in run_jobs([Job(stack, configs[stack].program_config) for stack in phase], upstream):
            upstream[reference_key(plan.stack)] = plan.outputs
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
