"""AWS API reachability and service call paths: one fault per test in routes, endpoints and security groups."""
from __future__ import annotations

import dataclasses
import json

import pytest

from shared.catalog import SERVICES, ExternalCall
from tests.analysis.builder import PlanBuilder, build_plan, edit_policy, remove, resource, set_state
from tools.analysis import analyse
from tools.analysis.findings import CALL_PATHS, REACHABILITY
from tools.analysis.network import Rule

NO_EXTERNAL = tuple(dataclasses.replace(s, external=()) for s in SERVICES)


def failures(document, check, services=SERVICES) -> list:
    found = analyse(document, services).failures
    assert found and {f.rule for f in found} == {check}, [f.message for f in found]
    return found


def add_rule(document, name, direction, **state):
    platform = next(s for s in document["stacks"] if s["project"] == "platform")
    typ = ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" if direction == "in"
           else "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    PlanBuilder.add(platform, typ, name, f"sgr-{name}", **state)


@pytest.mark.parametrize("protocol, low, high, port, opens", [
    ("-1", 0, 0, 8080, True), ("tcp", 8000, 8100, 8080, True), ("6", 443, 443, 443, True),
    ("tcp", 443, 443, 8080, False), ("udp", 0, 65535, 8080, False),
])
def test_rule_ports(protocol, low, high, port, opens):
    assert Rule("r", "sg-1", True, protocol, low, high, "0.0.0.0/0", None).opens(port) is opens


def test_rule_peers():
    by_group = Rule("r", "sg-1", True, "tcp", 1, 1, None, "sg-2")
    assert by_group.admits(["sg-2"], []) and not by_group.admits(["sg-3"], ["10.0.0.0/24"])
    by_cidr = Rule("r", "sg-1", True, "tcp", 1, 1, "10.0.0.0/16", None)
    assert by_cidr.admits([], ["10.0.1.0/24", "10.0.2.0/24"])
    assert not by_cidr.admits([], ["10.1.0.0/24"]) and not by_cidr.admits(["sg-2"], [])
    ipv6 = Rule("r", "sg-1", True, "tcp", 1, 1, None, None)
    assert not ipv6.admits([], ["10.0.0.0/24"])
    prefix_list = Rule("r", "sg-1", False, "tcp", 1, 1, None, None, "pl-1")
    assert prefix_list.admits([], [], ["pl-1"]) and not prefix_list.admits(["sg-2"], ["10.0.0.0/24"], ["pl-2"])
    assert (by_group.peer, by_cidr.peer, ipv6.peer, prefix_list.peer) == ("sg-2", "10.0.0.0/16", "?", "pl-1")


def test_nat_off_with_every_endpoint_reaches_every_api():
    assert analyse(build_plan(nat=False, services=NO_EXTERNAL), NO_EXTERNAL).ok


def test_an_interface_endpoint_without_private_dns_is_not_used():
    document = build_plan(nat=False)
    set_state(document, "network-if-sqs", privateDnsEnabled=False)
    found = failures(document, REACHABILITY, NO_EXTERNAL)
    assert {f.stack for f in found} == {"api-gateway", "processing-service"}
    assert all(f.message.startswith("no way to the sqs API") for f in found)


def test_an_interface_endpoint_missing_from_an_az_is_named():
    document = build_plan()
    set_state(document, "network-if-ecr-dkr", subnetIds=["subnet-private-0", "subnet-private-1"])
    found = failures(document, REACHABILITY)
    assert {f.resource for f in found} == {"network-private-2 (subnet-private-2)"}
    assert all("interface endpoint network-if-ecr-dkr (vpce-ecr-dkr) has no subnet in us-east-1c" in f.message
               for f in found)


def test_an_endpoint_group_that_does_not_admit_the_task_is_named():
    document = build_plan()
    for service in SERVICES:
        remove(document, f"platform-endpoints-in-{service.name}-443")
    found = failures(document, REACHABILITY)
    assert all("security groups ['sg-endpoints'] admit no 443 from the task's groups" in f.message for f in found)


def test_a_task_group_without_443_egress_reaches_nothing():
    document = build_plan()
    remove(document, "platform-frontend-eg-endpoints-443")
    remove(document, "platform-frontend-eg-pl-s3-443")
    found = failures(document, REACHABILITY)
    assert {f.stack for f in found} == {"frontend"}
    details = {f.message.split(":")[0] for f in found}
    assert details == {"ecr.api", "ecr.dkr", "logs", "secretsmanager", "s3"}
    assert any("allow no 443 egress to its prefix list" in f.message for f in found)


