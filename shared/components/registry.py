"""One private ECR repository per catalog service, encrypted with a key of this project.

Repositories follow the catalog: a service added there gets its repository on the next `up`, with no change
here. `force_delete` lets `destroy` remove repositories that still hold images (nothing here is retained).
"""
from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared import resource_policies
from shared.catalog import SERVICES, Service, validate_catalog
from shared.components import component_type
from shared.components.context import AwsContext, customer_managed_key, named_opts
from shared.naming import physical_name
from shared.settings.registry import RegistrySettings


@dataclass(frozen=True)
class RegistryArgs:
    """Inputs of the registry.

    settings: validated lifecycle settings (shared.settings.registry).
    context: account, partition and region lookups.
    services: the catalog; defaults to `shared.catalog.SERVICES` (tests inject another).
    """

    settings: RegistrySettings
    context: AwsContext
    services: tuple[Service, ...] = SERVICES


class Registry(pulumi.ComponentResource):
    key: aws.kms.Key
    repositories: dict[str, aws.ecr.Repository]
    exports: dict[str, pulumi.Input]

    def __init__(self, name: str, args: RegistryArgs, opts: pulumi.ResourceOptions | None = None):
        services = validate_catalog(args.services)
        settings = args.settings
        suffix = settings.common.environment_suffix
        names = {s.name: physical_name("ecr", suffix, s.name) for s in services}
        alias = physical_name("alias", suffix, "kms-registry")
        super().__init__(component_type("registry", "Registry"), name, None, opts)
        ctx = args.context

        self.key = customer_managed_key(
            name, self, description=f"ECR repositories of environment {suffix}", alias=alias,
            policy=pulumi.Output.all(ctx.partition, ctx.account_id).apply(
                lambda p: resource_policies.registry_key_policy(p[0], p[1])))

        lifecycle = resource_policies.ecr_lifecycle_policy(
            settings.image_expiry_days, settings.release_images_kept, settings.release_tag_patterns)
        self.repositories = {}
        for service in services:
            repository = aws.ecr.Repository(
                f"{name}-{service.name}", name=names[service.name],
                # Immutable tags: a release tag always means the same image, so a rollback is exact.
                image_tag_mutability="IMMUTABLE",
                image_scanning_configuration={"scan_on_push": True},
                encryption_configurations=[{"encryption_type": "KMS", "kms_key": self.key.arn}],
                force_delete=True,
                tags={"Name": names[service.name], "Service": service.name},
                opts=named_opts("ecr", self))
            aws.ecr.LifecyclePolicy(f"{name}-{service.name}-lifecycle", repository=repository.name, policy=lifecycle,
                                    opts=pulumi.ResourceOptions(parent=self))
            self.repositories[service.name] = repository

        # Exactly the registry's contract (shared.contracts.REGISTRY), exported by the project as is.
        self.exports = {
            "repositoryUrls": {s: r.repository_url for s, r in self.repositories.items()},
            "repositoryArns": {s: r.arn for s, r in self.repositories.items()},
            "kmsKeyArn": self.key.arn,
        }
        self.register_outputs(self.exports)
