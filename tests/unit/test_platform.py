"""The platform program (part 1): cluster, capacity providers, Cloud Map, ALB and listeners, network policy.

Each test reads what the real program registered under the offline plan's mocks; the network policy is
compared with a table written out by hand from the catalog's call graph, not with `shared.netpolicy` itself.
"""
from dataclasses import replace

import pulumi
import pytest

from shared.catalog import SERVICES, ExternalCall, PublicRoute
from shared.components.context import AwsContext
from shared.components.platform import Platform, PlatformArgs
from shared.contracts import NETWORK, PLATFORM, ContractError, check_contracts
from shared.netpolicy import Direction, Endpoints, network_rules
from shared.settings.platform import load_platform_settings
from shared.settings.pulumi_source import pulumi_config_source
from shared.stack_config import load_stack_config
from shared.stackio import Upstream
from shared.stacks import StackId
from tests.conftest import Stack
from tools.plan.mocks import StackOutputs
from tools.plan.runner import PlanError, run_stack

SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LISTENER = "aws:lb/listener:Listener"
INTERNET = "0.0.0.0/0"


@pytest.fixture(scope="module")
def dev(environment_plans) -> Stack:
    return environment_plans("dev")["platform/dev"]


@pytest.fixture(scope="module")
def prod(environment_plans) -> Stack:
    return environment_plans("prod")["platform/prod"]


@pytest.fixture(scope="module")
def network_dev(environment_plans) -> Stack:
    return environment_plans("dev")["network/dev"]


@pytest.fixture(scope="module")
def network_prod(environment_plans) -> Stack:
    return environment_plans("prod")["network/prod"]


def platform_args(settings, network: dict, services=SERVICES) -> PlatformArgs:
    """The component's inputs from plain network outputs (as a test program builds them)."""
    return PlatformArgs(
        settings=settings, context=AwsContext.lookup(), vpc_id=network["vpcId"],
        public_subnet_ids=network["publicSubnetIds"], private_subnet_ids=network.get("privateSubnetIds", []),
        endpoints=Endpoints(tuple(network.get("interfaceEndpoints", ())), tuple(network.get("gatewayEndpoints", ()))),
        endpoint_security_group_id=network.get("endpointSecurityGroupId", "sg-endpoints"),
        prefix_list_ids=network.get("gatewayPrefixListIds", {}), services=services)


def group_names(stack: Stack, suffix: str) -> dict[str, str]:
    """security group id -> catalog group name, read from each group's name prefix `secgroup-<group>-<suffix>-`."""
    return {g.id: g.inputs["namePrefix"][len("secgroup-"):-len(f"-{suffix}-")] for g in stack.of_type(SG)}


def peer_names(stack: Stack, suffix: str, network: Stack) -> dict[str, str]:
    """group names, plus the network's endpoint group ("endpoints") and gateway prefix lists ("pl-<service>")."""
    return {**group_names(stack, suffix), network.outputs["endpointSecurityGroupId"]: "endpoints",
            **{pl: f"pl-{service}" for service, pl in network.outputs["gatewayPrefixListIds"].items()}}


def recorded_rules(stack: Stack, suffix: str, network: Stack) -> set[tuple]:
    """(group, direction, port, peer group, prefix list or CIDR) for every rule resource the program registered."""
    names = peer_names(stack, suffix, network)
    rules = set()
    for typ, direction in ((INGRESS, "in"), (EGRESS, "out")):
        for rule in stack.of_type(typ):
            inputs = rule.inputs
            assert inputs["ipProtocol"] == "tcp" and inputs["fromPort"] == inputs["toPort"]
            peer = inputs.get("referencedSecurityGroupId") or inputs.get("prefixListId")
            rules.add((names[inputs["securityGroupId"]], direction, int(inputs["fromPort"]),
                       names[peer] if peer else inputs["cidrIpv4"]))
    return rules


