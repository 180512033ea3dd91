"""deploy-all, deploy, preview and destroy through the invoke tasks, against the fake `pulumi` on PATH driven by
the real `pulumi.automation` code, with AWS in moto and the offline gates recorded (tests/deploy/conftest.py).

The fake records every call; these tests assert the calls themselves (order, arguments, what overlapped), not
the tasks' own account of them.
"""
from __future__ import annotations

import json
import re

import pytest
from invoke import Context, Exit

import tasks
from shared.stacks import PROJECTS_DIR, REPO_ROOT, deploy_order
from tests.deploy.conftest import ORDER_DEV, SERVICE_KEYS, aws, env, gates, upstream_outputs  # noqa: F401
from tests.fake_pulumi.fixtures import contract_outputs, fake  # noqa: F401 - the fixture
from tools.deploy import deploy as ops


def barrier(fake, tmp_path, parties=3, timeout=30, command="up"):  # noqa: F811
    """Each service stack's `command` waits until `parties` have started: only overlapping calls pass."""
    fake.configure(barrier={"dir": str(tmp_path / "barrier"), "parties": parties, "command": command,
                            "project": "services", "timeout": timeout})


def seed_upstream(fake, *projects):  # noqa: F811
    outputs = upstream_outputs()
    for project in projects:
        fake.seed(f"{project}/dev", outputs[f"{project}/dev"])


def test_deploy_all_deploys_in_order_with_services_in_parallel(env, tmp_path, capsys):  # noqa: F811
    barrier(env.fake, tmp_path)
    tasks.deploy_all(Context(), env="dev", yes=True)

    steps = env.fake.steps()
    ups = [step for step in steps if step[0] == "up"]
    assert [key for _, key in ups[:3]] == ["network/dev", "registry/dev", "platform/dev"]
    # the barrier let the three service updates through only because all three were running at once
    assert sorted(key for _, key in ups[3:]) == sorted(SERVICE_KEYS)
    # each stack is selected (or created) one at a time, just before its phase
    creates = [key for command, key in steps if command == "stack init"]
    assert creates == ORDER_DEV
    for key in ORDER_DEV:
        assert env.fake.outputs_of(key) == {"deployedBy": "fake-pulumi"} or key in upstream_outputs()
    for call in env.fake.calls()[1:]:
        argv = call["argv"]
        name = argv[argv.index("--stack") + 1] if "--stack" in argv else argv[argv.index("init") + 1] if (
            "init" in argv) else None
        if name:
            project = name.split("/")[1]
            assert name.startswith(f"organization/{project}/")
            assert call["cwd"] == str(PROJECTS_DIR / project)
        assert argv[0] == "--non-interactive" and call["automation"]
        assert call["backend"] == f"file://{env.fake.backend_dir}" and call["passphrase_set"]
    inits = [c["argv"] for c in env.fake.calls() if c["command"] == "stack init"]
    assert all(argv[-2:] == ["--secrets-provider", "passphrase"] for argv in inits)
    assert all(c["argv"][1:4] == ["up", "--yes", "--skip-preview"] for c in env.fake.calls() if c["command"] == "up")

    out = capsys.readouterr().out
    assert re.search(r"\[\s*[\d.]+s\] network/dev: up started", out)
    assert re.search(r"\[\s*[\d.]+s\] services/frontend-dev: up ok after \d+\.\ds", out)
    assert f"invoke deploy-all --env dev: {len(ORDER_DEV)} stack(s) deployed" in out
    [run_dir] = (tasks.BUILD / "logs" / "dev").iterdir()
    log = (run_dir / "services.frontend-dev.up.log").read_text()
    assert log.startswith("# pulumi up of organization/services/frontend-dev in projects/services")
    assert "Updating (services/frontend-dev):" in log


def test_the_barrier_fails_a_run_whose_service_stacks_do_not_overlap(env, tmp_path, capsys):  # noqa: F811
    """The parallelism proof can fail: one service at a time, the first call waits alone and gives up. (Events
    over gRPC here: a call that fails before its first event leaves the SDK's file watcher waiting 5 s.)"""
    env.fake.configure(version="3.272.0")
    barrier(env.fake, tmp_path, timeout=0.5)
    seed_upstream(env.fake, "network", "registry", "platform")
    session = env.session()
    session.max_parallel = 1
    with pytest.raises(ops.OpsError, match=r"^up failed for services/frontend-dev, services/api-gateway-dev\n"):
        ops.deploy_project(session, "services", ops.Options(yes=True))
    assert "error: barrier: only 1 of 3 calls arrived" in capsys.readouterr().out


