"""The teams' tasks, called as invoke calls them: thin wrappers whose errors become clean exits."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from invoke import Context, Exit

import tasks
from tools import affected as af
from tools import codeowners, cost
from tools import plan_diff as pd

ROOT = Path(__file__).resolve().parents[2]


def test_plan_diff_prints_the_diff_and_exits_2_on_a_refusal(monkeypatch, capsys):
    seen = []
    monkeypatch.setattr(pd, "main", lambda *args: seen.append(args) or "the diff\n")
    tasks.plan_diff(Context(), base="origin/main", env="dev", format="markdown")
    assert capsys.readouterr().out == "the diff\n"
    assert seen == [(("dev",), "origin/main", None, None, "markdown")]
    tasks.plan_diff(Context(), base_plan="a.json", head_plan="b.json")
    assert seen[-1][2:4] == (Path("a.json"), Path("b.json"))

    def refusing(*args):
        raise pd.PlanDiffError("give --base <git ref>, or both --base-plan and --head-plan")

    monkeypatch.setattr(pd, "main", refusing)
    with pytest.raises(Exit) as refused:
        tasks.plan_diff(Context(), env="dev")
    assert refused.value.code == 2 and "give --base" in refused.value.message


def test_affected_prints_text_or_json_and_appends_the_github_output(monkeypatch, capsys, tmp_path):
    result = af.Affected()
    result.add([af.Stack("network", "dev", "dev")], "stack file", "projects/network/Pulumi.dev.yaml")
    monkeypatch.setattr(af, "compute", lambda base: result)
    tasks.affected(Context(), base="main")
    assert capsys.readouterr().out == "network/dev  stack file (projects/network/Pulumi.dev.yaml)\n"
    sink = tmp_path / "out"
    monkeypatch.setenv("GITHUB_OUTPUT", str(sink))
    tasks.affected(Context(), base="main", env="prod", json_=True, github_output=True)
    assert json.loads(capsys.readouterr().out)["stacks"] == []
    assert sink.read_text().startswith('affected={"stacks":[]')


def test_affected_needs_a_base_and_reports_git_failures(monkeypatch):
    with pytest.raises(Exit) as missing:
        tasks.affected(Context())
    assert missing.value.code == 2 and "give --base" in missing.value.message

    def failing(base):
        raise af.AffectedError("git diff failed: unknown revision")

    monkeypatch.setattr(af, "compute", failing)
    with pytest.raises(Exit, match="unknown revision"):
        tasks.affected(Context(), base="nope")


def test_cost_prints_the_estimate_and_exits_2_on_a_refusal(monkeypatch, capsys):
    seen = []
    monkeypatch.setattr(cost, "main", lambda *args: seen.append(args) or "the estimate\n")
    tasks.cost(Context(), env="all", plan="build/plan/dev/plan.json")
    assert capsys.readouterr().out == "the estimate\n"
    assert seen == [(("dev", "prod"), None, Path("build/plan/dev/plan.json"), "text")]
    for error in (cost.CostError("ARM64 tasks are not in the price table"), pd.PlanDiffError("git failed")):
        def failing(*args, error=error):
            raise error

        monkeypatch.setattr(cost, "main", failing)
        with pytest.raises(Exit) as refused:
            tasks.cost(Context(), env="dev", base="main")
        assert refused.value.code == 2 and str(error) == refused.value.message


def test_codeowners_writes_the_file_and_check_fails_when_it_is_stale(monkeypatch, tmp_path, capsys):
    for project in ("network", "platform"):
        (tmp_path / "projects" / project).mkdir(parents=True)
        shutil.copy(ROOT / "projects" / project / "Pulumi.yaml", tmp_path / "projects" / project)
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    tasks.codeowners(Context())
    assert capsys.readouterr().out == "code owners -> .github/CODEOWNERS\n"
    tasks.codeowners(Context(), check=True)  # fresh: passes
    (tmp_path / codeowners.PATH).write_text("* @someone\n")
    with pytest.raises(Exit) as stale:
        tasks.codeowners(Context(), check=True)
    assert stale.value.code == 1 and "run ./dev codeowners" in stale.value.message


def test_lint_runs_ruff_then_mypy():
    commands: list[str] = []

    class Recorder(Context):
        def run(self, command, **kwargs):
            commands.append(command)

    recorder = Recorder()
    tasks.lint(recorder)
    assert [c.split(" -m ")[1] for c in commands] == ["ruff check .", "mypy"]
