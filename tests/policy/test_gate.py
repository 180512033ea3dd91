"""The offline gate: the pack over whole plan documents, the real plans of dev and prod, and the plan task."""
from __future__ import annotations

import copy

import pytest
from invoke import Context, Exit
from pulumi_policy import EnforcementLevel, StackValidationPolicy

import tasks
from policy import gate
from policy.gate import GateReport, gate_document, platform_key_arns
from policy.rules import all_policies
from shared.stacks import ENVIRONMENTS
from tests.policy.support import KEY_ARN, TAGS, container, task_definition
from tools import gates
from tools.analysis.report import Report
from tools.findings import Finding

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def entry(typ: str, name: str, inputs: dict, *, custom: bool = True, protect: bool = False,
          retain: bool = False, state: dict | None = None) -> dict:
    return {"urn": f"urn:pulumi:dev::p::{typ}::{name}", "type": typ, "name": name, "custom": custom,
            "parent": None, "inputs": inputs, "dependencies": [], "propertyDependencies": {},
            "id": f"id-{name}", "state": {**inputs, **(state or {})}, "protect": protect, "retainOnDelete": retain,
            "ignoreChanges": [], "deleteBeforeReplace": False}


def plan_doc(*resources: dict, outputs: dict | None = None, project: str = "platform") -> dict:
    return {"environment": "dev", "stacks": [{"project": project, "stack": "dev", "resources": list(resources),
                                              "outputs": outputs or {}}]}


def run(document: dict, suffix: str = "dev") -> GateReport:
    return gate_document(document, suffix_of=lambda project, stack, environment: suffix)


def test_findings_carry_policy_level_stack_resource_and_message():
    document = plan_doc(
        entry(LOG_GROUP, "short-logs", {"name": "log-x-dev", "retentionInDays": 7.0, "kmsKeyId": KEY_ARN,
                                        "tags": {"Environment": "dev"}}),
        entry("trading:platform:Platform", "component", {"name": "log-x-prod"}, custom=False),
        entry("aws:ec2/securityGroup:SecurityGroup", "retained", {"namePrefix": "sg-x-dev-", "tags": TAGS},
              retain=True),
        entry("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "open",
              {"securityGroupId": "sg-1", "ipProtocol": "tcp", "fromPort": 22.0, "toPort": 22.0,
               "cidrIpv4": "0.0.0.0/0", "tags": TAGS}),
    )
    report = run(document)
    by_policy = {f.rule: f for f in report.findings}
    retention = by_policy["log-retention-30-days"]
    assert (retention.gate, retention.mandatory, retention.stack, retention.resource, retention.type) == (
        "policy", True, "platform/dev", "short-logs", LOG_GROUP)
    assert "retentionInDays is 7, below 30" in retention.message
    assert not by_policy["required-tags"].mandatory
    assert by_policy["no-protect-or-retain"].resource == "retained"
    assert by_policy["sg-no-open-ingress"].resource == "open"  # a stack policy's urn is mapped back to the resource
    assert "physical-name-suffix" not in by_policy  # components are not AWS resources: not gated
    counts = report.counts()
    assert counts["log-retention-30-days"] == 1 and counts["ecr-immutable-tags"] == 0
    assert len(counts) == len(all_policies())
    assert {f.rule for f in report.mandatory} == {"log-retention-30-days", "no-protect-or-retain",
                                                    "sg-no-open-ingress"}
    text = report.render()
    assert f"policy gate (dev): {len(counts)} policies, 3 mandatory and 1 advisory violation(s)" in text
    assert "      1  mandatory  log-retention-30-days" in text and "      0  mandatory  ecr-immutable-tags" in text
    # the one findings table: every finding with its level, stack, resource and type, the reason unclipped
    [header, _, *rows] = text.splitlines()[1 + len(counts):]
    assert header.split() == ["rule", "status", "stack", "resource", "problem"]
    retention_row = next(r for r in rows if r.startswith("log-retention-30-days"))
    assert retention_row.split()[:4] == ["log-retention-30-days", "FAIL", "platform/dev", "short-logs"]
    assert f"short-logs ({LOG_GROUP})  " in retention_row and retention_row.endswith(f"  {retention.message}")
    assert next(r for r in rows if r.startswith("required-tags")).split()[1] == "advisory"