def test_nat_path_without_443_egress_is_named():
    document = build_plan(endpoints=())
    add_rule(document, "frontend-to-vpc", "out", securityGroupId="sg-frontend", ipProtocol="tcp", fromPort=443.0,
             toPort=443.0, cidrIpv4="10.0.0.0/16")
    remove(document, "platform-frontend-eg-internet-443")
    found = failures(document, REACHABILITY)
    assert any(f.message.startswith("ecr.api through NAT (route table rtb-private-0 sends 0.0.0.0/0 to NAT gateway")
               and "needs 443 egress to 0.0.0.0/0" in f.message for f in found)


def test_everything_through_nat_passes_without_interface_endpoints():
    assert analyse(build_plan(endpoints=())).ok


@pytest.mark.parametrize("fault, evidence", [
    (lambda d: remove(d, "network-private-rta-0"), "subnet network-private-0 (subnet-private-0) has no route table "
                                                   "association"),
    (lambda d: remove(d, "network-nat-0"), "route table rtb-private-0 has no 0.0.0.0/0 route to a NAT gateway"),
    (lambda d: set_state(d, "network-nat-0", subnetId="subnet-private-1"),
     "NAT gateway network-nat-0 (nat-0) sits in no subnet routing 0.0.0.0/0 to an internet gateway"),
    (lambda d: set_state(d, "network-nat-0", subnetId="subnet-ghost"),
     "NAT gateway network-nat-0 (nat-0) sits in no subnet"),
    (lambda d: remove(d, "network-igw"), "sits in no subnet routing 0.0.0.0/0 to an internet gateway"),
])
def test_a_broken_nat_path_is_named(fault, evidence):
    document = build_plan(endpoints=())
    fault(document)
    found = failures(document, REACHABILITY)
    assert any(evidence in f.message for f in found)


def test_an_external_call_needs_egress_on_its_port():
    services = tuple(dataclasses.replace(s, external=(ExternalCall("market data", 8443),))
                     if s.name == "processing-service" else s for s in SERVICES)
    document = build_plan(services=tuple(dataclasses.replace(s, external=()) for s in services))
    found = failures(document, REACHABILITY, services)
    assert len(found) == 3
    assert all("declared external call 'market data' needs egress on port 8443" in f.message for f in found)


def test_kms_without_via_service_and_denies_shape_the_required_apis():
    # GIVEN a task role calling KMS itself (no kms:ViaService) and a Deny statement
    document = build_plan(nat=False)
    edit_policy(document, "frontend-task-policy", lambda s: s.extend([
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"},
        {"Effect": "Deny", "Action": "sqs:SendMessage", "Resource": "*"}]))
    found = [f for f in analyse(document, NO_EXTERNAL).failures if f.rule == REACHABILITY]
    # THEN the task needs the kms API (no endpoint, no NAT), and the denied sqs is not a need
    assert {f.message.split(":")[0] for f in found} == {"no way to the kms API"}


def test_a_task_role_free_service_needs_only_the_agent_apis():
    document = build_plan(nat=False, endpoints=("ecr.api", "ecr.dkr", "logs", "secretsmanager"))
    for name in ("api-gateway", "processing-service"):
        set_state(document, f"{name}-task", taskRoleArn=None)
    found = [f for f in analyse(document, NO_EXTERNAL).failures if f.rule == REACHABILITY]
    assert not found


def test_a_service_without_secrets_or_awslogs_needs_neither_endpoint():
    document = build_plan(nat=False, endpoints=("ecr.api", "ecr.dkr", "sqs", "sns"))
    for name in ("frontend-task", "api-gateway-task", "processing-service-task"):
        containers = json.loads(resource(document, name)["state"]["containerDefinitions"])
        containers[0].update(secrets=[], logConfiguration={"logDriver": "json-file"})
        set_state(document, name, containerDefinitions=json.dumps(containers))
    assert not [f for f in analyse(document, NO_EXTERNAL).failures if f.rule == REACHABILITY]


# -- call paths ---------------------------------------------------------------------------------------------
def test_a_missing_caller_egress_is_named_on_the_caller():
    document = build_plan()
    remove(document, "platform-api-gateway-eg-processing-service")
    [failure] = failures(document, CALL_PATHS)
    assert (failure.stack, failure.resource) == ("api-gateway", "platform-sg-api-gateway (sg-api-gateway-dev)")
    assert failure.message.startswith("no egress on port 8082 from api-gateway to processing-service's groups")


