"""Argument rules of the iam resources this repository creates (see shared/aws_rules/model.py).

Also home of the checks several services share: an IAM policy document (terraform-provider-aws
`verify.ValidIAMPolicyJSON`) and a generic ARN (`verify.ValidARN`); kms, s3, sns and sqs import them from here.
"""
from __future__ import annotations

import json
import re
from typing import Any

from shared.aws_rules.model import Check, ConflictsWith, Length, Pattern, Range, ResourceRules, Rule

_TF = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal"
VERIFY_SOURCE = f"{_TF}/verify/validate.go"
ROLE_SOURCE = f"{_TF}/service/iam/role.go"
ROLE_POLICY_SOURCE = f"{_TF}/service/iam/role_policy.go"
ATTACHMENT_SOURCE = f"{_TF}/service/iam/role_policy_attachment.go"
IAM_VALIDATE_SOURCE = f"{_TF}/service/iam/validate.go"
CREATE_ROLE = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html"
IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"


def _duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    keys = [k for k, _ in pairs]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ValueError(f"duplicate JSON keys: {', '.join(dupes)}")
    return dict(pairs)


def policy_document_problem(value: Any) -> str | None:
    """terraform-provider-aws `verify.ValidIAMPolicyJSON`: a JSON object, no leading space, no duplicate keys."""
    if not isinstance(value, str) or value == "":
        return "is an empty string, which is not a valid JSON value"
    if value[0] in " \t\r\n":
        return "contains an invalid JSON policy: leading space characters are not allowed"
    if value[0] == '"':
        return "contains an invalid JSON policy: contains a JSON-encoded string, not a JSON-encoded object"
    if value[0] == "[":
        return "contains an invalid JSON policy: contains a JSON array, not a JSON object"
    if value[0] != "{":
        return "contains an invalid JSON policy: not a JSON object"
    try:
        json.loads(value, object_pairs_hook=_duplicate_keys)
    except ValueError as error:
        return f"contains an invalid JSON policy: {error}"
    return None


def json_object_problem(value: Any) -> str | None:
    """terraform-plugin-sdk `validation.StringIsJSON` (any JSON value; an object is what every use here needs)."""
    try:
        json.loads(value)
    except (TypeError, ValueError) as error:
        return f"contains an invalid JSON: {error}"
    return None


_PARTITION = re.compile(r"aws(-[a-z]+)*")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")
_ACCOUNT = re.compile(r"aws|aws-managed|third-party|\d{12}|cw.{10}")


def arn_problem(value: Any) -> str | None:
    """terraform-provider-aws `verify.ValidARN`: arn:partition:service:region:account:resource."""
    if not isinstance(value, str):
        return "must be a string"
    if value == "":
        return None
    parts = value.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return f"({value}) is an invalid ARN: arn: invalid prefix" if not value.startswith("arn:") else \
            f"({value}) is an invalid ARN: arn: not enough sections"
    _, partition, _service, region, account, resource = parts
    if not _PARTITION.fullmatch(partition):
        return f"({value}) is an invalid ARN: invalid partition value"
    if region and not _REGION.fullmatch(region):
        return f"({value}) is an invalid ARN: invalid region value"
    if account and not _ACCOUNT.fullmatch(account):
        return f"({value}) is an invalid ARN: invalid account ID value"
    if not resource:
        return f"({value}) is an invalid ARN: missing resource value"
    return None


def policy_size(limit: int, what: str) -> Check:
    """An IAM policy size quota: characters other than white space (IAM does not count it), at most `limit`."""
    def problem(value: Any) -> str | None:
        size = len(re.sub(r"\s", "", value)) if isinstance(value, str) else 0
        return None if size <= limit else f"is {size} characters without white space; {what} is limited to {limit}"
    return Check(problem, f"at most {limit} characters, white space not counted")


POLICY_JSON = Check(policy_document_problem, "an IAM policy JSON object (verify.ValidIAMPolicyJSON)")
ARN = Check(arn_problem, "an ARN (verify.ValidARN)")

_NAME_CHARS = r"[\w+=,.@-]*"
_POLICY = '{"Version": "2012-10-17", "Statement": []}'

