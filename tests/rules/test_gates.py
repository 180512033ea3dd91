"""`check-plan`: every offline gate over any plan.json, with a clear refusal of a file that is not a plan."""
from __future__ import annotations

import json

import pytest
from invoke import Context, Exit

import tasks
from tools.gates import PlanFileError, read_plan


def write(path, document) -> str:
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return str(path)


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "is not JSON"),
    ([], "is not a plan.json: it needs \"environment\" and \"stacks\""),
    ({"environment": "dev"}, "is not a plan.json"),
    ({"environment": "dev", "stacks": [{"project": "network"}]}, "(each with project, stack, resources, outputs)"),
    ({"environment": 3, "stacks": []}, "is not a plan.json"),
])
def test_a_file_that_is_not_a_plan_is_refused_with_what_it_needs(tmp_path, content, message):
    with pytest.raises(PlanFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_plan(tmp_path / "plan.json" if False else write(tmp_path / "plan.json", content))
    with pytest.raises(Exit) as error:
        tasks.check_plan(Context(), plan=write(tmp_path / "plan.json", content))
    assert error.value.code == 2


def test_a_missing_file_names_the_command_that_writes_one(tmp_path):
    with pytest.raises(PlanFileError, match=r"does not exist; write one with `./dev plan`"):
        read_plan(tmp_path / "absent.json")


def test_check_plan_passes_the_committed_dev_plan(tmp_path, plan_document, capsys):
    tasks.check_plan(Context(), plan=write(tmp_path / "plan.json", plan_document("dev")))
    out = capsys.readouterr().out
    assert "policy gate (dev): 39 policies, 0 mandatory" in out and "provider checks (dev): " in out
    assert "deployability analysis of dev: PASS" in out and out.rstrip().endswith("(dev): every gate passed")


def test_prods_example_values_fail_the_check_unless_allowed(tmp_path, plan_document, capsys):
    path = write(tmp_path / "plan.json", plan_document("prod"))
    with pytest.raises(Exit) as error:
        tasks.check_plan(Context(), plan=path)
    assert error.value.code == 1 and error.value.message.endswith("(prod): placeholders: 5 failure(s)")
    assert "[BLOCKS DEPLOY] platform/prod platform:certificateArn" in capsys.readouterr().out
    tasks.check_plan(Context(), plan=path, allow_placeholders=True)
    out = capsys.readouterr().out
    assert ("(not failing this run: check-plan and the deploy tasks refuse blocking examples unless "
            "--allow-placeholders)") in out
    assert out.rstrip().endswith("(prod): every gate passed")


def test_check_plan_fails_a_hand_edited_plan_with_each_rule_and_resource(tmp_path, plan_document, capsys):
    document = json.loads(json.dumps(plan_document("dev")))
    [group] = [r for s in document["stacks"] for r in s["resources"]
               if r["type"] == "aws:ec2/securityGroup:SecurityGroup" and s["project"] == "network"]
    group["inputs"]["namePrefix"] = "sg-endpoints-dev-"
    with pytest.raises(Exit) as error:
        tasks.check_plan(Context(), plan=write(tmp_path / "plan.json", document))
    assert error.value.code == 1
    assert error.value.message.endswith("(dev): provider checks: 1 failure(s)")
    out = capsys.readouterr().out
    assert "ec2.security-group.name-prefix" in out and group["name"] in out and "sg-endpoints-dev-" in out
