"""The engine (finding the CLI, its version, backend, secrets provider, passphrase), the environment lock and
output masking; and the tasks as a user runs them: clear message, non-zero exit, no traceback."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from invoke import Collection, Context, Exit, Program

import tasks
from shared.catalog import SERVICES
from shared.stacks import REPO_ROOT, StackId, qualified_stack_name, stack_reference_name
from tests.deploy.conftest import aws, gates  # noqa: F401 - the fixtures
from tests.fake_pulumi.fixtures import contract_outputs, fake  # noqa: F401 - the fixture
from tools.deploy import deploy as ops
from tools.deploy.engine import (
    MISSING_CLI,
    Backend,
    Engine,
    OpsError,
    backend_settings,
    check_version,
    default_backend_url,
)
from tools.deploy.lock import environment_lock, lock_path
from tools.deploy.outputs import mask_secrets, mask_value, outputs_document

PASS = {"PULUMI_CONFIG_PASSPHRASE": "p"}


# --- backend and secrets provider ---------------------------------------------------------------------------

def test_default_backend_is_a_file_backend_inside_the_repository_with_the_passphrase_provider():
    backend = backend_settings(PASS, Path("/repo"))
    assert backend == Backend("file:///repo/.pulumi-state", "passphrase") and backend.self_managed
    assert default_backend_url() == f"file://{REPO_ROOT}/.pulumi-state"


@pytest.mark.parametrize("environ, expected", [
    ({"PULUMI_BACKEND_URL": "s3://trading-pulumi-state/infra",
      "PULUMI_SECRETS_PROVIDER": "awskms://alias/pulumi-secrets?region=us-east-1"},
     Backend("s3://trading-pulumi-state/infra", "awskms://alias/pulumi-secrets?region=us-east-1")),
    ({"PULUMI_BACKEND_URL": "https://api.pulumi.com", "PULUMI_ORG": "acme"},
     Backend("https://api.pulumi.com", "default")),
    ({"PULUMI_BACKEND_URL": "gs://bucket", "PULUMI_SECRETS_PROVIDER": "default", "PULUMI_CONFIG_PASSPHRASE_FILE": "f"},
     Backend("gs://bucket", "passphrase")),
])
def test_backend_and_provider_combinations_that_need_no_passphrase_or_have_one(monkeypatch, environ, expected):
    monkeypatch.delenv("PULUMI_ORG", raising=False)
    if "PULUMI_ORG" in environ:
        monkeypatch.setenv("PULUMI_ORG", environ["PULUMI_ORG"])
    assert backend_settings(environ) == expected


@pytest.mark.parametrize("environ, message", [
    ({}, "the passphrase secrets provider (state in file://"),
    ({"PULUMI_BACKEND_URL": "https://api.pulumi.com", "PULUMI_SECRETS_PROVIDER": "passphrase"},
     "the passphrase secrets provider (state in https://api.pulumi.com) needs PULUMI_CONFIG_PASSPHRASE"),
    ({"PULUMI_BACKEND_URL": "ftp://host/state", **PASS}, "PULUMI_BACKEND_URL='ftp://host/state' is not a Pulumi"),
    ({"PULUMI_SECRETS_PROVIDER": "awskms", **PASS}, "PULUMI_SECRETS_PROVIDER='awskms' is not a secrets provider"),
])
def test_backend_settings_refuse_with_the_fix(monkeypatch, environ, message):
    monkeypatch.delenv("PULUMI_ORG", raising=False)
    with pytest.raises(OpsError) as error:
        backend_settings(environ)
    assert message in str(error.value) and error.value.code == 2


def test_passphrase_message_names_every_fix():
    with pytest.raises(OpsError) as error:
        backend_settings({})
    assert "export PULUMI_CONFIG_PASSPHRASE=" in str(error.value)
    assert "PULUMI_CONFIG_PASSPHRASE_FILE" in str(error.value)
    assert "PULUMI_SECRETS_PROVIDER=awskms://alias/<alias>?region=us-east-1" in str(error.value)


def test_an_organization_on_a_self_managed_backend_is_refused(monkeypatch):
    monkeypatch.setenv("PULUMI_ORG", "acme")
    with pytest.raises(OpsError, match="PULUMI_ORG='acme', but the self-managed backend s3://b only knows"):
        backend_settings({"PULUMI_BACKEND_URL": "s3://b", **PASS})
    assert stack_reference_name("network", "dev") == "acme/network/dev"
    assert qualified_stack_name(StackId("services", "frontend-dev")) == "acme/services/frontend-dev"


# --- finding the CLI and checking its version ---------------------------------------------------------------

def test_discover_finds_the_cli_on_path_checks_its_version_and_creates_the_file_backend(fake, tmp_path):  # noqa: F811
    environ = {k: v for k, v in os.environ.items() if k != "PULUMI_BACKEND_URL"}
    engine = Engine.discover(environ, repo_root=tmp_path / "repo")
    assert engine.command.command == str(fake.bin / "pulumi")
    assert str(engine.command.version) == "3.205.0"
    assert (tmp_path / "repo" / ".pulumi-state").is_dir()
    assert engine.environ["PULUMI_BACKEND_URL"] == f"file://{tmp_path}/repo/.pulumi-state"
    assert engine.environ["PULUMI_SKIP_UPDATE_CHECK"] == "true"
    assert [call["command"] for call in fake.calls()] == ["version"]


def test_discover_leaves_a_bucket_backend_alone(fake, tmp_path):  # noqa: F811
    engine = Engine.discover({**os.environ, "PULUMI_BACKEND_URL": "s3://bucket"}, repo_root=tmp_path)
    assert engine.backend.url == "s3://bucket" and not (tmp_path / ".pulumi-state").exists()


def test_missing_cli_is_one_clear_error_before_the_passphrase(tmp_path):
    with pytest.raises(OpsError) as error:
        Engine.discover({"PATH": str(tmp_path)})
    assert str(error.value) == MISSING_CLI and error.value.code == 127
    assert str(error.value).startswith("pulumi CLI not found: install it from https://www.pulumi.com/docs/install/")


@pytest.mark.parametrize("printed, message", [
    ("not a version", "`pulumi version` printed 'not a version', not a version"),
    ("v4.0.0", "pulumi CLI 4.0.0 does not work with this repository's Automation API (needs 3.x"),
    ("v3.0.9", "pulumi CLI 3.0.9 does not work"),
])
def test_a_cli_version_the_automation_api_refuses_is_refused_with_the_fix(printed, message):
    with pytest.raises(OpsError, match=message.replace("(", r"\(").replace(".", r"\.")):
        check_version(printed)
    assert str(check_version("v3.272.0\n")) == "3.272.0"


def test_a_cli_whose_version_call_fails_is_refused(tmp_path):
    broken = tmp_path / "bin"
    broken.mkdir()
    (broken / "pulumi").write_text("#!/bin/sh\necho 'segfault' >&2\nexit 3\n")
    (broken / "pulumi").chmod(0o755)
    with pytest.raises(OpsError, match="`pulumi version` failed \\(exit 3\\): segfault"):
        Engine.discover({**PASS, "PATH": str(broken)})


# --- the lock -----------------------------------------------------------------------------------------------

def test_lock_refuses_a_second_holder_and_names_the_first(tmp_path):
    with environment_lock(tmp_path, "dev", "invoke deploy-all --env dev") as path:
        assert path == lock_path(tmp_path, "dev")
        assert path.read_text().startswith(f"invoke deploy-all --env dev, pid {os.getpid()}, started ")
        with pytest.raises(OpsError) as error, environment_lock(tmp_path, "dev", "invoke destroy-all --env dev"):
            pass
        message = str(error.value)
        assert "environment dev is locked by another run on this machine (invoke deploy-all --env dev, pid" in message
        assert "then run `invoke destroy-all --env dev` again" in message
        with environment_lock(tmp_path, "prod", "other environment"):
            pass
    with environment_lock(tmp_path, "dev", "after release"):
        assert lock_path(tmp_path, "dev").read_text().startswith("after release")
    assert lock_path(tmp_path, "dev").read_text() == ""


def test_lock_held_by_another_process_blocks_deploy_all_before_any_call(fake, aws, gates, tmp_path):  # noqa: F811
    release = tmp_path / "release"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import pathlib, time
        from tools.deploy.lock import environment_lock
        with environment_lock(pathlib.Path({str(tasks.BUILD / 'locks')!r}), "dev", "invoke deploy-all --env dev"):
            while not pathlib.Path({str(release)!r}).exists():
                time.sleep(0.01)
    """)], cwd=REPO_ROOT)
    try:
        path = lock_path(tasks.BUILD / "locks", "dev")
        for _ in range(1000):  # wait (bounded) until the other process holds the lock
            if path.exists() and path.read_text():
                break
            time.sleep(0.01)
        with pytest.raises(Exit) as error:
            tasks.deploy_all(Context(), env="dev", yes=True)
        assert f"pid {holder.pid}" in error.value.message and error.value.code == 1
        with pytest.raises(Exit, match="environment dev is locked"):
            tasks.destroy_all(Context(), env="dev", yes=True)
        assert [call["command"] for call in fake.calls()] == ["version", "version"]
    finally:
        release.write_text("go")
        holder.wait(timeout=30)
    tasks.deploy(Context(), env="dev", project="network", yes=True)  # released with the process
    assert fake.steps("up") == [("up", "network/dev")]


