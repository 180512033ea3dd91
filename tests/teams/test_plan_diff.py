"""plan-diff: synthetic changes of a real plan report exactly that change; the base runs from a real worktree."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from shared.aws_rules import RULES, ResourceRules
from tools import plan_diff as pd
from tools.plan_diff import (
    ABSENT,
    CREATE,
    DELETE,
    MAY_REPLACE,
    REPLACE,
    UPDATE,
    Change,
    PlanDiffError,
    changes,
    diff_plans,
    render,
    shorten,
)

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"


def find(document: dict, stack: str, typ: str, name: str) -> dict:
    [found] = [r for s in document["stacks"] if f"{s['project']}/{s['stack']}" == stack for r in s["resources"]
               if r["type"] == typ and r["name"] == name]
    return found


@pytest.fixture
def dev(plan_document) -> dict:
    return copy.deepcopy(plan_document("dev"))


def test_the_same_plan_has_no_change(dev):
    assert diff_plans(dev, copy.deepcopy(dev)) == []
    assert render({"dev": []}) == "== plan diff\ndev: no change\n"


def test_an_image_tag_is_one_replaced_task_definition_with_the_image_path(dev):
    head = copy.deepcopy(dev)
    task = find(head, "services/frontend-dev", TASK_DEFINITION, "frontend-task")
    definitions = json.loads(task["inputs"]["containerDefinitions"])
    old_image = definitions[0]["image"]
    definitions[0]["image"] = old_image.rsplit(":", 1)[0] + ":1.1.0"
    task["inputs"]["containerDefinitions"] = json.dumps(definitions)

    [stack] = diff_plans(dev, head)
    assert stack.stack == "services/frontend-dev" and stack.status == "changed" and stack.outputs == ()
    [resource] = stack.resources
    assert (resource.type, resource.name, resource.action, resource.forcing) == (
        TASK_DEFINITION, "frontend-task", REPLACE, ("containerDefinitions",))
    assert resource.changes == (Change("containerDefinitions[0].image", old_image, definitions[0]["image"]),)
    assert stack.summary() == "1 to replace"


def test_a_cpu_size_is_one_replaced_task_definition(dev):
    head = copy.deepcopy(dev)
    find(head, "services/api-gateway-dev", TASK_DEFINITION, "api-gateway-task")["inputs"]["cpu"] = "2048"
    [stack] = diff_plans(dev, head)
    [resource] = stack.resources
    assert (resource.name, resource.action, resource.changes) == ("api-gateway-task", REPLACE,
                                                                   (Change("cpu", "1024", "2048"),))
    assert "+- aws:ecs/taskDefinition:TaskDefinition api-gateway-task  (replace: cpu)" in render({"dev": [stack]})
    assert '    cpu: "1024" → "2048"' in render({"dev": [stack]})


def test_a_new_service_is_a_new_stack_of_creates(dev):
    base = copy.deepcopy(dev)
    base["stacks"] = [s for s in base["stacks"] if s["stack"] != "processing-service-dev"]
    [stack] = diff_plans(base, dev)
    assert stack.stack == "services/processing-service-dev" and stack.status == "new stack"
    created = next(s for s in dev["stacks"] if s["stack"] == "processing-service-dev")["resources"]
    assert {(r.type, r.name) for r in stack.resources} == {(r["type"], r["name"]) for r in created
                                                          if r["type"] != "pulumi:pulumi:Stack"}
    assert {r.action for r in stack.resources} == {CREATE}
    # and the other way round: the stack is removed
    [removed] = diff_plans(dev, base)
    assert removed.status == "removed stack" and {r.action for r in removed.resources} == {DELETE}
    assert "(removed stack)" in render({"dev": [removed]})


def test_an_in_place_update_a_deleted_and_a_created_resource(dev):
    head = copy.deepcopy(dev)
    find(head, "services/api-gateway-dev", "aws:appautoscaling/target:Target",
         "api-gateway-scaling-target")["inputs"]["maxCapacity"] = 8.0
    services = next(s for s in head["stacks"] if s["stack"] == "api-gateway-dev")
    alarm = next(r for r in services["resources"] if r["type"] == "aws:cloudwatch/metricAlarm:MetricAlarm")
    services["resources"].remove(alarm)
    services["resources"].append({**alarm, "name": "api-gateway-new-alarm"})
    [stack] = diff_plans(dev, head)
    assert {r.name: r.action for r in stack.resources} == {
        "api-gateway-scaling-target": UPDATE, "api-gateway-new-alarm": CREATE, alarm["name"]: DELETE}
    assert stack.resources[0].changes == (Change("maxCapacity", 10.0, 8.0),)
    assert "maxCapacity: 10 → 8" in render({"dev": [stack]})
    assert stack.summary() == "1 to create, 1 to delete, 1 to update"


def test_a_type_without_rules_may_be_replaced_and_a_component_is_updated(dev):
    head = copy.deepcopy(dev)
    find(head, "services/frontend-dev", "aws:ecs/service:Service", "frontend-service")["inputs"]["name"] = "svc-x"
    component = next(r for s in head["stacks"] for r in s["resources"] if not r["custom"]
                     and r["type"] != "pulumi:pulumi:Stack")
    component["inputs"]["extra"] = "x"
    no_rules: dict[str, ResourceRules] = {}
    actions = {r.name: r.action for s in diff_plans(dev, head, no_rules) for r in s.resources}
    assert actions == {"frontend-service": MAY_REPLACE, component["name"]: UPDATE}
    with_rules = {r.name: r.action for s in diff_plans(dev, head, RULES) for r in s.resources}
    assert with_rules["frontend-service"] == REPLACE  # the service's name forces a new service


def test_order_only_changes_are_not_changes(dev):
    head = copy.deepcopy(dev)
    for stack in head["stacks"]:
        for resource in stack["resources"]:
            resource["dependencies"] = list(reversed(resource["dependencies"]))
            for key, value in resource["inputs"].items():
                if isinstance(value, list) and all(isinstance(v, str) for v in value):
                    resource["inputs"][key] = list(reversed(value))
    assert diff_plans(dev, head) == []


def test_output_changes_are_reported(dev):
    head = copy.deepcopy(dev)
    network = head["stacks"][0]
    key = sorted(network["outputs"])[0]
    network["outputs"][key] = "changed"
    [stack] = diff_plans(dev, head)
    assert stack.resources == () and [c.path for c in stack.outputs] == [key]
    assert stack.summary() == "1 output changed" and "~ outputs" in render({"dev": [stack]})


def test_value_paths_lists_absent_values_and_embedded_json():
    # scalars that differ as a multiset are compared by index
    assert changes({"a": {"b": [1, 2]}}, {"a": {"b": [1, 3, 4]}}) == [Change("a.b[1]", 2, 3),
                                                                       Change("a.b[2]", ABSENT, 4)]
    assert changes({"x": 1}, {}) == [Change("x", 1, ABSENT)]
    assert changes({"p": '{"Statement": [{"Effect": "Allow"}]}'}, {"p": '{"Statement": [{"Effect": "Deny"}]}'}) == [
        Change("p.Statement[0].Effect", "Allow", "Deny")]
    assert changes({"s": "{not json"}, {"s": "{not json either"}) == [Change("s", "{not json", "{not json either")]
    assert changes({"n": 2.0}, {"n": 2}) == []
    assert changes([{"a": 1}], [{"a": 1}, {"a": 2}]) == [Change("[1]", ABSENT, {"a": 2})]


def test_values_are_shown_shortened_and_secrets_stay_masked():
    assert shorten(ABSENT) == "(none)" and shorten(2.0) == "2" and shorten({"b": [1.0]}) == '{"b": [1]}'
    long = "x" * 300
    shown = shorten(long, width=21)
    assert len(shown) == 21 and shown.startswith('"xxxxxxxxx') and shown.endswith('xxxxxxxxx"') and "…" in shown
    secret = Change("secretString", pd.MASK, pd.MASK + "!")
    assert secret.text() == 'secretString: "[secret]" → "[secret]!"'


def test_markdown_is_a_fenced_diff_per_stack_and_a_fence_in_a_value_cannot_end_it(dev):
    head = copy.deepcopy(dev)
    find(head, "services/api-gateway-dev", TASK_DEFINITION, "api-gateway-task")["inputs"]["cpu"] = "```"
    text = render({"dev": diff_plans(dev, head), "prod": []}, "markdown")
    assert text.startswith("## Plan diff\n#### dev: services/api-gateway-dev: 1 to replace\n```diff\n+- ")
    assert text.count("```") == 2 and "prod: no change" in text


def test_plan_files_and_argument_errors(tmp_path, dev):
    head = copy.deepcopy(dev)
    find(head, "services/api-gateway-dev", TASK_DEFINITION, "api-gateway-task")["inputs"]["memory"] = "4096"
    (tmp_path / "a.json").write_text(json.dumps(dev))
    (tmp_path / "b.json").write_text(json.dumps(head))
    text = pd.main([], base_plan=tmp_path / "a.json", head_plan=tmp_path / "b.json")
    assert "-- dev: services/api-gateway-dev: 1 to replace" in text and 'memory: "2048" → "4096"' in text
    with pytest.raises(PlanDiffError, match="not both"):
        pd.main(["dev"], base="main", base_plan=tmp_path / "a.json")
    with pytest.raises(PlanDiffError, match="give --base"):
        pd.main(["dev"], base_plan=tmp_path / "a.json")
    with pytest.raises(PlanDiffError, match="unknown format 'html'"):
        pd.main(["dev"], base="main", fmt="html")
    (tmp_path / "bad.json").write_text("{")
    (tmp_path / "other.json").write_text("[]")
    with pytest.raises(PlanDiffError, match="cannot read plan"):
        pd.read_plan_file(tmp_path / "bad.json")
    with pytest.raises(PlanDiffError, match=r"is not a plan\.json"):
        pd.read_plan_file(tmp_path / "other.json")


def test_a_base_ref_is_planned_by_the_base_planner_and_compared_with_this_checkout(dev):
    head = copy.deepcopy(dev)
    find(head, "services/frontend-dev", TASK_DEFINITION, "frontend-task")["inputs"]["cpu"] = "1024"
    calls = []

    def base_planner(ref, environments):
        calls.append((ref, list(environments)))
        return {"dev": dev}

    text = pd.main(["dev", "staging"], base="origin/main", plan_base=base_planner,
                   plan_head=lambda environments: {"dev": head, "staging": {"stacks": []}})
    assert calls == [("origin/main", ["dev", "staging"])]
    assert 'cpu: "512" → "1024"' in text and "staging: no change" in text


def test_plan_here_plans_this_checkout(monkeypatch, environment_plans):
    from tools.plan import runner
    monkeypatch.setattr(runner, "plan_environment", lambda env: [s.plan for s in environment_plans(env).values()])
    document = pd.plan_here(["dev"])["dev"]
    assert document["environment"] == "dev" and document["stacks"][0]["stack"] == "dev"


# --- a real worktree of a small repository -------------------------------------------------------------------------
RUNNER = '''\
import json
from pathlib import Path
VALUE = Path(__file__).parents[2].joinpath("value.txt").read_text().strip()
def plan_environment(env):
    return [VALUE]
def plan_document(env, plans):
    return {"environment": env, "stacks": [{"project": "p", "stack": env, "outputs": {}, "resources": [
        {"type": "aws:ecs/taskDefinition:TaskDefinition", "name": "t", "custom": True, "inputs": {"cpu": plans[0]},
         "dependencies": []}]}]}
'''


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path) -> Path:
    """A repository whose `tools.plan.runner` is a fake reading value.txt: committed "256", then "512" unstaged."""
    root = tmp_path / "repo"
    (root / "tools" / "plan").mkdir(parents=True)
    (root / "tools" / "__init__.py").write_text("")
    (root / "tools" / "plan" / "__init__.py").write_text("")
    (root / "tools" / "plan" / "runner.py").write_text(RUNNER)
    (root / "value.txt").write_text("256\n")
    git(root, "init", "--quiet")
    git(root, "add", ".")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "base")
    (root / "value.txt").write_text("512\n")
    return root


def test_the_base_is_planned_from_a_worktree_with_the_worktree_code(repo):
    # GIVEN a checkout whose runner differs from this repository's (the editable install points elsewhere)
    # WHEN its HEAD is planned through a worktree
    plans = pd.plan_ref("HEAD", ["dev"], root=repo)
    # THEN the worktree's own runner ran (its committed value, not the working tree's) and the worktree is gone
    assert plans["dev"]["stacks"][0]["resources"][0]["inputs"]["cpu"] == "256"
    assert "plan-base-" not in git(repo, "worktree", "list")
    head = {"dev": json.loads(json.dumps(plans["dev"]).replace('"256"', '"512"'))}
    [stack] = pd.compare(plans, head)["dev"]
    assert stack.resources[0].changes == (Change("cpu", "256", "512"),) and stack.resources[0].action == REPLACE


def test_the_worktree_runner_is_imported_not_this_checkouts(repo):
    with pd.worktree("HEAD", repo) as tree:
        shown = subprocess.run([sys.executable, "-c", "import tools.plan.runner as r; print(r.__file__)"], cwd=tree,
                               env={"PYTHONPATH": str(tree)}, capture_output=True, text=True, check=True).stdout
        assert Path(shown.strip()).resolve().is_relative_to(tree.resolve())


def test_a_runner_from_elsewhere_a_failing_plan_and_a_bad_ref_are_refused(repo):
    runner = repo / "tools" / "plan" / "runner.py"
    runner.write_text(RUNNER + '__file__ = "/elsewhere/tools/plan/runner.py"\n')
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-am", "elsewhere")
    with pytest.raises(PlanDiffError, match="not the worktree's code"):
        pd.plan_ref("HEAD", ["dev"], root=repo)
    runner.write_text("raise SystemExit('the base program failed')\n")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-am", "broken")
    with pytest.raises(PlanDiffError, match="the base program failed"):
        pd.plan_ref("HEAD", ["dev"], root=repo)
    with pytest.raises(PlanDiffError, match="git worktree add"):
        pd.plan_ref("no-such-ref", ["dev"], root=repo)
