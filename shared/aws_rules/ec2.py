"""Argument rules of the ec2 resources this repository creates (see shared/aws_rules/model.py).

VPC, subnet, security groups and their `aws:vpc/*` rules, route tables, routes, associations, internet gateway,
VPC endpoints, Elastic IPs, NAT gateways and flow logs: the terraform-provider-aws validators (messages as the
provider prints them) and the EC2 API constraints the provider leaves to AWS (netmask sizes, the characters of
group names and rule descriptions, which endpoint type takes which argument).
"""
from __future__ import annotations

import ipaddress
import re
from typing import Any

from shared.aws_rules.model import (
    Check,
    ConflictsWith,
    ExactlyOneOf,
    Length,
    NotPrefix,
    OneOf,
    Pattern,
    Range,
    ResourceRules,
    Rule,
)

_TF = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/ec2/"
VPC_SOURCE = _TF + "vpc_.go"
SUBNET_SOURCE = _TF + "vpc_subnet.go"
SG_SOURCE = _TF + "vpc_security_group.go"
DEFAULT_SG_SOURCE = _TF + "vpc_default_security_group.go"
SG_RULE_SOURCE = _TF + "vpc_security_group_ingress_rule.go"  # egress shares securityGroupRuleResource
ROUTE_TABLE_SOURCE = _TF + "vpc_route_table.go"
ROUTE_SOURCE = _TF + "vpc_route.go"
RTA_SOURCE = _TF + "vpc_route_table_association.go"
IGW_SOURCE = _TF + "vpc_internet_gateway.go"
ENDPOINT_SOURCE = _TF + "vpc_endpoint.go"
EIP_SOURCE = _TF + "ec2_eip.go"
NAT_SOURCE = _TF + "vpc_nat_gateway.go"
FLOW_LOG_SOURCE = _TF + "vpc_flow_log.go"
VALIDATE_SOURCE = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/verify/validate.go"

_API = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/"
API_CREATE_VPC = _API + "API_CreateVpc.html"
API_CREATE_SUBNET = _API + "API_CreateSubnet.html"
API_CREATE_SG = _API + "API_CreateSecurityGroup.html"
API_IP_RANGE = _API + "API_IpRange.html"
API_IP_PERMISSION = _API + "API_IpPermission.html"
API_CREATE_VPC_ENDPOINT = _API + "API_CreateVpcEndpoint.html"
API_CREATE_NAT = _API + "API_CreateNatGateway.html"
API_CREATE_FLOW_LOGS = _API + "API_CreateFlowLogs.html"

NAMING_FIX = "shared/naming.py"


# --- value checks shared by several rules -------------------------------------------------------------------

def ipv4_cidr_problem(value: Any) -> str | None:
    """verify.ValidIPv4CIDRNetworkAddress: an IPv4 CIDR whose address is the network address."""
    if not isinstance(value, str):
        return f"must be a string, not {type(value).__name__}"
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return f"{value!r} is not a valid CIDR block"
    if network.version != 4 or "/" not in value:
        return f"{value!r} is not a valid IPv4 CIDR block"
    if str(network) != value:
        return f"{value!r} is not a valid IPv4 CIDR block; did you mean {str(network)!r}?"
    return None


def _netmask_between(low: int, high: int):
    def test(value: Any) -> str | None:
        if ipv4_cidr_problem(value) is not None:
            return None  # the CIDR rule reports it
        prefix = int(value.split("/")[1])
        if low <= prefix <= high:
            return None
        return f"{value!r} has netmask /{prefix}; the allowed block size is between a /{low} and a /{high} netmask"
    return test


_ARN = re.compile(r"arn:(aws(?:-[a-z]+)*):([a-z0-9-]+):([a-z]{2}(?:-[a-z]+)+-\d{1,2})?:"
                  r"(\d{12}|aws|aws-managed|third-party|aws-marketplace)?:(.+)")


def arn_problem(value: Any) -> str | None:
    """verify.ValidARN: arn:partition:service:region:account:resource."""
    if not isinstance(value, str) or _ARN.fullmatch(value) is None:
        return f"{value!r} is an invalid ARN"
    return None


