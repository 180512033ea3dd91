"""`invoke verify`: refuses clearly without outputs or credentials, prints the table, exits 1 on a failure."""
from __future__ import annotations

import json
import re

import pytest
from invoke import Context, Exit

import tasks
from tests.verify.conftest import stubbed_session
from tools.verify import report as report_module
from tools.verify.expected import VerifyError


def test_without_outputs_file_it_says_to_run_invoke_outputs(tmp_path, monkeypatch):
    monkeypatch.setattr(tasks, "BUILD", tmp_path)
    with pytest.raises(Exit) as exited:
        tasks.verify(Context(), env="dev")
    assert exited.value.code == 2
    assert str(exited.value.message) == (
        f"cannot verify dev: no outputs file at {tmp_path / 'outputs' / 'dev.json'}: deploy the environment, "
        f"then run `invoke outputs --env dev` to write it")


def test_unknown_environment_is_refused():
    with pytest.raises(Exit, match="unknown environment 'qa'"):
        tasks.verify(Context(), env="qa")


def test_one_outputs_file_is_refused_for_every_environment_at_once(tmp_path):
    # prod must never be checked against dev's outputs.
    with pytest.raises(Exit) as exited:
        tasks.verify(Context(), env="all", outputs_file=str(tmp_path / "dev.json"))
    assert exited.value.code == 2 and "name that environment with --env" in exited.value.message


def test_without_credentials_it_says_how_to_provide_them(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(VerifyError, match="no AWS credentials: the default boto3 session found none"):
        report_module.live_session("us-east-1")


def write_outputs(env, tmp_path):
    path = tmp_path / "outputs" / "dev.json"
    path.parent.mkdir()
    path.write_text(json.dumps(env.document))
    return path


def test_passing_environment_prints_the_table_and_exits_zero(dev_env, tmp_path, monkeypatch, capsys):
    # GIVEN the outputs file of a deploy, and the default session pointing at that (moto) account
    monkeypatch.setattr(tasks, "BUILD", tmp_path)
    write_outputs(dev_env, tmp_path)
    session, stubber = stubbed_session(dev_env)
    monkeypatch.setattr(report_module, "default_session", lambda region: session)

    with stubber:
        tasks.verify(Context(), env="dev")

    printed = capsys.readouterr().out
    assert printed.startswith("== verify dev\nrule ")
    assert re.search(r"^health-probe +not verified +alb ", printed, re.M)
    assert printed.rstrip().endswith("0 failed, 1 not verified")


def test_a_failing_check_exits_one_naming_the_environment(dev_env, tmp_path, monkeypatch, capsys):
    dev_env.ecs["frontend"].running_count = 1
    path = write_outputs(dev_env, tmp_path)
    session, stubber = stubbed_session(dev_env)
    monkeypatch.setattr(report_module, "default_session", lambda region: session)

    with stubber, pytest.raises(Exit) as exited:
        tasks.verify(Context(), env="dev", outputs_file=str(path))

    assert exited.value.code == 1
    assert "verification failed in dev" in str(exited.value.message)
    assert re.search(r"^ecs-running +FAIL +ecs service svc-frontend-dev +runningCount: expected >= 2, found 1$",
                     capsys.readouterr().out, re.M)


def test_default_session_uses_the_stacks_region():
    assert report_module.default_session("us-east-1").region_name == "us-east-1"
