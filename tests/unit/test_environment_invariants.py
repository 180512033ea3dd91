"""Invariants over every stack of the full offline plan of each environment."""
import pytest

from shared.naming import NAME_RULES, Replacement
from shared.stacks import split_service_stack

# How each physical-name input avoids a clash when its resource is replaced (see shared/naming.py).
PREFIX_INPUTS = ("namePrefix", "bucketPrefix")


@pytest.fixture(params=["dev", "prod"])
def stacks(request, environment_plans):
    return environment_plans(request.param)


def custom_resources(stacks):
    for stack in stacks.values():
        for resource in stack.resources:
            if resource.type != "pulumi:pulumi:StackReference":
                yield stack, resource


def test_every_fixed_name_is_freed_before_its_replacement_is_created(stacks):
    checked = 0
    for _, resource in custom_resources(stacks):
        if "name" in resource.inputs:
            checked += 1
            assert resource.delete_before_replace, f"{resource.type} {resource.name} has a fixed name but would " \
                                                   f"be created before the old one is deleted (name clash)"
    assert checked > 40


def test_prefixed_and_revisioned_names_are_the_types_the_naming_rules_say(stacks):
    prefixed = {resource.type for _, resource in custom_resources(stacks)
                if any(key in resource.inputs for key in PREFIX_INPUTS)}
    assert prefixed == {"aws:ec2/securityGroup:SecurityGroup", "aws:s3/bucket:Bucket"}
    assert NAME_RULES["secgroup"].replacement is NAME_RULES["s3"].replacement is Replacement.NAME_PREFIX
    families = [r for _, r in custom_resources(stacks) if "family" in r.inputs]
    assert families and all(r.type == "aws:ecs/taskDefinition:TaskDefinition" for r in families)
    assert NAME_RULES["td"].replacement is Replacement.NEW_REVISION


# A Cloud Map service's name is a DNS label inside the environment's namespace (trading-<env>.internal), so
# `frontend.trading-dev.internal` already carries the environment; callers keep the plain service name.
SCOPED_BY_PARENT = {"aws:servicediscovery/service:Service"}


def environment_of(stack) -> str:
    """From the stack's name, not its tags, so untagged resources (aliases, scaling policies) are checked too."""
    name = stack.plan.stack.stack
    return split_service_stack(name)[1] if stack.plan.stack.project == "services" else name


def test_every_physical_name_carries_the_environment_suffix(stacks):
    checked = 0
    for stack, resource in custom_resources(stacks):
        if resource.type in SCOPED_BY_PARENT:
            continue
        environment = environment_of(stack)
        for key in ("name", "family", *PREFIX_INPUTS):
            value = resource.inputs.get(key)
            if isinstance(value, str):
                checked += 1
                assert value.rstrip("-").endswith(f"-{environment}") or f"-{environment}." in value, \
                    f"{resource.type} {key}={value!r} lacks the suffix {environment!r}"
    assert checked > 50


def test_nothing_is_protected_retained_or_deletion_protected(stacks):
    for _, resource in custom_resources(stacks):
        assert not resource.protect and not resource.retain_on_delete, resource.name
        for key in ("deletionProtection", "enableDeletionProtection", "deletionProtectionEnabled"):
            assert resource.inputs.get(key) in (None, False), f"{resource.name} sets {key}"
