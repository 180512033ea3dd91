"""One finding type and one table renderer for every gate that judges a plan or an environment.

The policy gate, the provider checks, the deployability analysis and the verifier each decide differently,
but a reader sees the same columns from all of them: which rule, on which resource of which stack, what is
wrong and how to fix it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SECRET_MARKER = "[secret]"  # how every file and report shows a secret value


@dataclass(frozen=True)
class Finding:
    """`rule` judged `resource` (a logical name) of `stack`; a failure says what is wrong and the fix."""

    gate: str
    rule: str
    stack: str
    resource: str
    message: str
    fix: str = ""
    mandatory: bool = True

    def __str__(self) -> str:
        fix = f" Fix: {self.fix}" if self.fix else ""
        return f"[{self.rule}] {self.stack} {self.resource}: {self.message}.{fix}"


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    """Aligned columns; the last column is never padded or clipped (it holds the reason, which is the point)."""
    everything = [tuple(header), *(tuple(r) for r in rows)]
    widths = [max(len(row[i]) for row in everything) for i in range(len(header) - 1)]
    lines = ["  ".join([cell.ljust(width) for cell, width in zip(row[:-1], widths)] + [row[-1]])
             for row in everything]
    lines.insert(1, "  ".join("-" * w for w in [*widths, len(header[-1])]))
    return "\n".join(lines)


def findings_table(findings: Sequence[Finding]) -> str:
    return table([(f.rule, f.stack, f.resource, f"{f.message}. Fix: {f.fix}" if f.fix else f.message)
                  for f in findings], ("rule", "stack", "resource", "problem"))
