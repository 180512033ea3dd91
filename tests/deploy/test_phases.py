"""deploy-all, deploy and preview phase by phase against the fake `pulumi` on PATH, through the real
`pulumi.automation` code: the calls the fake records are what the SDK sent, not the tasks' own account."""
from __future__ import annotations

import re

import pytest
from invoke import Context, Exit

import tasks
from tests.deploy.conftest import ORDER_DEV, SERVICE_KEYS
from tests.shared_clients import MOCKED
from tools.deploy import deploy as ops
from tools.deploy.deploy import POLICY_PACK


def test_deploy_all_previews_then_ups_each_phase_in_order_with_the_policy_pack(env, capsys):
    ops.deploy_all(env.session(), options=ops.Options(yes=True))

    steps = env.fake.steps("preview", "up")
    phases = [["network/dev"], ["registry/dev"], ["platform/dev"], SERVICE_KEYS]
    position = 0
    for phase in phases:
        chunk = steps[position:position + 2 * len(phase)]
        # every preview of the phase comes before any up of the phase, and each stack is in both
        assert sorted(key for command, key in chunk[:len(phase)] if command == "preview") == sorted(phase)
        assert sorted(key for command, key in chunk[len(phase):] if command == "up") == sorted(phase)
        position += 2 * len(phase)
    assert position == len(steps)
    for call in env.fake.calls():
        if call["command"] in ("preview", "up"):
            argv = call["argv"]
            assert argv[argv.index("--policy-pack") + 1] == str(POLICY_PACK)
            assert call["automation"] and call["argv"][0] == "--non-interactive"
    assert all("--diff" in c["argv"] for c in env.fake.calls() if c["command"] == "preview")
    assert env.gates.calls == [("dev", False)]
    for key in ORDER_DEV[3:]:
        assert env.fake.outputs_of(key) == {"deployedBy": "fake-pulumi"}
    out = capsys.readouterr().out
    assert "preflight pass  AWS identity: account 123456789012" in out
    assert "preflight pass  service images: frontend:1.0.0" in out
    assert re.search(r"stack\s+create\s+update\s+replace\s+delete", out)
    assert re.search(r"network/dev\s+1\s+0\s+0\s+0", out)
    assert "invoke deploy-all --env dev: 6 stack(s) deployed" in out



# --- gates and preflight: refused before any state-changing call ------------------------------------------------
def test_a_gate_failure_refuses_before_any_state_changing_call(env):
    env.gates.refuse = "refusing to deploy dev: policy gate: 2 failure(s)"
    with pytest.raises(Exit) as error:
        tasks.deploy_all(Context(), env="dev", yes=True)
    assert error.value.message == "refusing to deploy dev: policy gate: 2 failure(s)"
    assert [call["command"] for call in env.fake.calls()] == ["version"]


def test_the_real_gates_refuse_prods_placeholders_before_any_cli_call(fake, aws, capsys, monkeypatch, planned):
    """Every gate, for real, on prod's offline plan (the session's): prod's stack files still hold example
    values."""
    from tools.plan import runner

    monkeypatch.setattr(runner, "plan_environment", planned)
    with pytest.raises(Exit) as error:
        tasks.deploy(Context(), env="prod", service="frontend", yes=True)
    # prod's stack files hold example values: the placeholder gate refuses (other gates may add their own, and a
    # plan that fails refuses as well)
    assert error.value.message.startswith("refusing to deploy prod: ") and "nothing was changed" in error.value.message
    assert [call["command"] for call in fake.calls()] == ["version"]
    assert "offline plan of prod" in capsys.readouterr().out


def test_the_gates_judge_the_plan_just_written_and_a_failing_plan_is_refused(fake, monkeypatch, capsys):
    import tools.gates
    from tools.gates import GateResult
    from tools.plan import runner

    judged = []

    def run_gates(document, *, allow_placeholders):
        judged.append((document["environment"], len(document["stacks"]), allow_placeholders))
        return [GateResult("policy gate", 0, "every policy passed")]

    monkeypatch.setattr(tools.gates, "run_gates", run_gates)
    monkeypatch.setattr(runner, "plan_environment", lambda environment: [])
    session = ops.open_session("dev", tasks.BUILD)
    ops.run_offline_gates(session, False)
    assert judged == [("dev", 0, False)]
    assert (tasks.BUILD / "plan" / "dev" / "plan.json").read_text().startswith('{\n "environment": "dev"')
    assert "offline gates passed (plan: " in capsys.readouterr().out

    monkeypatch.setattr(tools.gates, "run_gates", lambda document, *, allow_placeholders: [
        GateResult("policy gate", 0, "every policy passed"), GateResult("placeholders", 2, "two example values")])
    with pytest.raises(ops.OpsError) as error:
        ops.run_offline_gates(session, False)
    assert str(error.value).startswith("refusing to deploy dev: placeholders: 2 failure(s) (listed above; plan: ")
    out = capsys.readouterr().out
    assert "two example values" in out and "every policy passed" not in out

    def broken(environment):
        raise runner.PlanError("network/dev: the program failed")

    monkeypatch.setattr(runner, "plan_environment", broken)
    with pytest.raises(ops.OpsError, match="the offline plan failed \\(nothing was changed\\):\nnetwork/dev: the"):
        ops.run_offline_gates(session, True)


