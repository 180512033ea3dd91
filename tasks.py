"""invoke tasks: the one entry point for planning, testing and deploying. `invoke --list` shows them all.

Tasks stay thin: each parses its arguments and calls a module of `tools/` (or `policy/`), where the logic is tested.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from invoke import Exit, UnexpectedExit, task

from shared.stacks import ENVIRONMENTS
from tools.deploy import deploy as ops
from tools.deploy.engine import OpsError
from tools.deploy.outputs import outputs_document, write_outputs
from tools.findings import Status
from tools.gates import PlanFileError, failure_summary, read_plan, run_gates
from tools.plan.runner import PlanError, plan_document, plan_environment, summary, write_plan
from tools.verify.expected import VerifyError, outputs_path
from tools.verify.report import report, verify_environment

ROOT = Path(__file__).resolve().parent
BUILD = ROOT / "build"


def environments(env: str) -> tuple[str, ...]:
    if env == "all":
        return ENVIRONMENTS
    if env not in ENVIRONMENTS:
        raise Exit(f"unknown environment {env!r}; use one of {', '.join(ENVIRONMENTS)} or all", code=2)
    return (env,)


@task(help={"env": "dev, prod or all (default)",
            "no_analysis": "skip the deployability analysis (debugging only: the plan then proves nothing about "
                           "whether tasks start and calls get through)"})
def plan(c, env="all", no_analysis=False):
    """Offline plan: run every project under Pulumi mocks, write build/plan/<env>/plan.json, then run every
    offline gate on it: the policy pack, the provider checks and the deployability analysis (exit 1 on any
    failure; plan.json stays for inspection), and list the example values still in the stack files. No AWS."""
    failed = []
    for environment in environments(env):
        try:
            plans = plan_environment(environment)
        except PlanError as error:
            raise Exit(f"plan for {environment} failed; no plan written.\n{error}", code=1) from None
        path = write_plan(BUILD, environment, plans)
        print(f"== {environment}: {len(plans)} stacks -> {path.relative_to(ROOT)}")
        print(summary(plans))
        results = run_gates(read_plan(path), analysis=not no_analysis)
        print("\n".join(result.text for result in results))
        if failure_summary(results):
            failed.append(f"{environment}: {failure_summary(results)}")
    if failed:
        raise Exit(f"{' | '.join(failed)}; listed above; plan.json is written for inspection", code=1)


@task(help={"plan": "path of a plan.json (as `./dev plan` writes it, e.g. build/plan/prod/plan.json)",
            "allow_placeholders": "do not fail on example values still in the environment's stack files"})
def check_plan(c, plan, allow_placeholders=False):
    """Run every offline gate (policy pack, provider checks, deployability analysis, placeholders) over an
    existing plan.json: each failure with its rule id and resource; exit 1 on any mandatory failure."""
    try:
        document = read_plan(Path(plan))
    except PlanFileError as error:
        raise Exit(str(error), code=2) from None
    results = run_gates(document, allow_placeholders=allow_placeholders)
    print("\n".join(result.text for result in results))
    if failure_summary(results):
        raise Exit(f"{plan} ({document['environment']}): {failure_summary(results)}", code=1)
    print(f"{plan} ({document['environment']}): every gate passed")


@task
def lint(c):
    """Static checks: ruff and mypy, as configured in pyproject.toml (mypy keeps its cache in build/)."""
    c.run(f"{sys.executable} -m ruff check .", pty=False)
    c.run(f"{sys.executable} -m mypy", pty=False)


# Each test worker imports the library and pytest rewrites every test module's asserts before it runs: pure
# Python that coverage's tracer slows down. With bytecode kept in __pycache__ (git-ignored) a repeated run reads
# both back: collecting under coverage took 6.4-8.5 s a worker instead of 10.5-12.2 s. An environment that sets
# PYTHONDONTWRITEBYTECODE (this machine's does) would make every run pay again; an empty value turns it off.
BYTECODE_CACHED = {"PYTHONDONTWRITEBYTECODE": ""}


@task(help={"args": "pytest arguments for the inner loop, e.g. '-k network', or 'tests' for every test: no static "
                    "checks and no coverage (the 100% gate applies to full runs only)",
            "workers": "pytest-xdist workers (default 2, this machine's cores; 0 runs in one process)"})
def test(c, args="", workers=2):
    """Static checks (ruff, mypy), then every test with 100% line and branch coverage of shared/, tools/,
    projects/, tasks.py, apps/ and policy/; with --args, only those tests, without either. Prints how long each
    part took."""
    timings = []
    if not args:  # a partial run is for the inner loop: no static checks and no coverage
        started = time.monotonic()
        lint(c)
        timings.append(f"static checks {time.monotonic() - started:.0f} s")
    # Coverage's tracer makes the suite 1.6 to 2.6 times slower (the programs under mocks most); a partial run has
    # no gate to feed, so the inner loop runs without it.
    # pytest-cov reads every measured file's source once for the gate's total and again for each report asked
    # for (3 s apiece on this machine, after the last test): no report here, the missing lines only on a failure.
    measure = " --no-cov" if args else " --cov --cov-report="
    parallel = f" -n {workers}" if int(workers) else ""
    started = time.monotonic()
    # tests.preload imports the heavy third-party packages before coverage starts tracing (see its docstring).
    try:
        c.run(f"{sys.executable} -m pytest -p tests.preload{measure}{parallel} {args}".rstrip(), pty=False,
              env=BYTECODE_CACHED)
    except UnexpectedExit:
        if not args:  # the lines and branches no test ran, file by file (pyproject: fully covered files skipped)
            c.run(f"{sys.executable} -m coverage report", pty=False, warn=True)
        raise
    timings.append(f"tests {time.monotonic() - started:.0f} s")
    print(f"./dev test: {', '.join(timings)}")


# --- Sample services: release an image, run locally (logic and tests: tools/release.py, tools/local.py,
# tests/apps/). Imported inside the tasks: moto and boto3 are slow to import and other tasks do not need them.
@task(help={"service": "catalog service whose image to build, e.g. api-gateway",
            "tag": "release tag, e.g. 1.4.2 (not latest; a tag already in ECR is refused: repositories are immutable)",
            "env": "environment whose registry receives the image: dev (default) or prod"})
def build_push(c, service, tag, env="dev"):
    """Build apps/<service>, log in to ECR and push <repository URL>:<tag> (URL from build/outputs/<env>.json).
    Then set services:imageTag in the service's stack file and `invoke deploy --service <service>`."""
    from tools import release as images
    try:
        images.build_push(service, tag, env, build_dir=BUILD)
    except images.ReleaseError as error:
        raise Exit(str(error), code=1) from None


