"""The network policy as a table written out by hand: which workload needs the internet, on which port, and why,
for each set of endpoints; and the rules that follow."""
from __future__ import annotations

from dataclasses import replace

import pytest

from shared.catalog import SERVICES, ExternalCall, PublicRoute, Service, by_name
from shared.netpolicy import (
    ROTATION,
    Direction,
    Endpoints,
    Rule,
    Workload,
    egress_rules,
    internet_reasons,
    network_rules,
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


# A catalog of its own (names the real catalog does not hold), so a rule built from the default catalog instead of
# the one passed shows up.
WEB = Service("web", 8080, 256, 512, "team-a", public=PublicRoute("/*", 10))
API = Service("api", 8081, 256, 512, "team-a", callers=("web",))
DB = Service("db", 8082, 256, 512, "team-b", callers=("api", "web"))
OWN = (WEB, API, DB)


def test_network_rules_open_the_alb_to_public_services_and_each_callee_to_its_callers_only():
    http = Rule("alb", Direction.INGRESS, 80, "HTTP from the internet (redirected to HTTPS when enabled)",
                cidr="0.0.0.0/0")
    pairs = [
        Rule("alb", Direction.EGRESS, 8080, "to web: public route /*", peer="web"),
        Rule("web", Direction.INGRESS, 8080, "from alb: public route /*", peer="alb"),
        Rule("web", Direction.EGRESS, 8081, "to api: catalog call graph", peer="api"),
        Rule("api", Direction.INGRESS, 8081, "from web: catalog call graph", peer="web"),
        Rule("web", Direction.EGRESS, 8082, "to db: catalog call graph", peer="db"),
        Rule("db", Direction.INGRESS, 8082, "from web: catalog call graph", peer="web"),
        Rule("api", Direction.EGRESS, 8082, "to db: catalog call graph", peer="db"),
        Rule("db", Direction.INGRESS, 8082, "from api: catalog call graph", peer="api"),
    ]
    assert network_rules(OWN, https=False) == [http, *pairs]
    # 443 is opened on the ALB only when an HTTPS listener exists
    assert network_rules(OWN, https=True) == [
        http, Rule("alb", Direction.INGRESS, 443, "HTTPS from the internet", cidr="0.0.0.0/0"), *pairs]


def test_security_groups_follow_the_catalog_passed():
    assert security_groups(OWN) == ("alb", "web", "api", "db", "jwt-rotation")


def test_egress_rules_in_full_interface_pair_gateway_and_internet_with_their_reasons():
    """Every field of every rule: the ports and descriptions are what the platform writes on the AWS rules, and a
    second workload's rules are added to the first's, not in place of them."""
    endpoints = Endpoints(("logs", "sqs"), ("s3",))
    first = Workload("one", ("logs", "sqs", "s3", "sns"), (ExternalCall("venue", 443), ExternalCall("feed", 8443)))
    second = Workload("two", ("logs",))
    assert egress_rules([first, second], endpoints) == [
        Rule("one", Direction.EGRESS, 443, "to endpoints: AWS APIs through interface endpoints: logs, sqs",
             peer="endpoints"),
        Rule("endpoints", Direction.INGRESS, 443, "from one: AWS APIs through interface endpoints: logs, sqs",
             peer="one"),
        Rule("one", Direction.EGRESS, 443, "s3 through its gateway endpoint", prefix_list="s3"),
        Rule("one", Direction.EGRESS, 443, "AWS APIs without a VPC endpoint via NAT: sns; venue", cidr="0.0.0.0/0"),
        Rule("one", Direction.EGRESS, 8443, "feed", cidr="0.0.0.0/0"),
        Rule("two", Direction.EGRESS, 443, "to endpoints: AWS APIs through interface endpoints: logs",
             peer="endpoints"),
        Rule("endpoints", Direction.INGRESS, 443, "from two: AWS APIs through interface endpoints: logs", peer="two"),
    ]
