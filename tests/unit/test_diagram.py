"""The picture is generated from the plan and the catalog: every stack, every reference, every call."""
from __future__ import annotations

import stat

import pytest
from invoke import Context, Exit

import tasks
from shared.catalog import SERVICES
from tools import diagram
from tools.diagram import BEGIN, END, edges, embed, embedded, graphviz, kind_of, mermaid, write_svg
from tools.plan.runner import PlanError

README = tasks.ROOT / "README.md"


def test_the_committed_readme_picture_is_the_plans(plan_document):
    assert embedded(README.read_text()) == mermaid(plan_document("prod")), \
        "README.md's picture is stale: run `./dev diagram --env prod` and commit README.md"


def test_every_stack_reference_and_call_is_drawn(plan_document):
    document = plan_document("prod")
    drawn = mermaid(document)
    for stack in document["stacks"]:
        assert f'  {diagram.node_id(stack["project"] + "/" + stack["stack"])}["<b>{stack["project"]}/' in drawn
    found = {(e.source, e.target, e.label) for e in edges(document)}
    assert ("platform_prod", "network_prod", "reads") in found
    assert ("services_frontend_prod", "registry_prod", "reads") in found
    calls = {(e.source, e.target) for e in edges(document) if e.label.startswith("calls :")}
    assert calls == {(f"services_{caller.replace('-', '_')}_prod", f"services_{s.name.replace('-', '_')}_prod")
                     for s in SERVICES for caller in s.callers}
    assert ("platform_prod", "services_frontend_prod", "/*") in found and ("traders", "platform_prod", "HTTPS") in found
    assert ("services_processing_service_prod", "venue", "trading venues :443") in found
    assert 'services_frontend_prod -->|"calls :8081"| services_api_gateway_prod' in drawn
    assert 'platform_prod -.->|"reads"| network_prod' in drawn


def test_kinds_group_types_by_provider_module():
    assert kind_of("aws:ec2/vpc:Vpc") == "network" and kind_of("aws:lb/targetGroup:TargetGroup") == "load balancing"
    assert kind_of("random:index/randomPassword:RandomPassword") == "keys and secrets"
    assert kind_of("aws:ssm/parameter:Parameter") == "ssm" and kind_of("tls:index/key:Key") == "tls"


def test_embed_replaces_only_the_block_and_refuses_without_markers():
    text = f"head\n{BEGIN}\nold\n{END}\ntail\n"
    new = embed(text, "flowchart LR\n  a --> b\n")
    assert new == f"head\n{BEGIN}\n```mermaid\nflowchart LR\n  a --> b\n```\n{END}\ntail\n"
    assert embedded(new) == "flowchart LR\n  a --> b\n" and embedded("no markers") == ""
    with pytest.raises(ValueError, match="markers"):
        embed("no markers", "x")


def test_graphviz_has_the_same_boxes_and_edges(plan_document):
    source = graphviz(plan_document("dev"))
    assert source.startswith("digraph platform {") and 'network_dev [label="network/dev: ' in source
    assert 'services_frontend_dev -> services_api_gateway_dev [label="calls :8081"];' in source
    assert 'platform_dev -> network_dev [label="reads", style=dashed];' in source


def fake_dot(directory, body: str):
    path = directory / "dot"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_svg_through_dot_when_installed(tmp_path, monkeypatch, plan_document):
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert write_svg(plan_document("dev"), tmp_path / "out" / "dev.svg") is False
    (tmp_path / "bin").mkdir()
    fake_dot(tmp_path / "bin", '/bin/cat > "$3"')  # dot -Tsvg -o PATH: the graph arrives on stdin
    assert write_svg(plan_document("dev"), tmp_path / "out" / "dev.svg") is True
    assert (tmp_path / "out" / "dev.svg").read_text().startswith("digraph platform {")


def test_the_task_rewrites_the_readme_or_prints(tmp_path, monkeypatch, capsys, environment_plans):
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    monkeypatch.setattr(tasks, "BUILD", tmp_path / "build")
    monkeypatch.setattr(tasks, "plan_environment", lambda env: [s.plan for s in environment_plans(env).values()])
    monkeypatch.setattr(diagram.shutil, "which", lambda name: None)
    (tmp_path / "README.md").write_text(f"# x\n{BEGIN}\n{END}\n")
    tasks.diagram(Context(), env="dev")
    assert "services_frontend_dev" in embedded((tmp_path / "README.md").read_text())
    assert "picture of dev -> README.md" in capsys.readouterr().out
    tasks.diagram(Context(), env="dev", readme=False)
    out = capsys.readouterr().out
    assert out.startswith("flowchart LR") and "no svg: Graphviz's `dot` is not installed" in out
    monkeypatch.setattr(diagram, "write_svg", lambda document, path: True)
    tasks.diagram(Context(), env="dev", readme=False)
    assert "svg -> build/diagram/dev.svg" in capsys.readouterr().out


def test_the_task_reports_a_failed_plan(monkeypatch):
    def failing(env):
        raise PlanError("stack network/dev failed: boom")

    monkeypatch.setattr(tasks, "plan_environment", failing)
    with pytest.raises(Exit, match=r"no picture drawn\.\nstack network/dev failed: boom"):
        tasks.diagram(Context(), env="dev")
