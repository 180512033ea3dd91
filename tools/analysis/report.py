"""The analysis verdict: a pass/fail table per subject (catalog service, or stack), one row per check.

A passing check shows one row with how many facts it proved; a failing check shows one row per failure with
the whole reason (never clipped: the reason is the point). The table is `tools.findings.findings_table`, the
one every gate prints.
"""
from __future__ import annotations

from dataclasses import dataclass

from tools.analysis.findings import CHECKS, GATE
from tools.findings import Finding, Status, findings_table


@dataclass(frozen=True)
class Report:
    environment: str
    findings: list[Finding]

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.failed]

    @property
    def ok(self) -> bool:
        return not self.failures

    def subjects(self) -> list[str]:
        return list(dict.fromkeys(f.stack for f in self.findings))

    def rows(self, subject: str) -> list[Finding]:
        """Per check of `subject`: every failure, or one pass row that counts the resources and facts."""
        rows: list[Finding] = []
        for check in CHECKS:
            mine = [f for f in self.findings if f.stack == subject and f.rule == check]
            bad = [f for f in mine if f.failed]
            if bad:
                rows += bad
            elif mine:
                resources = len({f.resource for f in mine})
                reason = mine[0].message if len(mine) == 1 else f"{len(mine)} facts proven"
                rows.append(Finding(GATE, check, subject, f"{resources} resource(s)", reason, status=Status.PASS))
        return rows

    def render(self) -> str:
        blocks = [f"-- {subject}\n{findings_table(self.rows(subject), stack=False, status=True)}"
                  for subject in self.subjects()]
        verdict = "PASS" if self.ok else f"FAIL ({len(self.failures)} failure(s))"
        blocks.append(f"deployability analysis of {self.environment}: {verdict}, {len(self.findings)} facts checked")
        return "\n\n".join(blocks)
