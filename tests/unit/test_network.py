"""The network program, run for real under the offline plan's mocks; assertions are on recorded inputs."""
import json

import pulumi
import pytest

from shared.components.context import AwsContext
from shared.components.network import Network, NetworkArgs
from shared.settings.network import load_network_settings
from shared.settings.pulumi_source import pulumi_config_source
from shared.stack_config import load_stack_config
from shared.stacks import StackId
from tests.conftest import Stack, policy
from tools.plan.runner import PlanError, run_stack

SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
NAT = "aws:ec2/natGateway:NatGateway"


def private_default_routes(stack):
    return [r for r in stack.of_type(ROUTE)
            if r.inputs["destinationCidrBlock"] == "0.0.0.0/0" and "private" in r.name]


@pytest.fixture(scope="module")
def dev(environment_plans):
    """The committed dev network, from the run's plan (the tests only read it)."""
    return environment_plans("dev")["network/dev"]


def test_vpc_has_dns_support_and_the_configured_cidr(dev):
    vpc = dev.one("aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == "10.10.0.0/16"
    assert vpc.inputs["enableDnsSupport"] is True and vpc.inputs["enableDnsHostnames"] is True
    assert vpc.inputs["tags"]["Name"] == "vpc-dev"


def test_three_private_subnets_in_three_distinct_azs_never_map_public_ips(dev):
    private = [s for s in dev.of_type(SUBNET) if s.inputs["tags"]["Tier"] == "private"]
    public = [s for s in dev.of_type(SUBNET) if s.inputs["tags"]["Tier"] == "public"]
    assert len(private) == len(public) == 3
    assert {s.inputs["availabilityZone"] for s in private} == {"us-east-1a", "us-east-1b", "us-east-1c"}
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in private + public)
    assert [s.inputs["cidrBlock"] for s in private] == ["10.10.0.0/18", "10.10.64.0/18", "10.10.128.0/18"]


def test_single_nat_serves_every_private_route_table(dev):
    [nat] = dev.of_type(NAT)
    routes = private_default_routes(dev)
    assert len(routes) == 3
    assert {r.inputs["natGatewayId"] for r in routes} == {nat.id}
    public_subnet_ids = {s.id for s in dev.of_type(SUBNET) if s.inputs["tags"]["Tier"] == "public"}
    assert nat.inputs["subnetId"] in public_subnet_ids
    assert dev.one("aws:ec2/eip:Eip").inputs["domain"] == "vpc"


def test_one_per_az_routes_each_private_subnet_to_the_nat_in_its_own_az(run_project):
    stack = run_project("network", "prod")
    nats = stack.of_type(NAT)
    assert len(nats) == 3
    subnets = {s.id: s for s in stack.of_type(SUBNET)}
    nat_az = {n.id: subnets[n.inputs["subnetId"]].inputs["availabilityZone"] for n in nats}
    associations = stack.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
    table_az = {a.inputs["routeTableId"]: subnets[a.inputs["subnetId"]].inputs["availabilityZone"]
                for a in associations if subnets[a.inputs["subnetId"]].inputs["tags"]["Tier"] == "private"}
    routes = private_default_routes(stack)
    assert len(routes) == 3
    for route in routes:
        assert nat_az[route.inputs["natGatewayId"]] == table_az[route.inputs["routeTableId"]]


def test_none_makes_no_nat_and_no_internet_route_from_private_subnets(run_project):
    stack = run_project("network", "dev", {"natStrategy": "none", "interfaceEndpoints": ["ecr.api", "logs"]})
    assert stack.of_type(NAT) == [] and stack.of_type("aws:ec2/eip:Eip") == []
    assert private_default_routes(stack) == []
    assert stack.outputs["natGatewayIds"] == [] and stack.outputs["natStrategy"] == "none"
    # The public route table still reaches the internet gateway for the ALB.
    [public_default] = [r for r in stack.of_type(ROUTE) if "gatewayId" in r.inputs]
    assert public_default.inputs["gatewayId"] == stack.one("aws:ec2/internetGateway:InternetGateway").id


