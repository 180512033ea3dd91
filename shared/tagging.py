"""Tags on every taggable resource, applied by a stack transformation so they sit in each resource's inputs.

Provider `default_tags` would be simpler, but they never reach mocks, `plan.json` or policy packs, so tag
rules could not be checked offline. The transformation runs client-side in the SDK (the real engine and the
mocks see the same inputs). Merge order, for every resource: `Name`, then the base tags, then its own.
"""
from __future__ import annotations

import pulumi

from shared.settings import CommonSettings

REQUIRED_TAGS = ("Environment", "Project", "Owner", "ManagedBy", "CostCenter")


def base_tags(common: CommonSettings) -> dict[str, str]:
    return {
        "Environment": common.environment,
        "Project": common.project,
        "Owner": common.owner_team,
        "ManagedBy": "pulumi",
        "CostCenter": common.cost_center,
    }


def merge_tags(base: dict[str, str], own: dict | None) -> dict:
    own = dict(own or {})
    name = {"Name": own.pop("Name")} if "Name" in own else {}
    return {**name, **base, **own}


def register_tagging(common: CommonSettings) -> None:
    """Add the base tags to every resource created after this call whose type accepts `tags`."""
    base = base_tags(common)

    def add_tags(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        # Generated pulumi-aws resources put every declared input in props, `tags` included when unset, so
        # the key's presence is exactly "this type is taggable".
        if "tags" not in args.props:
            return None
        props = dict(args.props)
        props["tags"] = pulumi.Output.from_input(props["tags"]).apply(lambda own: merge_tags(base, own))
        return pulumi.ResourceTransformationResult(props, args.opts)

    pulumi.runtime.register_stack_transformation(add_tags)
