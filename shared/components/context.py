"""Account, partition and region of the deployment, looked up once per stack (mocked offline)."""
from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared.naming import NAME_RULES, Replacement


@dataclass(frozen=True)
class AwsContext:
    account_id: pulumi.Output[str]
    partition: pulumi.Output[str]
    region: pulumi.Output[str]

    @staticmethod
    def lookup() -> AwsContext:
        return AwsContext(
            account_id=aws.get_caller_identity_output().account_id,
            partition=aws.get_partition_output().partition,
            region=aws.get_region_output().region,
        )

    def arn(self, service: str, resource: str, *, regional: bool = True) -> pulumi.Output[str]:
        """`arn:<partition>:<service>:<region>:<account>:<resource>`; IAM ARNs are global (no region)."""
        return pulumi.Output.all(self.partition, self.region, self.account_id).apply(
            lambda p: f"arn:{p[0]}:{service}:{p[1] if regional else ''}:{p[2]}:{resource}")


def named_opts(resource_type: str, parent: pulumi.Resource, **extra) -> pulumi.ResourceOptions:
    """Options for a resource whose physical name is fixed: replacing it must free the name first."""
    rule = NAME_RULES[resource_type]
    return pulumi.ResourceOptions(
        parent=parent, delete_before_replace=rule.replacement is Replacement.DELETE_BEFORE_REPLACE, **extra)


KMS_DELETION_WINDOW_DAYS = 7  # the minimum AWS allows: environments are destroyed and recreated often


def customer_managed_key(name: str, parent: pulumi.Resource, *, description: str, alias: str,
                         policy: pulumi.Input[str]) -> aws.kms.Key:
    """A project's own KMS key, rotated yearly, with an alias; the same shape in every project that owns one."""
    key = aws.kms.Key(f"{name}-key", description=description, enable_key_rotation=True,
                      deletion_window_in_days=KMS_DELETION_WINDOW_DAYS, policy=policy,
                      opts=pulumi.ResourceOptions(parent=parent))
    aws.kms.Alias(f"{name}-key-alias", name=alias, target_key_id=key.key_id, opts=named_opts("alias", parent))
    return key
