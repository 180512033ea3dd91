"""Live progress while a stack runs, heartbeats, logs kept per run, the gRPC event stream end to end, and the
guard on destroying a protected environment."""
from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest
from invoke import Context, Exit
from pulumi.automation import events as ev

import tasks
from shared.stacks import StackId
from tests.deploy.conftest import ORDER_DEV
from tools.deploy import deploy as ops
from tools.deploy import progress as pg

SLOW = {"network/dev": [["create", "aws:ec2/vpc:Vpc", "vpc"], ["create", "aws:ecs/service:Service", "svc"]]}


class Recording(pg.Console):
    """A console that keeps (time, line) as well as printing."""

    def __init__(self, heartbeat: float) -> None:
        super().__init__(heartbeat)
        self.lines: list[tuple[float, str]] = []

    def line(self, text: str) -> None:
        self.lines.append((time.monotonic(), text))
        super().line(text)


@pytest.mark.parametrize("version", ["3.205.0", "3.272.0"])
def test_progress_lines_and_heartbeats_appear_while_the_stack_runs(env, version):
    """Both transports of engine events: the file the SDK polls (<= 3.205) and its gRPC server (above)."""
    env.fake.configure(version=version, steps=SLOW, sleep={"network/dev": 0.8})
    session = env.session()
    session.console = console = Recording(heartbeat=0.1)
    ops.deploy_project(session, "network", ops.Options(yes=True))

    up = [(at, text) for at, text in console.lines if "vpc" in text or "svc" in text or "network/dev:" in text]
    vpc_done = next(at for at, text in up if re.search(r"network/dev  create   aws:ec2/vpc:Vpc  vpc  done in", text))
    up_ok = next(at for at, text in up if text.startswith("network/dev: up ok"))
    # the first resource's line came while the stack was still running (its second resource takes 0.4 s)
    assert up_ok - vpc_done > 0.2
    beats = [text for _, text in console.lines if "waiting for the ECS service to reach steady state" in text]
    assert beats and re.match(r"network/dev: \d+\.\ds, waiting for the ECS service", beats[0])
    assert any("svc  done in" in text for _, text in console.lines)
    assert [c["argv"][c["argv"].index("--event-log") + 1].startswith("tcp://127.0.0.1:")
            for c in env.fake.calls() if c["command"] == "up"] == [version == "3.272.0"]


def test_the_logs_of_two_runs_both_survive(env, capsys):
    ops.deploy_project(env.session(), "network", ops.Options(yes=True))
    env.fake.configure(fail={"network/dev": ["up"]})
    with pytest.raises(ops.OpsError):
        ops.deploy_project(env.session(), "network", ops.Options(yes=True))
    first, second = sorted((env.build / "logs" / "dev").iterdir())
    assert all(re.fullmatch(r"\d{8}T\d{6}Z(-\d+)?", run.name) for run in (first, second))
    assert "Updating (network/dev):" in (first / "network.dev.up.log").read_text()
    assert "failed (scripted by the test)" not in (first / "network.dev.up.log").read_text()
    assert "# engine error (network-dev-marker): up of network/dev failed" in (
        second / "network.dev.up.log").read_text()
    assert f"(log: {second}/network.dev.up.log)" in capsys.readouterr().out


def test_run_directories_are_new_even_within_one_second(tmp_path):
    now = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert pg.run_directory(tmp_path, now).name == "20250102T030405Z"
    assert pg.run_directory(tmp_path, now).name == "20250102T030405Z-1"
    for n in range(2, 1000):
        (tmp_path / f"20250102T030405Z-{n}").mkdir()
    with pytest.raises(FileExistsError, match="no free log directory for 20250102T030405Z"):
        pg.run_directory(tmp_path, now)


def event(**body) -> ev.EngineEvent:
    return ev.EngineEvent.from_json({"sequence": 1, "timestamp": 0, **body})


