"""Naming and tags: physical names carry the environment suffix; taggable resources carry the required tags."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyConfigSchema, ResourceValidationArgs

from policy.rules.base import ADVISORY, BUCKET, Policy, Report, resource_policy
from shared.tagging import REQUIRED_TAGS

# Types whose names are scoped inside a parent that already carries the suffix (a role's inline policy,
# a Cloud Map service inside the environment's namespace, scaling policies of one scalable target).
NAME_SCOPED_TYPES = frozenset({"aws:iam/rolePolicy:RolePolicy", "aws:servicediscovery/service:Service",
                               "aws:appautoscaling/policy:Policy",
                               "aws:appautoscaling/scheduledAction:ScheduledAction"})
NAME_KEYS = ("name", "namePrefix", "family")
BUCKET_NAME_KEYS = ("bucket", "bucketPrefix")

SUFFIX_SCHEMA = PolicyConfigSchema(properties={"environmentSuffix": {
    "type": "string", "description": "The stack's environmentSuffix; unset falls back to the Environment tag."}})


def physical_names(resource_type: str, props: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(input, value) of every physical name a resource declares, its `Name` tag included."""
    keys = NAME_KEYS + (BUCKET_NAME_KEYS if resource_type == BUCKET else ())
    names = [(k, str(props[k])) for k in keys if props.get(k) and resource_type not in NAME_SCOPED_TYPES]
    tags = props.get("tags")
    if isinstance(tags, Mapping) and tags.get("Name"):
        names.append(("tags.Name", str(tags["Name"])))
    return names


def carries_suffix(name: str, suffix: str) -> bool:
    """`suffix` appears in `name` as a whole token (delimited by -, ., /, _ or the ends)."""
    return re.search(rf"(?<![a-z0-9]){re.escape(suffix)}(?![a-z0-9])", name) is not None


def _name_suffix(args: ResourceValidationArgs, report: Report) -> None:
    if not args.resource_type.startswith("aws:"):
        return
    tags = args.props.get("tags")
    suffix = args.get_config().get("environmentSuffix") or (tags.get("Environment") if isinstance(tags, Mapping)
                                                             else None)
    if not suffix:
        return  # neither config nor tag says which environment this is: nothing to compare against
    for key, name in physical_names(args.resource_type, args.props):
        if not carries_suffix(name, suffix):
            report(f"{key} {name!r} does not carry the environment suffix {suffix!r}; build it with "
                   f"shared.naming.physical_name")


def _required_tags(args: ResourceValidationArgs, report: Report) -> None:
    tags = args.props.get("tags")
    if "tags" not in args.props or not args.resource_type.startswith("aws:"):
        return  # untaggable: the stack transformation puts `tags` in every taggable resource's inputs
    present = tags if isinstance(tags, Mapping) else {}
    missing = [t for t in REQUIRED_TAGS if not present.get(t)]
    if missing:
        report(f"tags lack {', '.join(missing)}; call shared.tagging.register_tagging before creating "
               f"resources")


def policies() -> list[Policy]:
    return [
        resource_policy("physical-name-suffix", "Reason: copies of an environment share an account; every physical "
                        "name and Name tag carries the environment suffix (config environmentSuffix, else the "
                        "Environment tag).", _name_suffix, schema=SUFFIX_SCHEMA),
        resource_policy("required-tags", f"Reason: cost allocation and ownership; every taggable resource carries "
                        f"{', '.join(REQUIRED_TAGS)} (advisory).", _required_tags, level=ADVISORY),
    ]
