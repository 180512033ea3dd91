"""Platform stack: ECS cluster, ALB, Cloud Map, network policy, KMS, secrets and their rotation, data stores and
alarms."""

import pulumi

from shared.components.context import AwsContext
from shared.components.platform import Platform, PlatformArgs
from shared.contracts import PLATFORM
from shared.netpolicy import Endpoints
from shared.settings.platform import load_platform_settings
from shared.settings.pulumi_source import pulumi_config_source
from shared.stackio import Upstream, export_outputs
from shared.tagging import register_tagging

settings = load_platform_settings(pulumi_config_source())
network = Upstream(PLATFORM, "network", settings.common.environment)
register_tagging(settings.common)
endpoints = pulumi.Output.all(network.get("interfaceEndpoints"), network.get("gatewayEndpoints")).apply(
    lambda lists: Endpoints(interface=tuple(lists[0]), gateway=tuple(lists[1])))
platform = Platform("platform", PlatformArgs(
    settings=settings, context=AwsContext.lookup(), vpc_id=network.get("vpcId"),
    public_subnet_ids=network.get("publicSubnetIds"), private_subnet_ids=network.get("privateSubnetIds"),
    endpoints=endpoints, endpoint_security_group_id=network.get("endpointSecurityGroupId"),
    prefix_list_ids=network.get("gatewayPrefixListIds")))

export_outputs("platform", platform.exports)
