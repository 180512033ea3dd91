"""Lifecycle: every stack is destroyable: nothing protected, retained, skipped or deletion-protected, and
containers of images or objects empty themselves on destroy."""
from __future__ import annotations

from pulumi_policy import ResourceValidationArgs

from policy.inputs import is_true
from policy.rules.base import (
    BUCKET,
    ECR_REPOSITORY,
    LOAD_BALANCERS,
    LOG_GROUP,
    TABLE,
    TASK_DEFINITION,
    Policy,
    Report,
    resource_policy,
)

# Inputs that switch on deletion protection, by type: the stacks must stay destroyable.
DELETION_PROTECTION = {
    **dict.fromkeys(LOAD_BALANCERS, "enableDeletionProtection"),
    TABLE: "deletionProtectionEnabled",
    LOG_GROUP: "deletionProtectionEnabled",
    "aws:rds/instance:Instance": "deletionProtection",
    "aws:rds/cluster:Cluster": "deletionProtection",
}
# Inputs that must be true so `destroy` can delete a container that still holds objects or images.
MUST_EMPTY_ON_DESTROY = {ECR_REPOSITORY: "forceDelete", BUCKET: "forceDestroy"}
# Inputs that keep the cloud resource when Pulumi deletes it (a retain-on-delete by another name).
SKIP_DESTROY_TYPES = (LOG_GROUP, TASK_DEFINITION)


def _not_protected(args: ResourceValidationArgs, report: Report) -> None:
    if args.opts.protect:
        report("the resource is protected; remove protect=True (every stack must be destroyable)")
    # pulumi-policy 1.21 does not pass retainOnDelete to analyzers; the offline gate adds it (PlanOptions).
    if getattr(args.opts, "retain_on_delete", False):
        report("the resource is retained on delete; remove retain_on_delete=True (destroy must leave "
               "nothing behind)")
    if args.resource_type in SKIP_DESTROY_TYPES and is_true(args.props.get("skipDestroy")):
        report("skipDestroy is true, so destroy leaves it in AWS; remove skip_destroy")


def _no_deletion_protection(args: ResourceValidationArgs, report: Report) -> None:
    key = DELETION_PROTECTION.get(args.resource_type)
    if key and is_true(args.props.get(key)):
        report(f"{key} is true; turn it off (every stack must be destroyable)")
    key = MUST_EMPTY_ON_DESTROY.get(args.resource_type)
    if key and not is_true(args.props.get(key)):
        report(f"{key} is not true, so destroy fails while it holds images or objects; set it to True")


def policies() -> list[Policy]:
    return [
        resource_policy("no-protect-or-retain", "Reason: every stack is destroyable; nothing is protected, retained on "
                        "delete or skipped on destroy.", _not_protected),
        resource_policy("no-deletion-protection", "Reason: every stack is destroyable - deliberately the opposite of "
                        "FSBP ELB.6 and DynamoDB.6; repositories and buckets empty themselves on destroy.",
                        _no_deletion_protection),
    ]