@pytest.mark.parametrize("break_account, message, refusal", [
    # The account's own checks (role, quotas) run before the first phase; images wait for the registry.
    ("role", "preflight FAIL  ECS service-linked role AWSServiceRoleForECS: missing", "nothing was changed: "),
    ("image", "./dev build-push --service frontend --tag 1.0.0 --env dev", "nothing was changed in phase services: "),
])
def test_a_preflight_failure_refuses_before_any_state_changing_call(env, capsys, break_account, message, refusal):

    env.seed_upstream("network", "registry", "platform")
    if break_account == "role":
        MOCKED.client("iam").delete_role(RoleName="AWSServiceRoleForECS")
    else:
        MOCKED.client("ecr").batch_delete_image(
            repositoryName="ecr-frontend-dev", imageIds=[{"imageTag": "1.0.0"}])
    with pytest.raises(Exit) as error:
        tasks.deploy(Context(), env="dev", project="services", yes=True)
    assert f"{refusal}preflight failed" in error.value.message
    assert message in capsys.readouterr().out + error.value.message
    assert env.fake.state_changing() == []
    assert env.fake.steps("preview") == []


def test_missing_images_stop_deploy_all_after_registry_before_platform(env, capsys):
    """First deploy on an empty account: the images are checked as soon as the repositories exist."""

    ecr = MOCKED.client("ecr")
    for service in ("frontend", "api-gateway"):
        ecr.batch_delete_image(repositoryName=f"ecr-{service}-dev", imageIds=[{"imageTag": "1.0.0"}])
    with pytest.raises(Exit) as error:
        tasks.deploy_all(Context(), env="dev", yes=True)
    assert [key for _, key in env.fake.steps("up")] == ["network/dev", "registry/dev"]
    message = error.value.message
    assert "nothing was changed in phase platform" in message
    assert "    ./dev build-push --service frontend --tag 1.0.0 --env dev\n" in message
    assert "    ./dev build-push --service api-gateway --tag 1.0.0 --env dev" in message
    assert "processing-service --tag" not in message


def test_build_images_pushes_the_missing_ones_then_deploys(env, monkeypatch, capsys):

    from tests.deploy.conftest import push_image
    from tools import release

    MOCKED.client("ecr").batch_delete_image(
        repositoryName="ecr-frontend-dev", imageIds=[{"imageTag": "1.0.0"}])
    pushed = []

    def build_push(service, tag, environment, *, build_dir, session, say):
        outputs = (build_dir / "outputs" / f"{environment}.json").read_text()
        assert "ecr-frontend-dev" in outputs  # build-push reads the repository from the outputs file
        pushed.append((service, tag, environment))
        push_image(service, tag, environment)

    monkeypatch.setattr(release, "build_push", build_push)
    tasks.deploy_all(Context(), env="dev", yes=True, build_images=True)
    assert pushed == [("frontend", "1.0.0", "dev")]
    out = capsys.readouterr().out
    assert "preflight FAIL  service images: 1 image(s) not in ECR" in out
    assert "preflight pass  service images: frontend:1.0.0" in out
    assert len(env.fake.steps("up")) == 6


def test_build_images_that_cannot_build_refuses_with_the_reason(env, monkeypatch):

    from tools import release

    MOCKED.client("ecr").batch_delete_image(
        repositoryName="ecr-frontend-dev", imageIds=[{"imageTag": "1.0.0"}])

    def no_docker(*args, **kwargs):
        raise release.ReleaseError("the `docker` command is not installed")

    monkeypatch.setattr(release, "build_push", no_docker)
    env.seed_upstream("network", "registry", "platform")
    with pytest.raises(Exit) as error:
        tasks.deploy(Context(), env="dev", service="frontend", yes=True, build_images=True)
    assert "--build-images could not push frontend:1.0.0: the `docker` command is not installed" in (
        error.value.message)
    assert env.fake.state_changing() == []


def test_create_service_linked_role_creates_it_and_goes_on(env, capsys):

    MOCKED.client("iam").delete_role(RoleName="AWSServiceRoleForECS")
    env.seed_upstream("network", "registry")
    tasks.deploy(Context(), env="dev", project="platform", yes=True, create_service_linked_role=True)
    assert "preflight pass  ECS service-linked role AWSServiceRoleForECS: created" in capsys.readouterr().out
    assert env.fake.steps("up") == [("up", "platform/dev")]


# --- the confirmation prompt ------------------------------------------------------------------------------------
def test_the_prompt_yes_applies_the_phase(env):
    session = env.session(answers=["y"], terminal=True)
    ops.deploy_project(session, "network")
    assert session.prompts == ["Apply these changes to network/dev? [y/N] "]
    assert env.fake.steps("up") == [("up", "network/dev")]


