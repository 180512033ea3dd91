"""Argument rules of the ecr resources this repository creates (see shared/aws_rules/model.py).

Repository (name, tag mutability, encryption) and lifecycle policy, including the rules ECR applies to the
policy document itself (priorities, `tagStatus: any` last, tag lists, wildcards, count types).
"""
from __future__ import annotations

import json
import re
from typing import Any

from shared.aws_rules.model import Check, Length, OneOf, Pattern, ResourceRules, Rule

_TF = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/ecr/"
REPOSITORY_SOURCE = _TF + "repository.go"
LIFECYCLE_SOURCE = _TF + "lifecycle_policy.go"
ARN_SOURCE = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/verify/validate.go"
API_CREATE_REPOSITORY = "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html"
LIFECYCLE_DOC = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html"

_REPO_NAME = r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*"
_ARN = re.compile(r"arn:(aws(?:-[a-z]+)*):([a-z0-9-]+):([a-z]{2}(?:-[a-z]+)+-\d{1,2})?:"
                  r"(\d{12}|aws|aws-managed|third-party|aws-marketplace)?:(.+)")

REPOSITORY = ResourceRules(
    type="aws:ecr/repository:Repository",
    source=REPOSITORY_SOURCE,
    forces_replacement=frozenset({"name", "encryptionConfigurations"}),
    rules=(
        Rule(id="ecr.repository.name.length", argument="name", constraint=Length(2, 256),
             message="expected length of name to be in the range (2 - 256)", source=REPOSITORY_SOURCE,
             fix="keep repository names from 2 to 256 characters (shared/naming.py)",
             ok=("ab", "r" * 256), bad=("a", "r" * 257)),
        Rule(id="ecr.repository.name.pattern", argument="name",
             constraint=Pattern(_REPO_NAME, "lowercase letters and digits, separated by single . _ - or /"),
             message="invalid value for name (see: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/"
                     "API_CreateRepository.html#API_CreateRepository_RequestSyntax)",
             source=REPOSITORY_SOURCE, fix="use lowercase letters, digits and single separators (. _ - /)",
             ok=("ecr-frontend-dev", "team/app.v2"), bad=("ECR-frontend", "ecr--frontend", "ecr-frontend-", "/app")),
        Rule(id="ecr.repository.image-tag-mutability.enum", argument="imageTagMutability",
             constraint=OneOf(("MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION")),
             message='expected image_tag_mutability to be one of ["MUTABLE" "IMMUTABLE" "IMMUTABLE_WITH_EXCLUSION" '
                     '"MUTABLE_WITH_EXCLUSION"]',
             source=REPOSITORY_SOURCE, fix="use IMMUTABLE for release images", ok=("IMMUTABLE", "MUTABLE"),
             bad=("immutable", "LOCKED")),
        Rule(id="ecr.repository.encryption-type.enum", argument="encryptionConfigurations[].encryptionType",
             constraint=OneOf(("AES256", "KMS", "KMS_DSSE")),
             message='expected encryption_configuration.0.encryption_type to be one of ["AES256" "KMS" "KMS_DSSE"]',
             source=REPOSITORY_SOURCE, fix="use KMS (with kmsKey) or AES256", ok=("KMS", "AES256"), bad=("kms", "SSE")),
        Rule(id="ecr.repository.kms-key.arn", argument="encryptionConfigurations[].kmsKey",
             constraint=Check(lambda v: None if isinstance(v, str) and _ARN.fullmatch(v)
                              else f"{v!r} is an invalid ARN",
                              "an ARN"),
             message='"encryption_configuration.0.kms_key" is an invalid ARN', source=ARN_SOURCE,
             fix="pass the KMS key's ARN, not its id or alias",
             ok=("arn:aws:kms:us-east-1:123456789012:key/8367655a-3822-b54a-cc0f-dafaff170367",),
             bad=("8367655a-3822-b54a-cc0f-dafaff170367", "alias/ecr")),
    ),
)


# --- lifecycle policy document ----------------------------------------------------------------------------