def test_a_lock_whose_holder_wrote_nothing_yet_is_still_refused(tmp_path):
    import fcntl

    path = lock_path(tmp_path, "dev")
    path.write_text("")
    with path.open("r+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(OpsError, match="a run that has not written its name yet"), environment_lock(
                tmp_path, "dev", "x"):
            pass


# --- outputs ------------------------------------------------------------------------------------------------

def test_stack_names_accepts_short_and_qualified_names(fake):  # noqa: F811
    fake.seed("services/frontend-dev", {})
    fake.seed("services/frontend-prod", {})
    engine = Engine.discover()
    assert engine.stack_names("services") == {"frontend-dev", "frontend-prod"}
    fake.configure(qualified_ls=True)
    assert engine.stack_names("services") == {"frontend-dev", "frontend-prod"}
    assert engine.stack_names("network") == set()


def test_outputs_carry_the_engines_secret_flag_and_the_document_masks_them(fake):  # noqa: F811
    fake.seed("platform/dev", {"clusterName": "c", "dbPassword": "hunter2"}, secrets=("dbPassword",))
    engine = Engine.discover()
    assert engine.outputs(StackId("platform", "dev")) == {"clusterName": "c", "dbPassword": "[secret]"}
    document = outputs_document(engine, "dev")
    assert document == {"environment": "dev", "stacks": {"platform/dev": {"clusterName": "c",
                                                                          "dbPassword": "[secret]"}}}
    shown = [c["argv"] for c in fake.calls() if c["command"] == "stack output"]
    assert ["--non-interactive", "stack", "output", "--json", "--stack", "organization/platform/dev"] in shown


