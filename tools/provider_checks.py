"""Provider checks: every argument rule of `shared/aws_rules` applied to every resource of an offline plan.

What terraform-provider-aws validates at `pulumi preview`, and what AWS refuses at create time, fails here
first, with the resource, the argument, the value, the rule and the fix. A resource type with no recorded
rules is itself a failure: the rules are the definition of done for a new type.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from shared.aws_rules import RULES, applicable_rules, evaluate
from shared.aws_rules.model import ResourceRules, Rule
from tools.findings import Finding, findings_table

GATE = "provider"
CHECKED_PACKAGES = ("aws:", "random:")  # the providers this repository uses; components and stacks are ours


@dataclass(frozen=True)
class ProviderReport:
    environment: str
    rules_applied: int
    findings: list[Finding]

    def render(self) -> str:
        head = (f"provider checks ({self.environment}): {self.rules_applied} rule applications, "
                f"{len(self.findings)} violation(s)")
        return head if not self.findings else f"{head}\n{findings_table(self.findings)}"


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


def check_resource(stack: str, resource: dict, rules: tuple[Rule, ...] | None) -> tuple[int, list[Finding]]:
    if rules is None:
        return 0, [Finding(GATE, "provider.rules-missing", stack, resource["name"],
                           f"no provider rules are recorded for {resource['type']}",
                           "add its ResourceRules to shared/aws_rules/<service>.py, with sources")]
    findings = [Finding(GATE, v.rule.id, stack, resource["name"],
                        f"{resource['type']} {v.path} = {_shown(v.value)}: {v.problem} "
                        f"(provider: \"{v.rule.message}\"; {v.rule.source})", v.rule.fix)
                for rule in rules for v in evaluate(rule, resource["inputs"])]
    return len(rules), findings


def check_document(document: dict, rules: dict[str, ResourceRules] = RULES) -> ProviderReport:
    applied = 0
    findings: list[Finding] = []
    for stack in document["stacks"]:
        name = f"{stack['project']}/{stack['stack']}"
        for resource in stack["resources"]:
            if resource["type"].startswith(CHECKED_PACKAGES):
                count, found = check_resource(name, resource, applicable_rules(resource["type"], rules))
                applied += count
                findings += found
    return ProviderReport(document["environment"], applied, findings)


def check_file(path: Path) -> ProviderReport:
    return check_document(json.loads(Path(path).read_text()))