def test_from_resumes_at_the_named_project_after_checking_what_it_skips(env, capsys):  # noqa: F811
    seed_upstream(env.fake, "network", "registry")
    tasks.deploy_all(Context(), env="dev", from_="platform", yes=True)

    assert [key for command, key in env.fake.steps("up")][:1] == ["platform/dev"]
    assert sorted(key for _, key in env.fake.steps("up")) == sorted(["platform/dev", *SERVICE_KEYS])
    touched = {key for command, key in env.fake.steps("stack select", "preview", "up")}
    assert touched == {"platform/dev", *SERVICE_KEYS}
    # the skipped upstream stacks were only read
    read = {key for _, key in env.fake.steps("stack output")}
    assert {"network/dev", "registry/dev"} <= read


def test_from_refuses_when_a_skipped_stack_was_never_deployed(env):  # noqa: F811
    with pytest.raises(Exit) as error:
        tasks.deploy_all(Context(), env="dev", from_="registry", yes=True)
    # registry reads nothing, services read network: the missing network is named with the fix
    assert error.value.code == 1
    assert "network/dev is not in the backend" in error.value.message
    assert "invoke deploy --project network --env dev" in error.value.message
    assert env.fake.state_changing() == []


def test_unknown_from_is_refused(env):  # noqa: F811
    with pytest.raises(Exit) as error:
        tasks.deploy_all(Context(), env="dev", from_="database")
    assert error.value.code == 2 and "--from 'database' is not a project" in error.value.message
    assert "network, registry, platform, services" in error.value.message


def test_a_platform_failure_stops_before_the_services_and_says_how_to_resume(env, capsys):  # noqa: F811
    env.fake.configure(fail={"platform/dev": ["up"]}, fail_lines=3)
    with pytest.raises(Exit) as error:
        tasks.deploy_all(Context(), env="dev", yes=True)

    assert error.value.code == 1
    assert "up failed for platform/dev" in error.value.message
    assert "resume with: invoke deploy-all --env dev --from platform" in error.value.message
    assert "finished in this phase" not in error.value.message
    assert [key for _, key in env.fake.steps("up")] == ["network/dev", "registry/dev", "platform/dev"]
    out = capsys.readouterr().out
    # the failure shows its log path and the engine's last diagnostics
    assert re.search(r"---- platform/dev: up failed \(log: .*/logs/dev/\d{8}T\d{6}Z/platform\.dev\.up\.log\)", out)
    assert "  | up of platform/dev failed (scripted by the test): aws:ssm/parameter:Parameter" in out
    assert "platform/dev  create   aws:ssm/parameter:Parameter  platform-dev-marker  FAILED" in out
    [run_dir] = (tasks.BUILD / "logs" / "dev").iterdir()
    assert "detail line 3 of the failing up" in (run_dir / "platform.dev.up.log").read_text()


def test_one_failing_service_lets_the_other_two_finish_and_is_named(env, tmp_path, capsys):  # noqa: F811
    barrier(env.fake, tmp_path)  # the failing one still started together with the others
    env.fake.configure(fail={"services/api-gateway-dev": ["up"]})
    with pytest.raises(Exit) as error:
        tasks.deploy_all(Context(), env="dev", yes=True)

    message = error.value.message
    assert error.value.code == 1
    assert "up failed for services/api-gateway-dev\n" in message
    assert "finished in this phase: services/frontend-dev, services/processing-service-dev" in message
    assert "resume with: invoke deploy-all --env dev --from services" in message
    assert "or redeploy only that service: invoke deploy --service api-gateway --env dev" in message
    assert env.fake.outputs_of("services/frontend-dev") == {"deployedBy": "fake-pulumi"}
    assert env.fake.outputs_of("services/api-gateway-dev") == {}
    assert "---- services/api-gateway-dev: up failed (log:" in capsys.readouterr().out


def test_deploy_service_releases_one_service_alone(env, capsys):  # noqa: F811
    seed_upstream(env.fake, "network", "registry", "platform")
    tasks.deploy(Context(), env="dev", service="api-gateway", yes=True)

    assert env.fake.steps("stack select", "stack init", "preview", "up") == [
        ("stack select", "services/api-gateway-dev"), ("stack init", "services/api-gateway-dev"),
        ("preview", "services/api-gateway-dev"), ("up", "services/api-gateway-dev")]
    assert env.fake.outputs_of("services/frontend-dev") is None
    assert "invoke deploy --service api-gateway --env dev: 1 stack(s) deployed" in capsys.readouterr().out