def test_gateway_endpoints_attach_to_every_private_route_table(dev):
    tables = [t.id for t in dev.of_type("aws:ec2/routeTable:RouteTable") if "private" in t.name]
    gateways = [e for e in dev.of_type("aws:ec2/vpcEndpoint:VpcEndpoint") if e.inputs["vpcEndpointType"] == "Gateway"]
    assert sorted(e.inputs["serviceName"] for e in gateways) == ["com.amazonaws.us-east-1.dynamodb",
                                                                 "com.amazonaws.us-east-1.s3"]
    assert all(sorted(e.inputs["routeTableIds"]) == sorted(tables) for e in gateways)


def test_interface_endpoints_are_private_dns_in_private_subnets_behind_a_group_with_no_rule_of_its_own(dev):
    interfaces = [e for e in dev.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
                  if e.inputs["vpcEndpointType"] == "Interface"]
    names = sorted(e.inputs["serviceName"] for e in interfaces)
    assert names == [f"com.amazonaws.us-east-1.{s}" for s in ("ecr.api", "ecr.dkr", "logs", "secretsmanager")]
    private_ids = sorted(s.id for s in dev.of_type(SUBNET) if s.inputs["tags"]["Tier"] == "private")
    sg = dev.one("aws:ec2/securityGroup:SecurityGroup")
    for endpoint in interfaces:
        assert endpoint.inputs["privateDnsEnabled"] is True
        assert sorted(endpoint.inputs["subnetIds"]) == private_ids
        assert endpoint.inputs["securityGroupIds"] == [sg.id]
    # Nothing in the VPC reaches the endpoints by address: the platform admits each group that needs them.
    assert dev.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") == []
    assert "ingress" not in sg.inputs and "egress" not in sg.inputs  # rules are separate resources
    assert sg.inputs["namePrefix"] == "secgroup-endpoints-dev-"


def test_optional_interface_endpoints_follow_config(run_project):
    stack = run_project("network", "dev", {"interfaceEndpoints": ["sqs", "sns"]})
    names = sorted(e.inputs["serviceName"] for e in stack.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
                   if e.inputs["vpcEndpointType"] == "Interface")
    assert names == ["com.amazonaws.us-east-1.sns", "com.amazonaws.us-east-1.sqs"]
    assert stack.outputs["interfaceEndpoints"] == ["sqs", "sns"]


def test_flow_logs_are_encrypted_retained_30_days_and_written_by_a_scoped_role(dev):
    group = dev.one("aws:cloudwatch/logGroup:LogGroup")
    key = dev.one("aws:kms/key:Key")
    assert group.inputs["name"] == "log-vpc-flow-dev"
    assert group.inputs["retentionInDays"] == 30
    assert group.inputs["kmsKeyId"] == key.state["arn"]
    assert key.urn in group.dependencies  # created after the key (and its policy)
    assert key.inputs["enableKeyRotation"] is True and key.inputs["deletionWindowInDays"] == 7

    statements = {s["Sid"]: s for s in policy(key)["Statement"]}
    assert statements["AccountRootAdministers"]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    logs = statements["CloudWatchLogsUsesKeyForTheseGroups"]
    assert logs["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert logs["Condition"] == {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": [
        "arn:aws:logs:us-east-1:123456789012:log-group:log-vpc-flow-dev"]}}

    role = dev.one("aws:iam/role:Role")
    trust = policy(role, "assumeRolePolicy")["Statement"][0]
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    # Only flow logs of this account's VPCs may use the role (confused deputy).
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"},
                                  "ArnLike": {"aws:SourceArn": "arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*"}}
    write = {s["Sid"]: s for s in policy(dev.one("aws:iam/rolePolicy:RolePolicy"))["Statement"]}
    assert write["WriteFlowLogsToItsGroup"]["Resource"] == [
        "arn:aws:logs:us-east-1:123456789012:log-group:log-vpc-flow-dev:*"]
    assert write["WriteFlowLogsToItsGroup"]["Action"] == [
        "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    assert write["FindItsGroup"] == {"Sid": "FindItsGroup", "Effect": "Allow",
                                     "Action": ["logs:DescribeLogGroups"], "Resource": "*"}
    flow = dev.one("aws:ec2/flowLog:FlowLog")
    assert flow.inputs["logDestination"] == group.state["arn"] and flow.inputs["iamRoleArn"] == role.state["arn"]
    assert flow.inputs["vpcId"] == dev.one("aws:ec2/vpc:Vpc").id  # the flows of this VPC
    assert flow.inputs["trafficType"] == "ALL" and flow.inputs["logDestinationType"] == "cloud-watch-logs"
    # One-minute aggregation (the API's default is ten): an incident's flows show within a minute.
    assert flow.inputs["maxAggregationInterval"] == 60
    # EC2 checks the role when it creates the flow log: the role's policy first (IAM propagation).
    assert dev.one("aws:iam/rolePolicy:RolePolicy").urn in flow.dependencies