def test_a_stack_level_finding_without_a_resource_is_reported_on_the_stack():
    policy = StackValidationPolicy("whole-stack", "Reason: test.", lambda args, report: report("stack is wrong"),
                                   enforcement_level=EnforcementLevel.MANDATORY)
    report = gate_document(plan_doc(), policies=[policy], suffix_of=lambda *a: "dev")
    [finding] = report.findings
    assert (finding.resource, finding.type, finding.message) == ("<stack>", "", "stack is wrong")


def test_the_platform_key_export_becomes_the_platform_key_policies_config():
    secret = entry("aws:secretsmanager/secret:Secret", "secret", {"name": "secret-jwt-dev", "kmsKeyId": KEY_ARN,
                                                                  "tags": TAGS})
    value = entry("aws:secretsmanager/secretVersion:SecretVersion", "value", {"secretId": "secret-jwt-dev",
                                                                              "secretString": "[secret]"})
    assert run(plan_doc(secret, value, outputs={"kmsKeyArn": KEY_ARN})).findings == []
    other = "arn:aws:kms:us-east-1:123456789012:key/other"
    [finding] = run(plan_doc(secret, value, outputs={"kmsKeyArn": other})).findings
    assert finding.rule == "platform-key-encryption" and f"not the platform key ({other})" in finding.message


@pytest.mark.parametrize("outputs, expected", [
    ({"kmsKeyArn": KEY_ARN}, [KEY_ARN]), ({"kmsKeyArn": "[secret]"}, []), ({}, []), ({"kmsKeyArn": ""}, [])])
def test_platform_key_arns_come_only_from_a_clear_platform_export(outputs, expected):
    document = plan_doc(outputs=outputs)
    document["stacks"].append({"project": "registry", "stack": "dev", "resources": [],
                               "outputs": {"kmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/registry"}})
    assert platform_key_arns(document) == expected


def test_the_suffix_comes_from_the_stack_config_or_the_environment(monkeypatch):
    seen = []

    def config(stack_id):
        seen.append(str(stack_id))
        return ({"network:environmentSuffix": "dev-pr42"} if stack_id.project == "network" else {}), []

    monkeypatch.setattr(gate, "load_stack_config", config)
    assert gate.environment_suffix("network", "dev", "dev") == "dev-pr42"
    assert gate.environment_suffix("services", "frontend-dev", "dev") == "dev"
    assert seen == ["network/dev", "services/frontend-dev"]


def test_the_environment_suffix_reaches_the_name_rule_from_the_real_stack_files():
    named = entry(LOG_GROUP, "logs", {"name": "log-vpc-flow-dev", "retentionInDays": 30.0, "kmsKeyId": KEY_ARN,
                                      "tags": TAGS})
    assert gate_document(plan_doc(named, project="network")).findings == []
    wrong = copy.deepcopy(named)
    wrong["inputs"]["name"] = "log-vpc-flow"
    [finding] = gate_document(plan_doc(wrong, project="network")).findings
    assert finding.rule == "physical-name-suffix" and "'log-vpc-flow'" in finding.message


def test_a_secret_container_definitions_in_plan_json_is_caught():
    td = entry("aws:ecs/taskDefinition:TaskDefinition", "td", {**task_definition(container()),
                                                               "containerDefinitions": "[secret]"})
    [finding] = run(plan_doc(td)).findings
    assert finding.rule == "ecs-container-definitions-not-secret"


def test_finding_text_names_everything():
    finding = Finding("policy", "p", "network/dev", "res", "msg", mandatory=False, type="aws:x/y:Y")
    assert str(finding) == "[p, advisory] network/dev res (aws:x/y:Y): msg."
    assert str(Finding("policy", "p", "network/dev", "res", "msg")) == "[p] network/dev res: msg."


# --- the real offline plans --------------------------------------------------------------------------------

