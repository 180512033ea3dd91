"""Typed, validated stack settings: the one place where config is checked.

Each project's keys are declared (type, default, description) in its `Pulumi.yaml`; the CLI applies the
defaults, and `tools.plan` does the same offline. A project module here turns those raw strings into a
frozen dataclass and reports *every* violation at once, each naming the key, the bad value and the fix,
before the program registers a single resource.
"""
from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Protocol, TypeVar, Union

from shared.fargate import CAPACITY_PROVIDERS, CapacityShare, parse_capacity_share, strategy_problems
from shared.naming import suffix_problem

if TYPE_CHECKING:
    import pulumi

T = TypeVar("T")
E = TypeVar("E", bound=Enum)

REGION = "us-east-1"


# A secret config value: in a real program an `Output[str]` marked secret (its plaintext never becomes a plain
# string inside the settings); in tests and offline checks, the string itself.
SecretValue = Union[str, "pulumi.Output[str]"]


class ConfigSource(Protocol):
    """Raw config of one stack, as the Pulumi CLI hands it to a program: plain keys as strings, secret keys only
    through `get_secret`."""

    project: str
    stack: str

    def get(self, key: str) -> str | None: ...

    def get_secret(self, key: str) -> SecretValue | None: ...

    def is_secret(self, key: str) -> bool: ...


@dataclass
class DictConfigSource:
    """A ConfigSource over a plain mapping: used by tests and by the offline plan's checks."""

    project: str
    stack: str
    values: dict[str, str]
    secret_keys: frozenset[str] = frozenset()

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def get_secret(self, key: str) -> SecretValue | None:
        return self.values.get(key)

    def is_secret(self, key: str) -> bool:
        return key in self.secret_keys


@dataclass(frozen=True)
class Violation:
    key: str
    value: object
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"config '{self.key}' = {self.value!r}: {self.problem}. Fix: {self.fix}"


class ConfigError(ValueError):
    """All violations of one stack's config, raised before any resource is registered."""

    def __init__(self, project: str, stack: str, violations: list[Violation]):
        self.violations = violations
        lines = "\n".join(f"  - {v}" for v in violations)
        super().__init__(f"invalid config for stack {project}/{stack} ({len(violations)} problem(s)):\n{lines}")


_MISSING = object()


