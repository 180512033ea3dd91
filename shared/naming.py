"""Physical AWS names: `<resource-type>[-<component>]-<environmentSuffix>`, built and checked in one place.

AWS limits are data with their source so the same table drives validation, the suffix budget and the docs.
Pulumi logical names are identities and never change with the suffix; only physical names carry it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Replacement(Enum):
    """How a replacement avoids a clash with the name the old resource still holds."""

    DELETE_BEFORE_REPLACE = "delete_before_replace"
    NAME_PREFIX = "name_prefix"
    TAG_ONLY = "tag_only"  # the name is a `Name` tag: replacements never clash
    NEW_REVISION = "new_revision"  # task definition families: a change registers a revision, no clash


@dataclass(frozen=True)
class NameRule:
    """One AWS naming limit, with where it is written down and how replacements dodge a name clash."""

    max_length: int
    source: str
    replacement: Replacement
    pattern: str = r"^[a-z0-9][a-z0-9-]*$"


_DOCS = "https://docs.aws.amazon.com"
NAME_RULES: dict[str, NameRule] = {
    "vpc": NameRule(256, f"{_DOCS}/tag-editor/latest/userguide/tagging.html", Replacement.TAG_ONLY),
    "alb": NameRule(32, f"{_DOCS}/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html",
                    Replacement.DELETE_BEFORE_REPLACE),
    "tg": NameRule(32, f"{_DOCS}/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
                   Replacement.DELETE_BEFORE_REPLACE),
    "role": NameRule(64, f"{_DOCS}/IAM/latest/APIReference/API_CreateRole.html",
                     Replacement.DELETE_BEFORE_REPLACE),
    "policy": NameRule(128, f"{_DOCS}/IAM/latest/APIReference/API_CreatePolicy.html",
                       Replacement.DELETE_BEFORE_REPLACE),
    # Not "sg": CreateSecurityGroup refuses a GroupName that starts with "sg-" (see NAMING_EXCEPTIONS).
    "secgroup": NameRule(255, f"{_DOCS}/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html",
                         Replacement.NAME_PREFIX),
    "log": NameRule(512, f"{_DOCS}/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
                    Replacement.DELETE_BEFORE_REPLACE),
    "alias": NameRule(256, f"{_DOCS}/kms/latest/APIReference/API_CreateAlias.html",
                      Replacement.DELETE_BEFORE_REPLACE, r"^alias/[a-z0-9-]+$"),
    "ecr": NameRule(256, f"{_DOCS}/AmazonECR/latest/APIReference/API_CreateRepository.html",
                    Replacement.DELETE_BEFORE_REPLACE, r"^[a-z0-9][a-z0-9/_.-]*$"),
    "cluster": NameRule(255, f"{_DOCS}/AmazonECS/latest/APIReference/API_CreateCluster.html",
                        Replacement.DELETE_BEFORE_REPLACE),
    "svc": NameRule(255, f"{_DOCS}/AmazonECS/latest/APIReference/API_CreateService.html",
                    Replacement.DELETE_BEFORE_REPLACE),
    "td": NameRule(255, f"{_DOCS}/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html",
                   Replacement.NEW_REVISION),
    "secret": NameRule(512, f"{_DOCS}/secretsmanager/latest/apireference/API_CreateSecret.html",
                       Replacement.DELETE_BEFORE_REPLACE, r"^[a-z0-9][a-z0-9/_+=.@-]*$"),
    "sqs": NameRule(80, f"{_DOCS}/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html",
                    Replacement.DELETE_BEFORE_REPLACE),
    "sns": NameRule(256, f"{_DOCS}/sns/latest/api/API_CreateTopic.html", Replacement.DELETE_BEFORE_REPLACE),
    "ddb": NameRule(255, f"{_DOCS}/amazondynamodb/latest/APIReference/API_CreateTable.html",
                    Replacement.DELETE_BEFORE_REPLACE),
    "s3": NameRule(63, f"{_DOCS}/AmazonS3/latest/userguide/bucketnamingrules.html", Replacement.NAME_PREFIX),
    "waf": NameRule(128, f"{_DOCS}/waf/latest/APIReference/API_CreateWebACL.html",
                    Replacement.DELETE_BEFORE_REPLACE),
    "lambda": NameRule(64, f"{_DOCS}/lambda/latest/api/API_CreateFunction.html", Replacement.DELETE_BEFORE_REPLACE),
    "alarm": NameRule(255, f"{_DOCS}/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
                      Replacement.DELETE_BEFORE_REPLACE),
    "sd": NameRule(127, f"{_DOCS}/cloud-map/latest/api/API_CreateService.html",
                   Replacement.DELETE_BEFORE_REPLACE),
    "scaling": NameRule(255, f"{_DOCS}/autoscaling/application/APIReference/API_PutScalingPolicy.html",
                        Replacement.DELETE_BEFORE_REPLACE),
    # The alternate (green) target group of ECS native blue/green; a type of its own (as long as "alb")
    # so `tga-<longest service>-<suffix>` fits the same 32-character budget as the primary `tg-...`.
    "tga": NameRule(32, f"{_DOCS}/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
                    Replacement.DELETE_BEFORE_REPLACE),
}


@dataclass(frozen=True)
class NamingException:
    """Where the `<resource-type>-...` convention bends, and why (reviewed with the type table above)."""

    resource_type: str
    rule: str
    reason: str
    source: str


# The convention's exceptions, with their reason. A type token must not be an AWS resource-id prefix (sg-, sgr-,
# vpc-, subnet-, rtb-, igw-, nat-, eipalloc-, eni-, vpce-, fl-, acl-): EC2 refuses some of them in names, and an
# id-shaped name misleads in every console and log line even where it is allowed. tests/unit/test_naming.py
# holds every token to that, except the exceptions recorded here.
RESERVED_TYPE_TOKENS = ("sg", "sgr", "vpc", "subnet", "rtb", "igw", "nat", "eipalloc", "eni", "vpce", "fl", "acl")
NAMING_EXCEPTIONS: tuple[NamingException, ...] = (
    NamingException(
        "secgroup", "security groups use the token 'secgroup', not 'sg'",
        "EC2 CreateSecurityGroup refuses a GroupName that starts with 'sg-', and the provider refuses such a "
        "name/name_prefix at preview; 'sg-' is the security-group id prefix",
        f"{_DOCS}/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html"),
    NamingException(
        "vpc", "the VPC keeps the id-shaped token 'vpc'",
        "a VPC has no name, only a `Name` tag (TAG_ONLY), which AWS never validates against id prefixes",
        f"{_DOCS}/tag-editor/latest/userguide/tagging.html"),
    NamingException(
        "alias", "KMS alias names are 'alias/alias-<component>-<suffix>'",
        "KMS requires every alias name to begin with 'alias/' and reserves 'alias/aws/'",
        f"{_DOCS}/kms/latest/APIReference/API_CreateAlias.html"),
    NamingException(
        "s3", "buckets get a prefix `s3-<component>-<suffix>-`, not a name",
        "bucket names are global; the provider appends a 26-character unique suffix, so the prefix may hold at "
        "most 63 - 26 = 37 characters",
        "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/s3/bucket.go"),
)

# The suffix budget: whatever type is tightest must still hold `<type>-<longest component>-<suffix>`, where
# components are at most SERVICE_NAME_MAX_LENGTH (the catalog caps service names; "processing-service").
SERVICE_NAME_MAX_LENGTH = 18


def _budget(resource_type: str) -> int:
    return NAME_RULES[resource_type].max_length - len(f"{resource_type}--") - SERVICE_NAME_MAX_LENGTH


TIGHTEST_TYPE = min(NAME_RULES, key=_budget)
SUFFIX_MAX_LENGTH = _budget(TIGHTEST_TYPE)
SUFFIX_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)?$")


class NamingError(ValueError):
    """A physical name or suffix that AWS would reject; the message names the value and the fix."""


def suffix_problem(suffix: str) -> str | None:
    """Why `suffix` cannot be an environmentSuffix, or None when it can."""
    if not suffix:
        return "it is empty"
    if not SUFFIX_PATTERN.fullmatch(suffix):
        return ("it must be lower-case letters and digits starting with a letter, with at most one extra "
                "'-token' for a throwaway copy (e.g. dev, prod, dev-pr42)")
    if len(suffix) > SUFFIX_MAX_LENGTH:
        return (f"it is {len(suffix)} characters; names of type '{TIGHTEST_TYPE}' are limited to "
                f"{NAME_RULES[TIGHTEST_TYPE].max_length} ({NAME_RULES[TIGHTEST_TYPE].source}), "
                f"which leaves {SUFFIX_MAX_LENGTH} for the suffix")
    return None


def physical_name(resource_type: str, suffix: str, component: str | None = None) -> str:
    """The AWS name of a resource; raises NamingError naming the offending part and the fix."""
    if resource_type not in NAME_RULES:
        raise NamingError(f"unknown resource type {resource_type!r} for a physical name; add it to "
                          f"shared.naming.NAME_RULES with its AWS limit and source")
    problem = suffix_problem(suffix)
    if problem:
        raise NamingError(f"environmentSuffix {suffix!r} is invalid: {problem}")
    rule = NAME_RULES[resource_type]
    name = "-".join(part for part in (resource_type, component, suffix) if part)
    if resource_type == "alias":  # KMS requires the prefix; the rest follows the one pattern
        name = f"alias/{name}"
    if len(name) > rule.max_length:
        raise NamingError(f"name {name!r} is {len(name)} characters, over the AWS limit of {rule.max_length} for "
                          f"'{resource_type}' ({rule.source}); shorten the component {component!r} or the "
                          f"environmentSuffix")
    if not re.fullmatch(rule.pattern, name):
        raise NamingError(f"name {name!r} does not match {rule.pattern} required for '{resource_type}' "
                          f"({rule.source}); use lower-case letters, digits and '-' in the component")
    return name
