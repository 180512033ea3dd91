"""The deployment context's ARNs and the options of a resource with a fixed physical name, without a program.
(The key every project builds with `customer_managed_key` is checked in the network's and registry's plans.)"""
from __future__ import annotations

import asyncio

import pulumi

from shared.components.context import AwsContext, named_opts


def arn(service: str, resource: str, **kwargs) -> str:
    """`AwsContext.arn` of a China-partition context, resolved (the values differ from every default)."""
    async def resolve() -> str:
        context = AwsContext(account_id=pulumi.Output.from_input("123456789012"),
                             partition=pulumi.Output.from_input("aws-cn"),
                             region=pulumi.Output.from_input("cn-north-1"))
        value = await context.arn(service, resource, **kwargs).future()
        assert value is not None  # known: every input is
        return value

    return asyncio.run(resolve())


def test_a_regional_arn_names_partition_region_and_account():
    assert arn("logs", "log-group:log-x-dev") == "arn:aws-cn:logs:cn-north-1:123456789012:log-group:log-x-dev"


def test_a_global_arn_leaves_the_region_empty():
    # IAM ARNs carry no region: `arn:aws:iam:us-east-1:...` matches no role.
    assert arn("iam", "role/role-x-dev", regional=False) == "arn:aws-cn:iam::123456789012:role/role-x-dev"


def test_named_options_keep_the_parent_and_every_other_option():
    parent = object()  # stands for the component: the options only carry it
    timeouts = pulumi.CustomTimeouts(create="45m")
    options = named_opts("svc", parent, ignore_changes=["desiredCount"], custom_timeouts=timeouts)  # type: ignore[arg-type]
    assert options.parent is parent
    assert options.ignore_changes == ["desiredCount"] and options.custom_timeouts is timeouts


def test_only_a_name_that_would_clash_is_freed_before_its_replacement():
    # A log group's name is its identity: the new one cannot exist beside the old. A security group takes a
    # name prefix and a VPC only a Name tag, so their replacements never clash and keep create-before-delete.
    assert named_opts("log", None).delete_before_replace is True  # type: ignore[arg-type]
    assert named_opts("secgroup", None).delete_before_replace is False  # type: ignore[arg-type]
    assert named_opts("vpc", None).delete_before_replace is False  # type: ignore[arg-type]
