"""IAM and KMS policy documents as plain data: built here, parsed here.

Building documents in Python (instead of the `getPolicyDocument` invoke) keeps them visible in `plan.json`
exactly as AWS receives them, and lets tests and the policy pack parse them with the same code.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

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


@dataclass(frozen=True)
class Statement:
    """One parsed statement, normalised: lists everywhere, principals flattened."""

    sid: str
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    principals: tuple[str, ...]
    condition: dict


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
        principals = ("*",) if principal == "*" else tuple(p for v in principal.values() for p in _as_tuple(v))
        parsed.append(Statement(
            sid=item.get("Sid", ""),
            effect=item.get("Effect", "Allow"),
            actions=_as_tuple(item.get("Action")),
            resources=_as_tuple(item.get("Resource")),
            principals=principals,
            condition=item.get("Condition", {}),
        ))
    return parsed
