"""Registry stack: one ECR repository per catalog service for one environment."""

from shared.components.context import AwsContext
from shared.components.registry import Registry, RegistryArgs
from shared.settings.pulumi_source import pulumi_config_source
from shared.settings.registry import load_registry_settings
from shared.stackio import export_outputs
from shared.tagging import register_tagging

settings = load_registry_settings(pulumi_config_source())
register_tagging(settings.common)
registry = Registry("registry", RegistryArgs(settings=settings, context=AwsContext.lookup()))

export_outputs("registry", registry.exports)