@task(help={"services": "comma-separated catalog services to run (default: all), e.g. processing-service; "
                        "each needs apps/<name>/ and what it calls",
            "port_offset": "move every service off its catalog port by N (a second copy beside the first)"})
def local_up(c, services="", port_offset=0):
    """Run the catalog's sample services on loopback against moto (SQS, SNS, DynamoDB, S3, Secrets Manager) and
    a stub venue, as their images run them; prints the URLs and a trader token. Ctrl-C stops everything."""
    from tools import local
    try:
        local.local_up(services=services, port_offset=int(port_offset))
    except local.LocalError as error:
        raise Exit(str(error), code=1) from None


# --- Real deployments through the Pulumi Automation API (logic and tests: tools/deploy/, tests/unit/test_ops*.py,
# tests/deploy/; the release flow and the first deploy step by step: docs/deploy.md) ---
ENV_HELP = "environment: dev (default) or prod"
DEPLOY_HELP = {
    "env": ENV_HELP,
    "yes": "apply each phase's changes without asking (CI); without it a terminal prompt asks, and with no "
           "terminal the deploy refuses",
    "allow_placeholders": "deploy although example values are still in the stack files (the gate refuses them)",
    "allow_replace": "a stateful resource (logical name or URN) the preview may replace or delete; repeat the flag "
                     "for each",
    "create_service_linked_role": "create the ECS service-linked role when the account lacks it, instead of "
                                  "refusing",
    "build_images": "build and push missing service images with build-push (needs Docker), instead of refusing",
}