def test_stack_progress_counts_changes_and_reports_what_it_waits_for(tmp_path, capsys):
    progress = pg.StackProgress(pg.Console(heartbeat=60), StackId("platform", "dev"), "preview",
                                tmp_path / "x.log", live=False)
    urn = "urn:pulumi:dev::platform::aws:s3/bucket:Bucket::logs"
    assert progress.waiting_for() == "the engine (running the program, reading state)"
    for op in ("create-replacement", "replace", "delete-replaced"):
        progress.on_event(event(resourcePreEvent={"metadata": {"op": op, "urn": urn, "type": "aws:s3/bucket:Bucket"}}))
    progress.on_event(event(resourcePreEvent={"metadata": {"op": "same", "urn": "u::x", "type": "t"}}))
    assert progress.counts == {"replace": 1} and list(progress.changes.values()) == [
        pg.Change("replace", "aws:s3/bucket:Bucket", urn)]
    assert progress.waiting_for() == "delete-replaced of aws:s3/bucket:Bucket logs"
    progress.on_event(event(resOutputsEvent={"metadata": {"op": "replace", "urn": urn,
                                                          "type": "aws:s3/bucket:Bucket"}}))
    progress.on_event(event(resOutputsEvent={"metadata": {"op": "same", "urn": "u::x", "type": "t"}}))
    progress.on_event(event(diagnosticEvent={"message": "warning only", "severity": "warning"}))
    progress.on_event(event(diagnosticEvent={"message": "boom\n", "severity": "error"}))
    progress.on_event(event(policyEvent={"message": "advisory", "enforcementLevel": "advisory"}))
    progress.on_event(event(preludeEvent={"config": {}}))
    assert progress.diagnostics == ["boom"] and progress.policy_violations == []
    assert capsys.readouterr().out == ""  # a preview prints no resource lines
    progress.beat(progress.started + 30)  # quieter than the heartbeat: nothing yet
    progress.beat(progress.started + 61)
    assert "platform/dev: 1m01s, waiting for " in capsys.readouterr().out
    progress.close()
    progress.write("after close is ignored")
    assert "# engine error: boom" in (tmp_path / "x.log").read_text()


@pytest.mark.parametrize("seconds, shown", [(0.04, "0.0s"), (59.9, "59.9s"), (252, "4m12s"), (3600, "60m00s")])
def test_durations_read_like_a_clock(seconds, shown):
    assert pg.duration(seconds) == shown


# --- protected environments ---------------------------------------------------------------------------------------
def test_prod_is_protected_and_dev_is_not():
    assert "prod" in ops.PROTECTED_ENVIRONMENTS and "dev" not in ops.PROTECTED_ENVIRONMENTS  # shared.stacks


def test_destroying_prod_with_yes_alone_is_refused(env):
    with pytest.raises(Exit) as error:
        tasks.destroy_all(Context(), env="prod", yes=True)
    assert error.value.code == 2
    assert ("prod is a protected environment: --yes is not enough to delete services/processing-service-prod, "
            in error.value.message)
    assert "type its name at the prompt (on a terminal) or pass --confirm prod" in error.value.message
    with pytest.raises(Exit, match="'dev' is not 'prod': nothing was destroyed"):
        tasks.destroy_all(Context(), env="prod", confirm="dev")
    assert env.fake.steps("destroy", "stack ls") == []


def test_destroying_prod_with_confirm_prod_goes_ahead(env):
    env.fake.seed("network/prod", {"vpcId": "v"})
    tasks.destroy_all(Context(), env="prod", confirm="prod")
    assert env.fake.steps("destroy") == [("destroy", "network/prod")]


@pytest.mark.parametrize("typed, destroyed", [("prod", True), ("prod \n", True), ("yes", False), ("", False)])
def test_destroying_prod_at_a_terminal_needs_the_name_typed_back(env, typed, destroyed):
    env.fake.seed("network/prod", {"vpcId": "v"})
    session = env.session("prod", answers=[typed], terminal=True)
    if destroyed:
        ops.destroy_all(session)
    else:
        with pytest.raises(ops.OpsError, match="is not 'prod': nothing was destroyed"):
            ops.destroy_all(session)
    assert session.prompts[0].startswith("prod is protected. This deletes every resource of services/processing-"
                                      "service-prod, ")
    assert session.prompts[0].endswith("Type the environment's name to go on: ")
    assert env.fake.steps("destroy") == ([("destroy", "network/prod")] if destroyed else [])


def test_an_unprotected_environment_keeps_yes(env):
    env.fake.seed("network/dev", {"vpcId": "v"})
    ops.destroy_all(env.session("dev", terminal=True), yes=True)
    assert env.fake.steps("destroy") == [("destroy", "network/dev")]
    assert ORDER_DEV[0] == "network/dev"
