"""Deploy, preview and destroy the stacks of an environment, phase by phase, through the Pulumi Automation API.

A deploy refuses before any state-changing call unless the environment's offline plan passes every offline
gate (policy pack, provider checks, deployability analysis, blocking placeholders), the config of every stack
it touches loads, and the AWS preflight passes. Then it goes phase by phase in dependency order (network;
registry; platform; the service stacks side by side), because a downstream preview cannot be trusted before
its upstream stacks are deployed. In each phase: the AWS checks that apply to it, `preview --diff` of every
stack with the policy pack enforced, a table of what each stack would create / update / replace / delete, a
refusal if a stateful resource would be replaced or deleted without `--allow-replace`, a confirmation
(`--yes`, else a prompt on a terminal, else a refusal), then `up` with the policy pack.

Order and stack names come from `shared.stacks` only. Creating or selecting a stack writes workspace files,
so it happens one stack at a time before a phase's parallel previews. Each run's logs go to a directory of
their own, `build/logs/<env>/<timestamp>/`.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from shared.catalog import CatalogError, by_name
from shared.contracts import CONTRACTS, deploy_command, missing_reads
from shared.stack_config import StackConfig, StackConfigError, load_environment_config
from shared.stacks import (
    ENVIRONMENTS,
    PROJECT_ORDER,
    PROTECTED_ENVIRONMENTS,
    REPO_ROOT,
    SERVICES_PROJECT,
    StackId,
    deploy_order,
    qualified_stack_name,
    service_stack_name,
    split_service_stack,
    stacks_for,
)
from tools.deploy.engine import Engine, OpsError, command_failure
from tools.deploy.lock import environment_lock
from tools.deploy.outputs import BackendStacks, outputs_document, write_outputs
from tools.deploy.preflight import Check, Preflight, ServiceNeeds, service_needs
from tools.deploy.progress import Console, StackProgress, changes_table, run_directory, watching

# Environments whose destruction needs the environment's name typed back (or --confirm <env>): --yes is not
# enough. Data, not a branch: add an environment here to protect it.
# The policy pack the CLI enforces on every preview and up (an absolute path: the CLI runs in the project
# directory). The same rules the offline gate applies to the plan.
POLICY_PACK = REPO_ROOT / "policy"
# Resources whose replacement or deletion loses data or breaks what depends on their identity: refused in a
# preview unless named with --allow-replace.
STATEFUL_TYPES = {
    "aws:dynamodb/table:Table": "DynamoDB table",
    "aws:sqs/queue:Queue": "SQS queue",
    "aws:s3/bucket:Bucket": "S3 bucket",
    "aws:s3/bucketV2:BucketV2": "S3 bucket",
    "aws:secretsmanager/secret:Secret": "secret",
    "aws:kms/key:Key": "KMS key",
    "aws:ecr/repository:Repository": "ECR repository",
    "aws:cloudwatch/logGroup:LogGroup": "log group",
}
# Projects that create ECS resources: the service-linked role must exist before the first of them.
ECS_PROJECTS = ("platform", SERVICES_PROJECT)
IMAGES_AFTER = "registry"  # images can be checked (and pushed) once the repositories exist


@dataclass(frozen=True)
class Options:
    """What the deploying tasks' flags say. Every field's default is the safe choice."""

    yes: bool = False  # skip the confirmation prompt of each phase
    allow_placeholders: bool = False  # deploy with example values still in the stack files
    allow_replace: tuple[str, ...] = ()  # stateful resources (logical name or URN) a preview may replace or delete
    create_service_linked_role: bool = False  # create AWSServiceRoleForECS when missing, instead of refusing
    build_images: bool = False  # build and push missing images (needs Docker), instead of refusing


def run_offline_gates(session: Session, allow_placeholders: bool) -> None:
    """The environment's offline plan (written to build/plan/<env>/plan.json) and every offline gate on it;
    refuses the deploy on any failure, before any state-changing call."""
    from tools.gates import failure_summary, read_plan, run_gates
    from tools.plan.runner import PlanError, plan_environment, write_plan

    environment = session.environment
    session.console.line(f"offline plan of {environment}, then the policy pack, provider checks, deployability "
                         f"analysis and placeholders")
    try:
        plans = plan_environment(environment)
    except PlanError as error:
        raise OpsError(f"refusing to deploy {environment}: the offline plan failed (nothing was changed):\n"
                       f"{error}") from None
    path = write_plan(session.build_dir, environment, plans)
    results = run_gates(read_plan(path), allow_placeholders=allow_placeholders)
    failed = failure_summary(results)
    if failed:
        session.console.block("\n".join(result.text for result in results if result.failures))
        raise OpsError(f"refusing to deploy {environment}: {failed} (listed above; plan: {shown(path)}); nothing "
                       f"was changed. Fix them; example values still in the stack files pass only with "
                       f"--allow-placeholders")
    session.console.line(f"offline gates passed (plan: {shown(path)})")


def _is_terminal() -> bool:
    return sys.stdin.isatty()


@dataclass
class Session:
    """One task's run: the engine, the environment, where logs and locks go, how it asks and checks."""

    engine: Engine
    environment: str
    build_dir: Path
    console: Console = field(default_factory=Console)
    max_parallel: int | None = None  # None: every stack of a project at once
    ask: Callable[[str], str] = input
    interactive: Callable[[], bool] = _is_terminal
    # Looked up when called, so a test can replace the module's functions.
    preflight: Callable[[], Preflight] = field(default=lambda: Preflight())
    gates: Callable[[Session, bool], None] = field(default=lambda session, allow: run_offline_gates(session, allow))
    _run_dir: Path | None = None

    @property
    def run_dir(self) -> Path:
        """This run's log directory, made on first use."""
        if self._run_dir is None:
            self._run_dir = run_directory(self.build_dir / "logs" / self.environment)
        return self._run_dir

    @property
    def lock_dir(self) -> Path:
        return self.build_dir / "locks"