def test_every_taggable_resource_carries_the_base_tags(dev):
    for resource in dev.resources:
        if "tags" in resource.inputs:
            tags = resource.inputs["tags"]
            assert tags["Environment"] == "dev" and tags["ManagedBy"] == "pulumi", resource.name
            assert tags["Project"] == "network" and tags["Owner"] == "platform-network"
            assert tags["CostCenter"] == "TRD-PLATFORM"
    untagged = {r.type for r in dev.resources if "tags" not in r.inputs}
    assert "aws:ec2/vpc:Vpc" not in untagged and "aws:ec2/route:Route" in untagged


def test_fixed_names_are_replaced_delete_first_and_nothing_is_protected(dev):
    for resource in dev.resources:
        assert resource.protect is False and resource.retain_on_delete is False
        if resource.type in ("aws:cloudwatch/logGroup:LogGroup", "aws:iam/role:Role", "aws:kms/alias:Alias"):
            assert resource.delete_before_replace is True, resource.name


def test_outputs_follow_the_contract_in_az_order(dev):
    subnets = {s.id: s for s in dev.of_type(SUBNET)}
    assert [subnets[i].inputs["availabilityZone"] for i in dev.outputs["privateSubnetIds"]] == [
        "us-east-1a", "us-east-1b", "us-east-1c"]
    assert dev.outputs["vpcCidr"] == "10.10.0.0/16"
    assert dev.outputs["endpointSecurityGroupId"].startswith("sg-")


def test_a_throwaway_suffix_renames_everything(run_project):
    stack = run_project("network", "dev", {"environmentSuffix": "dev-pr42"})
    assert stack.one("aws:ec2/vpc:Vpc").inputs["tags"]["Name"] == "vpc-dev-pr42"
    assert stack.one("aws:cloudwatch/logGroup:LogGroup").inputs["name"] == "log-vpc-flow-dev-pr42"


def test_bad_config_fails_before_any_resource_is_registered(run_project):
    with pytest.raises(PlanError) as error:
        run_project("network", "dev", {"vpcCidr": "10.0.0.0/33", "natStrategy": "both"})
    message = str(error.value)
    assert "network/dev" in message and "network:vpcCidr" in message and "network:natStrategy" in message


def test_the_default_security_group_is_adopted_with_no_rules(dev):
    default = dev.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert default.inputs["vpcId"] == dev.one("aws:ec2/vpc:Vpc").id
    assert "ingress" not in default.inputs and "egress" not in default.inputs