def _ops(action) -> None:
    """Run an ops action; its OpsError becomes a clean non-zero exit with the message (no traceback)."""
    try:
        action()
    except OpsError as error:
        raise Exit(str(error), code=error.code) from None


def _options(yes, allow_placeholders, allow_replace, create_service_linked_role, build_images) -> ops.Options:
    return ops.Options(yes=yes, allow_placeholders=allow_placeholders, allow_replace=tuple(allow_replace or ()),
                       create_service_linked_role=create_service_linked_role, build_images=build_images)


@task(help={**DEPLOY_HELP,
            "from_": "resume at this project after a failure: network, registry, platform or services"},
      iterable=["allow_replace"])
def deploy_all(c, env="dev", from_=None, yes=False, allow_placeholders=False, allow_replace=None,
               create_service_linked_role=False, build_images=False):
    """Deploy every stack: offline gates, AWS preflight, then per phase (network, registry, platform, the
    service stacks in parallel) preview, change table, confirmation and up."""
    options = _options(yes, allow_placeholders, allow_replace, create_service_linked_role, build_images)
    _ops(lambda: ops.deploy_all(ops.open_session(env, BUILD), start_from=from_, options=options))


@task(help={**DEPLOY_HELP,
            "project": "deploy every stack of this project (network, registry, platform, services)",
            "service": "deploy only this service's stack, e.g. api-gateway (how a team releases its service)"},
      iterable=["allow_replace"])
def deploy(c, env="dev", project=None, service=None, yes=False, allow_placeholders=False, allow_replace=None,
           create_service_linked_role=False, build_images=False):
    """Deploy one project or one service stack alone, with the same gates, preflight, preview and confirmation
    as deploy-all; refuses while an upstream stack lacks outputs."""
    options = _options(yes, allow_placeholders, allow_replace, create_service_linked_role, build_images)
    _ops(lambda: ops.deploy_one(ops.open_session(env, BUILD), project=project, service=service, options=options))


@task(help={"env": ENV_HELP, "project": "preview only this project's stacks",
            "service": "preview only this service's stack",
            "diff": "show the detailed property diff (pulumi preview --diff)"})
def preview(c, env="dev", project=None, service=None, diff=False):
    """Preview every stack (or one project or service) with the policy pack, without changing anything."""
    _ops(lambda: ops.preview(ops.open_session(env, BUILD), project=project, service=service, diff=diff))


CONFIRM_HELP = "a protected environment (prod) needs its name: --confirm prod (or type it at the prompt)"


@task(help={"env": ENV_HELP, "yes": "confirm: delete every resource of an unprotected environment",
            "confirm": CONFIRM_HELP})
def destroy_all(c, env="dev", yes=False, confirm=None):
    """Destroy every stack in exact reverse deploy order: the service stacks first, the network last."""
    _ops(lambda: ops.destroy_all(ops.open_session(env, BUILD), yes=yes, typed=confirm))


@task(help={"env": ENV_HELP, "service": "the service whose stack to destroy, e.g. frontend",
            "yes": "confirm: delete every resource of that service's stack (unprotected environments)",
            "confirm": CONFIRM_HELP})
def destroy(c, service, env="dev", yes=False, confirm=None):
    """Destroy one service's stack; the shared stacks stay (use destroy-all for the whole environment)."""
    _ops(lambda: ops.destroy_service(ops.open_session(env, BUILD), service, yes=yes, typed=confirm))


