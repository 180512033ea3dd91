"""Results of a verification and their table. Pure: no AWS, no Pulumi.

Each observation is a `tools.findings.Finding` of the verify gate: `rule` is the check, `message` the
attribute compared, `expected` and `actual` both values as text, `status` the verdict. A check never passes
what it could not see: anything not observed (an unreachable ALB from this machine, a value hidden as
`tools.findings.SECRET_MARKER`) is NOT_VERIFIED, which is shown and counted apart from PASS.
"""
from __future__ import annotations

from collections.abc import Iterable

from tools.findings import Finding, Status, findings_table

GATE = "verify"

__all__ = ["GATE", "Status", "compare", "counts", "failures", "observed", "render_table", "summary_line"]


def observed(check: str, resource: str, attribute: str, expected: object, actual: object, status: Status) -> Finding:
    """One observation: `resource`'s `attribute` was `actual` where config and catalog say `expected`. The
    verifier judges one environment, so the finding names no stack."""
    return Finding(GATE, check, "", resource, attribute, status=status, expected=str(expected), actual=str(actual))


def compare(check: str, resource: str, attribute: str, expected: object, actual: object) -> Finding:
    """PASS when equal; both values are kept as text so the table shows exactly what was compared."""
    return observed(check, resource, attribute, expected, actual, Status.PASS if expected == actual else Status.FAIL)


def failures(results: Iterable[Finding]) -> list[Finding]:
    return [r for r in results if r.failed]


def counts(results: Iterable[Finding]) -> dict[Status, int]:
    tally = dict.fromkeys(Status, 0)
    for result in results:
        tally[result.status] += 1
    return tally


def summary_line(results: list[Finding]) -> str:
    tally = counts(results)
    return (f"{len(results)} results: {tally[Status.PASS]} passed, {tally[Status.FAIL]} failed, "
            f"{tally[Status.NOT_VERIFIED]} not verified")


def render_table(results: list[Finding]) -> str:
    """The one findings table, one row per result with its status; the reason (both values) never clipped."""
    return findings_table(results, stack=False, status=True)