# EC2 group names and rule descriptions in a VPC: a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*
_EC2_TEXT = r"[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]*"
_EC2_TEXT_MEANING = "only a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*"


def _set(obj: dict, key: str) -> bool:
    value = obj.get(key)
    return value is not None and value != [] and value != {} and value != ""


# --- VPC --------------------------------------------------------------------------------------------------

VPC = ResourceRules(
    type="aws:ec2/vpc:Vpc",
    source=VPC_SOURCE,
    forces_replacement=frozenset({"cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength", "ipv6IpamPoolId",
                                  "ipv6NetmaskLength"}),
    rules=(
        Rule(id="ec2.vpc.cidr-block.network-address", argument="cidrBlock",
             constraint=Check(ipv4_cidr_problem, "an IPv4 CIDR block in canonical network form"),
             message='"cidr_block" is not a valid IPv4 CIDR network address',
             source=VALIDATE_SOURCE,
             fix="give the VPC CIDR as its network address (10.10.0.0/16, not 10.10.1.0/16) in the network "
                 "stack config",
             ok=("10.10.0.0/16", "10.20.0.0/16"), bad=("10.10.1.0/16", "10.10.0.0", "fd00::/56", "ten", 16.0)),
        Rule(id="ec2.vpc.cidr-block.netmask", argument="cidrBlock",
             constraint=Check(_netmask_between(16, 28), "a netmask between /16 and /28"),
             message="The allowed block size is between a /16 netmask (65,536 IP addresses) and /28 netmask "
                     "(16 IP addresses).",
             source=API_CREATE_VPC,
             fix="choose a VPC CIDR between /16 and /28 (network stack config vpcCidr)",
             ok=("10.0.0.0/16", "10.0.0.0/28"), bad=("10.0.0.0/15", "10.0.0.0/29")),
        Rule(id="ec2.vpc.cidr-block.conflicts", argument="",
             constraint=ConflictsWith(("cidrBlock", "ipv4NetmaskLength")),
             message='"cidr_block": conflicts with ipv4_netmask_length',
             source=VPC_SOURCE, fix="set either cidrBlock or ipv4NetmaskLength (with an IPAM pool), not both",
             ok=({"cidrBlock": "10.0.0.0/16"}, {"ipv4NetmaskLength": 16.0}),
             bad=({"cidrBlock": "10.0.0.0/16", "ipv4NetmaskLength": 16.0},)),
    ),
)

SUBNET = ResourceRules(
    type="aws:ec2/subnet:Subnet",
    source=SUBNET_SOURCE,
    forces_replacement=frozenset({"availabilityZone", "availabilityZoneId", "cidrBlock", "vpcId", "ipv6Native",
                                  "outpostArn"}),
    rules=(
        Rule(id="ec2.subnet.cidr-block.network-address", argument="cidrBlock",
             constraint=Check(ipv4_cidr_problem, "an IPv4 CIDR block in canonical network form"),
             message='"cidr_block" is not a valid IPv4 CIDR network address',
             source=VALIDATE_SOURCE, fix="give each subnet CIDR as its network address (shared/network subnet plan)",
             ok=("10.10.192.0/20", "10.10.0.0/18"), bad=("10.10.193.0/20", "10.10.0.0/33")),
        Rule(id="ec2.subnet.cidr-block.netmask", argument="cidrBlock",
             constraint=Check(_netmask_between(16, 28), "a netmask between /16 and /28"),
             message="The allowed block size is between a /16 netmask (65,536 IP addresses) and /28 netmask "
                     "(16 IP addresses).",
             source=API_CREATE_SUBNET, fix="size subnets between /16 and /28",
             ok=("10.0.0.0/16", "10.0.0.0/28"), bad=("10.0.0.0/15", "10.0.0.0/29")),
        Rule(id="ec2.subnet.availability-zone.conflicts", argument="",
             constraint=ConflictsWith(("availabilityZone", "availabilityZoneId")),
             message='"availability_zone": conflicts with availability_zone_id',
             source=SUBNET_SOURCE, fix="name the zone once: availabilityZone or availabilityZoneId",
             ok=({"availabilityZone": "us-east-1a"}, {"availabilityZoneId": "use1-az1"}),
             bad=({"availabilityZone": "us-east-1a", "availabilityZoneId": "use1-az1"},)),
    ),
)

