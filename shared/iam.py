"""IAM and KMS policy documents as plain data: built here, parsed here.

Building documents in Python (instead of the `getPolicyDocument` invoke) keeps them visible in `plan.json`
exactly as AWS receives them, and lets tests and the policy pack parse them with the same code.
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from shared.catalog import WRITE_ACTIONS

VERSION = "2012-10-17"


def statement(sid: str, actions: Iterable[str], resources: Iterable[str] | str, *,
              condition: dict | None = None) -> dict:
    body: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(actions),
        "Resource": resources if isinstance(resources, str) else list(resources),
    }
    if condition:
        body["Condition"] = condition
    return body


def principal_statement(sid: str, principal: dict, actions: Iterable[str], resources: str = "*", *,
                        condition: dict | None = None) -> dict:
    """A resource-policy statement (key, bucket, topic policies), where `*` means the resource itself."""
    body = statement(sid, actions, resources, condition=condition)
    body["Principal"] = principal
    return body


def document(*statements: dict) -> str:
    return json.dumps({"Version": VERSION, "Statement": list(statements)}, sort_keys=True)


def service_trust_policy(service: str, account_id: str, source_arn: str | None = None) -> str:
    """Trust a single AWS service principal, only on behalf of this account (confused-deputy guard)."""
    condition: dict[str, dict] = {"StringEquals": {"aws:SourceAccount": account_id}}
    if source_arn:
        condition["ArnLike"] = {"aws:SourceArn": source_arn}
    return document({
        "Sid": "TrustService",
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
        "Condition": condition,
    })


def account_root_statement(partition: str, account_id: str) -> dict:
    """Key policy statement delegating use of the key to IAM policies of this account (AWS's default)."""
    return principal_statement("AccountRootAdministers", {"AWS": f"arn:{partition}:iam::{account_id}:root"},
                               ["kms:*"])


def logs_key_statement(region: str, account_id: str, log_group_arns: list[str]) -> dict:
    """Let CloudWatch Logs use a key only for the named log groups (its encryption context is the group ARN)."""
    return principal_statement(
        "CloudWatchLogsUsesKeyForTheseGroups", {"Service": f"logs.{region}.amazonaws.com"},
        ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
        condition={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_group_arns}},
    )


def wildcard_match(pattern: str, value: str, *, case_sensitive: bool = True) -> bool:
    """IAM's glob: `*` matches any run of characters (`:` and `/` included), `?` exactly one.

    Policy variables (`${aws:username}`) are not expanded: such a pattern matches only its literal text.
    """
    return glob_regex(pattern, case_sensitive).fullmatch(value) is not None


def compile_glob(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, 0 if case_sensitive else re.IGNORECASE)


# The analysis matches the same few hundred patterns against every action of the IAM database (a million
# comparisons for the test suite): compiled once each, a comparison is a lookup and a match. Pure functions of
# strings, so caching them changes nothing but time; CACHED lists them for whoever must start cold (the tests do,
# since mutation testing forks its runs from a process that already filled them).
glob_regex = functools.lru_cache(maxsize=4096)(compile_glob)


def action_matches(pattern: str, action: str) -> bool:
    """Action names are case-insensitive in IAM (`S3:GetObject` is `s3:getobject`)."""
    return wildcard_match(pattern, action, case_sensitive=False)


def resource_matches(pattern: str, resource: str) -> bool:
    """ARNs compare case-sensitively (resource names are case-sensitive in most services)."""
    return wildcard_match(pattern, resource)


def _only_wildcards(text: str, extra: str = "") -> bool:
    """`text` is made only of `*`, `?` (and the characters of `extra`) and holds a `*`: it matches every
    string of at least its number of `?`s, i.e. everything in practice (`**`, `?*`, `*/*`)."""
    return "*" in text and all(c in "*?" + extra for c in text)


