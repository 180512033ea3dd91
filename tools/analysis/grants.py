"""Proving that identity and key policies allow a request, with their conditions recorded, not evaluated.

Conditions depend on the request (which service calls KMS, the encryption context, the source account):
the analysis cannot know them offline, so a grant under a condition counts as a grant and the condition is
quoted in the finding, where a reader can judge it.
"""
from __future__ import annotations

import json
from collections.abc import Iterable

from shared import iam
from tools.analysis import iamdb
from tools.analysis.findings import failed, passed
from tools.analysis.plan import PolicySource, Resource
from tools.findings import Finding


def _conditions(statements: list[iam.Statement]) -> str:
    conditions = [json.dumps(s.condition, sort_keys=True) for s in statements if s.condition]
    return f"; condition recorded, not evaluated: {' '.join(conditions)}" if conditions else ""


def role_allows(check: str, subject: str, role: Resource, sources: list[PolicySource], action: str,
                resource: str, why: str) -> Finding:
    """The role's identity policies allow `action` on `resource` (explicit Deny wins)."""
    statements = [s for source in sources for s in source.statements]
    if iam.allowed(statements, action, resource):
        allowing = [s for s in statements if s.allows(action, resource)]
        return passed(check, subject, role.label, f"allows {action} on {resource} ({why}){_conditions(allowing)}")
    return failed(check, subject, role.label, f"role does not allow {action} on {resource}, which {why}; "
                                              f"add it to the role's policy")


def _key_denies(check: str, subject: str, key: Resource, statements: list[iam.Statement], principal: str,
                action: str, why: str, applies) -> Finding | None:
    """A failure when a Deny statement of the key policy matching `action` on the key applies to the
    principal (`applies(statement)`): an explicit Deny wins over every Allow. Its condition is quoted, not
    evaluated, so a conditional Deny fails too: the reader judges whether the request would meet it."""
    denying = [s for s in statements if not s.is_allow and s.matches_action(action)
               and s.matches_resource(key.arn or "*") and applies(s)]
    if not denying:
        return None
    sids = ", ".join(s.sid or "(no Sid)" for s in denying)
    return failed(check, subject, key.label, f"key policy statement {sids} denies {principal} {action}, which {why}; "
                                             f"remove the Deny or narrow it{_conditions(denying)}")


def key_admits(check: str, subject: str, key: Resource, statements: list[iam.Statement], principal: str,
               action: str, why: str) -> Finding:
    """The key policy lets `principal` (a role ARN) use `action`, directly or by delegating to the account's
    IAM policies (`arn:aws:iam::ACCOUNT:root`), and no Deny naming it, its account or `*` matches; without
    that, no identity policy can grant the key."""
    denied = _key_denies(check, subject, key, statements, principal, action, why,
                         lambda s: iam.admits_principal(s, principal))
    if denied:
        return denied
    allowing = [s for s in statements if s.allows(action, key.arn or "*") and iam.admits_principal(s, principal)]
    if allowing:
        return passed(check, subject, key.label, f"key policy admits {principal} for {action} ({why})"
                                                 f"{_conditions(allowing)}")
    return failed(check, subject, key.label, f"key policy admits neither {principal} nor its account (IAM "
                                             f"delegation) for {action}, which {why}; add an account-root "
                                             f"statement or one naming the role")


def service_principal_admitted(check: str, subject: str, key: Resource, statements: list[iam.Statement],
                               service: str, actions: tuple[str, ...], why: str) -> list[Finding]:
    """The key policy lets an AWS service principal (e.g. `logs.us-east-1.amazonaws.com`) use `actions`."""
    findings = []
    for action in actions:
        denied = _key_denies(check, subject, key, statements, service, action, why, lambda s: bool(
            {service, "*"} & set(s.principal_types.get("Service", ()) + s.principal_types.get("AWS", ()))))
        allowing = [s for s in statements if s.allows(action, key.arn or "*")
                    and service in s.principal_types.get("Service", ())]
        if denied:
            findings.append(denied)
        elif allowing:
            findings.append(passed(check, subject, key.label, f"key policy admits {service} for {action} ({why})"
                                                              f"{_conditions(allowing)}"))
        else:
            findings.append(failed(check, subject, key.label, f"key policy does not admit service principal "
                                                              f"{service} for {action}, which {why}; add a "
                                                              f"statement for it"))
    return findings


def granted(sources: list[PolicySource]) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(action, resource, policy) pairs the Allow statements grant, wildcard actions expanded with the IAM
    database, and the statements that cannot be bounded (NotAction/NotResource)."""
    pairs, unbounded = [], []
    for source in sources:
        for statement in source.statements:
            if not statement.is_allow:
                continue
            if statement.not_actions or statement.not_resources:
                unbounded.append(f"{source.label} statement {statement.sid or '(no Sid)'} uses NotAction/"
                                 f"NotResource, which grants everything else")
                continue
            for pattern in statement.actions:
                for action in iamdb.expand(pattern) or [pattern]:
                    pairs += [(action, resource, source.label) for resource in statement.resources]
    return pairs, unbounded


def grants_beyond(check: str, subject: str, role: Resource, sources: list[PolicySource],
                  expected: Iterable[tuple[str, str]], reason: str) -> list[Finding]:
    """A failure per (action, resource) the role's policies grant that is not one of `expected`, and per
    statement that cannot be bounded. Resources compare as written: a wider pattern (`*`, `log-group:*`)
    is excess even when it also covers what is expected. `reason` completes "..., which <reason>"."""
    pairs, unbounded = granted(sources)
    findings = [failed(check, subject, role.label, problem) for problem in unbounded]
    wanted = {(action.lower(), resource) for action, resource in expected}
    findings += [failed(check, subject, role.label, f"{source} allows {action} on {resource}, which {reason}")
                 for action, resource, source in pairs if (action.lower(), resource) not in wanted]
    return findings
