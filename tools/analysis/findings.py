"""One proven or refuted fact of the analysis: a `tools.findings.Finding` of the analysis gate, whose `stack`
is the subject (a catalog service, or a stack for resources no service owns) and whose `rule` is the check
family."""
from __future__ import annotations

from tools.findings import Finding, Status

GATE = "analysis"

# Check families, in the order the report shows them.
PLAN = "plan wiring"
TASK_START = "task start"
REACHABILITY = "AWS API reachability"
CALL_PATHS = "service call paths"
RUNTIME = "runtime permissions"
CONTAINER = "container definitions"
IAM_ACTIONS = "IAM actions"
CLOSED_EGRESS = "closed egress"
ENDPOINT_POLICIES = "endpoint policies"
LOG_DELIVERY = "log delivery"
CHECKS = (PLAN, TASK_START, REACHABILITY, CLOSED_EGRESS, ENDPOINT_POLICIES, CALL_PATHS, RUNTIME, CONTAINER,
          IAM_ACTIONS, LOG_DELIVERY)


def passed(check: str, subject: str, resource: str, detail: str) -> Finding:
    """`subject` passes `check` on `resource`; `detail` says what was proven."""
    return Finding(GATE, check, subject, resource, detail, status=Status.PASS)


def failed(check: str, subject: str, resource: str, detail: str) -> Finding:
    """`subject` fails `check` on `resource`; `detail` says what is missing and where."""
    return Finding(GATE, check, subject, resource, detail)
