"""invoke tasks: the one entry point for planning, testing and deploying. `invoke --list` shows them all.

Tasks stay thin: each parses its arguments and calls a module of `shared/`, where the logic is tested.
"""
from __future__ import annotations

import sys
from pathlib import Path

from invoke import Exit, task

from shared.plan.runner import PlanError, plan_environment, summary, write_plan
from shared.stacks import ENVIRONMENTS

ROOT = Path(__file__).resolve().parent
BUILD = ROOT / "build"


def environments(env: str) -> tuple[str, ...]:
    if env == "all":
        return ENVIRONMENTS
    if env not in ENVIRONMENTS:
        raise Exit(f"unknown environment {env!r}; use one of {', '.join(ENVIRONMENTS)} or all", code=2)
    return (env,)


@task(help={"env": "dev, prod or all (default)"})
def plan(c, env="all"):
    """Offline plan: run every project under Pulumi mocks, write build/plan/<env>/plan.json. No AWS needed."""
    for environment in environments(env):
        try:
            plans = plan_environment(environment)
        except PlanError as error:
            raise Exit(f"plan for {environment} failed; no plan written.\n{error}", code=1) from None
        path = write_plan(BUILD, environment, plans)
        print(f"== {environment}: {len(plans)} stacks -> {path.relative_to(ROOT)}")
        print(summary(plans))


@task(help={"args": "extra pytest arguments, e.g. '-k network'"})
def test(c, args=""):
    """Unit and offline tests with 100% line and branch coverage of shared/, projects/ and tasks.py."""
    c.run(f"{sys.executable} -m pytest --cov --cov-report=term-missing {args}", pty=False)