@task(help={"env": ENV_HELP})
def outputs(c, env="dev"):
    """Write every deployed stack's outputs, secrets masked, to build/outputs/<env>.json (read by verify)."""

    def write() -> None:
        session = ops.open_session(env, BUILD)
        path = write_outputs(BUILD, env, outputs_document(session.engine, env))
        print(f"outputs of {env} -> {ops.shown(path)}")

    _ops(write)


@task(help={"env": "dev (default), prod or all",
            "outputs_file": "outputs file to read instead of build/outputs/<env>.json (one environment only)"})
def verify(c, env="dev", outputs_file=None):
    """Check the live environment against its stack config and the catalog (read-only AWS calls, default
    boto3 credentials); reads the file `invoke outputs` writes after a deploy. Exits 1 when a check fails, 3 when
    nothing could be verified (AWS unreachable): never a pass."""
    chosen = environments(env)
    if outputs_file and len(chosen) > 1:
        raise Exit("--outputs-file holds one environment's outputs: name that environment with --env", code=2)
    failed = []
    for environment in chosen:
        path = Path(outputs_file) if outputs_file else outputs_path(BUILD, environment)
        try:
            results = verify_environment(environment, path)
        except VerifyError as error:
            raise Exit(f"cannot verify {environment}: {error}", code=2) from None
        text, ok = report(environment, results)
        print(text)
        if not ok:
            failed.append(environment)
        elif all(result.status is Status.NOT_VERIFIED for result in results):
            raise Exit(f"{environment} not verified: nothing could be checked (see the rows above)", code=3)
    if failed:
        raise Exit(f"verification failed in {', '.join(failed)}: see the FAIL rows above", code=1)


@task(help={"env": "the environment to draw (default prod)",
            "readme": "rewrite the picture in README.md (default); --no-readme only prints it"})
def diagram(c, env="prod", readme=True):
    """The system's picture from the offline plan: Mermaid in README.md between its markers, and
    build/diagram/<env>.svg when Graphviz's `dot` is installed."""
    from tools import diagram as pictures
    try:
        document = plan_document(environments(env)[0], plan_environment(env))
    except PlanError as error:
        raise Exit(f"plan for {env} failed; no picture drawn.\n{error}", code=1) from None
    source = pictures.mermaid(document)
    if readme:
        path = ROOT / "README.md"
        path.write_text(pictures.embed(path.read_text(), source))
        print(f"picture of {env} -> README.md")
    else:
        print(source)
    svg = BUILD / "diagram" / f"{env}.svg"
    print(f"svg -> {svg.relative_to(ROOT)}" if pictures.write_svg(document, svg)
          else "no svg: Graphviz's `dot` is not installed (apt-get install graphviz)")


@task
def docs(c):
    """Write the generated reference pages: docs/provider-rules.md (shared/aws_rules),
    docs/configuration-keys.md (every Pulumi.yaml) and docs/policies.md (the policy pack). Tests fail when a
    committed page is stale."""
    from tools import config_doc, policy_doc, rules_doc
    for module in (rules_doc, config_doc, policy_doc):
        (ROOT / module.PAGE).write_text(module.page())
        print(f"-> {module.PAGE}")


# --- Teams: what a change does, where it lands, what it costs, who reviews it (logic and tests: tools/plan_diff.py,
# tools/affected.py, tools/cost.py, tools/codeowners.py, tests/teams/). Imported inside the tasks.
@task(help={"base": "git ref to compare with (planned in a temporary worktree), e.g. origin/main",
            "base_plan": "a plan.json to compare instead of a ref (with --head-plan)",
            "head_plan": "the plan.json to compare it with",
            "env": "environment(s) to plan and compare with --base: dev, prod or all (default)",
            "format": "text (default) or markdown (a pull-request comment)"})