def open_session(environment: str, build_dir: Path, environ: Mapping[str, str] | None = None) -> Session:
    """Check the environment, the CLI, the backend and the passphrase, in that order, before any call."""
    if environment not in ENVIRONMENTS:
        raise OpsError(f"unknown environment {environment!r}; use one of {', '.join(ENVIRONMENTS)}", code=2)
    return Session(Engine.discover(environ), environment, build_dir)


def shown(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


# --- running one engine operation ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class StackRun:
    stack: StackId
    operation: str
    ok: bool
    seconds: float
    progress: StackProgress
    error: str = ""

    @property
    def log(self) -> Path:
        return self.progress.log


Handle = tuple[StackId, auto.Stack]


def run_stack(session: Session, operation: str, handle: Handle, **arguments: Any) -> StackRun:
    """One preview, up or destroy of one stack: events to the console and the log, CLI output to the log."""
    stack, target = handle
    log = session.run_dir / f"{stack.project}.{stack.stack}.{operation}.log"
    progress = StackProgress(session.console, stack, operation, log, live=operation != "preview")
    progress.write(f"# pulumi {operation} of {qualified_stack_name(stack)} in {shown(stack.directory)} "
                   f"(CLI {session.engine.command.version}, backend {session.engine.backend.url}) {arguments or ''}")
    session.console.line(f"{stack}: {operation} started (log: {shown(log)})")
    started = time.monotonic()
    error = ""
    operations: dict[str, Callable[..., Any]] = {"preview": target.preview, "up": target.up, "destroy": target.destroy}
    call = operations[operation]
    with watching(progress):
        try:
            call(on_output=progress.on_output, on_error=progress.on_output, on_event=progress.on_event,
                 color="never", **arguments)
        except auto.errors.CommandError as failure:
            error = str(command_failure(failure, f"{operation} {stack}"))
        except RuntimeError as failure:  # the SDK's own: "summary event never found" after a silent preview
            error = f"could not {operation} {stack}: {failure}"
        if error:
            progress.write(error)
    seconds = time.monotonic() - started
    session.console.line(f"{stack}: {operation} {'ok' if not error else 'FAILED'} after {seconds:.1f}s")
    return StackRun(stack, operation, not error, seconds, progress, error)


def run_group(session: Session, operation: str, handles: Sequence[Handle], **arguments: Any) -> list[StackRun]:
    """Run the stacks of one phase side by side; each runs to its end whatever the others do."""
    workers = min(len(handles), session.max_parallel or len(handles))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"pulumi-{operation}") as pool:
        return list(pool.map(lambda handle: run_stack(session, operation, handle, **arguments), handles))


