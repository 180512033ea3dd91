"""Deploy, preview and destroy the stacks of an environment in order, through the real `pulumi` CLI.

Order and stack names come from `shared.stacks` only. Stacks of one project (the service stacks) do not read
each other, so they run side by side; projects run one after another because each reads the outputs of the
ones before it. Everything that writes to the workspace or a stack file (creating or selecting a stack,
loading its config) happens one stack at a time before any update starts, never concurrently. Before the
first CLI call, the config of every stack the run touches is checked by `shared.stack_config`, the loader the
offline plan uses (the CLI's own rules and this repository's stricter ones), and refused with every problem.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

from shared.catalog import CatalogError, by_name
from shared.contracts import CONTRACTS
from shared.stack_config import StackConfigError, load_environment_config
from tools.deploy.lock import environment_lock
from tools.deploy.outputs import BackendStacks, read_outputs
from tools.deploy.pulumi_cli import OpsError, PulumiCli
from shared.stacks import (ENVIRONMENTS, PROJECT_ORDER, REPO_ROOT, SERVICES_PROJECT, StackId, deploy_order,
                           service_stack_name, split_service_stack, stacks_for)

UP = ("up", "--yes")
PREVIEW = ("preview",)
DESTROY = ("destroy", "--yes")
TAIL_LINES = 60  # of a failed stack's output shown on the terminal; the log keeps all of it


class Console:
    """Progress lines prefixed with the time since the run started; one writer at a time across threads."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self._lock = threading.Lock()

    def line(self, text: str) -> None:
        with self._lock:
            print(f"[{time.monotonic() - self.started:7.1f}s] {text}", flush=True)

    def block(self, text: str) -> None:
        with self._lock:
            print(text, flush=True)


@dataclass
class Session:
    """One task's run: the CLI, the environment, where logs and locks go, and how many stacks run at once."""

    cli: PulumiCli
    environment: str
    build_dir: Path
    console: Console = field(default_factory=Console)
    max_parallel: int | None = None  # None: every stack of a project at once

    @property
    def log_dir(self) -> Path:
        return self.build_dir / "logs" / self.environment

    @property
    def lock_dir(self) -> Path:
        return self.build_dir / "locks"


def open_session(environment: str, build_dir: Path, environ: Mapping[str, str] | None = None) -> Session:
    """Check the environment, the CLI, the backend and the passphrase, in that order, before any call."""
    if environment not in ENVIRONMENTS:
        raise OpsError(f"unknown environment {environment!r}; use one of {', '.join(ENVIRONMENTS)}", code=2)
    return Session(PulumiCli.discover(environ), environment, build_dir)


@dataclass(frozen=True)
class StackRun:
    stack: StackId
    operation: str
    ok: bool
    seconds: float
    log: Path
    output: str


def shown(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def run_stack(session: Session, operation: str, args: Sequence[str], stack: StackId) -> StackRun:
    log = session.log_dir / f"{stack.project}.{stack.stack}.{operation}.log"
    session.console.line(f"{stack}: {operation} started (log: {shown(log)})")
    started = time.monotonic()
    result = session.cli.logged(args, stack, log)
    seconds = time.monotonic() - started
    status = "ok" if result.ok else f"FAILED (exit {result.code})"
    session.console.line(f"{stack}: {operation} {status} after {seconds:.1f}s")
    return StackRun(stack, operation, result.ok, seconds, log, result.stdout)


def run_group(session: Session, operation: str, args: Sequence[str], stacks: Sequence[StackId]) -> list[StackRun]:
    """Run the stacks of one project side by side; each runs to its end whatever the others do."""
    workers = min(len(stacks), session.max_parallel or len(stacks))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"pulumi-{operation}") as pool:
        return list(pool.map(lambda stack: run_stack(session, operation, args, stack), stacks))


def failure(session: Session, failed: Sequence[StackRun], next_steps: Sequence[str]) -> OpsError:
    """Show each failed stack's output, then an error naming every failed stack and what to run next."""
    for run in failed:
        lines = run.output.splitlines()
        extent = f"last {TAIL_LINES} of {len(lines)} lines" if len(lines) > TAIL_LINES else "output"
        body = "\n".join(f"  | {line}" for line in lines[-TAIL_LINES:])
        session.console.block(f"---- {run.stack}: {run.operation} failed; {extent} (full log: {shown(run.log)})\n"
                              f"{body}")
    names = ", ".join(str(run.stack) for run in failed)
    return OpsError(f"{failed[0].operation} failed for {names}\n" + "\n".join(next_steps))