def plan_diff(c, base=None, base_plan=None, head_plan=None, env="all", format="text"):
    """Per stack, the resources created, deleted, updated or replaced between a base and this checkout, with
    each changed input (old -> new; secrets masked), like `pulumi preview --diff` but offline."""
    from tools import plan_diff as diffs
    try:
        print(diffs.main(environments(env), base, base_plan and Path(base_plan), head_plan and Path(head_plan),
                         format), end="")
    except diffs.PlanDiffError as error:
        raise Exit(str(error), code=2) from None


@task(help={"base": "git ref the change starts from (CI: the PR's base or the push's `before`)",
            "env": "only this environment's stacks (default: every environment)",
            "json": "print JSON (stacks in deploy order, grouped by project; images) for CI",
            "format": "text (default), json or markdown",
            "github_output": "also append `affected=<json>` to the file $GITHUB_OUTPUT names"})
def affected(c, base=None, env=None, json_=False, format="text", github_output=False):
    """The stacks (and images) a change since --base touches, one per line with the reasons."""
    import os

    from tools import affected as changes
    if not base:
        raise Exit("give --base <git ref>, e.g. --base origin/main", code=2)
    try:
        result = changes.compute(base)
        print(changes.output(result, env, "json" if json_ else format), end="")
    except changes.AffectedError as error:
        raise Exit(str(error), code=2) from None
    if github_output:
        changes.append_github_output(result, env, Path(os.environ["GITHUB_OUTPUT"]))


@task(help={"env": "dev (default), prod or all",
            "base": "git ref: print the change from that ref's plan instead (planned in a worktree)",
            "plan": "estimate this plan.json instead of planning this checkout",
            "format": "text (default) or markdown"})
def cost(c, env="dev", base=None, plan=None, format="text"):
    """Monthly cost estimate of an environment from its offline plan, by line item, at minimum and maximum
    capacity (prices and traffic assumptions: tools/prices.py)."""
    from tools import cost as costs
    from tools.plan_diff import PlanDiffError
    try:
        print(costs.main(environments(env), base, plan and Path(plan), format), end="")
    except (costs.CostError, PlanDiffError) as error:
        raise Exit(str(error), code=2) from None


@task(help={"check": "only compare: exit 1 when .github/CODEOWNERS differs from what would be generated"})
def codeowners(c, check=False):
    """Write .github/CODEOWNERS from the projects' ownerTeam defaults and the catalog's owner teams."""
    from tools import codeowners as owners
    if not check:
        print(f"code owners -> {owners.write(ROOT).relative_to(ROOT)}")
    elif (ROOT / owners.PATH).read_text() != owners.generate(ROOT):
        raise Exit(f"{owners.PATH} is stale: run ./dev codeowners and commit it", code=1)


@task(help={"module": "library module to mutate, e.g. shared/naming.py (or shared.naming, or naming); `all`: every "
                      "library module with code, and the tools listed in tools/mutate.py, one after the other",
            "max_children": "parallel mutant runs (default 2)",
            "functions": "only the mutants of these functions or methods, comma-separated (e.g. "
                         "_target_group,_discovery): part of a module too large for one sitting",
            "sample": "a random sample of this many of the module's mutants (the same ones each run), scored with "
                      "a 95% interval: an estimate for a module whose full run takes hours",
            "seed": "draws another sample (default: the module's path), once a sample's survivors have tests"})
def mutate(c, module, max_children=2, functions="", sample=0, seed=""):
    """Mutation testing of a library module against its own tests (mutmut; minutes of CPU, not part of CI):
    prints the score and each surviving mutant (`.venv/bin/mutmut show <name>` prints its change)."""
    from tools import mutate as mutation
    only = tuple(f.strip() for f in functions.split(",") if f.strip())
    for name in mutation.every_module() if module == "all" else [module]:
        try:
            result = mutation.mutate(name, int(max_children), functions=only, sample=int(sample), seed=seed)
        except mutation.MutateError as error:
            raise Exit(str(error), code=2) from None
        print(result.text(), flush=True)