def is_service_wildcard_action(action: str) -> bool:
    """Every action, or every action of a service (FSBP IAM.1 / IAM.21), however spelled (`*`, `**`, `s3:*`,
    `s3:?*`); not a prefix like `Get*`, nor `s3:????` (actions of exactly four letters)."""
    return _only_wildcards(action) or _only_wildcards(action.split(":", 1)[1] if ":" in action else "")


def is_unbounded_resource(resource: str) -> bool:
    """Every resource of a service or more: only wildcards (`*`, `**`); a pattern of fewer than six ARN fields
    ending in `*` (`arn:*`, `arn:aws:iam::*`), whose star also covers the fields it omits, since IAM's `*`
    crosses `:`; or an ARN whose resource part is only `*`, `?` and `/` (`arn:aws:s3:::*`, `...:::*/*`)."""
    if _only_wildcards(resource):
        return True
    parts = resource.split(":", 5)
    if len(parts) < 6:
        return resource.endswith("*")
    return _only_wildcards(parts[5], "/")


@dataclass(frozen=True)
class Statement:
    """One parsed statement, normalised: lists everywhere, principals both flattened and by type.

    `principal_types` keeps the type (`Service`, `AWS`, `Federated`, ...) that trust-policy checks need;
    `"Principal": "*"` is `{"AWS": ("*",)}`, as AWS documents them to be equivalent.
    """

    sid: str
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    principals: tuple[str, ...]
    condition: dict
    not_actions: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    principal_types: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def is_allow(self) -> bool:
        return self.effect == "Allow"

    def matches_action(self, action: str) -> bool:
        if self.not_actions:
            return not any(action_matches(p, action) for p in self.not_actions)
        return any(action_matches(p, action) for p in self.actions)

    def matches_resource(self, resource: str) -> bool:
        if self.not_resources:
            return not any(resource_matches(p, resource) for p in self.not_resources)
        return any(resource_matches(p, resource) for p in self.resources)

    def allows(self, action: str, resource: str) -> bool:
        """This statement allows `action` on `resource`, conditions aside (they are recorded, not evaluated)."""
        return self.is_allow and self.matches_action(action) and self.matches_resource(resource)

    def condition_values(self, key: str) -> tuple[str, ...]:
        """Values given to condition `key` under any operator; condition keys are case-insensitive."""
        return tuple(v for block in self.condition.values() for k, values in block.items()
                     if k.lower() == key.lower() for v in _as_tuple(values))


def allowed(statements: Iterable[Statement], action: str, resource: str) -> bool:
    """Some statement allows `action` on `resource` and no Deny statement matches it (conditions aside)."""
    statements = list(statements)
    denied = any(not s.is_allow and s.matches_action(action) and s.matches_resource(resource) for s in statements)
    return not denied and any(s.allows(action, resource) for s in statements)


def search_overlap(first: str, second: str) -> bool:
    """Some string matches both IAM globs (`*`, `?`): can a policy resource denote an ARN of a given format?

    A search over pairs of positions (at most len(first) * len(second) states), so two patterns with
    wildcards on both sides (a policy's `log-group:app:*` against the format `log-group:*:log-stream:*`)
    compare exactly, without enumerating strings.
    """
    seen: set[tuple[int, int]] = set()
    todo = [(0, 0)]
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(first) and j == len(second):
            return True
        a = first[i] if i < len(first) else None
        b = second[j] if j < len(second) else None
        if a == "*":
            todo.append((i + 1, j))  # the star matches nothing more
        if b == "*":
            todo.append((i, j + 1))
        if a is None or b is None:
            continue
        # One character consumed by both: a star stays where it is, anything else moves on.
        if a == "*" and b != "*":
            todo.append((i, j + 1))
        elif b == "*" and a != "*":
            todo.append((i + 1, j))
        elif a == b or "?" in (a, b):
            todo.append((i + 1, j + 1))
    return False


patterns_overlap = functools.lru_cache(maxsize=65536)(search_overlap)
CACHED = (glob_regex, patterns_overlap)