# --- security groups --------------------------------------------------------------------------------------

SECURITY_GROUP = ResourceRules(
    type="aws:ec2/securityGroup:SecurityGroup",
    source=SG_SOURCE,
    forces_replacement=frozenset({"name", "namePrefix", "description", "vpcId"}),
    rules=(
        Rule(id="ec2.security-group.name.reserved", argument="name", constraint=NotPrefix(("sg-",)),
             message="cannot begin with sg-", source=SG_SOURCE,
             fix=f"start the group name with something other than 'sg-' ({NAMING_FIX})",
             ok=("secgroup-alb-dev",), bad=("sg-alb-dev",)),
        Rule(id="ec2.security-group.name.length", argument="name", constraint=Length(0, 255),
             message='expected length of name to be in the range (0 - 255)', source=SG_SOURCE,
             fix=f"shorten the group name to 255 characters ({NAMING_FIX})",
             ok=("a" * 255, ""), bad=("a" * 256,)),
        Rule(id="ec2.security-group.name.characters", argument="name",
             constraint=Pattern(_EC2_TEXT, _EC2_TEXT_MEANING),
             message="Constraints for EC2-VPC: a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*",
             source=API_CREATE_SG, fix=f"use only letters, digits, spaces and ._-:/()#,@[]+=&;{{}}!$* ({NAMING_FIX})",
             ok=("secgroup-alb-dev",), bad=("secgroup-älb",)),
        Rule(id="ec2.security-group.name-prefix.reserved", argument="namePrefix", constraint=NotPrefix(("sg-",)),
             message="cannot begin with sg-", source=SG_SOURCE,
             fix=f"start the name prefix with something other than 'sg-' ({NAMING_FIX})",
             ok=("secgroup-alb-dev-",), bad=("sg-alb-dev-",)),
        Rule(id="ec2.security-group.name-prefix.length", argument="namePrefix", constraint=Length(0, 229),
             message="expected length of name_prefix to be in the range (0 - 229)", source=SG_SOURCE,
             fix=f"shorten the name prefix to 229 characters: the provider appends a 26-character suffix "
                 f"({NAMING_FIX})",
             ok=("a" * 229,), bad=("a" * 230,)),
        Rule(id="ec2.security-group.name-prefix.characters", argument="namePrefix",
             constraint=Pattern(_EC2_TEXT, _EC2_TEXT_MEANING),
             message="Constraints for EC2-VPC: a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*",
             source=API_CREATE_SG, fix=f"use only letters, digits, spaces and ._-:/()#,@[]+=&;{{}}!$* ({NAMING_FIX})",
             ok=("secgroup-alb-dev-",), bad=("secgroup|alb-",)),
        Rule(id="ec2.security-group.name.conflicts", argument="", constraint=ConflictsWith(("name", "namePrefix")),
             message='"name": conflicts with name_prefix', source=SG_SOURCE,
             fix="set name or namePrefix, not both",
             ok=({"namePrefix": "secgroup-alb-dev-"}, {"name": "secgroup-alb-dev"}),
             bad=({"name": "secgroup-alb-dev", "namePrefix": "secgroup-alb-dev-"},)),
        Rule(id="ec2.security-group.description.length", argument="description", constraint=Length(0, 255),
             message="expected length of description to be in the range (0 - 255)", source=SG_SOURCE,
             fix="shorten the security group description to 255 characters",
             ok=("d" * 255, ""), bad=("d" * 256,)),
        Rule(id="ec2.security-group.description.characters", argument="description",
             constraint=Pattern(_EC2_TEXT, _EC2_TEXT_MEANING),
             message="Constraints for EC2-VPC: a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*",
             source=API_CREATE_SG, fix="use only ASCII letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*",
             ok=("Interface VPC endpoints: HTTPS from inside the VPC only",),
             bad=("Tasks of service frontend — public",)),
    ),
)