def test_every_endpoint_has_a_policy_limiting_it_to_this_account(dev):
    endpoints = {e.inputs["serviceName"].split(".", 3)[-1]: e for e in dev.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")}
    s3 = json.loads(endpoints["s3"].inputs["policy"])["Statement"]
    assert s3 == [
        {"Sid": "ThisAccountsBuckets", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["s3:*"],
         "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceAccount": "123456789012"}}},
        {"Sid": "EcrImageLayers", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["s3:GetObject"],
         "Resource": "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*"}]
    dynamodb = json.loads(endpoints["dynamodb"].inputs["policy"])["Statement"]
    assert [(d["Action"], d["Resource"]) for d in dynamodb] == [
        (["dynamodb:*"], "arn:aws:dynamodb:us-east-1:123456789012:table/*")]
    for service in ("ecr.api", "ecr.dkr", "logs", "secretsmanager"):
        [statement] = json.loads(endpoints[service].inputs["policy"])["Statement"]
        assert statement["Condition"] == {"StringEquals": {"aws:PrincipalAccount": "123456789012"}}
        assert (statement["Principal"], statement["Action"], statement["Resource"]) == ({"AWS": "*"}, ["*"], "*")


def test_gateway_prefix_lists_are_exported_for_the_platforms_egress_rules(dev):
    gateways = {e.inputs["serviceName"].split(".", 3)[-1]: e for e in dev.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
                if e.inputs["vpcEndpointType"] == "Gateway"}
    assert dev.outputs["gatewayPrefixListIds"] == {s: g.state["prefixListId"] for s, g in gateways.items()}
    assert set(dev.outputs["gatewayPrefixListIds"]) == {"s3", "dynamodb"}


def test_the_default_security_group_is_named_by_the_convention_not_sg_dash(environment_plans):
    [default] = environment_plans("dev")["network/dev"].of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert default.inputs["tags"]["Name"] == "secgroup-default-dev"


def test_the_flow_log_key_role_and_alias_are_named_by_the_convention(dev):
    assert dev.one("aws:kms/key:Key").inputs["description"] == "VPC flow logs of vpc-dev"
    assert dev.one("aws:kms/alias:Alias").inputs["name"] == "alias/alias-kms-network-dev"
    assert dev.one("aws:iam/role:Role").inputs["name"] == "role-vpc-flow-logs-dev"


def test_every_network_resource_is_a_child_of_the_network_component(dev):
    # A child's URN holds its parent's type: a resource moved out of the component would be a new URN, so `up`
    # would delete it (the VPC, or the key and with it the logs it encrypts) and create another.
    [component] = dev.of_type("trading:network:Network")
    assert dev.resources and all(r.parent == component.urn for r in dev.resources)


def test_options_given_to_the_component_reach_it_and_its_children():
    # A caller's options (protect, aliases after a move, a provider) would otherwise be dropped without a word.
    def program():
        settings = load_network_settings(pulumi_config_source())
        Network("network", NetworkArgs(settings=settings, context=AwsContext.lookup()),
                opts=pulumi.ResourceOptions(protect=True))

    stack = Stack(run_stack(StackId("network", "dev"), {}, load_stack_config(StackId("network", "dev")), program))
    assert stack.one("trading:network:Network").protect is True
    assert stack.resources and all(r.protect is True for r in stack.resources)


def test_the_component_registers_the_vpc_subnets_and_flow_log_group_as_outputs(dev):
    subnets = {tier: [s.id for s in dev.of_type(SUBNET) if s.inputs["tags"]["Tier"] == tier]
               for tier in ("private", "public")}
    assert dev.one("trading:network:Network").outputs == {
        "vpcId": dev.one("aws:ec2/vpc:Vpc").id, "privateSubnetIds": subnets["private"],
        "publicSubnetIds": subnets["public"], "flowLogGroupName": "log-vpc-flow-dev"}


def test_the_internet_gateway_is_the_vpcs_and_named_by_the_convention(dev):
    igw = dev.one("aws:ec2/internetGateway:InternetGateway")
    assert igw.inputs["vpcId"] == dev.one("aws:ec2/vpc:Vpc").id and igw.inputs["tags"]["Name"] == "igw-dev"


