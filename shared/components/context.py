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
    def lookup() -> "AwsContext":
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