DEFAULT_SECURITY_GROUP = ResourceRules(
    type="aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    source=DEFAULT_SG_SOURCE,
    forces_replacement=frozenset({"vpcId"}),
    rules=(),  # vpcId and tags carry no validator; ingress/egress are not set (the group is emptied)
)


def _sg_rule_rules(kind: str) -> tuple[Rule, ...]:
    return (
        Rule(id=f"vpc.security-group-{kind}-rule.target.exactly-one", argument="",
             constraint=ExactlyOneOf(("cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId")),
             message="Exactly one of these attributes must be configured: "
                     "[cidr_ipv4,cidr_ipv6,prefix_list_id,referenced_security_group_id]",
             source=SG_RULE_SOURCE, fix="give the rule exactly one peer: a CIDR, a prefix list or a security group",
             ok=({"cidrIpv4": "10.0.0.0/16"}, {"referencedSecurityGroupId": "sg-0123456789abcdef0"}),
             bad=({}, {"cidrIpv4": "0.0.0.0/0", "referencedSecurityGroupId": "sg-0123456789abcdef0"})),
        Rule(id=f"vpc.security-group-{kind}-rule.cidr-ipv4.network-address", argument="cidrIpv4",
             constraint=Check(ipv4_cidr_problem, "an IPv4 CIDR block in canonical network form"),
             message='Attribute cidr_ipv4 value must be a valid IPv4 CIDR network address',
             source=SG_RULE_SOURCE, fix="write the peer CIDR as a network address (10.10.0.0/16)",
             ok=("0.0.0.0/0", "10.10.0.0/16"), bad=("10.10.0.1/16", "10.10.0.0")),
        Rule(id=f"vpc.security-group-{kind}-rule.from-port.range", argument="fromPort", constraint=Range(-1, 65535),
             message="Attribute from_port value must be between -1 and 65535", source=SG_RULE_SOURCE,
             fix="use a port from 0 to 65535 (-1 for all ICMP types)",
             ok=(-1.0, 65535.0, 443.0), bad=(-2.0, 65536.0)),
        Rule(id=f"vpc.security-group-{kind}-rule.to-port.range", argument="toPort", constraint=Range(-1, 65535),
             message="Attribute to_port value must be between -1 and 65535", source=SG_RULE_SOURCE,
             fix="use a port from 0 to 65535 (-1 for all ICMP codes)",
             ok=(-1.0, 65535.0, 443.0), bad=(-2.0, 65536.0)),
        Rule(id=f"vpc.security-group-{kind}-rule.ports.order", argument="",
             constraint=Check(_ports_in_order, "fromPort <= toPort for tcp and udp; both set"),
             message="Invalid value for portRange. Must specify both from and to ports with TCP/UDP.",
             source=API_IP_PERMISSION, fix="set fromPort and toPort, with fromPort not above toPort",
             ok=({"ipProtocol": "tcp", "fromPort": 443.0, "toPort": 443.0}, {"ipProtocol": "-1"}),
             bad=({"ipProtocol": "tcp", "fromPort": 8082.0, "toPort": 8080.0},
                  {"ipProtocol": "udp", "fromPort": 53.0})),
        Rule(id=f"vpc.security-group-{kind}-rule.description.length", argument="description",
             constraint=Length(0, 255),
             message="Constraints: Up to 255 characters in length.", source=API_IP_RANGE,
             fix="shorten the rule description to 255 characters (shared/network policy descriptions)",
             ok=("d" * 255,), bad=("d" * 256,)),
        Rule(id=f"vpc.security-group-{kind}-rule.description.characters", argument="description",
             constraint=Pattern(_EC2_TEXT, _EC2_TEXT_MEANING),
             message="Allowed characters are a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*",
             source=API_IP_RANGE, fix="use only ASCII letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*",
             ok=("from alb: public route /*", "AWS APIs via NAT or VPC endpoints; trading venues"),
             bad=("from alb → frontend", "quote \"x\"")),
    )