def test_cli_failures_and_non_json_answers_are_reported(fake, tmp_path):  # noqa: F811
    engine = Engine.discover()
    with pytest.raises(OpsError) as error:
        engine.outputs(StackId("network", "dev"))
    assert "could not read the outputs of network/dev:" in str(error.value)
    assert "no stack named 'organization/network/dev' found" in str(error.value)

    chatty = tmp_path / "chatty"
    chatty.mkdir()
    (chatty / "pulumi").write_text('#!/bin/sh\nif [ "$1" = version ]; then echo v3.205.0; exit 0; fi\n'
                                   "echo 'warning: not json'\n")
    (chatty / "pulumi").chmod(0o755)
    engine = Engine.discover({**os.environ, "PATH": str(chatty)})
    with pytest.raises(OpsError, match=r"could not list the stacks of project network in file://.*: Expecting value"):
        engine.stack_names("network")
    with pytest.raises(OpsError, match="could not read the outputs of network/dev: Expecting value"):
        engine.outputs(StackId("network", "dev"))


def test_masking_reaches_nested_values_and_declared_keys():
    signature = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "s3cr3t"}
    assert mask_value({"a": [1, {"b": signature}], "c": {"4dabf18193072939515e22adb298388d": "other"}}) == {
        "a": [1, {"b": "[secret]"}], "c": {"4dabf18193072939515e22adb298388d": "other"}}
    assert mask_secrets({"token": "clear", "name": "x", "list": [signature]}, {"token"}) == {
        "token": "[secret]", "name": "x", "list": ["[secret]"]}