# The catalog's call graph written out: ALB -> frontend -> api-gateway -> processing-service.
CALL_GRAPH_RULES = {
    ("alb", "in", 80, INTERNET),
    ("alb", "out", 8080, "frontend"), ("frontend", "in", 8080, "alb"),
    ("frontend", "out", 8081, "api-gateway"), ("api-gateway", "in", 8081, "frontend"),
    ("api-gateway", "out", 8082, "processing-service"), ("processing-service", "in", 8082, "api-gateway"),
}
# Every workload's way to the interface endpoints (both halves), written out.
ENDPOINT_RULES = {rule for group in ("frontend", "api-gateway", "processing-service", "jwt-rotation")
                  for rule in ((group, "out", 443, "endpoints"), ("endpoints", "in", 443, group))}
# The gateway endpoints: every task pulls layers from S3; the DynamoDB users reach theirs.
GATEWAY_RULES = {("frontend", "out", 443, "pl-s3"), ("api-gateway", "out", 443, "pl-s3"),
                 ("processing-service", "out", 443, "pl-s3"), ("api-gateway", "out", 443, "pl-dynamodb"),
                 ("processing-service", "out", 443, "pl-dynamodb")}
# Dev has no sqs/sns endpoints: api-gateway and processing-service reach them through NAT; processing-service
# calls the venues in both environments. frontend and the rotation function never reach the internet.
DEV_INTERNET = {("api-gateway", "out", 443, INTERNET), ("processing-service", "out", 443, INTERNET)}
PROD_INTERNET = {("processing-service", "out", 443, INTERNET)}


def test_cluster_has_container_insights_and_both_fargate_providers(dev, prod):
    cluster = dev.one("aws:ecs/cluster:Cluster")
    assert cluster.inputs["name"] == cluster.inputs["tags"]["Name"] == "cluster-dev"
    assert cluster.inputs["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    providers = dev.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs
    assert providers["clusterName"] == "cluster-dev" and providers["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert providers["defaultCapacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE", "base": 0, "weight": 1},
        {"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": 3}]
    prod_strategy = prod.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs
    assert prod_strategy["defaultCapacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE", "base": 2, "weight": 1},
        {"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": 1}]
    assert dev.outputs["clusterArn"] == cluster.state["arn"]


def test_cloud_map_namespace_is_private_dns_on_the_network_vpc(dev, network_dev):
    namespace = dev.one("aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace")
    assert namespace.inputs["name"] == "trading-dev.internal"
    assert namespace.inputs["vpc"] == network_dev.outputs["vpcId"]
    assert namespace.delete_before_replace is True
    assert dev.outputs["namespaceId"] == namespace.id and namespace.id.startswith("ns-")
    assert dev.outputs["namespaceName"] == "trading-dev.internal"


def test_alb_is_internet_facing_in_every_public_subnet_and_drops_invalid_headers(dev, network_dev):
    alb = dev.one("aws:lb/loadBalancer:LoadBalancer")
    assert alb.inputs["internal"] is False and alb.inputs["loadBalancerType"] == "application"
    assert alb.inputs["subnets"] == network_dev.outputs["publicSubnetIds"] and len(alb.inputs["subnets"]) == 3
    assert alb.inputs["dropInvalidHeaderFields"] is True and alb.inputs["enableDeletionProtection"] is False
    assert group_names(dev, "dev")[alb.inputs["securityGroups"][0]] == "alb"
    assert dev.outputs["albZoneId"] == "Z35SXDOTRQ7X7K"
    assert dev.outputs["albArnSuffix"] == alb.state["arnSuffix"] and alb.state["arn"].endswith(alb.state["arnSuffix"])


def test_without_a_certificate_only_port_80_serves_a_fixed_404(dev):
    [http] = dev.of_type(LISTENER)
    assert (http.inputs["port"], http.inputs["protocol"]) == (80, "HTTP")
    assert http.inputs["defaultActions"] == [{"type": "fixed-response", "fixedResponse": {
        "contentType": "text/plain", "messageBody": "Not Found", "statusCode": "404"}}]
    assert dev.outputs["serviceListenerArn"] == dev.outputs["httpListenerArn"] == http.state["arn"]
    assert dev.outputs["httpsListenerArn"] == ""


