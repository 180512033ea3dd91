"""Platform stack: ECS cluster, ALB, Cloud Map, network policy, KMS, secrets, data stores and alarms."""

from shared.components.context import AwsContext
from shared.components.platform import Platform, PlatformArgs
from shared.contracts import PLATFORM
from shared.settings.platform import load_platform_settings
from shared.settings.pulumi_source import pulumi_config_source
from shared.stackio import Upstream, export_outputs
from shared.tagging import register_tagging

settings = load_platform_settings(pulumi_config_source())
network = Upstream(PLATFORM, "network", settings.common.environment)
register_tagging(settings.common)
platform = Platform("platform", PlatformArgs(
    settings=settings, context=AwsContext.lookup(), vpc_id=network.get("vpcId"),
    public_subnet_ids=network.get("publicSubnetIds")))

export_outputs("platform", platform.exports)