def test_deploy_service_refuses_while_upstream_stacks_lack_outputs(env):  # noqa: F811
    env.fake.seed("network/dev", {})                      # created, never deployed
    platform = contract_outputs("platform")
    del platform["clusterArn"], platform["kmsKeyArn"]
    env.fake.seed("platform/dev", platform)               # deployed by an older version
    with pytest.raises(Exit) as error:
        tasks.deploy(Context(), env="dev", service="frontend", yes=True)

    message = error.value.message
    assert error.value.code == 1
    assert "refusing to deploy services to dev: upstream stacks are not ready (nothing was changed)" in message
    assert "network/dev has no outputs yet; deploy it first: invoke deploy --project network --env dev" in message
    assert "registry/dev is not in the backend" in message
    assert ("platform/dev does not export clusterArn, kmsKeyArn (read by services); redeploy it: "
            "invoke deploy --project platform --env dev") in message
    assert env.fake.state_changing() == []


def test_deploy_project_deploys_every_stack_of_the_project(env, tmp_path):  # noqa: F811
    seed_upstream(env.fake, "network", "registry", "platform")
    barrier(env.fake, tmp_path)
    env.fake.configure(fail={"services/frontend-dev": ["up"]})
    with pytest.raises(Exit) as error:
        tasks.deploy(Context(), env="dev", project="services", yes=True)
    assert "fix the cause, then re-run: invoke deploy --project services --env dev" in error.value.message
    assert "invoke deploy --service frontend --env dev" in error.value.message
    assert sorted(key for _, key in env.fake.steps("up")) == sorted(SERVICE_KEYS)


def test_deploy_project_network_needs_nothing_upstream(env):  # noqa: F811
    tasks.deploy(Context(), env="dev", project="network", yes=True)
    # no upstream is listed or read; only the SDK reads network's own outputs after its up
    assert {key for _, key in env.fake.steps("stack ls", "stack output")} == {"network/dev"}
    assert env.fake.steps("up") == [("up", "network/dev")]


def test_a_failing_single_service_deploy_names_the_rerun(env):  # noqa: F811
    seed_upstream(env.fake, "network", "registry", "platform")
    env.fake.configure(fail={"services/frontend-dev": ["up"]})
    with pytest.raises(Exit) as error:
        tasks.deploy(Context(), env="dev", service="frontend", yes=True)
    assert error.value.message.endswith("fix the cause, then re-run: invoke deploy --service frontend --env dev")


@pytest.mark.parametrize("arguments, expected", [
    ({}, "give exactly one of --project <name> or --service <name>"),
    ({"project": "network", "service": "frontend"}, "give exactly one of --project <name> or --service <name>"),
    ({"project": "database"}, "unknown project 'database'; use one of network, registry, platform, services"),
    ({"service": "billing"}, "no service named 'billing' in the catalog; known: frontend, api-gateway"),
])
def test_deploy_refuses_bad_arguments_before_any_call(env, arguments, expected):  # noqa: F811
    with pytest.raises(Exit) as error:
        tasks.deploy(Context(), env="dev", **arguments)
    assert error.value.code == 2 and expected in error.value.message
    assert [call["command"] for call in env.fake.calls()] == ["version"]


def test_a_stack_that_cannot_be_selected_or_created_stops_before_any_update(env):  # noqa: F811
    env.fake.configure(fail={"network/dev": ["stack select"]})
    with pytest.raises(Exit) as error:
        tasks.deploy_all(Context(), env="dev", yes=True)
    assert "could not create or select stack network/dev in file://" in error.value.message
    assert "stack select of network/dev failed (scripted by the test)" in error.value.message
    assert env.fake.state_changing() == []


def test_preview_shows_every_stack_and_names_each_failure(env, capsys):  # noqa: F811
    for key in ORDER_DEV:
        env.fake.seed(key, {})
    env.fake.configure(fail={"platform/dev": ["preview"], "services/frontend-dev": ["preview"]})
    with pytest.raises(Exit) as error:
        tasks.preview(Context(), env="dev", diff=True)
    assert error.value.message.startswith("preview failed for platform/dev, services/frontend-dev\n")
    assert [key for _, key in env.fake.steps("preview")][:3] == ["network/dev", "registry/dev", "platform/dev"]
    assert sorted(key for _, key in env.fake.steps("preview")) == sorted(ORDER_DEV)
    assert all(c["argv"][1:3] == ["preview", "--diff"] for c in env.fake.calls() if c["command"] == "preview")
    out = capsys.readouterr().out
    assert "---- network/dev: preview ok\n# pulumi preview of organization/network/dev" in out
    assert "Previewing update (network/dev):" in out
    assert "---- platform/dev: preview FAILED" in out
    assert env.fake.steps("up", "destroy") == []