def test_with_a_certificate_443_uses_tls13_and_80_redirects(prod):
    listeners = {int(listener.inputs["port"]): listener for listener in prod.of_type(LISTENER)}
    assert sorted(listeners) == [80, 443]
    https = listeners[443].inputs
    assert https["protocol"] == "HTTPS" and https["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https["certificateArn"] == \
        "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    assert https["defaultActions"][0]["fixedResponse"]["statusCode"] == "404"
    assert listeners[80].inputs["defaultActions"] == [
        {"type": "redirect", "redirect": {"port": "443", "protocol": "HTTPS", "statusCode": "HTTP_301"}}]
    assert prod.outputs["serviceListenerArn"] == prod.outputs["httpsListenerArn"] == listeners[443].state["arn"]


def test_security_group_rules_are_exactly_the_call_graph_and_the_endpoints(dev, prod, network_dev, network_prod):
    assert recorded_rules(dev, "dev", network_dev) == CALL_GRAPH_RULES | ENDPOINT_RULES | GATEWAY_RULES | DEV_INTERNET
    assert recorded_rules(prod, "prod", network_prod) == CALL_GRAPH_RULES | ENDPOINT_RULES | GATEWAY_RULES | \
        PROD_INTERNET | {("alb", "in", 443, INTERNET)}


def test_internet_egress_says_why(dev):
    reasons = {r.name: r.inputs["description"] for r in dev.of_type(EGRESS) if r.inputs.get("cidrIpv4") == INTERNET}
    assert reasons == {
        "platform-network-policy-api-gateway-eg-internet-443": "AWS APIs without a VPC endpoint via NAT: sqs, sns",
        "platform-network-policy-processing-service-eg-internet-443":
            "AWS APIs without a VPC endpoint via NAT: sqs, sns; trading venues"}


def test_the_endpoint_rules_follow_the_network_stacks_endpoints(environment_plans):
    # GIVEN a network that exports every interface endpoint but logs
    network = dict(environment_plans("prod")["network/prod"].outputs)
    network["interfaceEndpoints"] = [e for e in network["interfaceEndpoints"] if e != "logs"]
    upstream = {"organization/network/prod": StackOutputs(network, [])}
    # WHEN the platform reads it, THEN every task reaches logs through NAT, and nothing else changes
    stack = Stack(run_stack(StackId("platform", "prod"), upstream))
    internet = {r.name: r.inputs["description"] for r in stack.of_type(EGRESS) if r.inputs.get("cidrIpv4") == INTERNET}
    assert internet == {f"platform-network-policy-{s}-eg-internet-443": "AWS APIs without a VPC endpoint via NAT: logs"
                        + ("; trading venues" if s == "processing-service" else "")
                        for s in ("frontend", "api-gateway", "processing-service")}


def test_groups_have_no_inline_rules_and_one_per_workload(dev):
    groups = dev.of_type(SG)
    assert sorted(group_names(dev, "dev").values()) == sorted(["alb", "jwt-rotation"] + [s.name for s in SERVICES])
    assert all("ingress" not in g.inputs and "egress" not in g.inputs for g in groups)
    names = group_names(dev, "dev")
    assert {names[i]: n for n, i in dev.outputs["serviceSecurityGroupIds"].items()} == {
        s.name: s.name for s in SERVICES}
    assert names[dev.outputs["albSecurityGroupId"]] == "alb"


def test_a_fourth_service_gets_its_group_and_rules_with_no_other_change(network_dev):
    # GIVEN a catalog with a fourth, internal service called by api-gateway that calls out on 8443
    fourth = replace(SERVICES[2], name="risk-engine", port=8083, callers=("api-gateway",),
                     external=(ExternalCall("risk feed", 8443),))
    catalog = (*SERVICES, fourth)

    def program():
        settings = load_platform_settings(pulumi_config_source())
        Platform("platform", platform_args(settings, network_dev.outputs, services=catalog))

    # WHEN the platform component is built with it
    stack = Stack(run_stack(StackId("platform", "dev"), {}, load_stack_config(StackId("platform", "dev")), program))
    # THEN its group and exactly its rules follow
    assert "risk-engine" in group_names(stack, "dev").values()
    assert recorded_rules(stack, "dev", network_dev) == CALL_GRAPH_RULES | ENDPOINT_RULES | GATEWAY_RULES | \
        DEV_INTERNET | {
        ("api-gateway", "out", 8083, "risk-engine"), ("risk-engine", "in", 8083, "api-gateway"),
        ("risk-engine", "out", 443, "endpoints"), ("endpoints", "in", 443, "risk-engine"),
        ("risk-engine", "out", 443, "pl-s3"), ("risk-engine", "out", 443, "pl-dynamodb"),
        ("risk-engine", "out", 443, INTERNET), ("risk-engine", "out", 8443, INTERNET)}


def test_a_second_public_service_is_reached_from_the_alb_only():
    api = replace(SERVICES[1], public=PublicRoute("/api/*", 100))
    rules = network_rules((SERVICES[0], api, SERVICES[2]), https=True)
    api_ingress = {(r.peer, r.port) for r in rules if r.group == "api-gateway" and r.direction is Direction.INGRESS}
    assert api_ingress == {("alb", 8081), ("frontend", 8081)}
    keys = [r.key for r in rules]
    assert len(keys) == len(set(keys))


def test_platform_reads_only_keys_the_network_exports():
    check_contracts()
    assert set(PLATFORM.reads["network"]) <= NETWORK.export_keys
    broken = {"network": NETWORK, "platform": replace(PLATFORM, reads={"network": ("vpcId", "albSubnetIds")})}
    with pytest.raises(ContractError, match=r"platform reads network\.albSubnetIds, which network does not export"):
        check_contracts(broken)


def test_a_missing_network_output_fails_the_platform_naming_the_key_and_the_fix(environment_plans):
    network = environment_plans("dev")["network/dev"].outputs
    upstream = {"organization/network/dev": StackOutputs(
        {k: v for k, v in network.items() if k != "publicSubnetIds"}, [])}
    with pytest.raises(PlanError, match="stack organization/network/dev does not export publicSubnetIds; "
                                        "deploy network first"):
        run_stack(StackId("platform", "dev"), upstream)


def test_reading_an_undeclared_network_key_is_refused(environment_plans):
    network = environment_plans("dev")["network/dev"].outputs

    def program():
        Upstream(PLATFORM, "network", "dev").get("vpcCidr")

    upstream = {"organization/network/dev": StackOutputs(dict(network), [])}
    with pytest.raises(PlanError, match="'vpcCidr' is not among the keys declared as read from network"):
        run_stack(StackId("platform", "dev"), upstream, load_stack_config(StackId("platform", "dev")), program)


def test_an_invalid_catalog_stops_the_platform_before_the_cluster():
    cyclic = (replace(SERVICES[0], callers=("processing-service",)), *SERVICES[1:])

    def program():
        settings = load_platform_settings(pulumi_config_source())
        Platform("platform", platform_args(settings, {"vpcId": "vpc-1", "publicSubnetIds": ["subnet-1"]},
                                           services=cyclic))

    with pytest.raises(PlanError, match="the call graph has a cycle: frontend -> api-gateway -> processing-service "
                                        "-> frontend"):
        run_stack(StackId("platform", "dev"), {}, load_stack_config(StackId("platform", "dev")), program)


def test_each_resource_is_a_child_of_the_component_that_builds_it(dev):
    # A child's URN holds its parents' types: a resource moved to another component would be a new URN, so `up`
    # would delete it (a key, a secret, the ALB) and create another.
    components = {r.name: r.urn for r in dev.plan.registrations if r.type.startswith("trading:platform:")}
    assert set(components) == {"platform", "platform-network-policy", "platform-data", "platform-edge",
                               "platform-data-jwt-rotation"}
    owners = ("platform-data-jwt-rotation", "platform-network-policy", "platform-data", "platform-edge")
    for resource in dev.resources:
        if not resource.type.startswith("pulumi:"):
            owner = next((o for o in owners if resource.name.startswith(f"{o}-")), "platform")
            assert resource.parent == components[owner], resource.name
    parents = {r.name: r.parent for r in dev.plan.registrations if r.name in owners}
    assert parents == {"platform-data-jwt-rotation": components["platform-data"],
                       **dict.fromkeys(owners[1:], components["platform"])}


def test_the_rest_of_the_contract_names_the_cluster_alb_and_namespace(dev):
    cluster, alb = dev.one("aws:ecs/cluster:Cluster"), dev.one("aws:lb/loadBalancer:LoadBalancer")
    namespace = dev.one("aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace")
    assert dev.outputs["environmentSuffix"] == "dev"
    assert dev.outputs["clusterName"] == "cluster-dev" == cluster.state["name"]
    assert (dev.outputs["albArn"], dev.outputs["albDnsName"]) == (alb.state["arn"], alb.state["dnsName"])
    assert dev.outputs["namespaceArn"] == namespace.state["arn"]
    assert namespace.inputs["description"] == "Service discovery of environment dev"


def test_each_group_says_whose_it_is_and_sits_in_the_network_vpc(dev, network_dev):
    groups = {g.inputs["tags"]["Name"]: g.inputs for g in dev.of_type(SG)}
    assert {name: group["description"] for name, group in groups.items()} == {
        "secgroup-alb-dev": "Application load balancer",
        "secgroup-jwt-rotation-dev": "JWT signing-key rotation function",
        **{f"secgroup-{s.name}-dev": f"Tasks of service {s.name}" for s in SERVICES}}
    assert all(group["vpcId"] == network_dev.outputs["vpcId"] for group in groups.values())


def test_the_alb_is_named_by_the_convention_and_every_listener_is_its(dev, prod):
    for stack, suffix in ((dev, "dev"), (prod, "prod")):
        alb = stack.one("aws:lb/loadBalancer:LoadBalancer")
        assert alb.inputs["name"] == f"alb-{suffix}" and alb.delete_before_replace is True
        assert {listener.inputs["loadBalancerArn"] for listener in stack.of_type(LISTENER)} == {alb.state["arn"]}


def test_options_given_to_the_platform_reach_it_and_every_resource_under_it(network_dev):
    # A caller's options (protect, aliases after a move, a provider) would otherwise be dropped without a word.
    def program():
        settings = load_platform_settings(pulumi_config_source())
        Platform("platform", platform_args(settings, network_dev.outputs), opts=pulumi.ResourceOptions(protect=True))

    stack = Stack(run_stack(StackId("platform", "dev"), {}, load_stack_config(StackId("platform", "dev")), program))
    assert all(r.protect is True for r in stack.plan.registrations if r.type.startswith("trading:platform:"))
    assert stack.resources and all(r.protect is True for r in stack.resources)


def test_each_component_registers_its_part_of_the_contract_as_outputs(dev):
    # What the state shows under each component.
    components = {r.type.rsplit(":", 1)[1]: r.outputs for r in dev.plan.registrations
                  if r.type.startswith("trading:platform:")}
    assert components["Platform"] == dev.outputs
    assert components["PlatformEdge"] == {"albArn": dev.outputs["albArn"],
                                          "serviceListenerArn": dev.outputs["serviceListenerArn"]}
    assert components["PlatformData"] == {key: dev.outputs[key]
                                          for key in ("kmsKeyArn", "secretArns", "storeArns", "alarmTopicArn")}
    assert components["NetworkPolicy"] == {"securityGroupIds": {
        name: group.id for name, group in ((g.inputs["tags"]["Name"][len("secgroup-"):-len("-dev")], g)
                                           for g in dev.of_type(SG))}}