def admits_principal(statement: Statement, principal_arn: str) -> bool:
    """A resource-policy statement names `principal_arn` (an IAM role or user ARN) directly, through its
    account (`arn:...:root` or the bare account id: delegation to the account's IAM policies) or `*`."""
    _, partition, _, _, account = principal_arn.split(":")[:5]
    accepted = {"*", principal_arn, account, f"arn:{partition}:iam::{account}:root"}
    return any(p in accepted for p in statement.principal_types.get("AWS", ()))


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def parse_document(doc: str | dict) -> list[Statement]:
    body = json.loads(doc) if isinstance(doc, str) else doc
    raw = body.get("Statement", [])
    statements = [raw] if isinstance(raw, dict) else raw
    parsed = []
    for item in statements:
        principal = item.get("Principal", {})
        by_type: dict[str, tuple[str, ...]] = (
            {"AWS": ("*",)} if principal == "*" else {k: _as_tuple(v) for k, v in principal.items()})
        principals = ("*",) if principal == "*" else tuple(p for v in by_type.values() for p in v)
        parsed.append(Statement(
            sid=item.get("Sid", ""),
            effect=item.get("Effect", "Allow"),
            actions=_as_tuple(item.get("Action")),
            resources=_as_tuple(item.get("Resource")),
            principals=principals,
            condition=item.get("Condition", {}),
            not_actions=_as_tuple(item.get("NotAction")),
            not_resources=_as_tuple(item.get("NotResource")),
            principal_types=by_type,
        ))
    return parsed


# --- ECS task roles (services project) -------------------------------------------------------------------

# S3 object actions authorise against object ARNs (`bucket/*`), not the bucket ARN.
S3_OBJECT_ACTIONS = frozenset({"s3:GetObject", "s3:PutObject", "s3:DeleteObject"})
# Pulling from ECR: the layer/image actions scope to the repository ARN.
ECR_PULL_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")


def ecs_tasks_trust_policy(partition: str, region: str, account_id: str) -> str:
    """Only ECS tasks of this account and region may assume the role (confused-deputy guard)."""
    return service_trust_policy("ecs-tasks.amazonaws.com", account_id, f"arn:{partition}:ecs:{region}:{account_id}:*")


