"""The integration tests themselves, run here against a moto environment instead of AWS: they pass on a
good environment, fail with the table on a deviation, and skip (never pass) when they cannot look."""
from __future__ import annotations

import dataclasses
import json

import pytest

from tests.integration import test_deployed_environment as suite
from tests.verify.conftest import StubbedSession
from tests.verify.moto_env import REGION, ecs_stubber
from tools.verify import report as report_module
from tools.verify.checks import CHECKS

# Which ECS reads each check makes (the Stubber must be given exactly those, in order).
READS_SERVICES = {"routing", "ecs-status", "ecs-running", "ecs-deployment", "ecs-network", "ecs-capacity",
                  "discovery"}
READS_TASK_DEFINITIONS = {"task-size", "task-secrets"}


@pytest.fixture
def outputs(built_dev_env, tmp_path, monkeypatch):
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(built_dev_env.document))
    monkeypatch.setenv("TRADING_OUTPUTS_FILE", str(path))
    return path


def run(env, check, path, monkeypatch):
    ecs = env.session.client("ecs", region_name=REGION)
    stubber = ecs_stubber(env, ecs, services=check in READS_SERVICES, task_definitions=check in READS_TASK_DEFINITIONS)
    monkeypatch.setattr(report_module, "default_session", lambda region: StubbedSession(env.session, ecs))
    with stubber:
        suite.test_deployed_environment(path, check)
        stubber.assert_no_pending_responses()


def test_outputs_file_is_overridable(outputs):
    assert suite.outputs_file() == outputs


def test_outputs_file_defaults_to_what_invoke_outputs_writes(monkeypatch):
    monkeypatch.delenv("TRADING_OUTPUTS_FILE", raising=False)
    assert suite.outputs_file().parts[-3:] == ("build", "outputs", "dev.json")


@pytest.mark.parametrize("check", [c for c in CHECKS if c != "health-probe"])
def test_every_check_passes_on_the_environment_as_built(built_dev_env, outputs, monkeypatch, check):
    run(built_dev_env, check, outputs, monkeypatch)


def test_probe_skips_with_the_reason_when_the_alb_is_unreachable(built_dev_env, outputs, monkeypatch):
    with pytest.raises(pytest.skip.Exception, match="health-probe not verified from this machine: not reachable"):
        run(built_dev_env, "health-probe", outputs, monkeypatch)


def test_a_deviation_fails_its_test_with_the_table(built_dev_env, outputs, monkeypatch):
    # The deviation lives in a copy: the environment is shared with the module's other tests.
    breaker = dataclasses.replace(built_dev_env.ecs["frontend"], circuit_breaker={"enable": True, "rollback": False})
    dev_env = dataclasses.replace(built_dev_env, ecs={**built_dev_env.ecs, "frontend": breaker})
    table = r"ecs-deployment failed in dev:\n\s*rule +status .*\n.*\n\s*ecs-deployment +FAIL .*svc-frontend-dev"
    with pytest.raises(AssertionError, match=table):
        run(dev_env, "ecs-deployment", outputs, monkeypatch)


def test_without_credentials_the_tests_skip_with_the_reason(outputs, monkeypatch):
    def no_credentials(region):
        raise report_module.VerifyError("no AWS credentials: the default boto3 session found none")

    monkeypatch.setattr(report_module, "live_session", no_credentials)
    with pytest.raises(pytest.skip.Exception, match="no AWS credentials"):
        suite.test_deployed_environment(outputs, "alb")


def test_an_unusable_outputs_file_fails_instead_of_skipping(tmp_path):
    path = tmp_path / "dev.json"
    path.write_text("{broken")
    with pytest.raises(report_module.VerifyError, match="is not JSON"):
        suite.test_deployed_environment(path, "alb")