def test_a_cidr_rule_covering_the_caller_subnets_opens_the_path_but_is_an_extra_reach():
    document = build_plan()
    remove(document, "platform-processing-service-in-api-gateway")
    add_rule(document, "processing-from-vpc", "in", securityGroupId="sg-processing-service", ipProtocol="tcp",
             fromPort=8082.0, toPort=8082.0, cidrIpv4="10.0.0.0/16")
    [failure] = failures(document, CALL_PATHS)
    assert failure.resource == "processing-from-vpc (sgr-processing-from-vpc)"
    assert failure.message == ("ingress from 10.0.0.0/16 on tcp 8082-8082 is not a catalog call: only api-gateway may "
                              "reach processing-service, on port 8082; remove the rule")


def test_nothing_but_its_callers_reaches_a_service():
    document = build_plan()
    add_rule(document, "processing-from-frontend", "in", securityGroupId="sg-processing-service", ipProtocol="-1",
             referencedSecurityGroupId="sg-frontend")
    [failure] = failures(document, CALL_PATHS)
    assert failure.stack == "processing-service"
    assert "ingress from sg-frontend on -1 0-65535 is not a catalog call" in failure.message


def test_a_service_nobody_calls_may_be_reached_by_nothing():
    services = tuple(dataclasses.replace(s, callers=()) if s.name == "processing-service" else s for s in SERVICES)
    document = build_plan()
    remove(document, "platform-api-gateway-eg-processing-service")
    [failure] = failures(document, CALL_PATHS, services)
    assert "only nothing may reach processing-service" in failure.message


def test_public_services_need_a_load_balancer():
    document = build_plan()
    set_state(document, "platform-alb", loadBalancerType="network")
    found = failures(document, CALL_PATHS)
    assert [(f.stack, f.message) for f in found] == [
        ("frontend", "the catalog makes the service public, but the plan holds no application load balancer")]


def test_the_alb_path_names_its_missing_half():
    document = build_plan()
    remove(document, "platform-alb-eg-frontend")
    [failure] = failures(document, CALL_PATHS)
    assert failure.stack == "frontend" and failure.message.startswith("no egress on port 8080 from the ALB")


def test_an_alb_without_groups_or_subnets_reaches_nothing():
    document = build_plan()
    set_state(document, "platform-alb", securityGroups=None, subnets=None)
    found = failures(document, CALL_PATHS)
    assert {f.resource for f in found} >= {"no security group"}


@pytest.mark.parametrize("fault, detail", [
    (lambda d: set_state(d, "frontend-service", loadBalancers=[]),
     "no loadBalancers entry registers container port 8080 in a target group"),
    (lambda d: set_state(d, "frontend-tg", targetType="instance"), "is not an 'ip' target group of the plan"),
    (lambda d: remove(d, "frontend-rule"), "no listener rule of platform-alb (alb-dev) forwards to the target group"),
])
def test_alb_routing_faults_are_named(fault, detail):
    document = build_plan()
    fault(document)
    [failure] = failures(document, CALL_PATHS)
    assert failure.stack == "frontend" and detail in failure.message


def test_weighted_forward_actions_count_and_other_actions_do_not():
    document = build_plan()
    target_group = resource(document, "frontend-tg")["id"]
    set_state(document, "frontend-rule", actions=[{"type": "fixed-response"}, {
        "type": "forward", "forward": {"targetGroups": [{"arn": "other"}, {"arn": target_group}]}}])
    assert analyse(document).ok


def test_rules_forwarding_elsewhere_do_not_count():
    document = build_plan()
    services = next(s for s in document["stacks"] if s["stack"] == "frontend-dev")
    listener = resource(document, "frontend-rule")["state"]["listenerArn"]
    services["resources"].insert(0, {"type": "aws:lb/listenerRule:ListenerRule", "name": "maintenance",
                                     "id": "maintenance", "state": {"listenerArn": listener, "actions": [
                                         {"type": "fixed-response"}]}})
    assert analyse(document).ok
    remove(document, "frontend-rule")
    [failure] = failures(document, CALL_PATHS)
    assert "no listener rule of platform-alb (alb-dev) forwards to the target group" in failure.message


def test_a_callee_missing_from_the_plan_is_only_a_wiring_failure():
    document = build_plan()
    document["stacks"] = [s for s in document["stacks"] if s["stack"] != "processing-service-dev"]
    [failure] = analyse(document).failures
    assert (failure.rule, failure.stack) == ("plan wiring", "processing-service")