def ecs_infrastructure_trust_policy() -> str:
    """The ECS infrastructure role for load balancers (native blue/green). AWS documents this trust policy
    without condition keys; whether ECS sends aws:SourceAccount when assuming it is not verified here, and a
    condition ECS does not satisfy would fail every release, so none is added."""
    return document({"Sid": "TrustEcsInfrastructure", "Effect": "Allow",
                     "Principal": {"Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"})


def via_service(region: str, *services: str) -> dict:
    """A KMS condition limiting key use to calls made on the principal's behalf by these AWS services."""
    return {"StringEquals": {"kms:ViaService": sorted(f"{s}.{region}.amazonaws.com" for s in set(services))}}


def execution_role_policy(*, region: str, repository_arn: str, log_group_arn: str, secret_arns: list[str],
                          kms_key_arn: str) -> str:
    """What the ECS agent needs to start this service's task, and nothing of any other service."""
    statements = [
        # GetAuthorizationToken has no resource-level permissions: AWS authorises it only against "*".
        statement("EcrLogin", ["ecr:GetAuthorizationToken"], "*"),
        statement("PullOwnImage", ECR_PULL_ACTIONS, [repository_arn]),
        # The provider's LogGroup.arn lacks ":*"; stream actions authorise against "log-group:NAME:*".
        statement("WriteOwnLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [f"{log_group_arn}:*"]),
    ]
    if secret_arns:
        statements.append(statement("ReadOwnSecrets", ["secretsmanager:GetSecretValue"], sorted(secret_arns)))
        statements.append(statement("DecryptSecretsViaSecretsManager", ["kms:Decrypt"], [kms_key_arn],
                                    condition=via_service(region, "secretsmanager")))
    return document(*statements)


def store_kms_actions(actions: tuple[str, ...]) -> tuple[str, ...]:
    """KMS actions a data action needs on the store's key: producers encrypt (and may read back), readers
    only decrypt."""
    return ("kms:Decrypt", "kms:GenerateDataKey") if set(actions) & WRITE_ACTIONS else ("kms:Decrypt",)


def store_resources(actions: tuple[str, ...], arn: str) -> list[str]:
    if set(actions) <= S3_OBJECT_ACTIONS:
        return [f"{arn}/*"]
    if set(actions) & S3_OBJECT_ACTIONS:
        return [arn, f"{arn}/*"]
    return [arn]


def task_role_statements(*, region: str, grants: list[tuple[str, tuple[str, ...], str]], kms_key_arn: str,
                         execute_command: bool = False) -> list[dict]:
    """The application's own permissions: exactly `grants` ((sid, actions, store ARN) from the catalog),
    the KMS actions their encryption requires through those stores' services, and ECS Exec's channel when
    asked for. Empty when the service touches no store."""
    statements = [statement(sid, actions, store_resources(actions, arn)) for sid, actions, arn in grants]
    by_kms: dict[tuple[str, ...], set[str]] = {}
    for _, actions, _ in grants:
        by_kms.setdefault(store_kms_actions(actions), set()).add(actions[0].split(":")[0])
    for kms_actions, services in sorted(by_kms.items()):
        sid = "EncryptForStores" if "kms:GenerateDataKey" in kms_actions else "DecryptFromStores"
        statements.append(statement(sid, kms_actions, [kms_key_arn], condition=via_service(region, *services)))
    if execute_command:
        # ssmmessages channel actions have no resource-level permissions: AWS authorises them against "*".
        statements.append(statement("EcsExecChannel", ["ssmmessages:CreateControlChannel",
                                                       "ssmmessages:CreateDataChannel",
                                                       "ssmmessages:OpenControlChannel",
                                                       "ssmmessages:OpenDataChannel"], "*"))
    return statements


# --- JWT signing-key rotation function (platform project) ---------------------------------------------------

ROTATION_SECRET_ACTIONS = ("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
                           "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage")


def lambda_trust_policy(partition: str, region: str, account_id: str) -> str:
    """Only Lambda functions of this account and region may assume the role (confused-deputy guard)."""
    return service_trust_policy("lambda.amazonaws.com", account_id,
                                f"arn:{partition}:lambda:{region}:{account_id}:function:*")


def rotation_function_policy(*, partition: str, region: str, account_id: str, secret_arn: str, kms_key_arn: str,
                             log_group_arn: str, subnet_ids: list[str], security_group_id: str) -> str:
    """What the rotation function needs, and nothing of any other secret: the rotation steps on its one secret
    (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html,
    without GetRandomPassword: keys come from the function's own CSPRNG), the platform key through Secrets
    Manager, its log group, and its network interfaces in the private subnets (AWS's example grants the EC2
    actions on "*"; creation is narrowed here to its subnets and group)."""
    ec2 = f"arn:{partition}:ec2:{region}:{account_id}"
    return document(
        statement("RotateItsSecret", ROTATION_SECRET_ACTIONS, [secret_arn]),
        statement("EncryptItsSecretViaSecretsManager", ["kms:Decrypt", "kms:GenerateDataKey"], [kms_key_arn],
                  condition=via_service(region, "secretsmanager")),
        statement("WriteOwnLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [f"{log_group_arn}:*"]),
        statement("NetworkInterfacesInItsSubnets", ["ec2:CreateNetworkInterface"],
                  [f"{ec2}:network-interface/*", f"{ec2}:security-group/{security_group_id}",
                   *(f"{ec2}:subnet/{subnet}" for subnet in sorted(subnet_ids))]),
        statement("ReleaseItsNetworkInterfaces", ["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses",
                                                  "ec2:UnassignPrivateIpAddresses"], [f"{ec2}:network-interface/*"]),
        # Describe calls have no resource-level permissions: AWS authorises them only against "*".
        statement("FindNetworkInterfaces", ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], "*"),
    )