def _ports_in_order(value: Any) -> str | None:
    if not isinstance(value, dict) or str(value.get("ipProtocol", "")).lower() not in ("tcp", "udp", "6", "17"):
        return None
    low, high = value.get("fromPort"), value.get("toPort")
    if low is None or high is None:
        return "tcp and udp rules need both fromPort and toPort"
    if low > high:
        return f"fromPort {int(low)} is above toPort {int(high)}"
    return None


SG_INGRESS_RULE = ResourceRules(
    type="aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    source=SG_RULE_SOURCE,
    forces_replacement=frozenset({"securityGroupId"}),
    rules=_sg_rule_rules("ingress"),
)

SG_EGRESS_RULE = ResourceRules(
    type="aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    source=_TF + "vpc_security_group_egress_rule.go",
    forces_replacement=frozenset({"securityGroupId"}),
    rules=_sg_rule_rules("egress"),
)

# --- routing ----------------------------------------------------------------------------------------------

ROUTE_TABLE = ResourceRules(
    type="aws:ec2/routeTable:RouteTable",
    source=ROUTE_TABLE_SOURCE,
    forces_replacement=frozenset({"vpcId"}),
    rules=(),  # vpcId and tags carry no validator; inline routes are not used (aws:ec2/route:Route instead)
)

_ROUTE_TARGETS = ("carrierGatewayId", "coreNetworkArn", "egressOnlyGatewayId", "gatewayId", "localGatewayId",
                  "natGatewayId", "networkInterfaceId", "transitGatewayId", "vpcEndpointId",
                  "vpcPeeringConnectionId")

ROUTE = ResourceRules(
    type="aws:ec2/route:Route",
    source=ROUTE_SOURCE,
    forces_replacement=frozenset({"routeTableId", "destinationCidrBlock", "destinationIpv6CidrBlock",
                                  "destinationPrefixListId"}),
    rules=(
        Rule(id="ec2.route.destination.exactly-one", argument="",
             constraint=ExactlyOneOf(("destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId")),
             message='"destination_cidr_block": one of `destination_cidr_block,destination_ipv6_cidr_block,'
                     'destination_prefix_list_id` must be specified',
             source=ROUTE_SOURCE, fix="give the route exactly one destination",
             ok=({"destinationCidrBlock": "0.0.0.0/0"},),
             bad=({}, {"destinationCidrBlock": "0.0.0.0/0", "destinationPrefixListId": "pl-12345678"})),
        Rule(id="ec2.route.target.exactly-one", argument="", constraint=ExactlyOneOf(_ROUTE_TARGETS),
             message='"gateway_id": one of `carrier_gateway_id,core_network_arn,egress_only_gateway_id,gateway_id,'
                     'local_gateway_id,nat_gateway_id,network_interface_id,transit_gateway_id,vpc_endpoint_id,'
                     'vpc_peering_connection_id` must be specified',
             source=ROUTE_SOURCE, fix="give the route exactly one target (internet gateway or NAT gateway here)",
             ok=({"gatewayId": "igw-0123456789abcdef0"}, {"natGatewayId": "nat-0123456789abcdef0"}),
             bad=({}, {"gatewayId": "igw-0123456789abcdef0", "natGatewayId": "nat-0123456789abcdef0"})),
        Rule(id="ec2.route.destination-cidr-block.network-address", argument="destinationCidrBlock",
             constraint=Check(ipv4_cidr_problem, "an IPv4 CIDR block in canonical network form"),
             message='"destination_cidr_block" is not a valid IPv4 CIDR network address',
             source=VALIDATE_SOURCE, fix="write the destination as a network CIDR (0.0.0.0/0)",
             ok=("0.0.0.0/0", "10.0.0.0/8"), bad=("0.0.0.1/0", "default")),
    ),
)

