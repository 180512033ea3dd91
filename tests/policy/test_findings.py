"""The one finding type and table every gate prints: statuses, levels, compared values, the columns shown."""
from __future__ import annotations

from tools.findings import Finding, Status, findings_table

POLICY = Finding("policy", "log-retention-30-days", "network/dev", "logs", "retentionInDays is 7",
                 "set retention_in_days=30", type="aws:cloudwatch/logGroup:LogGroup")
ADVISORY = Finding("policy", "required-tags", "network/dev", "vpc", "tags lack Owner", mandatory=False)
PASSED = Finding("analysis", "task start", "frontend", "2 resource(s)", "5 facts proven", status=Status.PASS)
UNSEEN = Finding("verify", "health-probe", "", "alb x", "GET /health", status=Status.NOT_VERIFIED, expected="2xx",
                 actual="not reachable")


def test_status_and_level_decide_what_blocks_and_how_it_is_labelled():
    assert [(f.failed, f.blocking, f.label) for f in (POLICY, ADVISORY, PASSED, UNSEEN)] == [
        (True, True, "FAIL"), (True, False, "advisory"), (False, False, "pass"), (False, False, "not verified")]


def test_the_problem_holds_the_type_the_compared_values_and_the_fix():
    assert str(POLICY) == ("[log-retention-30-days] network/dev logs (aws:cloudwatch/logGroup:LogGroup): "
                           "retentionInDays is 7. Fix: set retention_in_days=30")
    assert str(ADVISORY) == "[required-tags, advisory] network/dev vpc: tags lack Owner."
    assert UNSEEN.problem == "GET /health: expected 2xx, found not reachable"


def test_the_status_column_appears_when_some_row_does_not_block_and_the_stack_column_on_request():
    assert findings_table([POLICY]).splitlines()[0].split() == ["rule", "stack", "resource", "problem"]
    assert findings_table([POLICY, ADVISORY]).splitlines()[0].split() == [
        "rule", "status", "stack", "resource", "problem"]
    assert findings_table([POLICY], stack=False, status=True).splitlines()[0].split() == [
        "rule", "status", "resource", "problem"]
    assert findings_table([PASSED, UNSEEN], stack=False).splitlines()[2:] == [
        "task start    pass          2 resource(s)  5 facts proven",
        "health-probe  not verified  alb x          GET /health: expected 2xx, found not reachable"]