def test_preview_of_one_project_or_one_service(env):  # noqa: F811
    env.fake.seed("registry/prod", {})
    env.fake.seed("services/processing-service-prod", {})
    tasks.preview(Context(), env="prod", project="registry")
    tasks.preview(Context(), env="prod", service="processing-service")
    assert env.fake.steps("preview") == [("preview", "registry/prod"), ("preview", "services/processing-service-prod")]
    assert all("--diff" not in c["argv"] for c in env.fake.calls() if c["command"] == "preview")
    with pytest.raises(Exit, match="give --project or --service, not both"):
        tasks.preview(Context(), env="prod", project="registry", service="frontend")


def test_preview_never_creates_a_stack_the_backend_does_not_hold(env, capsys):  # noqa: F811
    # GIVEN a backend holding only network/dev; WHEN everything is previewed
    env.fake.seed("network/dev", {})
    tasks.preview(Context(), env="dev")
    # THEN only network/dev is previewed, nothing is created, and each absent stack is named
    assert env.fake.steps("preview") == [("preview", "network/dev")]
    assert env.fake.state_changing() == []  # no stack init, no up
    assert "registry/dev: not in the backend yet, nothing to preview" in capsys.readouterr().out


def test_destroy_all_runs_the_exact_reverse_order_services_first(env, capsys):  # noqa: F811
    tasks.deploy_all(Context(), env="dev", yes=True)
    env.fake.log.unlink()
    tasks.destroy_all(Context(), env="dev", yes=True)

    assert [key for _, key in env.fake.steps("destroy")] == list(reversed(ORDER_DEV))
    assert all(c["argv"][1:4] == ["destroy", "--skip-preview", "--yes"]
               for c in env.fake.calls() if c["command"] == "destroy")
    assert all(env.fake.outputs_of(key) == {} for key in ORDER_DEV)
    assert env.fake.steps("stack init", "up") == []  # destroying never creates a stack
    assert [str(s) for s in reversed(deploy_order("dev"))] == list(reversed(ORDER_DEV))


def test_destroy_all_skips_stacks_the_backend_lacks_and_stops_at_a_failure(env, capsys):  # noqa: F811
    for key in ("network/dev", "platform/dev", "services/frontend-dev"):
        env.fake.seed(key, {"x": 1}, resources=(("aws:ec2/vpc:Vpc", "vpc"),))
    env.fake.configure(fail={"platform/dev": ["destroy"]})
    with pytest.raises(Exit) as error:
        tasks.destroy_all(Context(), env="dev", yes=True)
    assert [key for _, key in env.fake.steps("destroy")] == ["services/frontend-dev", "platform/dev"]
    assert "destroy failed for platform/dev" in error.value.message
    assert "re-run: invoke destroy-all --env dev" in error.value.message
    assert env.fake.outputs_of("network/dev") == {"x": 1}
    out = capsys.readouterr().out
    assert "services/api-gateway-dev: not in the backend, nothing to destroy" in out
    assert "services/frontend-dev  delete   aws:ec2/vpc:Vpc  vpc  done in" in out


def test_destroy_of_an_unprotected_environment_needs_yes(env):  # noqa: F811
    with pytest.raises(Exit) as error:
        tasks.destroy_all(Context(), env="dev")
    assert error.value.code == 2 and "re-run with --yes" in error.value.message
    with pytest.raises(Exit) as error:
        tasks.destroy(Context(), service="frontend", env="dev")
    assert "deletes every resource of services/frontend-dev" in error.value.message
    assert [call["command"] for call in env.fake.calls()] == ["version", "version"]


def test_destroy_one_service_leaves_the_others(env, capsys):  # noqa: F811
    for key in ORDER_DEV:
        env.fake.seed(key, {"x": 1})
    tasks.destroy(Context(), service="frontend", env="dev", yes=True)
    assert env.fake.steps("destroy") == [("destroy", "services/frontend-dev")]
    assert env.fake.outputs_of("services/api-gateway-dev") == {"x": 1}
    tasks.destroy(Context(), service="frontend", env="prod", confirm="prod")
    assert "services/frontend-prod: not in the backend, nothing to destroy" in capsys.readouterr().out


