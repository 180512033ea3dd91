"""Results of a verification and their table. Pure: no AWS, no Pulumi.

A check never passes what it could not see: anything not observed (an unreachable ALB from this machine, a
value hidden as "[secret]") is NOT_VERIFIED, which is shown and counted apart from PASS.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Iterable


class Status(Enum):
    PASS = "pass"
    FAIL = "FAIL"
    NOT_VERIFIED = "not verified"


@dataclass(frozen=True)
class Result:
    """One observation: `resource`'s `attribute` was `actual` where config and catalog say `expected`."""

    check: str
    resource: str
    attribute: str
    expected: str
    actual: str
    status: Status

    @property
    def failed(self) -> bool:
        return self.status is Status.FAIL


def compare(check: str, resource: str, attribute: str, expected: object, actual: object) -> Result:
    """PASS when equal; both values are kept as text so the table shows exactly what was compared."""
    status = Status.PASS if expected == actual else Status.FAIL
    return Result(check, resource, attribute, str(expected), str(actual), status)


def failures(results: Iterable[Result]) -> list[Result]:
    return [r for r in results if r.failed]


def counts(results: Iterable[Result]) -> dict[Status, int]:
    tally = {status: 0 for status in Status}
    for result in results:
        tally[result.status] += 1
    return tally


def summary_line(results: list[Result]) -> str:
    tally = counts(results)
    return (f"{len(results)} results: {tally[Status.PASS]} passed, {tally[Status.FAIL]} failed, "
            f"{tally[Status.NOT_VERIFIED]} not verified")


COLUMNS = ("status", "check", "resource", "attribute", "expected", "actual")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(results: list[Result], max_width: int = 60) -> str:
    """A plain-text table, one row per result, cells clipped to `max_width` (ARNs are long)."""
    rows = [COLUMNS] + [(r.status.value, r.check, r.resource, r.attribute, r.expected, r.actual) for r in results]
    rows = [tuple(_clip(cell, max_width) for cell in row) for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