def document_of(environment_plans, environment: str) -> dict:
    return {"environment": environment,
            "stacks": [stack.plan.to_json() for stack in environment_plans(environment).values()]}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_offline_plan_passes_every_mandatory_policy(environment_plans, environment):
    document = document_of(environment_plans, environment)
    report = gate_document(document)
    assert report.mandatory == [], "\n".join(str(f) for f in report.mandatory)
    gated = [r for s in document["stacks"] for r in s["resources"] if r["custom"] and r["type"].startswith("aws:")]
    assert len(gated) > 30  # the gate saw the real resources, not an empty plan


def test_the_prod_plan_holds_every_resource_type_the_rules_govern(environment_plans):
    """A rule whose type never appears would pass vacuously; prod has HTTPS, access logs and every store."""
    from policy import rules
    governed = {rules.ECR_REPOSITORY, rules.TASK_DEFINITION, rules.ECS_SERVICE, rules.ECS_CLUSTER, rules.LOG_GROUP,
                rules.IAM_ROLE, "aws:iam/rolePolicy:RolePolicy", rules.SECURITY_GROUP, rules.INGRESS_RULE,
                rules.LOAD_BALANCERS[0], rules.LISTENERS[0], rules.SUBNET, rules.BUCKET, rules.PUBLIC_ACCESS_BLOCK,
                rules.BUCKET_SSE[0], rules.SECRET, rules.TABLE, rules.QUEUE, rules.TOPIC}
    document = document_of(environment_plans, "prod")
    present = {r["type"] for s in document["stacks"] for r in s["resources"]}
    assert governed - present == set()
    assert platform_key_arns(document)  # the platform key reached the key rules as config


def test_a_fault_injected_into_the_real_plan_is_caught(environment_plans):
    document = copy.deepcopy(document_of(environment_plans, "dev"))
    [flow_logs] = [r for s in document["stacks"] for r in s["resources"] if r["type"] == LOG_GROUP
                   and r["name"] == "network-flow-logs"]
    flow_logs["inputs"]["retentionInDays"] = 7.0
    del flow_logs["inputs"]["kmsKeyId"]
    failed = {(f.rule, f.resource) for f in gate_document(document).mandatory}
    assert failed == {("log-retention-30-days", "network-flow-logs"), ("log-group-kms", "network-flow-logs")}


# --- the plan task -----------------------------------------------------------------------------------------

def test_plan_prints_the_gate_and_passes_when_nothing_mandatory_is_violated(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(tasks, "BUILD", tmp_path / "build")
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    monkeypatch.setattr(tasks, "plan_environment", lambda environment: [])
    # An empty plan holds no service stacks, which the deployability analysis rightly fails; this test is
    # about the gate alone.
    tasks.plan(Context(), env="dev", no_analysis=True)
    out = capsys.readouterr().out
    policies = len(all_policies())
    assert f"policy gate (dev): {policies} policies, 0 mandatory and 0 advisory violation(s)" in out


def test_plan_exits_non_zero_on_a_mandatory_violation_after_writing_every_plan(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(tasks, "BUILD", tmp_path / "build")
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    monkeypatch.setattr(tasks, "plan_environment", lambda environment: [])
    bad = Finding("policy", "log-retention-30-days", "network/dev", "logs", "retentionInDays is 7", type=LOG_GROUP)
    advisory = Finding("policy", "required-tags", "network/dev", "logs", "tags lack Owner", mandatory=False,
                       type=LOG_GROUP)
    monkeypatch.setattr(gates, "gate_document", lambda document: GateReport(
        document["environment"], {"log-retention-30-days": "mandatory", "required-tags": "advisory"}, [bad, advisory]))
    monkeypatch.setattr(gates, "analyse", lambda document: Report(document["environment"], []))
    with pytest.raises(Exit) as error:
        tasks.plan(Context(), env="all")
    assert error.value.code == 1 and "dev: policy gate: 1 failure(s)" in error.value.message
    assert all((tmp_path / "build" / "plan" / env / "plan.json").exists() for env in ENVIRONMENTS)
    out = capsys.readouterr().out
    assert "policy gate (prod): 2 policies, 1 mandatory and 1 advisory" in out and "retentionInDays is 7" in out