def test_the_prompt_no_changes_nothing(env):
    session = env.session(answers=["n"], terminal=True)
    with pytest.raises(ops.OpsError, match="nothing was changed in phase network: not confirmed \\(answered 'n'\\)"):
        ops.deploy_project(session, "network")
    assert env.fake.steps("preview") == [("preview", "network/dev")]
    assert env.fake.steps("up") == []


def test_without_a_terminal_and_without_yes_the_deploy_refuses(env):
    session = env.session(answers=[], terminal=False)
    with pytest.raises(ops.OpsError) as error:
        ops.deploy_project(session, "network")
    assert error.value.code == 2 and "needs a terminal; read the preview, then re-run with --yes" in str(error.value)
    assert session.prompts == [] and env.fake.steps("up") == []


def test_a_phase_without_changes_needs_no_confirmation(env):
    env.fake.configure(steps={"network/dev": [["same", "aws:ec2/vpc:Vpc", "vpc"]]})
    ops.deploy_project(env.session(terminal=False), "network")
    assert env.fake.steps("up") == [("up", "network/dev")]


# --- stateful resources and the policy pack ---------------------------------------------------------------------
TABLE = ["replace", "aws:dynamodb/table:Table", "trades-table"]
QUEUE = ["delete", "aws:sqs/queue:Queue", "orders-queue"]


def test_a_replaced_table_or_deleted_queue_is_refused_and_nothing_changes(env):
    env.seed_upstream("network")
    env.fake.configure(steps={"platform/dev": [TABLE, QUEUE, ["replace", "aws:ecs/cluster:Cluster", "cluster"]]})
    with pytest.raises(Exit) as error:
        tasks.deploy(Context(), env="dev", project="platform", yes=True)
    message = error.value.message
    assert message.startswith("nothing was changed in phase platform: the preview replaces or deletes stateful")
    assert ("  - platform/dev: replace DynamoDB table trades-table "
            "(urn:pulumi:dev::platform::aws:dynamodb/table:Table::trades-table)") in message
    assert "  - platform/dev: delete SQS queue orders-queue" in message
    assert "cluster" not in message.split("If that is intended")[0].split("orders-queue")[-1]
    assert message.endswith("re-run with --allow-replace trades-table --allow-replace orders-queue")
    assert env.fake.steps("up") == []


def test_allow_replace_names_each_resource_by_logical_name_or_urn(env):
    env.seed_upstream("network")
    env.fake.configure(steps={"platform/dev": [TABLE, QUEUE]})
    with pytest.raises(Exit, match="orders-queue"):
        tasks.deploy(Context(), env="dev", project="platform", yes=True, allow_replace=["trades-table"])
    tasks.deploy(Context(), env="dev", project="platform", yes=True,
                 allow_replace=["trades-table", "urn:pulumi:dev::platform::aws:sqs/queue:Queue::orders-queue"])
    assert env.fake.steps("up") == [("up", "platform/dev")]


def test_a_mandatory_policy_violation_fails_the_preview_before_any_up(env, capsys):
    env.fake.configure(violations={"network/dev": ["flow logs are off"]})
    with pytest.raises(Exit) as error:
        tasks.deploy(Context(), env="dev", project="network", yes=True)
    assert "preview failed: nothing was changed in phase network" in error.value.message
    assert "  | policy: scripted: flow logs are off" in capsys.readouterr().out
    assert env.fake.steps("up") == []


def test_a_preview_without_a_summary_is_a_failure(env, capsys):
    env.fake.configure(no_summary=["network/dev"])
    with pytest.raises(Exit, match="preview failed for network/dev"):
        tasks.deploy(Context(), env="dev", project="network", yes=True)
    assert "  | could not preview network/dev: summary event never found" in capsys.readouterr().out


def test_a_stack_locked_by_another_update_is_named_with_the_fix(env, capsys):
    """(Events over gRPC: a call refused before its first event leaves the SDK's file watcher waiting 5 s.)"""
    env.fake.configure(version="3.272.0", locked={"network/dev": ["up"]})
    with pytest.raises(Exit, match="up failed for network/dev"):
        tasks.deploy(Context(), env="dev", project="network", yes=True)
    out = capsys.readouterr().out
    assert "could not up network/dev: another update holds the stack's lock" in out
    assert "`pulumi cancel --stack <org/project/stack>` releases the lock" in out


def test_deploy_all_on_an_account_without_the_ecs_role_changes_nothing_at_all(env, capsys):
    """The service-linked role is checked before the network phase, not when platform starts: a first
    deploy-all on an empty account refuses before any stack exists."""

    MOCKED.client("iam").delete_role(RoleName="AWSServiceRoleForECS")
    with pytest.raises(Exit) as error:
        tasks.deploy_all(Context(), env="dev", yes=True)
    assert error.value.message.startswith("nothing was changed: preflight failed (ECS service-linked role")
    assert env.fake.state_changing() == [] and "== phase network" not in capsys.readouterr().out