def failure(session: Session, failed: Sequence[StackRun], next_steps: Sequence[str]) -> OpsError:
    """Each failed stack's log path and last engine diagnostics, then an error naming every failed stack and
    what to run next."""
    for run in failed:
        lines = [f"---- {run.stack}: {run.operation} failed (log: {shown(run.log)})"]
        diagnostics = run.progress.last_diagnostics()
        if diagnostics:
            lines.append("  last engine diagnostics:")
            lines.extend(f"  | {line}" for text in diagnostics for line in text.splitlines())
        lines.extend(f"  | policy: {violation}" for violation in run.progress.policy_violations)
        if not diagnostics:
            lines.extend(f"  | {line}" for line in run.error.splitlines()[-20:])
        session.console.block("\n".join(lines))
    names = ", ".join(str(run.stack) for run in failed)
    return OpsError(f"{failed[0].operation} failed for {names}\n" + "\n".join(next_steps))


# --- checks before anything changes -------------------------------------------------------------------------------
def check_config(session: Session, stacks: Sequence[StackId]) -> dict[StackId, StackConfig]:
    """Refuse, before any CLI call, stacks whose config the CLI would refuse (or this repository's stricter
    rules would): every problem of every stack at once, read by the loader the offline plan uses."""
    try:
        configs = load_environment_config(stacks)
    except StackConfigError as error:
        raise OpsError(f"refusing to run in {session.environment} (nothing was changed): {error}") from None
    session.console.line(f"config of {len(stacks)} stack(s) accepted")
    return configs


def check_upstream(session: Session, projects: Sequence[str]) -> None:
    """Refuse, before any change, to deploy a project whose upstream stacks (those it reads, per
    `shared.contracts`, that this run does not deploy itself) are missing or lack the outputs it reads."""
    engine, environment = session.engine, session.environment
    needed: dict[str, dict[str, list[str]]] = {}  # producer -> key -> consumers
    for project in projects:
        for producer, keys in CONTRACTS[project].reads.items():
            if producer not in projects:
                for key in keys:
                    needed.setdefault(producer, {}).setdefault(key, []).append(project)
    backend = BackendStacks(engine)
    problems = []
    for producer in PROJECT_ORDER:
        if producer not in needed:
            continue
        fix = deploy_command(producer, environment)
        for stack in stacks_for(producer, environment):
            if not backend.has(stack):
                problems.append(f"{stack} is not in the backend ({engine.backend.url}); deploy it first: {fix}")
                continue
            outputs = engine.outputs(stack)
            missing = missing_reads(needed[producer], outputs)
            if not outputs:
                problems.append(f"{stack} has no outputs yet; deploy it first: {fix}")
            elif missing:
                readers = sorted({consumer for key in missing for consumer in needed[producer][key]})
                problems.append(f"{stack} does not export {', '.join(missing)} (read by {', '.join(readers)}); "
                                f"redeploy it: {fix}")
    if problems:
        raise OpsError(f"refusing to deploy {', '.join(projects)} to {environment}: upstream stacks are not ready "
                       f"(nothing was changed):\n" + "\n".join(f"  - {p}" for p in problems))


def report(session: Session, checks: Sequence[Check], refusal: str) -> None:
    """One line per check; refuses when a blocking check failed."""
    for check in checks:
        session.console.line(str(check))
    failed = [check for check in checks if check.refuses]
    if failed:
        raise OpsError(f"{refusal}: preflight failed ({', '.join(check.name for check in failed)}):\n"
                       + "\n".join(f"  - {check.name}: {check.detail}" for check in failed))


def build_images(session: Session, preflight: Preflight, needs: Sequence[ServiceNeeds],
                 urls: Mapping[str, str]) -> Check:
    """--build-images: build and push the missing images with `build-push` (needs Docker), then check again."""
    from tools import release

    environment = session.environment
    write_outputs(session.build_dir, environment, outputs_document(session.engine, environment))
    missing = set(preflight.missing_images(needs, urls))
    for need in needs:
        if need.service in missing:
            try:
                release.build_push(need.service, need.image_tag, environment, build_dir=session.build_dir,
                                   session=preflight.session, say=session.console.line)
            except release.ReleaseError as error:
                return Check("service images", False, f"--build-images could not push {need.service}:"
                                                      f"{need.image_tag}: {error}")
    return preflight.images(needs, urls, environment)