ROLE = ResourceRules(
    type="aws:iam/role:Role",
    source=ROLE_SOURCE,
    forces_replacement=frozenset({"name", "namePrefix", "path"}),
    rules=(
        Rule(id="iam.role.name.length", argument="name", constraint=Length(1, 64),
             message='expected length of name to be in the range (1 - 64)', source=IAM_VALIDATE_SOURCE,
             fix="shorten the role name (shared/naming.py 'role' limit)",
             ok=("r", "r" * 64), bad=("", "r" * 65)),
        Rule(id="iam.role.name.pattern", argument="name", constraint=Pattern(_NAME_CHARS, r"made of [\w+=,.@-]"),
             message=r"must match [\w+=,.@-]", source=IAM_VALIDATE_SOURCE,
             fix="use letters, digits and +=,.@_- only", ok=("role-frontend-exec-dev",), bad=("role frontend",)),
        Rule(id="iam.role.name-prefix.length", argument="namePrefix", constraint=Length(1, 38),
             message="expected length of name_prefix to be in the range (1 - 38)", source=ROLE_SOURCE,
             fix="a prefix leaves 26 characters for the provider's unique suffix: keep it to 38",
             ok=("r", "r" * 38), bad=("", "r" * 39)),
        Rule(id="iam.role.name-prefix.pattern", argument="namePrefix",
             constraint=Pattern(_NAME_CHARS, r"made of [\w+=,.@-]"), message=r"must match [\w+=,.@-]",
             source=IAM_VALIDATE_SOURCE, fix="use letters, digits and +=,.@_- only",
             ok=("role-frontend-",), bad=("role/frontend-",)),
        Rule(id="iam.role.name.conflicts", argument="", constraint=ConflictsWith(("name", "namePrefix")),
             message='"name": conflicts with name_prefix', source=ROLE_SOURCE, fix="set name or namePrefix",
             ok=({"name": "role-a-dev"},), bad=({"name": "role-a-dev", "namePrefix": "role-a-"},)),
        Rule(id="iam.role.path.length", argument="path", constraint=Length(0, 512),
             message="expected length of path to be in the range (0 - 512)", source=ROLE_SOURCE,
             fix="shorten the path", ok=("/", "/" * 512), bad=("/" * 513,)),
        Rule(id="iam.role.path.pattern", argument="path", constraint=Pattern(r"/|/[\x21-\x7e]*/", "/ or /.../"),
             message="Path must begin and end with a forward slash", source=CREATE_ROLE,
             fix="write the path as /team/ (leading and trailing slash)", ok=("/", "/ecs/"), bad=("ecs", "/ecs")),
        Rule(id="iam.role.description.length", argument="description", constraint=Length(0, 1000),
             message="expected length of description to be in the range (0 - 1000)", source=ROLE_SOURCE,
             fix="shorten the description", ok=("", "d" * 1000), bad=("d" * 1001,)),
        Rule(id="iam.role.description.quotes", argument="description",
             constraint=Pattern(r"[^\u201c\u2018]*", "free of curly quotes \u201c and \u2018"),
             message="cannot contain specially formatted single or double quotes: [\u201c\u2018]",
             source=ROLE_SOURCE, fix="use straight quotes ' and \" in the description",
             ok=("ECS agent starting 'frontend'",), bad=("ECS agent starting \u201cfrontend\u201d",)),
        Rule(id="iam.role.description.pattern", argument="description",
             constraint=Pattern(r"[\t\n\r\x20-\x7e\u00a1-\u00ff]*", "printable characters (IAM pattern "
                                r"[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*)"),
             message=r"Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*",
             source=CREATE_ROLE, fix="use printable Latin-1 characters in the description",
             ok=("frontend: its catalog data stores only",), bad=("bell \x07",)),
        Rule(id="iam.role.max-session-duration.range", argument="maxSessionDuration", constraint=Range(3600, 43200),
             message="expected max_session_duration to be in the range (3600 - 43200)", source=ROLE_SOURCE,
             fix="choose between one and twelve hours", ok=(3600.0, 43200.0), bad=(3599.0, 43201.0)),
        Rule(id="iam.role.assume-role-policy.json", argument="assumeRolePolicy", constraint=POLICY_JSON,
             message='"assume_role_policy" contains an invalid JSON policy', source=VERIFY_SOURCE,
             fix="pass the trust policy as a JSON object string (json.dumps of a dict)",
             ok=(_POLICY,), bad=("", " " + _POLICY, '"policy.json"', "[]", '{"a": 1, "a": 2}', "{")),
        Rule(id="iam.role.assume-role-policy.size", argument="assumeRolePolicy",
             constraint=policy_size(2048, "a role trust policy"),
             message="Cannot exceed quota for ACLSizePerRole: 2048", source=IAM_QUOTAS,
             fix="shorten the trust policy (role trust policy length quota, 2048 characters by default)",
             ok=("{" + "a" * 2046 + "}", "{" + " " * 4000 + "}"), bad=("{" + "a" * 2047 + "}",)),
    ),
)

