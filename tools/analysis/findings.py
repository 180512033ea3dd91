"""One proven or refuted fact of the analysis."""
from __future__ import annotations

from dataclasses import dataclass

# Check families, in the order the report shows them.
PLAN = "plan wiring"
TASK_START = "task start"
REACHABILITY = "AWS API reachability"
CALL_PATHS = "service call paths"
RUNTIME = "runtime permissions"
CONTAINER = "container definitions"
IAM_ACTIONS = "IAM actions"
CHECKS = (PLAN, TASK_START, REACHABILITY, CALL_PATHS, RUNTIME, CONTAINER, IAM_ACTIONS)


@dataclass(frozen=True)
class Finding:
    """`subject` (a catalog service, or a stack for resources no service owns) passes or fails `check` on
    `resource`; `detail` says what was proven, or what is missing and where."""

    check: str
    subject: str
    resource: str
    ok: bool
    detail: str


def passed(check: str, subject: str, resource: str, detail: str) -> Finding:
    return Finding(check, subject, resource, True, detail)


def failed(check: str, subject: str, resource: str, detail: str) -> Finding:
    return Finding(check, subject, resource, False, detail)
