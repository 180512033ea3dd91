"""Network stack: VPC, subnets, NAT, endpoints and flow logs for one environment."""

from shared.components.context import AwsContext
from shared.components.network import Network, NetworkArgs
from shared.settings.network import load_network_settings
from shared.settings.pulumi_source import pulumi_config_source
from shared.stackio import export_outputs
from shared.tagging import register_tagging

settings = load_network_settings(pulumi_config_source())
register_tagging(settings.common)
network = Network("network", NetworkArgs(settings=settings, context=AwsContext.lookup()))

export_outputs("network", {
    "vpcId": network.vpc.id,
    "vpcCidr": network.vpc.cidr_block,
    "availabilityZones": list(settings.availability_zones),
    "publicSubnetIds": [s.id for s in network.public_subnets],
    "privateSubnetIds": [s.id for s in network.private_subnets],
    "privateRouteTableIds": [t.id for t in network.private_route_tables],
    "natStrategy": settings.nat_strategy.value,
    "natGatewayIds": [n.id for n in network.nat_gateways],
    "endpointSecurityGroupId": network.endpoint_security_group.id,
    "interfaceEndpoints": network.interface_endpoints,
    "gatewayEndpoints": network.gateway_endpoints,
    "gatewayPrefixListIds": network.gateway_prefix_list_ids,
    "flowLogGroupName": network.flow_log_group.name,
})