def _rules_of(value: Any) -> list[dict] | None:
    try:
        document = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return None
    rules = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        return None
    return rules


def _policy_json(value: Any) -> str | None:
    try:
        document = json.loads(value) if isinstance(value, str) else None
    except ValueError as error:
        return f"is not valid JSON: {error}"
    if not isinstance(document, dict):
        return "must be a JSON object with a rules list"
    rules = document.get("rules")
    if not isinstance(rules, list) or not rules or not all(isinstance(r, dict) for r in rules):
        return "must have a non-empty rules list of objects"
    return None


def _priorities(value: Any) -> str | None:
    rules = _rules_of(value)
    if rules is None:
        return None
    for rule in rules:
        p = rule.get("rulePriority")
        if isinstance(p, bool) or not isinstance(p, int) or p < 1:
            return f"rulePriority {p!r} must be a positive integer"
    priorities: list[int] = [r["rulePriority"] for r in rules]
    dupes = sorted({p for p in priorities if priorities.count(p) > 1})
    if dupes:
        return f"rulePriority must be unique; repeated: {', '.join(map(str, dupes))}"
    anys = [r["rulePriority"] for r in rules if (r.get("selection") or {}).get("tagStatus") == "any"]
    if anys and max(anys) != max(priorities):
        return "the rule with tagStatus any must have the highest rulePriority"
    if len(anys) > 1:
        return "only one rule may have tagStatus any (it must have the highest rulePriority)"
    return None


def _selection(value: Any) -> str | None:
    rules = _rules_of(value)
    if rules is None:
        return None
    for rule in rules:
        where = f"rule {rule.get('rulePriority')!r}"
        selection = rule.get("selection")
        if not isinstance(selection, dict):
            return f"{where}: selection is required"
        status = selection.get("tagStatus")
        if status not in ("tagged", "untagged", "any"):
            return f"{where}: tagStatus {status!r} must be tagged, untagged or any"
        lists = [k for k in ("tagPrefixList", "tagPatternList") if selection.get(k)]
        if status == "tagged" and not lists:
            return f"{where}: tagStatus tagged needs tagPrefixList or tagPatternList"
        if status == "untagged" and lists:
            return f"{where}: tagStatus untagged must omit {' and '.join(lists)}"
        for pattern in selection.get("tagPatternList") or []:
            if not isinstance(pattern, str) or pattern.count("*") > 4:
                return f"{where}: tag pattern {pattern!r} has more than four wildcards"
        count_type = selection.get("countType")
        if count_type not in ("imageCountMoreThan", "sinceImagePushed", "sinceImagePulled",
                              "sinceImageTransitioned"):
            return f"{where}: countType {count_type!r} is not imageCountMoreThan or sinceImagePushed"
        number = selection.get("countNumber")
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            return f"{where}: countNumber {number!r} must be a positive integer"
        unit = selection.get("countUnit")
        if count_type == "imageCountMoreThan" and unit is not None:
            return f"{where}: countUnit must not be set with countType imageCountMoreThan"
        if count_type != "imageCountMoreThan" and unit != "days":
            return f"{where}: countType {count_type} needs countUnit days"
        action = rule.get("action")
        if not isinstance(action, dict) or action.get("type") not in ("expire", "transition"):
            return f"{where}: action.type must be expire or transition"
    return None


def _doc(*rules: dict) -> str:
    return json.dumps({"rules": list(rules)})


def _r(priority: int, status: str, count_type: str = "sinceImagePushed", number: Any = 7, **extra: Any) -> dict:
    selection = {"tagStatus": status, "countType": count_type, "countNumber": number}
    if count_type != "imageCountMoreThan":
        selection["countUnit"] = "days"
    selection.update(extra)
    return {"rulePriority": priority, "selection": selection, "action": {"type": "expire"}}


_GOOD = _doc(_r(1, "untagged"), _r(2, "tagged", "imageCountMoreThan", 10, tagPatternList=["*"]), _r(3, "any"))