def projects_from(start_from: str | None) -> tuple[str, ...]:
    if start_from is None:
        return PROJECT_ORDER
    if start_from not in PROJECT_ORDER:
        raise OpsError(f"--from {start_from!r} is not a project; use one of {', '.join(PROJECT_ORDER)}", code=2)
    return PROJECT_ORDER[PROJECT_ORDER.index(start_from):]


def check_project(project: str) -> str:
    if project not in PROJECT_ORDER:
        raise OpsError(f"unknown project {project!r}; use one of {', '.join(PROJECT_ORDER)}", code=2)
    return project


def service_stack(environment: str, service: str) -> StackId:
    try:
        found = by_name(service)
    except CatalogError as error:
        raise OpsError(str(error), code=2) from None
    return StackId(SERVICES_PROJECT, service_stack_name(found.name, environment))


def check_upstream(session: Session, projects: Sequence[str]) -> None:
    """Refuse, before any change, to deploy a project whose upstream stacks (those it reads, per
    `shared.contracts`, that this run does not deploy itself) are missing or lack the outputs it reads."""
    cli, environment = session.cli, session.environment
    needed: dict[str, dict[str, list[str]]] = {}  # producer -> key -> consumers
    for project in projects:
        for producer, keys in CONTRACTS[project].reads.items():
            if producer not in projects:
                for key in keys:
                    needed.setdefault(producer, {}).setdefault(key, []).append(project)
    backend = BackendStacks(cli)
    problems = []
    for producer in PROJECT_ORDER:
        if producer not in needed:
            continue
        fix = f"invoke deploy --project {producer} --env {environment}"
        for stack in stacks_for(producer, environment):
            if not backend.has(stack):
                problems.append(f"{stack} is not in the backend ({cli.backend.url}); deploy it first: {fix}")
                continue
            outputs = read_outputs(cli, stack)
            missing = [key for key in needed[producer] if key not in outputs]
            if not outputs:
                problems.append(f"{stack} has no outputs yet; deploy it first: {fix}")
            elif missing:
                readers = sorted({consumer for key in missing for consumer in needed[producer][key]})
                problems.append(f"{stack} does not export {', '.join(missing)} (read by {', '.join(readers)}); "
                                f"redeploy it: {fix}")
    if problems:
        raise OpsError(f"refusing to deploy {', '.join(projects)} to {environment}: upstream stacks are not ready "
                       f"(nothing was changed):\n" + "\n".join(f"  - {p}" for p in problems))


def check_config(session: Session, stacks: Sequence[StackId]) -> None:
    """Refuse, before any CLI call, stacks whose config the CLI would refuse at `preview`/`up` (or this
    repository's stricter rules would): every problem of every stack at once, read by the loader the offline
    plan uses. Only the stacks this run deploys or previews are read: an upstream stack it only reads outputs
    from is not run, so its config cannot stop this run."""
    try:
        load_environment_config(stacks)
    except StackConfigError as error:
        raise OpsError(f"refusing to run in {session.environment} (nothing was changed): {error}") from None
    session.console.line(f"config of {len(stacks)} stack(s) accepted")


def prepare(session: Session, stacks: Sequence[StackId]) -> None:
    """Create (with the configured secrets provider) or select each stack and load its config, one at a
    time: both write workspace and stack files, which parallel CLI processes must not do together."""
    cli = session.cli
    for stack in stacks:
        selected = cli.capture(["stack", "select", "--create", "--secrets-provider", cli.backend.secrets_provider],
                               stack=stack)
        if not selected.ok:
            raise OpsError(f"could not create or select stack {stack} in {cli.backend.url} (nothing was deployed):\n"
                           f"{selected.output.strip()}")
        config = cli.capture(["config", "--json"], stack=stack)
        if not config.ok:
            raise OpsError(f"the config of {stack} does not load; fix {shown(stack.directory)}/Pulumi.{stack.stack}"
                           f".yaml (nothing was deployed):\n{config.output.strip()}")
        session.console.line(f"{stack}: stack ready, config loads")


def _deploy(session: Session, command: str, projects: Sequence[str], groups: Sequence[Sequence[StackId]],
            next_steps: Callable[[str, Sequence[StackRun]], list[str]]) -> None:
    environment = session.environment
    stacks = [stack for group in groups for stack in group]
    check_config(session, stacks)
    with environment_lock(session.lock_dir, environment, command):
        check_upstream(session, projects)
        prepare(session, stacks)
        for group in groups:
            runs = run_group(session, "up", UP, group)
            failed = [run for run in runs if not run.ok]
            if failed:
                finished = [str(run.stack) for run in runs if run.ok]
                steps = [f"finished in this phase: {', '.join(finished)}"] if finished else []
                raise failure(session, failed, steps + next_steps(group[0].project, failed))
        session.console.line(f"{command}: {len(stacks)} stack(s) deployed")


