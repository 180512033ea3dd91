"""The offline plan engine, exercised with small throwaway projects so each behaviour is isolated."""
import json
import os
import subprocess
import sys
import textwrap
import types

import pytest

import shared.stacks
from shared.stack_config import OFFLINE_SECRET, load_stack_config
from shared.stacks import StackId, stack_reference_name
from tools.plan import runner
from tools.plan.mocks import MASK, PlanMocks, StackOutputs, mask_secrets
from tools.plan.runner import PlanError, plan_document, run_stack, summary, write_plan

PULUMI_YAML = """\
name: {project}
runtime: python
config:
  aws:region:
    value: us-east-1
  greeting:
    type: string
    default: hello
  zones:
    type: array
    items:
      type: string
    default: [a, b]
  enabled:
    type: boolean
    default: true
  count:
    type: integer
    default: 1
  on:
    type: boolean
    default: true
  token:
    type: string
    default: ""
"""


@pytest.fixture
def projects(tmp_path, monkeypatch):
    monkeypatch.setattr(shared.stacks, "PROJECTS_DIR", tmp_path)

    def make(project: str, program: str, stack_config: dict | str = "") -> StackId:
        directory = tmp_path / project
        directory.mkdir()
        (directory / "Pulumi.yaml").write_text(PULUMI_YAML.format(project=project))
        (directory / "__main__.py").write_text(textwrap.dedent(program))
        text = stack_config if isinstance(stack_config, str) else json.dumps({"config": stack_config})
        (directory / "Pulumi.dev.yaml").write_text(text)
        return StackId(project, "dev")

    return make


def test_config_applies_project_defaults_then_the_stack_file(projects):
    stack = projects("network", "", {"network:greeting": "hi", "network:count": 3, "network:on": False,
                                     "network:token": {"secure": "v1:abc"}})
    values, secrets = load_stack_config(stack)
    assert values["aws:region"] == "us-east-1"
    assert values["network:greeting"] == "hi" and values["network:zones"] == '["a","b"]'  # JSON as the CLI writes it
    assert values["network:enabled"] == "true" and values["network:on"] == "false" and values["network:count"] == "3"
    assert values["network:token"] == OFFLINE_SECRET and secrets == ["network:token"]


def test_an_empty_stack_file_means_only_defaults(projects):
    values, secrets = load_stack_config(projects("network", "", ""))
    assert values["network:greeting"] == "hello" and secrets == []


PROGRAM = """
import pulumi, pulumi_aws as aws
from shared.tagging import register_tagging
from shared.settings import CommonSettings
register_tagging(CommonSettings("network", "dev", "dev", "team", "CC-1"))
class Box(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__("trading:test:Box", name, None)
        self.queue = aws.sqs.Queue("q", name="sqs-orders-dev", tags={"Name": "own", "Owner": "override"},
                                   opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True,
                                                               ignore_changes=["tags"]))
        self.register_outputs({"queueArn": self.queue.arn, "token": pulumi.Output.secret("box-secret-value")})
box = Box("box")
topic = aws.sns.Topic("t", name="sns-events-dev")
aws.secretsmanager.SecretVersion("v", secret_id=topic.arn, secret_string="top-secret-value",
                                 opts=pulumi.ResourceOptions(depends_on=[box]))
pulumi.export("queueArn", box.queue.arn)
pulumi.export("token", pulumi.Output.secret("exported-secret"))
pulumi.export("region", pulumi.Config("aws").require("region"))
"""


