"""The `plan` and `test` tasks, called the way invoke calls them."""
import json
import os
import subprocess
import sys

import pytest
from invoke import Context, Exit, Result, UnexpectedExit

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
        self.warned = []

    def run(self, command, **kwargs):
        self.commands.append(command)
        self.environments.append(kwargs.get("env", {}))
        self.warned.append(kwargs.get("warn", False))


def test_the_test_task_runs_the_static_checks_then_every_test_on_two_workers(capsys):
    context = RecordingContext()
    tasks.test(context)
    ruff, mypy, full = context.commands
    assert ruff.endswith("-m ruff check .") and mypy.endswith("-m mypy")
    # pyproject's 100% gate applies
    # pyproject's 100% gate applies; pytest-cov prints no report of its own (each one reads every source again)
    assert full.endswith("-m pytest -p tests.preload --cov --cov-report= -n 2")
    assert context.environments[-1] == tasks.BYTECODE_CACHED
    assert capsys.readouterr().out.startswith("./dev test: static checks ")


class FailingTestsContext(RecordingContext):
    """pytest exits 1 (a test failed or coverage fell short); every other command succeeds."""

    def run(self, command, **kwargs):
        super().run(command, **kwargs)
        if " pytest " in command:
            raise UnexpectedExit(Result(command=command, exited=1))


def test_a_failing_full_run_lists_what_no_test_ran_then_fails():
    context = FailingTestsContext()
    with pytest.raises(UnexpectedExit):
        tasks.test(context)
    *_, full, report = context.commands
    assert " pytest " in full
    # pyproject's report settings: missing lines shown, fully covered files skipped; its own exit status (2 when
    # short of the gate) must not hide pytest's
    assert report.endswith("-m coverage report") and context.warned[-1] is True


def test_a_failing_partial_run_has_no_coverage_to_report():
    context = FailingTestsContext()
    with pytest.raises(UnexpectedExit):
        tasks.test(context, args="-k network")
    assert [" pytest " in command for command in context.commands] == [True]


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
