"""The analysis verdict: a pass/fail table per subject (catalog service, or stack), one row per check.

A passing check shows one row with how many facts it proved; a failing check shows one row per failure with
the whole reason (never clipped: the reason is the point).
"""
from __future__ import annotations

from dataclasses import dataclass

from tools.analysis.findings import CHECKS, Finding

COLUMNS = ("check", "status", "resource", "reason")


@dataclass(frozen=True)
class Report:
    environment: str
    findings: list[Finding]

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    @property
    def ok(self) -> bool:
        return not self.failures

    def subjects(self) -> list[str]:
        return list(dict.fromkeys(f.subject for f in self.findings))

    def rows(self, subject: str) -> list[tuple[str, str, str, str]]:
        rows = []
        for check in CHECKS:
            mine = [f for f in self.findings if f.subject == subject and f.check == check]
            bad = [f for f in mine if not f.ok]
            if bad:
                rows += [(check, "FAIL", f.resource, f.detail) for f in bad]
            elif mine:
                resources = len({f.resource for f in mine})
                reason = mine[0].detail if len(mine) == 1 else f"{len(mine)} facts proven"
                rows.append((check, "pass", f"{resources} resource(s)", reason))
        return rows

    def render(self) -> str:
        blocks = []
        for subject in self.subjects():
            rows = [COLUMNS] + self.rows(subject)
            widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS) - 1)]
            lines = ["  ".join([cell.ljust(width) for cell, width in zip(row[:-1], widths)] + [row[-1]])
                     for row in rows]
            lines.insert(1, "  ".join("-" * w for w in widths + [len(COLUMNS[-1])]))
            blocks.append(f"-- {subject}\n" + "\n".join(lines))
        verdict = "PASS" if self.ok else f"FAIL ({len(self.failures)} failure(s))"
        blocks.append(f"deployability analysis of {self.environment}: {verdict}, {len(self.findings)} facts checked")
        return "\n\n".join(blocks)
