"""The network policy as a table written out by hand: which workload needs the internet, on which port, and why,
for each set of endpoints; and the rules that follow."""
from __future__ import annotations

from dataclasses import replace

import pytest

from shared.catalog import SERVICES, ExternalCall, by_name
from shared.netpolicy import (
    ROTATION,
    Direction,
    Endpoints,
    Workload,
    egress_rules,
    internet_reasons,
    security_groups,
    service_apis,
    workloads,
)

ALL = Endpoints(("ecr.api", "ecr.dkr", "logs", "secretsmanager", "sqs", "sns", "monitoring"), ("s3", "dynamodb"))
DEV = Endpoints(("ecr.api", "ecr.dkr", "logs", "secretsmanager"), ("s3", "dynamodb"))
NONE = Endpoints((), ())


def test_the_apis_each_service_calls():
    assert service_apis(by_name("frontend")) == ("ecr.api", "ecr.dkr", "s3", "logs", "secretsmanager")
    assert service_apis(by_name("api-gateway")) == ("ecr.api", "ecr.dkr", "s3", "logs", "secretsmanager",
                                                    "dynamodb", "sqs", "sns")
    assert service_apis(replace(by_name("frontend"), secrets=(), stores=())) == ("ecr.api", "ecr.dkr", "s3", "logs")


@pytest.mark.parametrize("workload, endpoints, reasons", [
    ("frontend", ALL, {}),
    ("frontend", DEV, {}),
    ("api-gateway", ALL, {}),
    ("api-gateway", DEV, {443: ["AWS APIs without a VPC endpoint via NAT: sqs, sns"]}),
    ("processing-service", ALL, {443: ["trading venues"]}),
    ("processing-service", DEV, {443: ["AWS APIs without a VPC endpoint via NAT: sqs, sns", "trading venues"]}),
    ("jwt-rotation", DEV, {}),
    ("jwt-rotation", NONE, {443: ["AWS APIs without a VPC endpoint via NAT: secretsmanager"]}),
])
def test_who_needs_the_internet_and_why(workload, endpoints, reasons):
    found = {w.name: w for w in workloads()}[workload]
    assert internet_reasons(found, endpoints) == reasons


def test_an_external_call_on_another_port_gets_its_own_reason():
    risk = Workload("risk", ("s3",), (ExternalCall("risk feed", 8443), ExternalCall("quotes", 443)))
    assert internet_reasons(risk, ALL) == {443: ["quotes"], 8443: ["risk feed"]}


def test_the_rotation_function_is_a_workload_unless_left_out():
    assert workloads()[-1] == ROTATION and ROTATION not in workloads(rotation=False)
    assert security_groups() == ("alb", *(s.name for s in SERVICES), "jwt-rotation")
    assert security_groups(rotation=False) == ("alb", *(s.name for s in SERVICES))


def test_egress_rules_pair_the_endpoint_group_and_use_a_gateway_only_when_no_interface_serves_the_api():
    s3_both = Endpoints(("s3",), ("s3",))
    rules = egress_rules([Workload("w", ("s3",))], s3_both)
    assert [(r.group, r.direction, r.peer, r.prefix_list, r.cidr) for r in rules] == [
        ("w", Direction.EGRESS, "endpoints", None, None), ("endpoints", Direction.INGRESS, "w", None, None)]
    assert [r.key for r in egress_rules([Workload("w", ("s3",))], NONE)] == ["w-eg-internet-443"]
    assert [r.key for r in egress_rules([Workload("w", ("dynamodb",))], DEV)] == ["w-eg-pl-dynamodb-443"]
