"""Integration tests against a deployed environment: every verifier check, against real AWS.

They read the outputs file `invoke outputs` writes after a deploy (`build/outputs/<env>.json`, or the file
named by TRADING_OUTPUTS_FILE, for the environment named by TRADING_ENV, default dev) and call AWS with the
default boto3 credentials, read-only. Without that file, or without credentials, every test is skipped with
the reason: they never pass on their own. Nothing in this repository's CI has an AWS account, so here they
always skip; run them after `invoke deploy-all --env dev && invoke outputs --env dev`.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from shared.stacks import REPO_ROOT
from tools.verify.checks import CHECKS
from tools.verify.expected import OUTPUTS_ENV_VAR, VerifyError, outputs_path
from tools.verify.report import verify_environment
from tools.verify.results import Status, failures, render_table

ENVIRONMENT = os.environ.get("TRADING_ENV", "dev")


def outputs_file() -> Path:
    override = os.environ.get(OUTPUTS_ENV_VAR)
    return Path(override) if override else outputs_path(REPO_ROOT / "build", ENVIRONMENT)


@pytest.fixture(scope="module")
def deployed() -> Path:
    path = outputs_file()
    if not path.exists():
        pytest.skip(f"no outputs file at {path}: deploy {ENVIRONMENT} and run `invoke outputs --env {ENVIRONMENT}` "
                    f"(or point {OUTPUTS_ENV_VAR} at an outputs file) to run the integration tests")
    return path


@pytest.mark.parametrize("check", list(CHECKS))
def test_deployed_environment(deployed, check):
    try:
        results = verify_environment(ENVIRONMENT, deployed, only=[check])
    except VerifyError as error:
        if "no AWS credentials" in str(error):
            pytest.skip(str(error))
        raise
    failed = failures(results)
    assert not failed, f"{check} failed in {ENVIRONMENT}:\n{render_table(failed)}"
    if results and all(r.status is Status.NOT_VERIFIED for r in results):
        pytest.skip(f"{check} not verified from this machine: {results[0].actual}")
