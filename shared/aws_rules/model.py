"""The shape of a provider or AWS argument rule: what is checked, where the rule comes from, and examples.

A rule is data: resource type, argument path, constraint, the message the real tool prints, and the source
(a terraform-provider-aws validator file or an AWS API reference page). Each rule carries hand-written
examples that must pass and must fail; the tests run every rule against its own examples, so a mutated limit
(33 for 32) fails the example written at the boundary.

Argument paths use the engine's camelCase wire names, as in `plan.json` inputs: `name`, `healthCheck.interval`,
`rules[].priority` (`[]` visits every element of a list). A constraint with `scope = OBJECT` receives the
whole object at that path (`""` is the resource's inputs) and checks several arguments together
(ConflictsWith, ExactlyOneOf, Unique, ...).
"""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Scope(Enum):
    VALUE = "value"  # the constraint sees one argument's value
    OBJECT = "object"  # the constraint sees the object (dict) at the path


class Constraint(ABC):
    """Returns why a value breaks the rule, or None. Subclasses are frozen dataclasses."""

    scope = Scope.VALUE

    @abstractmethod
    def problem(self, value: Any) -> str | None: ...


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class Length(Constraint):
    """String length in characters, inclusive bounds."""

    min: int = 0
    max: int | None = None

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return f"must be a string, not {type(value).__name__}"
        if len(value) < self.min or (self.max is not None and len(value) > self.max):
            bound = f"{self.min}..{self.max}" if self.max is not None else f"at least {self.min}"
            return f"is {len(value)} characters; the length must be {bound}"
        return None


@dataclass(frozen=True)
class Pattern(Constraint):
    """The whole string matches `regex` (re.fullmatch); `meaning` says it in words."""

    regex: str
    meaning: str

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, str) or re.fullmatch(self.regex, value) is None:
            return f"must be {self.meaning}"
        return None


@dataclass(frozen=True)
class NotPrefix(Constraint):
    prefixes: tuple[str, ...]

    def problem(self, value: Any) -> str | None:
        hit = next((p for p in self.prefixes if isinstance(value, str) and value.startswith(p)), None)
        return None if hit is None else f"must not begin with {hit!r}"


@dataclass(frozen=True)
class Prefix(Constraint):
    prefixes: tuple[str, ...]

    def problem(self, value: Any) -> str | None:
        if isinstance(value, str) and value.startswith(self.prefixes):
            return None
        return f"must begin with {' or '.join(repr(p) for p in self.prefixes)}"


@dataclass(frozen=True)
class NotSuffix(Constraint):
    suffixes: tuple[str, ...]

    def problem(self, value: Any) -> str | None:
        hit = next((s for s in self.suffixes if isinstance(value, str) and value.endswith(s)), None)
        return None if hit is None else f"must not end with {hit!r}"


@dataclass(frozen=True)
class OneOf(Constraint):
    values: tuple[Any, ...]

    def problem(self, value: Any) -> str | None:
        return None if value in self.values else f"must be one of {', '.join(map(str, self.values))}"


@dataclass(frozen=True)
class Range(Constraint):
    """A whole number within inclusive bounds (the engine sends numbers as floats: 30.0 is 30)."""

    min: int | None = None
    max: int | None = None

    def problem(self, value: Any) -> str | None:
        if not _is_number(value) or float(value) != int(value):
            return f"must be a whole number, not {value!r}"
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            low = "" if self.min is None else str(self.min)
            high = "" if self.max is None else str(self.max)
            return f"is {int(value)}; it must be within {low}..{high}"
        return None


@dataclass(frozen=True)
class Check(Constraint):
    """A rule no simpler constraint expresses (a cron grammar, a JSON document): `test` returns the problem
    or None. Say in `meaning` what it checks, for the rule listing. On the argument `""` the test receives the
    resource's inputs, always a dict; on any other path, whatever JSON value the plan holds there."""

    test: Callable[[Any], str | None]
    meaning: str

    def problem(self, value: Any) -> str | None:
        return self.test(value)


def _present(obj: dict, key: str) -> bool:
    value = obj.get(key)
    return value is not None and value != [] and value != {}