def services_needs(configs: Mapping[StackId, StackConfig]) -> list[ServiceNeeds]:
    return [service_needs(configs[stack]) for stack in configs if stack.project == SERVICES_PROJECT]


def account_preflight(preflight: Preflight, options: Options, projects: Sequence[str],
                      configs: Mapping[StackId, StackConfig]) -> list[Check]:
    """Before the first phase, so a refusal changes nothing: who and where, and, when the run creates ECS
    resources, the ECS service-linked role and the Fargate quotas the services' peak needs."""
    checks = [preflight.identity(), preflight.region(list(configs.values()))]
    if any(project in ECS_PROJECTS for project in projects):
        checks.append(preflight.service_linked_role(create=options.create_service_linked_role))
    if SERVICES_PROJECT in projects:
        checks += preflight.quotas(services_needs(configs))
    return checks


def images_preflight(session: Session, options: Options, preflight: Preflight,
                     configs: Mapping[StackId, StackConfig], refusal: str) -> None:
    """Before the first phase that creates ECS resources, when the run deploys services: every image tag in its
    repository (the repositories exist only once registry is deployed, which is why this check waits)."""
    needs = services_needs(configs)
    urls = session.engine.outputs(StackId("registry", session.environment)).get("repositoryUrls") or {}
    images = preflight.images(needs, urls, session.environment)
    if not images.ok and options.build_images:
        session.console.line(str(images))
        images = build_images(session, preflight, needs, urls)
    report(session, [images], refusal)


# --- phases -------------------------------------------------------------------------------------------------------
def prepare(session: Session, stacks: Sequence[StackId]) -> list[Handle]:
    """Select each stack, or create it with the configured secrets provider, one at a time: both write
    workspace files, which parallel CLI processes must not do together."""
    handles = []
    for stack in stacks:
        try:
            handles.append((stack, session.engine.stack(stack)))
        except auto.errors.CommandError as error:
            raise command_failure(error, f"create or select stack {stack} in {session.engine.backend.url} "
                                         f"(nothing was deployed in this phase)") from None
        session.console.line(f"{stack}: stack ready")
    return handles


def refuse_stateful(previews: Sequence[StackRun], allowed: Sequence[str], refusal: str) -> None:
    """A preview that replaces or deletes a stateful resource is refused unless each one is named."""
    risky = [(run.stack, change) for run in previews for change in run.progress.changes.values()
             if change.type in STATEFUL_TYPES and change.name not in allowed and change.urn not in allowed]
    if risky:
        lines = [f"  - {stack}: {change.op} {STATEFUL_TYPES[change.type]} {change.name} ({change.urn})"
                 for stack, change in risky]
        names = " ".join(f"--allow-replace {change.name}" for _, change in risky)
        raise OpsError(f"{refusal}: the preview replaces or deletes stateful resources, whose data or identity "
                       f"would be lost:\n" + "\n".join(lines) + f"\nIf that is intended, re-run with {names}")


