"""The GitHub Actions workflows: valid against GitHub's workflow schema, every `run:` a `./dev` task that exists,
actions pinned, AWS by OIDC only, deploys serialised per stack and never cancelled."""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from invoke import Collection

import tasks

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
TASKS = set(Collection.from_module(tasks).task_names)


def load(path: Path) -> dict:
    # PyYAML reads the key `on` as True (YAML 1.1); give it its name back
    document = yaml.safe_load(path.read_text())
    return {("on" if key is True else key): value for key, value in document.items()}


def steps(document: dict):
    for name, job in document["jobs"].items():
        for step in job.get("steps", []):
            yield name, job, step


def task_problems(run: str, known: set[str]) -> list[str]:
    """Each command line of a `run:` must be `./dev <task> ...` with a task `tasks.py` defines."""
    problems = []
    for line in run.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = shlex.split(line)
        if words[0] != "./dev" or len(words) < 2:
            problems.append(f"{line!r} does not call ./dev <task>")
        elif words[1] not in known:
            problems.append(f"{line!r} calls ./dev {words[1]}, which tasks.py does not define")
    return problems


def test_there_are_the_pull_request_dev_prod_and_deploy_workflows():
    assert {p.name for p in WORKFLOWS} == {"pull-request.yml", "deploy-dev.yml", "deploy-prod.yml",
                                           "deploy-stack.yml"}


def test_every_workflow_passes_the_github_workflow_schema():
    done = subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows",
                           *map(str, WORKFLOWS)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_fails_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text((ROOT / ".github/workflows/deploy-prod.yml").read_text().replace("workflow_dispatch",
                                                                                       "workflow_dispatched"))
    done = subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", str(broken)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "broken.yml" in done.stdout


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_run_step_calls_a_dev_task_that_exists(path):
    runs = [step["run"] for _, _, step in steps(load(path)) if "run" in step]
    assert runs or path.name in ("deploy-prod.yml", "deploy-dev.yml")
    assert [p for run in runs for p in task_problems(run, TASKS)] == []


def test_the_run_check_refuses_other_commands_and_unknown_tasks():
    known = {"plan", "test"}
    assert task_problems("./dev plan --env dev\n# a comment\n\n./dev test > out.md", known) == []
    assert task_problems("pip install x", known) == ["'pip install x' does not call ./dev <task>"]
    assert task_problems("./dev", known) == ["'./dev' does not call ./dev <task>"]
    assert task_problems("./dev deploy-everything", known) == [
        "'./dev deploy-everything' calls ./dev deploy-everything, which tasks.py does not define"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_by_full_version_tag(path):
    for _, _, step in steps(load(path)):
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+\.\d+\.\d+", step["uses"]), step["uses"]


def test_aws_is_reached_by_oidc_only_with_the_token_permission_granted():
    for path in WORKFLOWS:
        text = path.read_text()
        assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text, path.name
        for name, _job, step in steps(load(path)):
            if step.get("uses", "").startswith("aws-actions/configure-aws-credentials@"):
                assert step["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
                assert load(path)["permissions"]["id-token"] == "write", f"{path.name} {name}"
    # the callers of the deploy workflow grant the token too (a called workflow cannot widen its caller's grant)
    for path in (ROOT / ".github/workflows/deploy-dev.yml", ROOT / ".github/workflows/deploy-prod.yml"):
        callers = [job for job in load(path)["jobs"].values() if job.get("uses")]
        assert callers and all(job["permissions"]["id-token"] == "write" for job in callers)


def test_deploys_run_in_their_environment_one_at_a_time_per_stack_never_cancelled():
    deploy = load(ROOT / ".github/workflows/deploy-stack.yml")["jobs"]["deploy"]
    assert deploy["environment"] == "${{ inputs.environment }}"
    assert deploy["concurrency"] == {
        "group": "deploy-${{ inputs.environment }}-${{ inputs.kind }}-${{ inputs.name }}", "cancel-in-progress": False}
    assert {"PULUMI_BACKEND_URL", "PULUMI_SECRETS_PROVIDER"} <= set(deploy["env"])
    runs = [step["run"] for step in deploy["steps"] if "run" in step]
    assert './dev deploy --service "$DEPLOY_NAME" --env "$DEPLOY_ENV" --yes' in runs
    assert './dev deploy --project "$DEPLOY_NAME" --env "$DEPLOY_ENV" --yes' in runs
    assert './dev deploy-all --env "$DEPLOY_ENV" --yes' in runs
    prod = load(ROOT / ".github/workflows/deploy-prod.yml")
    assert list(prod["on"]) == ["workflow_dispatch"] and prod["jobs"]["deploy"]["with"]["environment"] == "prod"
    assert prod["on"]["workflow_dispatch"]["inputs"]["kind"]["options"] == ["service", "project", "all"]


def test_dev_deploys_the_affected_stacks_in_deploy_order_after_a_push_to_main():
    dev = load(ROOT / ".github/workflows/deploy-dev.yml")
    assert dev["on"] == {"push": {"branches": ["main"]}}
    jobs = dev["jobs"]
    assert [s["run"] for s in jobs["affected"]["steps"] if "run" in s] == [
        './dev affected --base "$BEFORE" --env dev --github-output']
    assert jobs["network"]["needs"] == "affected"
    assert jobs["registry"]["needs"] == ["affected", "network"]
    assert jobs["platform"]["needs"] == ["affected", "network", "registry"]
    assert jobs["services"]["needs"] == ["affected", "network", "registry", "platform"]
    for project in ("network", "registry", "platform", "services"):
        assert f"by_project.{project}" in jobs[project]["strategy"]["matrix"]["stack"]
        assert jobs[project]["with"]["environment"] == "dev"


def test_a_pull_request_is_checked_planned_and_commented_without_aws():
    pr = load(ROOT / ".github/workflows/pull-request.yml")
    runs = "\n".join(step["run"] for _, _, step in steps(pr) if "run" in step)
    for command in ("./dev lint", "./dev test", "./dev plan\n", "./dev affected --base", "./dev plan-diff --base",
                    "./dev cost --env all --base"):
        assert command in runs + "\n", command
    assert "configure-aws-credentials" not in (ROOT / ".github/workflows/pull-request.yml").read_text()
    assert any(step.get("uses", "").startswith("actions/github-script@") for _, _, step in steps(pr))



def test_whole_deploy_runs_of_one_environment_never_overlap():
    # The per-stack job groups cannot see that `all` or `project services` overlaps `service frontend`:
    # each deploying workflow holds one group per environment, queued and never cancelled.
    for path, group in ((ROOT / ".github/workflows/deploy-dev.yml", "deploy-dev-environment"),
                        (ROOT / ".github/workflows/deploy-prod.yml", "deploy-prod-environment")):
        assert load(path)["concurrency"] == {"group": group, "cancel-in-progress": False}, path.name
