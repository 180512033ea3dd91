"""Service stack `<service>-<env>`: one catalog service's task definition, IAM, ECS service and scaling.

The catalog is read through the module attribute (not a default argument) so the stack name can select
any service the catalog holds at run time.
"""

from shared import catalog
from shared.components.context import AwsContext
from shared.components.service import ServiceUpstream, TradingService, TradingServiceArgs
from shared.settings.pulumi_source import pulumi_config_source
from shared.settings.services import load_service_settings
from shared.stackio import export_outputs
from shared.tagging import register_tagging

settings = load_service_settings(pulumi_config_source(), catalog.SERVICES)
register_tagging(settings.common)
service = TradingService(settings.service.name, TradingServiceArgs(
    settings=settings, upstream=ServiceUpstream.read(settings), context=AwsContext.lookup()))

export_outputs("services", {
    "serviceName": service.ecs_service.name,
    "serviceArn": service.ecs_service.arn,
    "taskDefinitionArn": service.task_definition.arn,
    "logGroupName": service.log_group.name,
    "discoveryName": service.discovery_name,
    "targetGroupArn": service.target_group_arn,
    "deploymentStrategy": settings.deployment_strategy,
})