class ConfigReader:
    """Reads typed values and collects violations; `finish()` raises them together.

    A key that is unset or whose value does not parse is remembered (`unparsed`): the stand-in value a reader
    returns for it (0, False, the first enum member) must not produce a second, confusing violation, so `check`
    skips rules on such a key or on the keys named in its `after`."""

    def __init__(self, source: ConfigSource):
        self.source = source
        self.violations: list[Violation] = []
        self.unparsed: set[str] = set()

    def qualified(self, key: str) -> str:
        return f"{self.source.project}:{key}"

    def fail(self, key: str, value: object, problem: str, fix: str) -> None:
        self.violations.append(Violation(self.qualified(key), value, problem, fix))

    def unusable(self, key: str, value: object, problem: str, fix: str) -> None:
        """A value that does not parse, or lies outside its range: a violation, and no rule that depends on it
        runs (one wrong value gives one message, not a second one about what it was compared with)."""
        self.unparsed.add(key)
        self.fail(key, value, problem, fix)

    def _stored_as_secret(self, key: str) -> bool:
        """A plain key stored encrypted is a violation; its value is then not read (nor shown) at all."""
        if not self.source.is_secret(key):
            return False
        self.unusable(key, "[secret]", "is a secret but this key is plain configuration",
                      f"run `pulumi config set {self.qualified(key)} <value>` without --secret")
        return True

    def _raw(self, key: str) -> object:
        if self._stored_as_secret(key):
            return _MISSING
        raw = self.source.get(key)
        if raw is None:
            # Every key is declared in the project's Pulumi.yaml; one without a default there is required.
            self.unusable(key, None, "is not set", f"in projects/{self.source.project} run `pulumi config set "
                          f"{self.qualified(key)} <value> --stack {self.source.stack}`")
            return _MISSING
        return raw

    def string(self, key: str, default: str | None = None, *, pattern: str | None = None,
               fix: str = "") -> str:
        if self._stored_as_secret(key):
            return default or ""
        raw = self.source.get(key)
        if raw is None and default is not None:
            return default
        value = self._raw(key) if raw is None else raw
        if value is _MISSING:
            return ""
        if pattern and not re.fullmatch(pattern, str(value)):
            self.unusable(key, value, f"does not match {pattern}", fix or "see the key's description in Pulumi.yaml")
        return str(value)

    def secret(self, key: str) -> SecretValue | None:
        """A secret value, or None when unset; set in plain text it is a violation (it would sit in clear in
        the stack file and in state)."""
        if not self.source.is_secret(key):
            if self.source.get(key) is not None:
                self.fail(key, "<hidden>", "is stored in plain text", f"remove it and run `pulumi config set "
                          f"--secret {self.qualified(key)} <value>`")
            return None
        return self.source.get_secret(key)

    def integer(self, key: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self._raw(key)
        if value is _MISSING:
            return 0
        try:
            number = int(str(value))
        except ValueError:
            self.unusable(key, value, "is not an integer", "give a whole number")
            return 0
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            self.unusable(key, number, f"is outside {minimum}..{maximum}",
                          f"choose a value from {minimum} to {maximum}")
        return number

    def boolean(self, key: str) -> bool:
        value = self._raw(key)
        if value is _MISSING:
            return False
        if str(value).lower() not in ("true", "false"):
            self.unusable(key, value, "is not a boolean", "use true or false")
            return False
        return str(value).lower() == "true"

    def enum(self, key: str, kind: type[E]) -> E:
        """The member of `kind` named by the key's value; on a bad value the violation is recorded and the
        first member stands in until `finish` raises."""
        members = list(kind)
        value = self._raw(key)
        for member in members:
            if member.value == value:
                return member
        if value is not _MISSING:
            self.unusable(key, value, "is not a known value", f"use one of {', '.join(str(m.value) for m in members)}")
        return members[0]

    def string_list(self, key: str) -> tuple[str, ...]:
        value = self._raw(key)
        if value is _MISSING:
            return ()
        try:
            items = json.loads(str(value))
        except json.JSONDecodeError:
            items = None
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            self.unusable(key, value, "is not a list of strings", f"set it as a YAML list, e.g. "
                      f"`pulumi config set --path '{self.qualified(key)}[0]' <value>`")
            return ()
        return tuple(items)

    def json_object(self, key: str) -> dict:
        value = self._raw(key)
        if value is _MISSING:
            return {}
        try:
            parsed = json.loads(str(value))
        except json.JSONDecodeError:
            parsed = None
        if not isinstance(parsed, dict):
            self.unusable(key, value, "is not a mapping", "set it as a YAML mapping in the stack file")
            return {}
        return parsed

    def capacity_strategy(self, key: str) -> tuple[CapacityShare, ...]:
        """A capacity provider strategy written as `PROVIDER:base:weight` entries, checked against AWS's rules."""
        entries = self.string_list(key)
        shares = []
        for entry in entries:
            share = parse_capacity_share(entry)
            if share is None:
                self.unusable(key, entry, "is not PROVIDER:base:weight with a Fargate capacity provider",
                          f"write entries such as FARGATE:2:1 or FARGATE_SPOT:0:3; providers: "
                          f"{', '.join(CAPACITY_PROVIDERS)}")
            else:
                shares.append(share)
        # A malformed entry already explains itself, and an unset key was reported by string_list.
        if key not in self.unparsed:
            for problem, fix in strategy_problems(tuple(shares)):
                self.fail(key, list(entries), problem, fix)
        return tuple(shares)

    def ipv4_network(self, key: str, *, min_prefix: int, max_prefix: int, purpose: str) -> str:
        value = self._raw(key)
        if value is _MISSING:
            return ""
        try:
            network = ipaddress.IPv4Network(str(value))
        except ValueError:
            self.unusable(key, value, "is not a valid IPv4 network (host bits set or malformed)",
                      "give a network address such as 10.10.0.0/16")
            return str(value)
        if not min_prefix <= network.prefixlen <= max_prefix:
            self.fail(key, value, f"has prefix /{network.prefixlen}; {purpose}",
                      f"use a prefix from /{min_prefix} to /{max_prefix}")
        return str(network)

    def check(self, ok: bool, key: str, value: object, problem: str, fix: str, *, after: tuple[str, ...] = ()) -> None:
        """A rule on `key` (and on the keys `after` names): skipped when any of them is unset or did not parse."""
        if not ok and not self.unparsed.intersection((key, *after)):
            self.fail(key, value, problem, fix)

    def finish(self, result: T) -> T:
        if self.violations:
            raise ConfigError(self.source.project, self.source.stack, self.violations)
        return result


@dataclass(frozen=True)
class CommonSettings:
    """What every stack knows about itself: which environment, its name suffix and its tags' owners."""

    project: str
    environment: str
    environment_suffix: str
    owner_team: str
    cost_center: str


def read_common(reader: ConfigReader, environment: str) -> CommonSettings:
    suffix = reader.string("environmentSuffix", default=environment)
    problem = suffix_problem(suffix)
    if problem:
        reader.fail("environmentSuffix", suffix, problem, "use the environment name, optionally with one extra "
                    "token for a throwaway copy, e.g. dev-pr42")
    return CommonSettings(
        project=reader.source.project,
        environment=environment,
        environment_suffix=suffix,
        owner_team=reader.string("ownerTeam", pattern=r"^[a-z][a-z0-9-]*$", fix="use a lower-case team slug"),
        cost_center=reader.string("costCenter", pattern=r"^[A-Za-z0-9-]+$", fix="use the finance code, e.g. TRD-001"),
    )