ROUTE_TABLE_ASSOCIATION = ResourceRules(
    type="aws:ec2/routeTableAssociation:RouteTableAssociation",
    source=RTA_SOURCE,
    forces_replacement=frozenset({"subnetId", "gatewayId"}),
    rules=(
        Rule(id="ec2.route-table-association.target.exactly-one", argument="",
             constraint=ExactlyOneOf(("subnetId", "gatewayId")),
             message='"subnet_id": one of `gateway_id,subnet_id` must be specified',
             source=RTA_SOURCE, fix="associate the route table with exactly one subnet or gateway",
             ok=({"subnetId": "subnet-0123456789abcdef0", "routeTableId": "rtb-0123456789abcdef0"},),
             bad=({"routeTableId": "rtb-0123456789abcdef0"},
                  {"subnetId": "subnet-0123456789abcdef0", "gatewayId": "igw-0123456789abcdef0"})),
    ),
)

INTERNET_GATEWAY = ResourceRules(
    type="aws:ec2/internetGateway:InternetGateway",
    source=IGW_SOURCE,
    forces_replacement=frozenset(),  # vpcId attaches/detaches in place
    rules=(),  # vpcId and tags carry no validator
)

# --- endpoints, addresses, NAT, flow logs -----------------------------------------------------------------


def _endpoint_arguments(value: dict) -> str | None:
    kind = value.get("vpcEndpointType") or "Gateway"
    if kind == "Gateway":
        wrong = [k for k in ("subnetIds", "securityGroupIds") if _set(value, k)]
        if value.get("privateDnsEnabled") is True:
            wrong.append("privateDnsEnabled")
        if wrong:
            return f"a Gateway endpoint takes routeTableIds only; remove {', '.join(wrong)}"
    elif kind == "Interface" and _set(value, "routeTableIds"):
        return "an Interface endpoint takes subnetIds and securityGroupIds, not routeTableIds"
    return None


VPC_ENDPOINT = ResourceRules(
    type="aws:ec2/vpcEndpoint:VpcEndpoint",
    source=ENDPOINT_SOURCE,
    forces_replacement=frozenset({"serviceName", "vpcEndpointType", "vpcId", "serviceRegion",
                                  "resourceConfigurationArn", "serviceNetworkArn"}),
    rules=(
        Rule(id="ec2.vpc-endpoint.type.enum", argument="vpcEndpointType",
             constraint=OneOf(("Interface", "Gateway", "GatewayLoadBalancer", "Resource", "ServiceNetwork")),
             message='expected vpc_endpoint_type to be one of ["Interface" "Gateway" "GatewayLoadBalancer" '
                     '"Resource" "ServiceNetwork"]',
             source=ENDPOINT_SOURCE, fix="use Interface or Gateway (case matters)",
             ok=("Interface", "Gateway"), bad=("interface", "gateway-lb")),
        Rule(id="ec2.vpc-endpoint.type.arguments", argument="",
             constraint=Check(_endpoint_arguments, "Gateway endpoints take route tables; Interface endpoints "
                                                   "take subnets and security groups"),
             message="RouteTableIds: (Gateway endpoint) ...; SubnetIds, SecurityGroupIds, PrivateDnsEnabled: "
                     "(Interface endpoint) ...",
             source=API_CREATE_VPC_ENDPOINT,
             fix="give Gateway endpoints (s3, dynamodb) routeTableIds and Interface endpoints subnetIds and "
                 "securityGroupIds",
             ok=({"vpcEndpointType": "Gateway", "routeTableIds": ["rtb-1"]},
                 {"vpcEndpointType": "Interface", "subnetIds": ["subnet-1"], "securityGroupIds": ["sg-1"],
                  "privateDnsEnabled": True}),
             bad=({"vpcEndpointType": "Gateway", "subnetIds": ["subnet-1"]},
                  {"routeTableIds": ["rtb-1"], "privateDnsEnabled": True},
                  {"vpcEndpointType": "Interface", "routeTableIds": ["rtb-1"]})),
    ),
)

EIP = ResourceRules(
    type="aws:ec2/eip:Eip",
    source=EIP_SOURCE,
    forces_replacement=frozenset({"domain", "address", "customerOwnedIpv4Pool", "ipamPoolId",
                                  "networkBorderGroup", "publicIpv4Pool"}),
    rules=(
        Rule(id="ec2.eip.domain.enum", argument="domain", constraint=OneOf(("vpc", "standard")),
             message='expected domain to be one of ["vpc" "standard"]', source=EIP_SOURCE,
             fix="use domain='vpc' (pulumi-aws v7 removed vpc=True)",
             ok=("vpc",), bad=("VPC", "true")),
    ),
)


