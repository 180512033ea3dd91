"""Environments are data: the stack files present, not a list in code. Adding `staging` is adding its files."""
from __future__ import annotations

import shutil

import pytest

import shared.stacks
from shared.stacks import ENVIRONMENTS, PROJECT_ORDER, discover_environments
from tools.gates import run_gates
from tools.plan import runner

PROJECTS = shared.stacks.PROJECTS_DIR


def test_the_committed_environments_are_the_network_stacks():
    assert ENVIRONMENTS == ("dev", "prod") == discover_environments()


@pytest.fixture
def projects_copy(tmp_path, monkeypatch):
    """The real projects (programs and stack files) in a temporary tree the plan reads instead."""
    copy = tmp_path / "projects"
    shutil.copytree(PROJECTS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(shared.stacks, "PROJECTS_DIR", copy)
    return copy


def add_staging(projects) -> None:
    """staging = dev's stack files under the staging name, with its own suffix; nothing else changes."""
    for dev in sorted(projects.glob("*/Pulumi.*dev.yaml")):
        staging = dev.with_name(dev.name.replace("dev.yaml", "staging.yaml"))
        text = dev.read_text().replace("environmentSuffix: dev", "environmentSuffix: staging")
        staging.write_text(text.replace("venue-sandbox.example.com", "venue-staging.example.com"))


def test_adding_staging_is_its_stack_files_plus_nothing_else(projects_copy):
    add_staging(projects_copy)
    assert discover_environments(projects_copy) == ("dev", "prod", "staging")
    plans = runner.plan_environment("staging")
    assert [str(p.stack) for p in plans][:3] == [f"{project}/staging" for project in PROJECT_ORDER[:3]]
    document = runner.plan_document("staging", plans)
    names = [r["inputs"].get("name") for p in document["stacks"] for r in p["resources"]]
    assert "vpc-staging" not in names and any(str(n).endswith("-staging") for n in names)
    results = run_gates(document)
    assert {r.gate: r.failures for r in results} == {"policy gate": 0, "provider checks": 0,
                                                       "deployability analysis": 0, "placeholders": 0}


def test_an_environment_missing_a_stack_file_is_refused_with_the_files(projects_copy):
    add_staging(projects_copy)
    (projects_copy / "platform" / "Pulumi.staging.yaml").unlink()
    (projects_copy / "services" / "Pulumi.frontend-staging.yaml").unlink()
    with pytest.raises(runner.PlanError) as error:
        runner.plan_environment("staging")
    assert str(error.value) == (
        "staging: no stack file projects/platform/Pulumi.staging.yaml, projects/services/Pulumi.frontend-staging.yaml: "
        "every project, and every catalog service, needs one per environment (copy another environment's file and "
        "adjust its values)")
