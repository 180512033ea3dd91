"""`invoke plan` runs every gate (policy, provider checks, analysis) after writing plan.json: a table per
service, exit 1 on any failure, the plan left for inspection; `--no-analysis` skips it."""
from __future__ import annotations

import json

import pytest
from invoke import Context, Exit

import tasks
from shared.catalog import SERVICES
from tests.analysis.builder import remove
from tools import gates
from tools.analysis import analyse


@pytest.fixture
def planned(environment_plans, monkeypatch, tmp_path):
    """The plan task over the session's real plans (not recomputed), writing under tmp_path."""
    monkeypatch.setattr(tasks, "BUILD", tmp_path / "build")
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    monkeypatch.setattr(tasks, "plan_environment",
                        lambda environment: [s.plan for s in environment_plans(environment).values()])
    return tmp_path / "build" / "plan"


def drop_api_gateway_ingress(document):
    """The real plan, minus the rule that lets frontend call api-gateway."""
    document = json.loads(json.dumps(document))
    [rule] = [r["name"] for s in document["stacks"] for r in s["resources"]
              if r["type"].endswith("SecurityGroupIngressRule") and "api-gateway-in-frontend" in r["name"]]
    remove(document, rule)
    return analyse(document)


def test_plan_prints_a_passing_table_per_service(planned, capsys):
    tasks.plan(Context(), env="all")
    out = capsys.readouterr().out
    for service in SERVICES:
        assert f"-- {service.name}\n" in out
    assert "deployability analysis of dev: PASS" in out and "deployability analysis of prod: PASS" in out
    assert " FAIL " not in out


def test_plan_exits_non_zero_on_an_analysis_failure_and_keeps_the_plan(planned, monkeypatch, capsys):
    monkeypatch.setattr(gates, "analyse", drop_api_gateway_ingress)
    with pytest.raises(Exit) as error:
        tasks.plan(Context(), env="dev")
    assert error.value.code == 1
    assert error.value.message == ("dev: deployability analysis: 1 failure(s); listed above; plan.json is written "
                                   "for inspection")
    assert (planned / "dev" / "plan.json").exists()
    out = capsys.readouterr().out
    assert "service call paths     FAIL" in out and "no ingress on port 8081 from frontend's groups" in out


def test_no_analysis_skips_it(planned, monkeypatch, capsys):
    monkeypatch.setattr(gates, "analyse", drop_api_gateway_ingress)
    tasks.plan(Context(), env="dev", no_analysis=True)
    assert "deployability analysis" not in capsys.readouterr().out


def test_both_gates_are_reported_together(planned, monkeypatch):
    class Blocked:
        mandatory = ("one",)

        def render(self):
            return "policy gate: blocked"

    monkeypatch.setattr(gates, "gate_document", lambda document: Blocked())
    with pytest.raises(Exit) as error:
        tasks.plan(Context(), env="dev")
    assert error.value.message.startswith("dev: policy gate: 1 failure(s); listed above")
    monkeypatch.setattr(gates, "analyse", drop_api_gateway_ingress)
    with pytest.raises(Exit) as error:
        tasks.plan(Context(), env="dev")
    assert error.value.message.startswith("dev: policy gate: 1 failure(s); deployability analysis: 1 "
                                          "failure(s); listed above")


def test_plan_prints_the_provider_checks(planned, capsys):
    tasks.plan(Context(), env="dev", no_analysis=True)
    assert "provider checks (dev): " in capsys.readouterr().out