def _nat_allocation(value: dict) -> str | None:
    kind = value.get("connectivityType") or "public"
    regional = value.get("availabilityMode") == "regional"
    if kind == "private" and _set(value, "allocationId"):
        return 'allocation_id is not supported with connectivity_type = "private"'
    if kind == "public" and not regional and not _set(value, "allocationId"):
        return "a public zonal NAT gateway needs allocationId (an Elastic IP)"
    return None


NAT_GATEWAY = ResourceRules(
    type="aws:ec2/natGateway:NatGateway",
    source=NAT_SOURCE,
    forces_replacement=frozenset({"allocationId", "connectivityType", "subnetId", "privateIp",
                                  "availabilityMode", "vpcId"}),
    rules=(
        Rule(id="ec2.nat-gateway.connectivity-type.enum", argument="connectivityType",
             constraint=OneOf(("private", "public")),
             message='expected connectivity_type to be one of ["private" "public"]', source=NAT_SOURCE,
             fix="use connectivityType 'public' or 'private'",
             ok=("public", "private"), bad=("Public", "internet")),
        Rule(id="ec2.nat-gateway.allocation-id.connectivity", argument="",
             constraint=Check(_nat_allocation, "public zonal NAT needs an EIP; private NAT takes none"),
             message='allocation_id is not supported with connectivity_type = "private"; [Public NAT gateways '
                     'only] The allocation ID of an Elastic IP address to associate with the NAT gateway.',
             source=API_CREATE_NAT,
             fix="give each public NAT gateway its Elastic IP (allocationId); none for a private one",
             ok=({"connectivityType": "public", "allocationId": "eipalloc-1", "subnetId": "subnet-1"},
                 {"connectivityType": "private", "subnetId": "subnet-1"}),
             bad=({"connectivityType": "public", "subnetId": "subnet-1"},
                  {"connectivityType": "private", "allocationId": "eipalloc-1", "subnetId": "subnet-1"})),
    ),
)

_LOG_GROUP_ARN = r"arn:aws(-[a-z]+)*:logs:[a-z]{2}(-[a-z]+)+-\d{1,2}:\d{12}:log-group:[\w.\-/#]{1,512}(:\*)?"


def _flow_log_destination(value: dict) -> str | None:
    kind = value.get("logDestinationType") or "cloud-watch-logs"
    if kind != "cloud-watch-logs":
        return None
    if not _set(value, "iamRoleArn"):
        return "delivery to cloud-watch-logs needs iamRoleArn (DeliverLogsPermissionArn)"
    dest = value.get("logDestination")
    if isinstance(dest, str) and re.fullmatch(_LOG_GROUP_ARN, dest) is None:
        return f"logDestination {dest!r} is not a CloudWatch Logs log group ARN"
    return None


