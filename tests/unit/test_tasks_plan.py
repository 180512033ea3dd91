"""The `plan` and `test` tasks, called the way invoke calls them."""
import json
import os
import subprocess
import sys

import pytest
from invoke import Context, Exit

import tasks
from tools.plan.runner import PlanError


def test_plan_writes_one_plan_per_environment_and_prints_a_summary(tmp_path, monkeypatch, capsys, planned):
    monkeypatch.setattr(tasks, "BUILD", tmp_path / "build")
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    monkeypatch.setattr(tasks, "plan_environment", planned)  # the gates run for real on the session's plans
    tasks.plan(Context(), env="all")
    for environment in ("dev", "prod"):
        document = json.loads((tmp_path / "build" / "plan" / environment / "plan.json").read_text())
        assert document["environment"] == environment
        assert document["stacks"][0]["project"] == "network" and document["stacks"][0]["stack"] == environment
    out = capsys.readouterr().out
    assert "== dev:" in out and "network/prod:" in out and "aws:ec2/vpc:Vpc" in out


def test_bad_config_exits_non_zero_and_writes_no_plan(tmp_path, monkeypatch):
    monkeypatch.setattr(tasks, "BUILD", tmp_path)

    def failing(environment):
        raise PlanError("stack network/dev failed: invalid config ... network:vpcCidr")

    monkeypatch.setattr(tasks, "plan_environment", failing)
    with pytest.raises(Exit) as error:
        tasks.plan(Context(), env="dev")
    assert error.value.code == 1
    assert "network:vpcCidr" in error.value.message and "no plan written" in error.value.message
    assert not (tmp_path / "plan").exists()


def test_unknown_environment_is_refused():
    with pytest.raises(Exit, match="unknown environment 'qa'"):
        tasks.plan(Context(), env="qa")


class RecordingContext(Context):
    def __init__(self):
        super().__init__()
        self.commands = []
        self.environments = []

    def run(self, command, **kwargs):
        self.commands.append(command)
        self.environments.append(kwargs.get("env", {}))


def test_the_test_task_runs_the_static_checks_then_every_test_on_two_workers(capsys):
    context = RecordingContext()
    tasks.test(context)
    ruff, mypy, full = context.commands
    assert ruff.endswith("-m ruff check .") and mypy.endswith("-m mypy")
    # pyproject's 100% gate applies
    assert full.endswith("-m pytest -p tests.preload --cov --cov-report=term-missing -n 2")
    assert context.environments[-1] == tasks.BYTECODE_CACHED
    assert capsys.readouterr().out.startswith("./dev test: static checks ")


def test_a_partial_run_skips_the_static_checks_and_coverage(capsys):
    context = RecordingContext()
    tasks.test(context, args="-k network", workers=0)
    [partial] = context.commands
    assert partial.endswith("-m pytest -p tests.preload --no-cov -k network")
    assert capsys.readouterr().out.startswith("./dev test: tests ")


def test_the_tests_keep_their_bytecode_even_where_the_environment_says_not_to(tmp_path):
    """An empty PYTHONDONTWRITEBYTECODE writes bytecode (CPython reads only a non-empty value as set)."""
    (tmp_path / "module.py").write_text("VALUE = 1\n")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(tmp_path)}
    for value in ("1", tasks.BYTECODE_CACHED["PYTHONDONTWRITEBYTECODE"]):
        subprocess.run([sys.executable, "-c", "import module"], env={**env, "PYTHONDONTWRITEBYTECODE": value},
                       check=True)
        written = list((tmp_path / "__pycache__").glob("module.*.pyc"))
        assert bool(written) == (value == "")