def test_outputs_writes_every_existing_stack_with_secrets_masked(fake, tmp_path, monkeypatch):  # noqa: F811
    from shared.contracts import CONTRACTS, Export, ProjectContract

    # a contract that declares a secret export: masked even if the CLI printed it in clear
    platform = CONTRACTS["platform"]
    monkeypatch.setitem(CONTRACTS, "platform", ProjectContract(
        "platform", (*platform.exports, Export("adminToken", "a secret", secret=True)), platform.reads))
    fake.seed("network/dev", {"vpcId": "vpc-123", "privateSubnetIds": ["subnet-1", "subnet-2"]})
    fake.seed("platform/dev", {"clusterName": "cluster-dev", "dbPassword": "hunter2", "adminToken": "clear",
                               "nested": {"token": {"4dabf18193072939515e22adb298388d":
                                                    "1b47061264138c4ac30d75fd1eb44270", "plaintext": "x"}}},
              secrets=("dbPassword",))
    fake.seed("services/frontend-dev", {"serviceName": "svc-frontend-dev"})
    tasks.outputs(Context(), env="dev")

    document = json.loads((tasks.BUILD / "outputs" / "dev.json").read_text())
    assert document == {"environment": "dev", "stacks": {
        "network/dev": {"vpcId": "vpc-123", "privateSubnetIds": ["subnet-1", "subnet-2"]},
        "platform/dev": {"clusterName": "cluster-dev", "dbPassword": "[secret]", "adminToken": "[secret]",
                         "nested": {"token": "[secret]"}},
        "services/frontend-dev": {"serviceName": "svc-frontend-dev"},
    }}
    assert "hunter2" not in (tasks.BUILD / "outputs" / "dev.json").read_text()
    assert fake.steps("stack ls") == [("stack ls", p) for p in ("network", "registry", "platform", "services")]


def test_unknown_environment_is_refused_before_any_call(fake):  # noqa: F811
    with pytest.raises(Exit) as error:
        tasks.deploy_all(Context(), env="staging")
    assert error.value.code == 2 and "unknown environment 'staging'; use one of dev, prod" in error.value.message
    assert fake.calls() == []


@pytest.fixture
def broken_config(tmp_path, monkeypatch):
    """A copy of the projects where two dev stack files carry config the CLI or this repository refuses."""
    import shutil

    import shared.stacks

    root = tmp_path / "projects"
    shutil.copytree(PROJECTS_DIR, root, ignore=shutil.ignore_patterns("__pycache__"))
    network = root / "network" / "Pulumi.dev.yaml"
    network.write_text(network.read_text() + "  network:natStrateg: none\n")
    frontend = root / "services" / "Pulumi.frontend-dev.yaml"
    frontend.write_text(frontend.read_text().replace("  services:environmentSuffix: dev\n", ""))
    monkeypatch.setattr(shared.stacks, "PROJECTS_DIR", root)
    return root


def test_deploy_and_preview_refuse_bad_config_of_every_stack_before_any_cli_call(env, broken_config):  # noqa: F811
    runs = (lambda: tasks.deploy_all(Context(), env="dev", yes=True), lambda: tasks.preview(Context(), env="dev"))
    for run in runs:
        with pytest.raises(Exit) as error:
            run()
        message = error.value.message
        assert error.value.code == 1
        assert message.startswith("refusing to run in dev (nothing was changed): stack config refused before any "
                                  "program ran: 2 problem(s) in network/dev, services/frontend-dev:")
        assert ("network/dev: network:natStrateg = 'none': is not declared in projects/network/Pulumi.yaml; did you "
                "mean 'network:natStrategy'? [stricter than the CLI]") in message
        assert ("services/frontend-dev: services:environmentSuffix: Stack 'frontend-dev' is missing configuration "
                "value 'environmentSuffix' [pulumi CLI]. Fix: in projects/services run `pulumi config set "
                "services:environmentSuffix <value> --stack frontend-dev`") in message
    assert [call["command"] for call in env.fake.calls()] == ["version", "version"]
    assert env.gates.calls == []


def test_only_the_stacks_a_run_deploys_are_config_checked(env, broken_config, capsys):  # noqa: F811
    # GIVEN broken network and frontend stack files: a release of api-gateway reads only their outputs
    seed_upstream(env.fake, "network", "registry", "platform")
    tasks.deploy(Context(), env="dev", service="api-gateway", yes=True)
    assert env.fake.steps("up") == [("up", "services/api-gateway-dev")]
    assert "config of 1 stack(s) accepted" in capsys.readouterr().out
    assert REPO_ROOT.is_dir()