FLOW_LOG = ResourceRules(
    type="aws:ec2/flowLog:FlowLog",
    source=FLOW_LOG_SOURCE,
    forces_replacement=frozenset({"iamRoleArn", "logDestination", "logDestinationType", "logFormat",
                                  "maxAggregationInterval", "trafficType", "vpcId", "subnetId", "eniId",
                                  "transitGatewayId", "transitGatewayAttachmentId", "destinationOptions",
                                  "deliverCrossAccountRole"}),
    rules=(
        Rule(id="ec2.flow-log.resource.exactly-one", argument="",
             constraint=ExactlyOneOf(("eniId", "subnetId", "transitGatewayAttachmentId", "transitGatewayId",
                                      "vpcId")),
             message='"vpc_id": one of `eni_id,subnet_id,transit_gateway_attachment_id,transit_gateway_id,vpc_id` '
                     'must be specified',
             source=FLOW_LOG_SOURCE, fix="attach the flow log to exactly one VPC, subnet, ENI or transit gateway",
             ok=({"vpcId": "vpc-1"},), bad=({}, {"vpcId": "vpc-1", "subnetId": "subnet-1"})),
        Rule(id="ec2.flow-log.traffic-type.enum", argument="trafficType", constraint=OneOf(("ACCEPT", "REJECT", "ALL")),
             message='expected traffic_type to be one of ["ACCEPT" "REJECT" "ALL"]', source=FLOW_LOG_SOURCE,
             fix="use ACCEPT, REJECT or ALL", ok=("ALL", "REJECT"), bad=("all", "DENY")),
        Rule(id="ec2.flow-log.log-destination-type.enum", argument="logDestinationType",
             constraint=OneOf(("cloud-watch-logs", "s3", "kinesis-data-firehose")),
             message='expected log_destination_type to be one of ["cloud-watch-logs" "s3" "kinesis-data-firehose"]',
             source=FLOW_LOG_SOURCE, fix="use cloud-watch-logs, s3 or kinesis-data-firehose",
             ok=("cloud-watch-logs", "s3"), bad=("cloudwatch", "S3")),
        Rule(id="ec2.flow-log.max-aggregation-interval.enum", argument="maxAggregationInterval",
             constraint=OneOf((60, 600)),
             message="expected max_aggregation_interval to be one of [60 600]", source=FLOW_LOG_SOURCE,
             fix="use 60 or 600 seconds", ok=(60.0, 600.0), bad=(300.0, 0.0)),
        Rule(id="ec2.flow-log.iam-role-arn.arn", argument="iamRoleArn",
             constraint=Check(arn_problem, "an ARN"),
             message='"iam_role_arn" is an invalid ARN', source=VALIDATE_SOURCE,
             fix="pass the flow-log role's ARN, not its name",
             ok=("arn:aws:iam::123456789012:role/role-vpc-flow-logs-dev",), bad=("role-vpc-flow-logs-dev",)),
        Rule(id="ec2.flow-log.log-destination.arn", argument="logDestination",
             constraint=Check(arn_problem, "an ARN"),
             message='"log_destination" is an invalid ARN', source=VALIDATE_SOURCE,
             fix="pass the destination's ARN (log group, bucket or stream), not its name",
             ok=("arn:aws:logs:us-east-1:123456789012:log-group:log-vpc-flow-dev",), bad=("log-vpc-flow-dev",)),
        Rule(id="ec2.flow-log.cloud-watch-logs.destination", argument="",
             constraint=Check(_flow_log_destination, "cloud-watch-logs needs a role and a log group ARN"),
             message="DeliverLogsPermissionArn: This parameter is required if the destination type is "
                     "cloud-watch-logs. LogDestination: If the destination type is cloud-watch-logs, specify the "
                     "ARN of a CloudWatch Logs log group.",
             source=API_CREATE_FLOW_LOGS, fix="give a cloud-watch-logs flow log a delivery role and a log group ARN",
             ok=({"logDestinationType": "cloud-watch-logs", "iamRoleArn": "arn:aws:iam::123456789012:role/r",
                  "logDestination": "arn:aws:logs:us-east-1:123456789012:log-group:log-vpc-flow-dev"},
                 {"logDestinationType": "s3", "logDestination": "arn:aws:s3:::bucket"}),
             bad=({"logDestinationType": "cloud-watch-logs",
                   "logDestination": "arn:aws:logs:us-east-1:123456789012:log-group:log-vpc-flow-dev"},
                  {"logDestinationType": "cloud-watch-logs", "iamRoleArn": "arn:aws:iam::123456789012:role/r",
                   "logDestination": "arn:aws:s3:::bucket"})),
    ),
)

RESOURCES: tuple[ResourceRules, ...] = (
    VPC, SUBNET, SECURITY_GROUP, DEFAULT_SECURITY_GROUP, SG_INGRESS_RULE, SG_EGRESS_RULE, ROUTE_TABLE, ROUTE,
    ROUTE_TABLE_ASSOCIATION, INTERNET_GATEWAY, VPC_ENDPOINT, EIP, NAT_GATEWAY, FLOW_LOG,
)
