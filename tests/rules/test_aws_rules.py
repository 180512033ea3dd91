"""Every provider/AWS argument rule against its own hand-written examples, and the rules against the plans.

The examples are written by hand next to each rule, at the boundary for lengths and ranges, so a mutated
limit (33 for 32) or a loosened pattern fails here. The committed plans must break no rule, and every AWS type
they contain must have rules: a new resource type without them fails.
"""
from __future__ import annotations

import re

import pytest

from shared.aws_rules import COMMON_RULES, RULES, applicable_rules
from shared.aws_rules.model import Length, Range, Rule, Scope, evaluate

ALL_RULES = [(resource.type, rule) for resource in RULES.values() for rule in resource.rules] + [
    ("*", rule) for rule in COMMON_RULES]


def rule_id(item: tuple[str, Rule]) -> str:
    return item[1].id


def judge(rule: Rule, value: object) -> str | None:
    return rule.constraint.problem(value)


@pytest.mark.parametrize("item", ALL_RULES, ids=rule_id)
def test_every_rule_accepts_its_ok_examples_and_refuses_its_bad_ones(item):
    _, rule = item
    assert rule.ok and rule.bad, f"{rule.id} needs at least one ok and one bad example"
    for value in rule.ok:
        assert judge(rule, value) is None, f"{rule.id} refuses its ok example {value!r}"
    for value in rule.bad:
        assert judge(rule, value) is not None, f"{rule.id} accepts its bad example {value!r}"


def _size(value: object) -> int:
    return len(value) if isinstance(value, str) else int(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("item", [i for i in ALL_RULES if isinstance(i[1].constraint, (Length, Range))], ids=rule_id)
def test_length_and_range_examples_sit_at_the_boundary(item):
    _, rule = item
    constraint = rule.constraint
    ok = {_size(v) for v in rule.ok}
    bad = {_size(v) for v in rule.bad if isinstance(v, (str, int, float)) and not isinstance(v, bool)}
    if constraint.max is not None:
        assert constraint.max in ok and constraint.max + 1 in bad, \
            f"{rule.id}: examples must include {constraint.max} (accepted) and {constraint.max + 1} (refused)"
    low = constraint.min
    if low:
        assert low in ok and low - 1 in bad, f"{rule.id}: examples must include {low} and {low - 1}"


def test_rule_ids_are_unique_and_well_formed():
    ids = [rule.id for _, rule in ALL_RULES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(\.[a-z0-9-]+)+", i) for i in ids), [i for i in ids if not re.fullmatch(
        r"[a-z0-9]+(\.[a-z0-9-]+)+", i)]


def test_every_rule_cites_a_source_and_tells_the_fix():
    for resource in RULES.values():
        assert resource.source.startswith("https://"), resource.type
        for rule in resource.rules:
            assert rule.source.startswith("https://") and rule.message and rule.fix, rule.id


def test_replacement_arguments_are_wire_names():
    for resource in RULES.values():
        assert all(re.fullmatch(r"[a-z][A-Za-z0-9]*", a) for a in resource.forces_replacement), resource.type


def test_object_rules_name_their_object():
    # An OBJECT-scope constraint sees a dict or a list; a VALUE-scope one a single argument.
    for _, rule in ALL_RULES:
        if rule.constraint.scope is Scope.OBJECT:
            assert all(isinstance(v, (dict, list)) for v in rule.ok + rule.bad), rule.id


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_every_aws_type_in_the_plans_has_rules(environment, plan_document):
    types = {r["type"] for s in plan_document(environment)["stacks"] for r in s["resources"]
             if r["type"].startswith(("aws:", "random:"))}
    assert types and types - set(RULES) == set()


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_the_committed_plans_break_no_rule(environment, plan_document):
    broken = []
    for stack in plan_document(environment)["stacks"]:
        for resource in stack["resources"]:
            for rule in applicable_rules(resource["type"]) or ():
                broken += [f"{resource['name']}: {v.rule.id} {v.path}={v.value!r}: {v.problem}"
                           for v in evaluate(rule, resource["inputs"])]
    assert broken == []


def test_every_aws_type_also_gets_the_tag_rules_and_other_providers_do_not():
    assert applicable_rules("aws:sqs/queue:Queue")[-len(COMMON_RULES):] == COMMON_RULES
    random_rules = applicable_rules("random:index/randomPassword:RandomPassword")
    assert random_rules and not any(rule.id.startswith("tags.") for rule in random_rules)
    assert applicable_rules("aws:unknown/thing:Thing") is None