ROLE_POLICY = ResourceRules(
    type="aws:iam/rolePolicy:RolePolicy",
    source=ROLE_POLICY_SOURCE,
    forces_replacement=frozenset({"name", "namePrefix", "role"}),
    rules=(
        Rule(id="iam.role-policy.name.length", argument="name", constraint=Length(1, 128),
             message="expected length of name to be in the range (1 - 128)", source=IAM_VALIDATE_SOURCE,
             fix="shorten the inline policy name", ok=("p", "p" * 128), bad=("", "p" * 129)),
        Rule(id="iam.role-policy.name.pattern", argument="name",
             constraint=Pattern(_NAME_CHARS, r"made of [\w+=,.@-]"), message=r"must match [\w+=,.@-]",
             source=IAM_VALIDATE_SOURCE, fix="use letters, digits and +=,.@_- only",
             ok=("frontend-execution",), bad=("frontend execution",)),
        Rule(id="iam.role-policy.name-prefix.length", argument="namePrefix", constraint=Length(1, 102),
             message="expected length of name_prefix to be in the range (1 - 102)", source=ROLE_POLICY_SOURCE,
             fix="a prefix leaves 26 characters for the unique suffix: keep it to 102",
             ok=("p", "p" * 102), bad=("", "p" * 103)),
        Rule(id="iam.role-policy.name.conflicts", argument="", constraint=ConflictsWith(("name", "namePrefix")),
             message='"name": conflicts with name_prefix', source=ROLE_POLICY_SOURCE, fix="set name or namePrefix",
             ok=({"namePrefix": "p-"},), bad=({"name": "p", "namePrefix": "p-"},)),
        Rule(id="iam.role-policy.role.length", argument="role", constraint=Length(1, 128),
             message="expected length of role to be in the range (1 - 128)", source=IAM_VALIDATE_SOURCE,
             fix="pass the role's name", ok=("r", "r" * 128), bad=("", "r" * 129)),
        Rule(id="iam.role-policy.role.not-arn", argument="role",
             constraint=Check(lambda v: '"role" must be the role\'s name not its ARN' if isinstance(v, str)
                              and arn_problem(v) is None and v.startswith("arn:") else None,
                              "a role name, not an ARN"),
             message="must be the role's name not its ARN", source=IAM_VALIDATE_SOURCE,
             fix="pass role.name (or role.id), not role.arn",
             ok=("role-frontend-exec-dev",), bad=("arn:aws:iam::123456789012:role/role-frontend-exec-dev",)),
        Rule(id="iam.role-policy.policy.json", argument="policy", constraint=POLICY_JSON,
             message='"policy" contains an invalid JSON policy', source=VERIFY_SOURCE,
             fix="pass the policy as a JSON object string", ok=(_POLICY,), bad=("", "[]", "{", "null")),
        Rule(id="iam.role-policy.policy.size", argument="policy",
             constraint=policy_size(10240, "a role's inline policies"),
             message="Maximum policy size of 10240 bytes exceeded for role", source=IAM_QUOTAS,
             fix="move statements to a managed policy: a role's inline policies share 10,240 characters",
             ok=("{" + "a" * 10238 + "}", "{" + " " * 20000 + "}"), bad=("{" + "a" * 10239 + "}",)),
    ),
)

ROLE_POLICY_ATTACHMENT = ResourceRules(
    type="aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    source=ATTACHMENT_SOURCE,
    forces_replacement=frozenset({"role", "policyArn"}),
    rules=(
        Rule(id="iam.role-policy-attachment.policy-arn.arn", argument="policyArn", constraint=ARN,
             message='"policy_arn" is an invalid ARN', source=VERIFY_SOURCE,
             fix="pass a policy ARN such as arn:aws:iam::aws:policy/NAME",
             ok=("arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers",
                 "arn:aws:iam::123456789012:policy/team/p"),
             bad=("AmazonECSInfrastructureRolePolicyForLoadBalancers", "arn:aws:iam::12345:policy/p",
                  "arn:aws:iam::aws:", "arn:amazon:iam::aws:policy/P", "arn:aws:iam:us-east:123456789012:policy/p",
                  1.0)),
        Rule(id="iam.role-policy-attachment.policy-arn.length", argument="policyArn", constraint=Length(20, 2048),
             message="Member must have length less than or equal to 2048", source=(
                 "https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachRolePolicy.html"),
             fix="pass the policy's ARN", ok=("arn:aws:iam::aws:p/x", "a" * 2048), bad=("arn:aws:iam::aws:p/",
                                                                                      "a" * 2049)),
        Rule(id="iam.role-policy-attachment.role.length", argument="role", constraint=Length(1, 64),
             message="Member must have length less than or equal to 64", source=(
                 "https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachRolePolicy.html"),
             fix="pass the role's name", ok=("r", "r" * 64), bad=("", "r" * 65)),
    ),
)

RESOURCES: tuple[ResourceRules, ...] = (ROLE, ROLE_POLICY, ROLE_POLICY_ATTACHMENT)