LIFECYCLE_POLICY = ResourceRules(
    type="aws:ecr/lifecyclePolicy:LifecyclePolicy",
    source=LIFECYCLE_SOURCE,
    forces_replacement=frozenset({"repository"}),
    rules=(
        Rule(id="ecr.lifecycle-policy.repository.length", argument="repository", constraint=Length(2, 256),
             message="repositoryName: Length Constraints: Minimum length of 2. Maximum length of 256.",
             source="https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutLifecyclePolicy.html",
             fix="pass the repository's name (not its URL or ARN)", ok=("ab", "r" * 256), bad=("a", "r" * 257)),
        Rule(id="ecr.lifecycle-policy.repository.pattern", argument="repository",
             constraint=Pattern(_REPO_NAME, "a repository name: lowercase letters and digits, separated by . _ - /"),
             message="repositoryName: Pattern: (?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*",
             source="https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutLifecyclePolicy.html",
             fix="pass the repository's name (not its ARN)", ok=("ecr-frontend-dev",),
             bad=("ECR-Frontend-dev", "arn:aws:ecr:us-east-1:123456789012:repository/ecr-frontend-dev")),
        Rule(id="ecr.lifecycle-policy.policy.json", argument="policy",
             constraint=Check(_policy_json, "a JSON object with a non-empty rules list"),
             message='"policy" contains an invalid JSON', source=LIFECYCLE_SOURCE,
             fix="serialise the policy with json.dumps({'rules': [...]})",
             ok=(_GOOD,), bad=("{", "[]", json.dumps({"rules": []}))),
        Rule(id="ecr.lifecycle-policy.rule-priority.order", argument="policy",
             constraint=Check(_priorities, "unique positive rulePriority; tagStatus any has the highest"),
             message="When you add rules to a lifecycle policy, you must give them each a unique value for "
                     "rulePriority. A rule with a tagStatus value of any must have the highest value for "
                     "rulePriority and be evaluated last.",
             source=LIFECYCLE_DOC, fix="number the rules uniquely and put the tagStatus any rule last",
             ok=(_GOOD, _doc(_r(10, "untagged"), _r(20, "any"))),
             bad=(_doc(_r(1, "untagged"), _r(1, "any")), _doc(_r(1, "any"), _r(2, "untagged")),
                  _doc(_r(0, "untagged")), _doc(_r(1, "any"), _r(2, "any")))),
        Rule(id="ecr.lifecycle-policy.selection.valid", argument="policy",
             constraint=Check(_selection, "tagStatus/tag lists/wildcards/countType/countUnit/countNumber/action"),
             message="If you specify tagged, then you must also specify a tagPrefixList or tagPatternList value. If "
                     "you specify untagged, then you must omit both. A maximum of four wildcards (*) per string. "
                     "countUnit: required only if countType is sinceImagePushed. countNumber: positive integer.",
             source=LIFECYCLE_DOC, fix="give tagged rules a tag list, untagged rules none, and days for age counts",
             ok=(_GOOD, _doc(_r(1, "tagged", tagPatternList=["*a*b*c*d"])),
                 _doc(_r(1, "tagged", tagPrefixList=["release-"]))),
             bad=(_doc(_r(1, "tagged")), _doc(_r(1, "untagged", tagPrefixList=["v"])),
                  _doc(_r(1, "tagged", tagPatternList=["*a*b*c*d*"])),
                  _doc(_r(1, "any", "imageCountMoreThan", 10, countUnit="days")),
                  _doc({"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "sinceImagePushed",
                                                         "countNumber": 7}, "action": {"type": "expire"}}),
                  _doc(_r(1, "any", number=0)), _doc(_r(1, "any", "newest")), _doc(_r(1, "everything")),
                  _doc({"rulePriority": 1, "action": {"type": "expire"}}),
                  _doc({**_r(1, "any"), "action": {"type": "delete"}}))),
    ),
)

RESOURCES: tuple[ResourceRules, ...] = (REPOSITORY, LIFECYCLE_POLICY)