def confirm(session: Session, options: Options, previews: Sequence[StackRun], refusal: str) -> None:
    """--yes, or `y` at a prompt on a terminal; without a terminal and without --yes: refuse."""
    if options.yes or not any(run.progress.counts.values() for run in previews):
        return
    names = ", ".join(str(run.stack) for run in previews)
    if not session.interactive():
        raise OpsError(f"{refusal}: confirming the changes above needs a terminal; read the preview, then re-run "
                       f"with --yes", code=2)
    answer = session.ask(f"Apply these changes to {names}? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise OpsError(f"{refusal}: not confirmed (answered {answer.strip()!r})")


def deploy_phase(session: Session, options: Options, group: Sequence[StackId],
                 next_steps: Callable[[str, Sequence[StackRun]], list[str]]) -> None:
    """Preview every stack of the phase, show and check what changes, confirm, then up."""
    project = group[0].project
    refusal = f"nothing was changed in phase {project}"
    handles = prepare(session, group)
    policy = [str(POLICY_PACK)]
    previews = run_group(session, "preview", handles, diff=True, policy_packs=policy)
    failed = [run for run in previews if not run.ok]
    if failed:
        raise failure(session, failed, [f"preview failed: {refusal}", *next_steps(project, failed)])
    session.console.block(changes_table([run.progress for run in previews]))
    refuse_stateful(previews, options.allow_replace, refusal)
    confirm(session, options, previews, refusal)
    runs = run_group(session, "up", handles, policy_packs=policy)
    failed = [run for run in runs if not run.ok]
    if failed:
        finished = [str(run.stack) for run in runs if run.ok]
        steps = [f"finished in this phase: {', '.join(finished)}"] if finished else []
        raise failure(session, failed, steps + next_steps(project, failed))


def _deploy(session: Session, options: Options, command: str, projects: Sequence[str],
            groups: Sequence[Sequence[StackId]], next_steps: Callable[[str, Sequence[StackRun]], list[str]]) -> None:
    environment = session.environment
    stacks = [stack for group in groups for stack in group]
    configs = check_config(session, stacks)
    session.gates(session, options.allow_placeholders)
    with environment_lock(session.lock_dir, environment, command):
        preflight = session.preflight()
        report(session, account_preflight(preflight, options, projects, configs), "nothing was changed")
        check_upstream(session, projects)
        images_checked = SERVICES_PROJECT not in projects
        for group in groups:
            project = group[0].project
            session.console.line(f"== phase {project}: {', '.join(str(s) for s in group)}")
            if project in ECS_PROJECTS and not images_checked:
                images_checked = True
                images_preflight(session, options, preflight, configs, f"nothing was changed in phase {project}")
            deploy_phase(session, options, group, next_steps)
        session.console.line(f"{command}: {len(stacks)} stack(s) deployed (logs: {shown(session.run_dir)})")


def _redeploy_services(environment: str, failed: Sequence[StackRun]) -> list[str]:
    return [f"or redeploy only that service: invoke deploy --service {split_service_stack(run.stack.stack)[0].name} "
            f"--env {environment}" for run in failed if run.stack.project == SERVICES_PROJECT]


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


def deploy_all(session: Session, start_from: str | None = None, options: Options = Options()) -> None:
    """network -> registry -> (images) -> platform -> the service stacks in parallel; stops at the first
    failed phase and says how to resume."""
    environment = session.environment
    projects = projects_from(start_from)

    def next_steps(project: str, failed: Sequence[StackRun]) -> list[str]:
        return [f"resume with: invoke deploy-all --env {environment} --from {project}",
                *_redeploy_services(environment, failed)]

    _deploy(session, options, f"invoke deploy-all --env {environment}", projects,
            [stacks_for(project, environment) for project in projects], next_steps)


def deploy_project(session: Session, project: str, options: Options = Options()) -> None:
    """Every stack of one project (the service stacks in parallel), after checking its upstream stacks."""
    environment = session.environment
    command = f"invoke deploy --project {check_project(project)} --env {environment}"
    _deploy(session, options, command, [project], [stacks_for(project, environment)],
            lambda _, failed: [f"fix the cause, then re-run: {command}", *_redeploy_services(environment, failed)])


def deploy_service(session: Session, service: str, options: Options = Options()) -> None:
    """One service's stack alone: how a team releases its service."""
    environment = session.environment
    stack = service_stack(environment, service)
    command = f"invoke deploy --service {service} --env {environment}"
    _deploy(session, options, command, [SERVICES_PROJECT], [[stack]],
            lambda *_: [f"fix the cause, then re-run: {command}"])


def deploy_one(session: Session, project: str | None = None, service: str | None = None,
               options: Options = Options()) -> None:
    """`invoke deploy`: exactly one of a project or a service."""
    if (project is None) == (service is None):
        raise OpsError("give exactly one of --project <name> or --service <name> (invoke deploy-all deploys "
                       "everything)", code=2)
    if project is not None:
        deploy_project(session, project, options)
    else:
        deploy_service(session, str(service), options)


# --- preview ------------------------------------------------------------------------------------------------------
def preview_stacks(environment: str, project: str | None, service: str | None) -> list[list[StackId]]:
    if project is not None and service is not None:
        raise OpsError("give --project or --service, not both", code=2)
    if service is not None:
        return [[service_stack(environment, service)]]
    if project is not None:
        return [stacks_for(check_project(project), environment)]
    return [stacks_for(name, environment) for name in PROJECT_ORDER]


def preview(session: Session, project: str | None = None, service: str | None = None, diff: bool = False) -> None:
    """Preview one project, one service or every stack, with the policy pack; shows each stack's output and
    the change counts, then names the failures. Read-only: a stack the backend does not hold yet is reported,
    not created (creating it would write its stack file and the backend outside the deploy tasks' gates and
    lock). A stack whose upstream stacks are not deployed yet cannot be previewed either: its program stops at
    the StackReference with the command that deploys the upstream."""
    groups = preview_stacks(session.environment, project, service)
    check_config(session, [stack for group in groups for stack in group])
    backend = BackendStacks(session.engine)
    runs: list[StackRun] = []
    for group in groups:
        absent = [stack for stack in group if not backend.has(stack)]
        for stack in absent:
            session.console.line(f"{stack}: not in the backend yet, nothing to preview (`invoke deploy` creates it "
                                 f"after the gates and the preflight)")
        present = [stack for stack in group if stack not in absent]
        if present:
            runs += run_group(session, "preview", prepare(session, present), diff=diff,
                              policy_packs=[str(POLICY_PACK)])
    for run in runs:
        session.console.block(f"---- {run.stack}: preview {'ok' if run.ok else 'FAILED'}\n"
                              f"{run.log.read_text().rstrip()}")
    session.console.block(changes_table([run.progress for run in runs if run.ok]))
    failed = [run for run in runs if not run.ok]
    if failed:
        raise failure(session, failed, ["nothing was changed"])


# --- destroy ------------------------------------------------------------------------------------------------------
def confirm_destroy(session: Session, what: str, yes: bool, typed: str | None) -> None:
    """Protected environments: the name typed back at a prompt, or --confirm <env>; others: --yes."""
    environment = session.environment
    if environment not in PROTECTED_ENVIRONMENTS:
        if not yes:
            raise OpsError(f"this deletes every resource of {what}; re-run with --yes", code=2)
        return
    if typed is None:
        if not session.interactive():
            raise OpsError(f"{environment} is a protected environment: --yes is not enough to delete {what}; type "
                           f"its name at the prompt (on a terminal) or pass --confirm {environment}", code=2)
        typed = session.ask(f"{environment} is protected. This deletes every resource of {what}, data included.\n"
                            f"Type the environment's name to go on: ")
    if typed.strip() != environment:
        raise OpsError(f"{typed.strip()!r} is not {environment!r}: nothing was destroyed", code=2)


def _destroy(session: Session, command: str, stacks: Sequence[StackId], yes: bool, typed: str | None) -> None:
    confirm_destroy(session, ", ".join(str(s) for s in stacks), yes, typed)
    with environment_lock(session.lock_dir, session.environment, command):
        backend = BackendStacks(session.engine)
        for stack in stacks:
            if not backend.has(stack):
                session.console.line(f"{stack}: not in the backend, nothing to destroy")
                continue
            run = run_stack(session, "destroy", prepare(session, [stack])[0])
            if not run.ok:
                raise failure(session, [run], [
                    f"stacks after it in this list were not touched; fix the cause, then re-run: {command} "
                    f"(stacks already destroyed are empty and finish quickly)"])
        session.console.line(f"{command}: done (logs: {shown(session.run_dir)})")


def destroy_all(session: Session, yes: bool = False, typed: str | None = None) -> None:
    """Exact reverse of the deploy order, one stack at a time: the service stacks first, the network last."""
    environment = session.environment
    _destroy(session, f"invoke destroy-all --env {environment}", list(reversed(deploy_order(environment))), yes,
             typed)


def destroy_service(session: Session, service: str, yes: bool = False, typed: str | None = None) -> None:
    environment = session.environment
    _destroy(session, f"invoke destroy --service {service} --env {environment}",
             [service_stack(environment, service)], yes, typed)