def _redeploy_services(environment: str, failed: Sequence[StackRun]) -> list[str]:
    return [f"or redeploy only that service: invoke deploy --service {split_service_stack(run.stack.stack)[0].name} "
            f"--env {environment}" for run in failed if run.stack.project == SERVICES_PROJECT]


def deploy_all(session: Session, start_from: str | None = None) -> None:
    """network -> registry -> platform -> the service stacks in parallel; stops at the first failed project."""
    environment = session.environment
    projects = projects_from(start_from)

    def next_steps(project: str, failed: Sequence[StackRun]) -> list[str]:
        return ([f"resume with: invoke deploy-all --env {environment} --from {project}"]
                + _redeploy_services(environment, failed))

    _deploy(session, f"invoke deploy-all --env {environment}", projects,
            [stacks_for(project, environment) for project in projects], next_steps)


def deploy_project(session: Session, project: str) -> None:
    """Every stack of one project (the service stacks in parallel), after checking its upstream stacks."""
    environment = session.environment
    command = f"invoke deploy --project {check_project(project)} --env {environment}"
    _deploy(session, command, [project], [stacks_for(project, environment)],
            lambda _, failed: [f"fix the cause, then re-run: {command}"] + _redeploy_services(environment, failed))


def deploy_service(session: Session, service: str) -> None:
    """One service's stack alone: how a team releases its service."""
    environment = session.environment
    stack = service_stack(environment, service)
    command = f"invoke deploy --service {service} --env {environment}"
    _deploy(session, command, [SERVICES_PROJECT], [[stack]], lambda *_: [f"fix the cause, then re-run: {command}"])


def deploy_one(session: Session, project: str | None = None, service: str | None = None) -> None:
    """`invoke deploy`: exactly one of a project or a service."""
    if (project is None) == (service is None):
        raise OpsError("give exactly one of --project <name> or --service <name> (invoke deploy-all deploys "
                       "everything)", code=2)
    if project is not None:
        deploy_project(session, project)
    else:
        deploy_service(session, str(service))


def preview_stacks(environment: str, project: str | None, service: str | None) -> list[list[StackId]]:
    if project is not None and service is not None:
        raise OpsError("give --project or --service, not both", code=2)
    if service is not None:
        return [[service_stack(environment, service)]]
    if project is not None:
        return [stacks_for(check_project(project), environment)]
    return [stacks_for(name, environment) for name in PROJECT_ORDER]


def preview(session: Session, project: str | None = None, service: str | None = None, diff: bool = False) -> None:
    """Preview one project, one service or every stack; shows every stack's preview, then names the failures.

    A stack whose upstream stacks are not deployed yet cannot be previewed: its program stops at the
    StackReference with the command that deploys the upstream.
    """
    groups = preview_stacks(session.environment, project, service)
    stacks = [stack for group in groups for stack in group]
    check_config(session, stacks)
    prepare(session, stacks)
    failed: list[StackRun] = []
    for group in groups:
        for run in run_group(session, "preview", PREVIEW + (("--diff",) if diff else ()), group):
            session.console.block(f"---- {run.stack}: preview {'ok' if run.ok else 'FAILED'}\n{run.output.rstrip()}")
            if not run.ok:
                failed.append(run)
    if failed:
        raise OpsError(f"preview failed for {', '.join(str(run.stack) for run in failed)} (output above)")


def _destroy(session: Session, command: str, stacks: Sequence[StackId], confirmed: bool) -> None:
    if not confirmed:
        raise OpsError(f"this deletes every resource of {', '.join(str(s) for s in stacks)}; re-run with --yes: "
                       f"{command} --yes", code=2)
    with environment_lock(session.lock_dir, session.environment, command):
        backend = BackendStacks(session.cli)
        for stack in stacks:
            if not backend.has(stack):
                session.console.line(f"{stack}: not in the backend, nothing to destroy")
                continue
            run = run_stack(session, "destroy", DESTROY, stack)
            if not run.ok:
                raise failure(session, [run], [
                    f"stacks after it in this list were not touched; fix the cause, then re-run: {command} --yes "
                    f"(stacks already destroyed are empty and finish quickly)"])
        session.console.line(f"{command}: done")


def destroy_all(session: Session, confirmed: bool = False) -> None:
    """Exact reverse of the deploy order, one stack at a time: the service stacks first, the network last."""
    environment = session.environment
    _destroy(session, f"invoke destroy-all --env {environment}", list(reversed(deploy_order(environment))),
             confirmed)


def destroy_service(session: Session, service: str, confirmed: bool = False) -> None:
    environment = session.environment
    _destroy(session, f"invoke destroy --service {service} --env {environment}",
             [service_stack(environment, service)], confirmed)
