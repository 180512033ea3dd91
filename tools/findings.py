"""One finding type and one table renderer for every gate that judges a plan or an environment.

The policy gate, the provider checks, the deployability analysis and the verifier each decide differently,
but a reader sees the same columns from all of them: which rule, on which resource of which stack, what is
wrong and how to fix it. Gates that also report what held (the analysis's proven facts, the verifier's
observations) use the same type with another `status`; the table then grows a status column.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

SECRET_MARKER = "[secret]"  # how every file and report shows a secret value


class Status(Enum):
    PASS = "pass"
    FAIL = "FAIL"
    NOT_VERIFIED = "not verified"  # could not be seen (unreachable, or a secret): never counted as a pass


@dataclass(frozen=True)
class Finding:
    """`rule` judged `resource` (a logical name) of `stack`; a failure says what is wrong and the fix.

    `stack` is the stack (`network/dev`) or, for the deployability analysis, the catalog service the fact is
    about; the verifier, which judges one environment, leaves it empty. A failure that is not `mandatory`
    (an advisory policy) is shown but blocks nothing. A gate that compares values fills `expected` and
    `actual`; `message` then names what was compared.
    """

    gate: str
    rule: str
    stack: str
    resource: str
    message: str
    fix: str = ""
    mandatory: bool = True
    status: Status = Status.FAIL
    type: str = ""  # the resource's type token, when the gate knows it
    expected: str = ""
    actual: str = ""

    @property
    def failed(self) -> bool:
        return self.status is Status.FAIL

    @property
    def blocking(self) -> bool:
        return self.failed and self.mandatory

    @property
    def label(self) -> str:
        """The status column: pass, FAIL, not verified, or advisory for a failure that blocks nothing."""
        return "advisory" if self.failed and not self.mandatory else self.status.value

    @property
    def target(self) -> str:
        return f"{self.resource} ({self.type})" if self.type else self.resource

    @property
    def problem(self) -> str:
        """The whole reason: what is wrong (or what was compared, and both values) and the fix."""
        compared = self.expected or self.actual
        text = f"{self.message}: expected {self.expected}, found {self.actual}" if compared else self.message
        return f"{text}. Fix: {self.fix}" if self.fix else text

    def __str__(self) -> str:
        level = "" if self.mandatory else ", advisory"
        return f"[{self.rule}{level}] {self.stack} {self.target}: {self.problem}{'' if self.fix else '.'}"


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    """Aligned columns; the last column is never padded or clipped (it holds the reason, which is the point)."""
    everything = [tuple(header), *(tuple(r) for r in rows)]
    widths = [max(len(row[i]) for row in everything) for i in range(len(header) - 1)]
    lines = ["  ".join([cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)] + [row[-1]])
             for row in everything]
    lines.insert(1, "  ".join("-" * w for w in [*widths, len(header[-1])]))
    return "\n".join(lines)


def findings_table(findings: Sequence[Finding], *, stack: bool = True, status: bool | None = None) -> str:
    """One row per finding: rule, status, stack, resource, problem. The status column is shown when `status`
    says so, or by default when some row is not a blocking failure (a gate that lists only what blocks needs
    none); `stack=False` leaves out the stack column where a heading already names it."""
    status = any(not f.blocking for f in findings) if status is None else status
    header = ("rule", *(("status",) if status else ()), *(("stack",) if stack else ()), "resource", "problem")
    return table([(f.rule, *((f.label,) if status else ()), *((f.stack,) if stack else ()), f.target, f.problem)
                  for f in findings], header)
