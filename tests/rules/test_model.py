"""The constraint kinds and the path walker the provider rules are written in."""
from __future__ import annotations

import pytest

from shared.aws_rules.model import (
    AtLeastOneOf,
    Check,
    ConflictsWith,
    ExactlyOneOf,
    Length,
    NotPrefix,
    NotSuffix,
    OneOf,
    Pattern,
    Prefix,
    Range,
    RequiredWith,
    Rule,
    Unique,
    evaluate,
    visit,
)


@pytest.mark.parametrize(("constraint", "value", "problem"), [
    (Length(1, 3), "abc", None),
    (Length(1, 3), "", "is 0 characters; the length must be 1..3"),
    (Length(1, 3), "abcd", "is 4 characters; the length must be 1..3"),
    (Length(2), "a", "is 1 characters; the length must be at least 2"),
    (Length(2), "a" * 5000, None),
    (Length(0, 3), 7, "must be a string, not int"),
    (Pattern(r"[a-z]+", "lower-case letters"), "abc", None),
    (Pattern(r"[a-z]+", "lower-case letters"), "abc\n", "must be lower-case letters"),
    (Pattern(r"[a-z]+", "lower-case letters"), 3, "must be lower-case letters"),
    (NotPrefix(("sg-", "x")), "sg-alb", "must not begin with 'sg-'"),
    (NotPrefix(("sg-",)), "secgroup-sg-", None),
    (NotPrefix(("sg-",)), 5, None),
    (Prefix(("alias/",)), "alias/a", None),
    (Prefix(("alias/", "b")), "key/a", "must begin with 'alias/' or 'b'"),
    (Prefix(("alias/",)), None, "must begin with 'alias/'"),
    (NotSuffix((".fifo",)), "q.fifo", "must not end with '.fifo'"),
    (NotSuffix((".fifo",)), "q", None),
    (OneOf(("a", "b")), "b", None),
    (OneOf(("a", "b")), "c", "must be one of a, b"),
    (Range(1, 10), 10.0, None),
    (Range(1, 10), 1, None),
    (Range(1, 10), 11.0, "is 11; it must be within 1..10"),
    (Range(1, 10), 0, "is 0; it must be within 1..10"),
    (Range(None, 10), -5, None),
    (Range(3), 2, "is 2; it must be within 3.."),
    (Range(None, 3), 4, "is 4; it must be within ..3"),
    (Range(1, 10), 2.5, "must be a whole number, not 2.5"),
    (Range(1, 10), True, "must be a whole number, not True"),
    (Range(1, 10), "5", "must be a whole number, not '5'"),
    (Check(lambda v: None if v == 1 else "is not one", "is one"), 1, None),
    (Check(lambda v: None if v == 1 else "is not one", "is one"), 2, "is not one"),
    (ConflictsWith(("a", "b")), {"a": 1}, None),
    (ConflictsWith(("a", "b")), {"a": 1, "b": []}, None),
    (ConflictsWith(("a", "b")), {"a": 1, "b": 2}, "a and b conflict: set only one"),
    (ExactlyOneOf(("a", "b")), {"b": "x"}, None),
    (ExactlyOneOf(("a", "b")), {}, "exactly one of a, b must be set, not 0"),
    (ExactlyOneOf(("a", "b")), {"a": 1, "b": 1}, "exactly one of a, b must be set, not 2"),
    (AtLeastOneOf(("a", "b")), {"b": 0}, None),
    (AtLeastOneOf(("a", "b")), {"a": None, "b": {}}, "at least one of a, b must be set"),
    (RequiredWith("a", ("b", "c")), {}, None),
    (RequiredWith("a", ("b", "c")), {"a": 1, "b": 1, "c": 1}, None),
    (RequiredWith("a", ("b", "c")), {"a": 1, "b": 1}, "a needs c set as well"),
    (RequiredWith("a", ("b", "c")), {"a": 1}, "a needs b, c set as well"),
    (Unique("priority"), [{"priority": 1}, {"priority": 2}, {"other": 1}], None),
    (Unique("priority"), [{"priority": 2}, {"priority": 2}, {"priority": 1}, "x"], "priority must be unique; "
                                                                                   "repeated: 2"),
    (Unique("priority"), {"priority": 1}, None),
    (Unique("name"), [{"name": "b"}, {"name": "a"}, {"name": "b"}, {"name": "a"}], "name must be unique; "
                                                                                   "repeated: a, b"),
])
def test_constraint_verdicts(constraint, value, problem):
    assert constraint.problem(value) == problem


def test_visit_walks_nested_objects_and_lists():
    inputs = {"name": "n", "healthCheck": {"interval": 30.0}, "rules": [{"priority": 1}, {"priority": 2}, {}],
              "tags": None, "notAList": {"x": 1}}
    assert list(visit(inputs, "name")) == [("name", "n")]
    assert list(visit(inputs, "")) == [("", inputs)]
    assert list(visit(inputs, "healthCheck.interval")) == [("healthCheck.interval", 30.0)]
    assert list(visit(inputs, "rules[].priority")) == [("rules[0].priority", 1), ("rules[1].priority", 2)]
    assert list(visit(inputs, "rules[]")) == [("rules[0]", {"priority": 1}), ("rules[1]", {"priority": 2}),
                                              ("rules[2]", {})]
    assert list(visit(inputs, "rules")) == [("rules", inputs["rules"])]
    assert list(visit(inputs, "missing.deeper")) == []
    assert list(visit(inputs, "tags")) == []
    assert list(visit(inputs, "notAList[]")) == []
    assert list(visit(inputs, "name.deeper")) == []
    assert list(visit([{"a": 1}], "[].a")) == [("[0].a", 1)]


def test_evaluate_reports_each_violation_with_its_path_and_never_judges_a_secret():
    rule = Rule("t.r.a.length", "items[].name", Length(0, 3), "too long", "https://x", "shorten it", ("abc",),
                ("abcd",))
    inputs = {"items": [{"name": "abcd"}, {"name": "ab"}, {"name": "[secret]"}, {"name": "toolong"}]}
    found = evaluate(rule, inputs)
    assert all(v.rule is rule for v in found)  # a finding names its rule (id, source and fix in the report)
    assert [(v.path, v.value, v.problem) for v in found] == [
        ("items[0].name", "abcd", "is 4 characters; the length must be 0..3"),
        ("items[3].name", "toolong", "is 7 characters; the length must be 0..3")]
    whole = Rule("t.r.x.conflict", "", ConflictsWith(("a", "b")), "conflict", "https://x", "pick one", ({},),
                 ({"a": 1, "b": 1},))
    assert [(v.path, v.problem) for v in evaluate(whole, {"a": 1, "b": 2})] == [
        ("(resource)", "a and b conflict: set only one")]