def test_shown_paths_are_relative_inside_the_repository():
    assert ops.shown(REPO_ROOT / "build" / "x.log") == "build/x.log"
    assert ops.shown(Path("/tmp/x.log")) == "/tmp/x.log"


# --- the tasks as a user runs them --------------------------------------------------------------------------

def run_program(argv: list[str], capsys) -> tuple[int, str, str]:
    program = Program(namespace=Collection.from_module(tasks), name="invoke", binary="invoke")
    with pytest.raises(SystemExit) as stop:
        program.run(["invoke", *argv])
    captured = capsys.readouterr()
    return stop.value.code, captured.out, captured.err


def test_program_missing_passphrase_exits_2_with_the_fix_and_no_call(fake, monkeypatch, capsys):  # noqa: F811
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE")
    code, out, err = run_program(["deploy-all", "--env", "dev"], capsys)
    assert code == 2 and "needs PULUMI_CONFIG_PASSPHRASE" in err and "Traceback" not in err + out
    assert fake.calls() == []


def test_program_missing_cli_exits_127_naming_what_to_install(fake, monkeypatch, tmp_path, capsys):  # noqa: F811
    monkeypatch.setenv("PATH", str(tmp_path))
    code, out, err = run_program(["outputs", "--env", "dev"], capsys)
    assert code == 127 and err.strip() == MISSING_CLI and "Traceback" not in err + out


@pytest.mark.parametrize("argv, environ, code, message", [
    (["deploy-all", "--env", "dev"], {"PULUMI_CONFIG_PASSPHRASE": None}, 2, "needs PULUMI_CONFIG_PASSPHRASE"),
    (["destroy-all", "--env", "dev", "--yes"], {"PATH": "/nonexistent"}, 127, "pulumi CLI not found"),
])
def test_the_invoke_command_itself_fails_cleanly(fake, argv, environ, code, message):  # noqa: F811
    """The real `invoke` entry point in a child process: exit status and stderr exactly as a user sees them."""
    env = dict(os.environ)
    for name, value in environ.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    invoke = [sys.executable, "-m", "invoke", "--search-root", str(REPO_ROOT), *argv]
    done = subprocess.run(invoke, env=env, capture_output=True, text=True, timeout=120, cwd=REPO_ROOT)
    assert done.returncode == code and message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert fake.calls() == []


def test_outputs_task_reports_where_it_wrote(fake, capsys):  # noqa: F811
    fake.seed("network/dev", {"vpcId": "vpc-1"})
    tasks.outputs(Context(), env="prod")
    assert json.loads((tasks.BUILD / "outputs" / "prod.json").read_text()) == {"environment": "prod", "stacks": {}}
    assert "outputs of prod -> " in capsys.readouterr().out


def test_program_parses_the_flags_as_documented(fake, aws, gates, capsys):  # noqa: F811
    """The flags reach the tasks as docs/deploy.md shows them."""
    from tests.deploy.conftest import upstream_outputs

    for project in ("network", "registry", "platform"):
        fake.seed(f"{project}/dev", upstream_outputs()[f"{project}/dev"])
    program = Program(namespace=Collection.from_module(tasks), name="invoke", binary="invoke")
    program.run(["invoke", "deploy-all", "--env", "dev", "--from", "services", "--yes", "--allow-placeholders",
                 "--allow-replace", "trades", "--allow-replace", "orders", "--create-service-linked-role"])
    program.run(["invoke", "preview", "--service", "frontend", "--diff"])
    program.run(["invoke", "destroy", "--service", "frontend", "--yes"])
    program.run(["invoke", "destroy", "--service", "frontend", "--env", "prod", "--confirm", "prod"])
    assert [step for step in fake.steps("up", "preview", "destroy") if step[1] == "services/frontend-dev"] == [
        ("preview", "services/frontend-dev"), ("up", "services/frontend-dev"), ("preview", "services/frontend-dev"),
        ("destroy", "services/frontend-dev")]
    assert {key for _, key in fake.steps("up")} == {f"services/{s.name}-dev" for s in SERVICES}
    assert gates.calls == [("dev", True)]
    assert "--diff" in [c for c in fake.calls() if c["command"] == "preview"][-1]["argv"]
    assert "services/frontend-prod: not in the backend, nothing to destroy" in capsys.readouterr().out
    assert contract_outputs("network")