def test_records_parents_dependencies_options_and_masks_secrets(projects):
    plan = run_stack(projects("network", PROGRAM), {})
    by_name = {r.name: r for r in plan.registrations}
    queue, box, version, topic = by_name["q"], by_name["box"], by_name["v"], by_name["t"]
    assert by_name["network-dev"].type == "pulumi:pulumi:Stack" and by_name["network-dev"].parent is None
    assert box.custom is False and box.parent == by_name["network-dev"].urn
    assert queue.parent == box.urn and queue.delete_before_replace is True and queue.ignore_changes == ["tags"]
    assert queue.inputs["name"] == "sqs-orders-dev"
    # Merge order: Name, base tags, then the resource's own (which wins).
    assert queue.inputs["tags"] == {"Name": "own", "Environment": "dev", "Project": "network", "Owner": "override",
                                    "ManagedBy": "pulumi", "CostCenter": "CC-1"}
    assert queue.state["arn"].startswith("arn:aws:sqs:us-east-1:123456789012:")
    # depends_on a component means on each of its children, as the engine does
    assert topic.urn in version.property_dependencies["secretId"] and queue.urn in version.dependencies
    assert version.inputs["secretString"] == MASK
    # A component's registered outputs, as the state shows them under it (secrets masked); not in plan.json.
    assert box.outputs == {"queueArn": queue.state["arn"], "token": MASK} and queue.outputs == {}
    assert plan.outputs.values["token"] == "exported-secret" and plan.outputs.secret_names == ["token"]
    assert plan.outputs.values["region"] == "us-east-1"

    document = json.dumps(plan_document("dev", [plan]))
    assert "top-secret-value" not in document and "exported-secret" not in document
    assert "box-secret-value" not in document
    stack_json = plan.to_json()
    assert stack_json["outputs"]["token"] == MASK and stack_json["outputs"]["queueArn"] == queue.state["arn"]
    assert set(stack_json["resources"][0]) >= {"urn", "type", "name", "custom", "parent", "inputs", "dependencies",
                                                "propertyDependencies", "id", "state", "protect", "retainOnDelete",
                                                "ignoreChanges", "deleteBeforeReplace"}
    assert "aws:sqs/queue:Queue" in summary([plan]) and "network/dev: 3 resources, 3 outputs" in summary([plan])


# Every network output the platform reads, beside the two the tests look at.
NETWORK_READS = {"privateSubnetIds": [], "endpointSecurityGroupId": "sg-1", "interfaceEndpoints": [],
                 "gatewayEndpoints": [], "gatewayPrefixListIds": {}}

CONSUMER = """
import pulumi
from shared.contracts import PLATFORM
from shared.stackio import Upstream
network = Upstream(PLATFORM, "network", "dev")
pulumi.export("seen", network.get("vpcId"))
"""


def test_stack_references_read_upstream_outputs_and_keep_secrets_masked(projects):
    stack = projects("platform", CONSUMER)
    upstream = {stack_reference_name("network", "dev"): StackOutputs(
        {"vpcId": "vpc-123", "publicSubnetIds": ["subnet-1"], **NETWORK_READS}, ["publicSubnetIds"])}
    plan = run_stack(stack, upstream)
    assert plan.outputs.values["seen"] == "vpc-123"
    [reference] = [r for r in plan.registrations if r.type == "pulumi:pulumi:StackReference"]
    assert reference.state["outputs"]["publicSubnetIds"] == MASK


def test_a_missing_upstream_output_names_the_stack_key_and_fix(projects):
    stack = projects("platform", CONSUMER)
    upstream = {stack_reference_name("network", "dev"): StackOutputs({"vpcId": "vpc-123", **NETWORK_READS}, [])}
    with pytest.raises(PlanError) as error:
        run_stack(stack, upstream)
    message = str(error.value)
    assert "stack organization/network/dev does not export publicSubnetIds" in message
    assert "deploy network first" in message and "invoke deploy --project network --env dev" in message


def test_an_undeployed_upstream_reads_as_no_outputs(projects):
    with pytest.raises(PlanError, match="does not export vpcId, publicSubnetIds"):
        run_stack(projects("platform", CONSUMER), {})


@pytest.mark.parametrize("program, expected", [
    ("from shared.contracts import REGISTRY\nfrom shared.stackio import Upstream\nUpstream(REGISTRY, 'network', 'dev')",
     "registry declares no reads from network"),
    ("from shared.contracts import PLATFORM\nfrom shared.stackio import Upstream\n"
     "u = Upstream(PLATFORM, 'network', 'dev')\nu.get('natStrategy')", "'natStrategy' is not among the keys"),
    ("from shared.stackio import export_outputs\nexport_outputs('registry', {'repositoryUrls': {}, 'extra': 1})",
     "missing: ['kmsKeyArn', 'repositoryArns'], undeclared: ['extra']"),
    ("import pulumi_aws as aws\naws.get_availability_zones()", "no mock for invoke aws:index/getAvailabilityZones"),
])
def test_contract_violations_and_unknown_invokes_fail_the_stack(projects, program, expected):
    upstream = {stack_reference_name("network", "dev"): StackOutputs({"vpcId": "v", "publicSubnetIds": [],
                                                                      **NETWORK_READS}, [])}
    with pytest.raises(PlanError, match=expected.replace("[", r"\[").replace("]", r"\]")):
        run_stack(projects("registry" if "'registry'" in program else "platform", program), upstream)


