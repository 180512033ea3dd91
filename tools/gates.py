"""Every offline gate over one written `plan.json`: the policy pack, the provider checks, the deployability
analysis and the example values still in the stack files. `plan` runs them on the plan it just wrote;
`check-plan` on any plan file (made elsewhere, or edited by hand), so a plan is judged the same way wherever it
came from."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from policy.gate import gate_document
from tools.analysis import analyse
from tools.placeholders import blocking_placeholders, render_placeholders
from tools.provider_checks import check_document


class PlanFileError(ValueError):
    """The file is not a plan this repository writes; the message names the file and what is wrong."""


@dataclass(frozen=True)
class GateResult:
    gate: str
    failures: int
    text: str


def read_plan(path: Path) -> dict:
    try:
        document = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise PlanFileError(f"{path} does not exist; write one with `./dev plan`") from None
    except json.JSONDecodeError as error:
        raise PlanFileError(f"{path} is not JSON ({error}); write a fresh one with `./dev plan`") from None
    stacks = document.get("stacks") if isinstance(document, dict) else None
    if not isinstance(stacks, list) or not isinstance(document.get("environment"), str) or not all(
            isinstance(s, dict) and {"project", "stack", "resources", "outputs"} <= set(s) for s in stacks):
        raise PlanFileError(f"{path} is not a plan.json: it needs \"environment\" and \"stacks\" (each with "
                            "project, stack, resources, outputs), as `./dev plan` writes it")
    return document


def placeholder_gate(environment: str, *, allowed: bool) -> GateResult:
    """Example values still in the stack files: blocking ones fail the gate unless explicitly allowed."""
    blocking = len(blocking_placeholders(environment))
    text = render_placeholders(environment)
    if blocking and allowed:
        text += ("\n  (not failing this run: check-plan and the deploy tasks refuse blocking examples unless "
                 "--allow-placeholders)")
    return GateResult("placeholders", 0 if allowed else blocking, text)


def run_gates(document: dict, *, analysis: bool = True, allow_placeholders: bool = True) -> list[GateResult]:
    """Every gate; `plan` allows placeholders (it only shows them: prod is planned with its examples in CI),
    `check-plan` and the deploy tasks do not unless told."""
    policy = gate_document(document)
    provider = check_document(document)
    results = [GateResult("policy gate", len(policy.mandatory), policy.render()),
               GateResult("provider checks", len(provider.findings), provider.render())]
    if analysis:
        verdict = analyse(document)
        results.append(GateResult("deployability analysis", len(verdict.failures), verdict.render()))
    results.append(placeholder_gate(document["environment"], allowed=allow_placeholders))
    return results


def failure_summary(results: list[GateResult]) -> str:
    return "; ".join(f"{r.gate}: {r.failures} failure(s)" for r in results if r.failures)
