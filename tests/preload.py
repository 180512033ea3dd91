"""Import the heavy third-party packages before coverage starts tracing: `python -m pytest -p tests.preload`, as
`./dev test` runs it (a plain `pytest` works without it, only slower under coverage). In each process that runs
tests, that is: xdist's controller only hands tests out.

Coverage's tracer on Python 3.11 sees every call, traced file or not: importing pulumi-aws, moto, botocore and the
gRPC stack under it took 2.5 times as long as without (collecting the suite: 18.7 s against 7.5 s). Nothing
of ours may be imported here, or its module-level lines would run before coverage starts and read as missed;
tests/unit/test_layout.py holds that. The provider modules are the plan runner's own list, read from its source
for the same reason (importing tools.plan.runner here would run it untraced).
"""
from __future__ import annotations

import ast
import gc
import importlib
import os
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parents[1] / "tools" / "plan" / "runner.py"

# What the tests reach through our code or directly: the SDK and its Automation API, the AWS SDK and moto's
# backends for the services the deploy, verify, rotation and sample-app tests call, the policy SDK, YAML, JWT.
THIRD_PARTY = (
    "pulumi", "pulumi.automation", "pulumi.runtime", "pulumi.runtime.mocks", "grpc", "pulumi_policy",
    "boto3", "botocore.session", "botocore.stub", "botocore.validate", "yaml", "jwt", "invoke",
    "moto", "moto.server", "moto.backends",
    *(f"moto.{service}.models" for service in (
        "applicationautoscaling", "cloudwatch", "dynamodb", "ec2", "ecr", "ecs", "elbv2", "iam", "kms", "logs",
        "s3", "secretsmanager", "servicediscovery", "sns", "sqs", "sts", "wafv2", "awslambda")),
)


def provider_modules(source: Path = RUNNER) -> tuple[str, ...]:
    """PROVIDER_MODULES as written in the plan runner (a tuple of string literals)."""
    for node in ast.parse(source.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PROVIDER_MODULES" for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    raise LookupError(f"no PROVIDER_MODULES assignment in {source}")


def preload() -> None:
    for name in THIRD_PARTY:
        importlib.import_module(name)
    for name in provider_modules():
        # pulumi-aws's submodules are lazy: reading an attribute runs the module's body.
        getattr(importlib.import_module(name), "__all__", None)


def xdist_controller(early_config: pytest.Config) -> bool:
    """The process that hands tests to xdist workers (`-n N`) imports none of them, nor any of our code."""
    return bool(getattr(early_config.known_args_namespace, "numprocesses", None)) and \
        "PYTEST_XDIST_WORKER" not in os.environ


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]):
    """Preload before pytest-cov starts coverage in this hook (a wrapper runs ahead of every implementation),
    except in xdist's controller: there it would only delay the workers' start by its 5 s."""
    # A worker holds 400,000-odd tracked objects (these imports, moto's backends, the session's plans), and each
    # automatic full collection walks them all: 22-28 a run, 2.8-3.8 s of a worker's CPU under coverage (timed
    # with gc.callbacks), 7 s of the run's. The young generations keep their defaults; the oldest is due after
    # 1,000 collections of the middle one instead of 10 (none in a run). The price is memory: a worker peaks at
    # 593-605 MB instead of 518-533.
    gc.set_threshold(*gc.get_threshold()[:2], 1000)
    if not xdist_controller(early_config):
        preload()
    return (yield)