def test_export_outputs_marks_contract_secrets(projects, monkeypatch):
    from shared import contracts

    secret_contract = contracts.ProjectContract("registry", (contracts.Export("token", "t", secret=True),))
    monkeypatch.setitem(contracts.CONTRACTS, "registry", secret_contract)
    plan = run_stack(projects("registry", "from shared.stackio import export_outputs\n"
                                          "export_outputs('registry', {'token': 'plain-in-code'})"), {})
    assert plan.outputs.secret_names == ["token"]


def test_write_plan_puts_one_file_per_environment(tmp_path, projects):
    plan = run_stack(projects("network", PROGRAM), {})
    path = write_plan(tmp_path, "dev", [plan])
    assert path == tmp_path / "plan" / "dev" / "plan.json"
    document = json.loads(path.read_text())
    assert document["environment"] == "dev" and document["stacks"][0]["project"] == "network"


def test_mask_secrets_walks_nested_values():
    wrapped = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "x"}
    assert mask_secrets({"a": [wrapped, {"b": wrapped}], "c": 1}) == {"a": [MASK, {"b": MASK}], "c": 1}


@pytest.mark.parametrize("nothing", [None, ""])
def test_a_secret_wrapping_nothing_is_shown_as_nothing(nothing):
    wrapped = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": nothing}
    assert mask_secrets({"secretString": wrapped}) == {"secretString": nothing}


def test_component_registrations_get_no_id():
    from pulumi.runtime.mocks import MockResourceArgs

    assert PlanMocks().new_resource(MockResourceArgs("trading:x:Y", "n", {}, custom=False)) == ("", {})


def test_secret_config_stays_a_secret_output_through_the_pulumi_source(projects):
    # GIVEN a stack with an encrypted key, a plain key with a default, and an encrypted key left unset
    program = """
import pulumi
from shared.settings.pulumi_source import pulumi_config_source
source = pulumi_config_source()
token = source.get_secret("token")
assert isinstance(token, pulumi.Output), token
pulumi.export("token", token)
pulumi.export("plain", [source.get("greeting"), source.is_secret("token"), source.is_secret("greeting"),
                        source.get_secret("unsetSecret")])
"""
    stack = projects("network", program, {"network:token": {"secure": "v1:abc"}})
    values, secrets = load_stack_config(stack)
    # WHEN the program reads them through the source every program uses
    plan = run_stack(stack, {}, (values, [*secrets, "network:unsetSecret"]))
    # THEN the encrypted one is an Output marked secret (never a plain string), the others plain values
    assert plan.outputs.values == {"token": OFFLINE_SECRET, "plain": ["hello", True, False, None]}
    assert plan.outputs.secret_names == ["token"]
    assert plan.to_json()["outputs"]["token"] == MASK


def test_an_exception_raised_inside_an_apply_fails_the_stack_with_its_message(projects):
    program = """
import pulumi
def refuse(value):
    raise ValueError(f"refused {value}")
pulumi.Output.from_input("it").apply(refuse)
"""
    with pytest.raises(PlanError) as error:
        run_stack(projects("network", program), {})
    assert str(error.value) == "stack network/dev failed: refused it"


def test_the_upstream_check_runs_even_when_no_value_is_read(projects):
    program = "from shared.contracts import PLATFORM\nfrom shared.stackio import Upstream\n" \
              "Upstream(PLATFORM, 'network', 'dev')\n"
    with pytest.raises(PlanError, match="stack organization/network/dev does not export vpcId, publicSubnetIds"):
        run_stack(projects("platform", program), {})