def test_subnets_take_the_planned_ranges_and_names_in_az_order(dev):
    # The public /20s follow the three private /18s; logical names by tier and index are part of the URNs.
    subnets = {s.name: s.inputs for s in dev.of_type(SUBNET)}
    assert {name: (s["cidrBlock"], s["availabilityZone"], s["tags"]["Name"]) for name, s in subnets.items()} == {
        "network-public-0": ("10.10.192.0/20", "us-east-1a", "subnet-public-us-east-1a-dev"),
        "network-public-1": ("10.10.208.0/20", "us-east-1b", "subnet-public-us-east-1b-dev"),
        "network-public-2": ("10.10.224.0/20", "us-east-1c", "subnet-public-us-east-1c-dev"),
        "network-private-0": ("10.10.0.0/18", "us-east-1a", "subnet-private-us-east-1a-dev"),
        "network-private-1": ("10.10.64.0/18", "us-east-1b", "subnet-private-us-east-1b-dev"),
        "network-private-2": ("10.10.128.0/18", "us-east-1c", "subnet-private-us-east-1c-dev")}


# Every resource of network/dev by logical name (part of its URN: another name is a replacement), with the Name tag
# the console and cost reports show (None: not tagged by name).
DEV_NAMES = {
    "network-vpc": "vpc-dev", "network-default-sg": "secgroup-default-dev", "network-igw": "igw-dev",
    **{f"network-{tier}-{i}": f"subnet-{tier}-us-east-1{az}-dev" for tier in ("public", "private")
       for i, az in enumerate("abc")},
    "network-public-rt": "rtb-public-dev",
    **{f"network-private-rt-{i}": f"rtb-private-us-east-1{az}-dev" for i, az in enumerate("abc")},
    "network-nat-eip-0": "eip-nat-us-east-1a-dev", "network-nat-0": "nat-us-east-1a-dev",
    "network-endpoints-sg": "secgroup-endpoints-dev",
    "network-gw-s3": "vpce-s3-dev", "network-gw-dynamodb": "vpce-dynamodb-dev",
    **{f"network-if-{e}": f"vpce-{e}-dev" for e in ("ecr-api", "ecr-dkr", "logs", "secretsmanager")},
    "network-flow-log": "flow-log-vpc-vpc-dev",
    **dict.fromkeys(("network-flow-logs-key", "network-flow-logs-key-alias", "network-flow-logs",
                     "network-flow-logs-role", "network-flow-logs-write", "network-public-default",
                     *(f"network-{tier}-rta-{i}" for tier in ("public", "private") for i in range(3)),
                     *(f"network-private-default-{i}" for i in range(3)))),
}


def test_every_resource_keeps_its_logical_name_and_name_tag(dev):
    assert {r.name: r.inputs.get("tags", {}).get("Name") for r in dev.resources} == DEV_NAMES


def test_the_public_route_table_sends_everything_else_to_the_internet_gateway(dev):
    [public_default] = [r for r in dev.of_type(ROUTE) if "gatewayId" in r.inputs]
    assert public_default.inputs["destinationCidrBlock"] == "0.0.0.0/0"
    assert public_default.inputs["routeTableId"] == dev.one("aws:ec2/routeTable:RouteTable", "network-public-rt").id


def test_the_endpoint_group_is_in_the_vpc_and_says_whom_it_admits(dev):
    group = dev.one("aws:ec2/securityGroup:SecurityGroup").inputs
    assert group["vpcId"] == dev.one("aws:ec2/vpc:Vpc").id
    assert group["description"] == "Interface VPC endpoints: HTTPS from the task and function groups only"


def test_the_nat_gateway_is_public_on_its_own_address_and_both_wait_for_the_internet_gateway(dev):
    nat, eip = dev.one(NAT), dev.one("aws:ec2/eip:Eip")
    assert nat.inputs["allocationId"] == eip.id and nat.inputs["connectivityType"] == "public"
    # The provider documents it: an EIP may need the internet gateway to exist first (so may its NAT gateway).
    igw = dev.one("aws:ec2/internetGateway:InternetGateway")
    assert igw.urn in eip.dependencies and igw.urn in nat.dependencies
