"""The pack inside pulumi-policy's own analyzer (the code `PolicyPack` serves to the CLI), fed gRPC requests
shaped as the engine sends them: proxied inputs, unknowns during preview, secrets unwrapped.

No Pulumi CLI runs here, so this is the closest the repository gets to `pulumi preview --policy-pack`; the
engine's side of the conversation is not exercised (see README: not verified in CI).
"""
from __future__ import annotations

import json

from google.protobuf import json_format, struct_pb2
from pulumi.runtime import proto
from pulumi_policy.policy import _PolicyAnalyzerServicer
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policy.pack import PACK_NAME, pack_arguments
from tests.policy.support import TAGS, container

SECRET_SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}


def analyzer() -> _PolicyAnalyzerServicer:
    arguments = pack_arguments()
    return _PolicyAnalyzerServicer(PACK_NAME, "0.1.0", arguments["policies"], arguments["enforcement_level"])


def struct(props: dict) -> struct_pb2.Struct:
    return json_format.ParseDict(props, struct_pb2.Struct())


def analyze(typ: str, props: dict) -> list:
    request = proto.AnalyzeRequest(type=typ, properties=struct(props), urn=f"urn:pulumi:dev::p::{typ}::r", name="r",
                                   options=proto.AnalyzerResourceOptions())
    return list(analyzer().Analyze(request, None).diagnostics)


def test_a_violation_comes_back_as_a_mandatory_diagnostic_naming_policy_and_fix():
    [diagnostic] = analyze("aws:ecr/repository:Repository", {
        "name": "ecr-frontend-dev", "imageTagMutability": "MUTABLE", "forceDelete": True,
        "imageScanningConfiguration": {"scanOnPush": True}, "tags": TAGS})
    assert diagnostic.policyName == "ecr-immutable-tags" and diagnostic.policyPackName == PACK_NAME
    assert diagnostic.enforcementLevel == proto.MANDATORY
    assert "FSBP ECR.2" in diagnostic.message and "set image_tag_mutability='IMMUTABLE'" in diagnostic.message


def test_nested_inputs_are_read_through_the_sdk_proxies():
    diagnostics = analyze("aws:ecs/service:Service", {
        "name": "svc-frontend-dev", "tags": TAGS, "capacityProviderStrategies": [{"capacityProvider": "FARGATE"}],
        "networkConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": True},
        "deploymentCircuitBreaker": {"enable": True, "rollback": True}})
    assert [d.policyName for d in diagnostics] == ["ecs-no-public-ip"]


def test_an_unknown_input_during_preview_is_an_advisory_cannot_run_not_a_pass_or_a_crash():
    [diagnostic] = analyze("aws:ecr/repository:Repository", {
        "name": "ecr-frontend-dev", "imageTagMutability": UNKNOWN_STRING_VALUE, "forceDelete": True,
        "imageScanningConfiguration": {"scanOnPush": True}, "tags": TAGS})
    assert diagnostic.enforcementLevel == proto.ADVISORY
    assert "can't run policy 'ecr-immutable-tags'" in diagnostic.message and "during preview" in diagnostic.message


def test_online_a_secret_container_definitions_arrives_unwrapped_so_only_the_content_rules_see_it():
    # The engine marks the secret; pulumi-policy 1.21 unwraps it before `validate`, so the not-secret rule
    # (which relies on plan.json's "[secret]") is blind online, while the environment checks still work.
    leaked = container(environment=[{"name": "JWT_SIGNING_KEY", "value": "s3cr3t"}])
    diagnostics = analyze("aws:ecs/taskDefinition:TaskDefinition", {
        "family": "td-frontend-dev", "tags": TAGS,
        "containerDefinitions": {**SECRET_SIG, "value": json.dumps([leaked])}})
    assert [d.policyName for d in diagnostics] == ["ecs-secrets-via-secrets-manager"]


def test_stack_policies_run_on_the_whole_stack():
    def resource(typ: str, name: str, props: dict) -> proto.AnalyzerResource:
        return proto.AnalyzerResource(type=typ, properties=struct(props), urn=f"urn:{name}", name=name,
                                      options=proto.AnalyzerResourceOptions())

    request = proto.AnalyzeStackRequest(resources=[
        resource("aws:lb/loadBalancer:LoadBalancer", "alb", {"loadBalancerType": "application",
                                                             "securityGroups": ["sg-alb"]}),
        resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "https",
                 {"securityGroupId": "sg-alb", "ipProtocol": "tcp", "fromPort": 443, "toPort": 443,
                  "cidrIpv4": "0.0.0.0/0"}),
        resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "ssh",
                 {"securityGroupId": "sg-alb", "ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
                  "cidrIpv4": "0.0.0.0/0"}),
    ])
    [diagnostic] = analyzer().AnalyzeStack(request, None).diagnostics
    assert diagnostic.policyName == "sg-no-open-ingress" and diagnostic.urn == "urn:ssh"