def test_upstream_values_keep_their_own_secretness(projects):
    # GIVEN a network stack with one secret output
    program = CONSUMER + 'pulumi.export("subnets", network.get("publicSubnetIds"))\n'
    upstream = {stack_reference_name("network", "dev"): StackOutputs(
        {"vpcId": "vpc-123", "publicSubnetIds": ["subnet-1"], **NETWORK_READS}, ["publicSubnetIds"])}
    # WHEN the platform reads a plain and the secret one
    plan = run_stack(projects("platform", program), upstream)
    # THEN only the secret one is secret (the readiness check does not make every value secret)
    assert plan.outputs.values == {"seen": "vpc-123", "subnets": ["subnet-1"]}
    assert plan.outputs.secret_names == ["subnets"]


def job(name: str, program) -> runner.Job:
    return runner.Job(StackId(name, "dev"), ({}, []), program)


def test_stacks_of_one_phase_run_in_parallel_workers_and_come_back_in_order():
    import pulumi

    jobs = [job(name, lambda name=name: pulumi.export("me", name)) for name in ("a", "b", "c")]
    # One worker at a time makes the later jobs wait for a free worker.
    plans = runner.run_jobs(jobs, {}, workers=1)
    assert [(str(p.stack), p.outputs.values) for p in plans] == [(f"{n}/dev", {"me": n}) for n in "abc"]
    assert [str(p.stack) for p in runner.run_jobs(jobs, {}, workers=2)] == ["a/dev", "b/dev", "c/dev"]


def test_the_first_failure_in_stack_order_is_raised_with_the_workers_traceback():
    def fail(message):
        def program():
            raise RuntimeError(message)
        return program

    jobs = [job("a", lambda: None), job("b", fail("b is broken")), job("c", fail("c is broken"))]
    with pytest.raises(PlanError) as error:
        runner.run_jobs(jobs, {}, workers=3)
    assert str(error.value) == "stack b/dev failed: b is broken"
    # The worker's traceback travels as text (an exception object may not survive pickling).
    cause = error.value.__cause__
    assert isinstance(cause, runner.WorkerTraceback)
    assert "Traceback" in str(cause) and "RuntimeError: b is broken" in str(cause)


def test_a_worker_that_dies_without_a_result_is_a_named_plan_error():
    with pytest.raises(PlanError) as error:
        runner.run_jobs([job("a", lambda: os._exit(3))], {})
    assert str(error.value) == "stack a/dev failed: its plan worker exited with code 3 and no result"


def test_provider_modules_are_imported_before_any_worker_forks():
    runner.preload()
    # pulumi-aws's submodules are lazy; a loaded one is a plain module again.
    assert all(type(sys.modules[name]) is types.ModuleType for name in runner.PROVIDER_MODULES)
    assert "shared.components.service" in sys.modules


@pytest.mark.parametrize("token, module", [
    ("aws:ec2/vpc:Vpc", "pulumi_aws.ec2"), ("aws:index/getRegion:getRegion", "pulumi_aws"),
    ("random:index/randomPassword:RandomPassword", "pulumi_random"),
])
def test_provider_module_of_a_token(token, module):
    assert runner.provider_module(token) == module


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_the_preloaded_modules_cover_every_provider_type_and_invoke_of_the_plan(environment_plans, environment):
    from tools.plan.mocks import INVOKES

    used = {r.type for stack in environment_plans(environment).values() for r in stack.plan.registrations}
    providers = {t for t in used | set(INVOKES) if t.split(":")[0] not in ("pulumi", "trading")}
    assert {runner.provider_module(t) for t in providers} <= set(runner.PROVIDER_MODULES)


def test_two_plans_of_one_commit_are_byte_identical(environment_plans):
    """Registration order, dependency order and set iteration vary between runs; plan.json must not. The
    second plan runs in another interpreter with another hash seed, as a second `./dev plan` would."""
    here = json.dumps(plan_document("dev", [stack.plan for stack in environment_plans("dev").values()]))
    script = ("import json; from tools.plan.runner import plan_document, plan_environment; "
              "print(json.dumps(plan_document('dev', plan_environment('dev'))))")
    there = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": "7"}).stdout
    assert there == here + "\n"


def test_an_environment_plan_skips_projects_without_a_program_or_stack_file(projects):
    projects("network", "import pulumi\npulumi.export('vpcId', 'vpc-1')\n")
    plans = runner.plan_environment("dev")
    assert [str(p.stack) for p in plans] == ["network/dev"]