@dataclass(frozen=True)
class ConflictsWith(Constraint):
    """At most one of `arguments` may be set (terraform `ConflictsWith`)."""

    arguments: tuple[str, ...]
    scope = Scope.OBJECT

    def problem(self, value: Any) -> str | None:
        set_ = [a for a in self.arguments if _present(value, a)]
        return None if len(set_) <= 1 else f"{' and '.join(set_)} conflict: set only one"


@dataclass(frozen=True)
class ExactlyOneOf(Constraint):
    arguments: tuple[str, ...]
    scope = Scope.OBJECT

    def problem(self, value: Any) -> str | None:
        set_ = [a for a in self.arguments if _present(value, a)]
        return None if len(set_) == 1 else f"exactly one of {', '.join(self.arguments)} must be set, not {len(set_)}"


@dataclass(frozen=True)
class AtLeastOneOf(Constraint):
    arguments: tuple[str, ...]
    scope = Scope.OBJECT

    def problem(self, value: Any) -> str | None:
        return None if any(_present(value, a) for a in self.arguments) else \
            f"at least one of {', '.join(self.arguments)} must be set"


@dataclass(frozen=True)
class RequiredWith(Constraint):
    """When `argument` is set, every one of `required` must be set too (terraform `RequiredWith`)."""

    argument: str
    required: tuple[str, ...]
    scope = Scope.OBJECT

    def problem(self, value: Any) -> str | None:
        if not _present(value, self.argument):
            return None
        missing = [r for r in self.required if not _present(value, r)]
        return None if not missing else f"{self.argument} needs {', '.join(missing)} set as well"


@dataclass(frozen=True)
class Unique(Constraint):
    """Within the list at the path, `key` of each element is unique (WAF rule priorities, rule names)."""

    key: str
    scope = Scope.OBJECT

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, list):
            return None
        seen = [item.get(self.key) for item in value if isinstance(item, dict) and item.get(self.key) is not None]
        dupes = sorted({str(v) for v in seen if seen.count(v) > 1})
        return None if not dupes else f"{self.key} must be unique; repeated: {', '.join(dupes)}"


@dataclass(frozen=True)
class Rule:
    """One argument rule. `id` is stable (it appears in findings and in waivers); `message` is the real tool's
    wording where it has one; `fix` tells our user what to change; `ok` and `bad` are hand-written examples
    (at the boundary for every length and range) that the rule must accept and refuse."""

    id: str
    argument: str
    constraint: Constraint
    message: str
    source: str
    fix: str
    ok: tuple[Any, ...]
    bad: tuple[Any, ...]


@dataclass(frozen=True)
class ResourceRules:
    """Every rule of one resource type, and which top-level arguments force a replacement when they change
    (terraform `ForceNew`; the plan diff reads it)."""

    type: str
    source: str
    rules: tuple[Rule, ...]
    forces_replacement: frozenset[str] = field(default_factory=frozenset)


MASKED = "[secret]"  # how plan.json shows secret values: unknown offline, so no rule can judge them


def visit(value: Any, path: str, at: str = "") -> Iterator[tuple[str, Any]]:
    """Every (concrete path, value) that `path` names inside `value`; absent parts yield nothing."""
    if path == "":
        yield at, value
        return
    head, _, rest = path.partition(".")
    many = head.endswith("[]")
    key = head[:-2] if many else head
    if key:
        if not isinstance(value, dict) or value.get(key) is None:
            return
        value, at = value[key], f"{at}.{key}" if at else key
    if many:
        if not isinstance(value, list):
            return
        for index, item in enumerate(value):
            yield from visit(item, rest, f"{at}[{index}]")
    else:
        yield from visit(value, rest, at)


@dataclass(frozen=True)
class Violation:
    rule: Rule
    path: str
    value: Any
    problem: str


def evaluate(rule: Rule, inputs: dict) -> list[Violation]:
    """The violations of one rule in one resource's inputs; secret (masked) values are not judged."""
    found = []
    for path, value in visit(inputs, rule.argument):
        if value == MASKED:
            continue
        problem = rule.constraint.problem(value)
        if problem is not None:
            found.append(Violation(rule, path or "(resource)", value, problem))
    return found
