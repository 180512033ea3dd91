"""Argument rules of the secretsmanager resources this repository creates (see shared/aws_rules/model.py)."""
from __future__ import annotations

from typing import Any

from shared.aws_rules.model import (
    Check,
    ConflictsWith,
    ExactlyOneOf,
    Length,
    Pattern,
    Range,
    RequiredWith,
    ResourceRules,
    Rule,
)

_TF = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/secretsmanager"
SECRET_SOURCE = f"{_TF}/secret.go"
VERSION_SOURCE = f"{_TF}/secret_version.go"
SM_VALIDATE_SOURCE = f"{_TF}/validate.go"
CREATE_SECRET = "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html"
PUT_SECRET_VALUE = "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutSecretValue.html"
_NAME = r"[0-9A-Za-z/_+=.@-]+"


def _recovery_window_problem(value: Any) -> str | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and float(value) == int(value) and (
        int(value) == 0 or 7 <= int(value) <= 30)
    return None if ok else f"is {value!r}; it must be 0 (delete at once) or within 7..30"


SECRET = ResourceRules(
    type="aws:secretsmanager/secret:Secret",
    source=SECRET_SOURCE,
    forces_replacement=frozenset({"name", "namePrefix"}),
    rules=(
        Rule(id="secretsmanager.secret.name.length", argument="name", constraint=Length(1, 512),
             message='"name" cannot be greater than 512 characters', source=SM_VALIDATE_SOURCE,
             fix="shorten the secret name", ok=("s", "s" * 512), bad=("", "s" * 513)),
        Rule(id="secretsmanager.secret.name.pattern", argument="name", constraint=Pattern(_NAME, "[0-9A-Za-z/_+=.@-]"),
             message='only alphanumeric characters and /_+=.@- special characters are allowed in "name"',
             source=SM_VALIDATE_SOURCE, fix="use letters, digits and /_+=.@- only",
             ok=("secret-jwt-signing-key-dev", "team/db_url+1"), bad=("secret jwt", "secret:jwt")),
        Rule(id="secretsmanager.secret.name-prefix.length", argument="namePrefix", constraint=Length(1, 486),
             message='"name_prefix" cannot be greater than 486 characters', source=SM_VALIDATE_SOURCE,
             fix="keep the prefix to 512 - 26 = 486 characters", ok=("s", "s" * 486), bad=("", "s" * 487)),
        Rule(id="secretsmanager.secret.name-prefix.pattern", argument="namePrefix",
             constraint=Pattern(_NAME, "[0-9A-Za-z/_+=.@-]"),
             message='only alphanumeric characters and /_+=.@- special characters are allowed in "name_prefix"',
             source=SM_VALIDATE_SOURCE, fix="use letters, digits and /_+=.@- only", ok=("secret-",), bad=("s *",)),
        Rule(id="secretsmanager.secret.name.conflicts", argument="", constraint=ConflictsWith(("name", "namePrefix")),
             message='"name": conflicts with name_prefix', source=SECRET_SOURCE, fix="set name or namePrefix",
             ok=({"name": "secret-a-dev"},), bad=({"name": "secret-a-dev", "namePrefix": "secret-a-"},)),
        Rule(id="secretsmanager.secret.recovery-window-in-days.values", argument="recoveryWindowInDays",
             constraint=Check(_recovery_window_problem, "0 or 7..30"),
             message="expected recovery_window_in_days to be in the range (7 - 30), or 0", source=SECRET_SOURCE,
             fix="use 0 to delete at once (dev) or 7..30 days (prod)", ok=(0.0, 7.0, 30.0),
             bad=(1.0, 6.0, 31.0, -1.0)),
        Rule(id="secretsmanager.secret.description.length", argument="description", constraint=Length(0, 2048),
             message="Member must have length less than or equal to 2048", source=CREATE_SECRET,
             fix="shorten the description", ok=("", "d" * 2048), bad=("d" * 2049,)),
        Rule(id="secretsmanager.secret.kms-key-id.length", argument="kmsKeyId", constraint=Length(0, 2048),
             message="Member must have length less than or equal to 2048", source=CREATE_SECRET,
             fix="pass the key's ARN, id or alias", ok=("", "k" * 2048), bad=("k" * 2049,)),
    ),
)

SECRET_VERSION = ResourceRules(
    type="aws:secretsmanager/secretVersion:SecretVersion",
    source=VERSION_SOURCE,
    forces_replacement=frozenset({"secretId", "secretBinary", "secretString", "secretStringWoVersion"}),
    rules=(
        Rule(id="secretsmanager.secret-version.secret.conflicts", argument="",
             constraint=ConflictsWith(("secretString", "secretBinary", "secretStringWo")),
             message='"secret_string": conflicts with secret_binary', source=VERSION_SOURCE,
             fix="set exactly one of secretString and secretBinary",
             ok=({"secretId": "s", "secretString": "[secret]"},),
             bad=({"secretId": "s", "secretString": "x", "secretBinary": "eA=="},)),
        Rule(id="secretsmanager.secret-version.secret.exactly-one", argument="",
             constraint=ExactlyOneOf(("secretString", "secretBinary", "secretStringWo")),
             message="You must include SecretBinary or SecretString, but not both", source=PUT_SECRET_VALUE,
             fix="give the version a value: secretString (or secretBinary)",
             ok=({"secretId": "s", "secretString": "[secret]"}, {"secretId": "s", "secretBinary": "eA=="}),
             bad=({"secretId": "s"}, {"secretId": "s", "secretString": "x", "secretBinary": "eA=="})),
        Rule(id="secretsmanager.secret-version.secret-id.length", argument="secretId", constraint=Length(1, 2048),
             message="Member must have length less than or equal to 2048", source=PUT_SECRET_VALUE,
             fix="pass the secret's ARN or name", ok=("s", "s" * 2048), bad=("", "s" * 2049)),
        Rule(id="secretsmanager.secret-version.secret-string.length", argument="secretString",
             constraint=Length(1, 65536), message="Member must have length less than or equal to 65536",
             source=PUT_SECRET_VALUE, fix="store at most 64 KB in a secret", ok=("x", "x" * 65536),
             bad=("", "x" * 65537)),
        Rule(id="secretsmanager.secret-version.secret-string-wo.requires-version", argument="",
             constraint=RequiredWith("secretStringWo", ("secretStringWoVersion",)),
             message='"secret_string_wo": all of `secret_string_wo,secret_string_wo_version` must be specified',
             source=VERSION_SOURCE, fix="bump secretStringWoVersion with every write-only value",
             ok=({"secretStringWo": "x", "secretStringWoVersion": 1.0}, {"secretString": "x"}),
             bad=({"secretStringWo": "x"},)),
    ),
)

ROTATION_SOURCE = f"{_TF}/secret_rotation.go"
ROTATION_RULES = "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html"

SECRET_ROTATION = ResourceRules(
    type="aws:secretsmanager/secretRotation:SecretRotation",
    source=ROTATION_SOURCE,
    forces_replacement=frozenset({"secretId"}),
    rules=(
        Rule(id="secretsmanager.secret-rotation.days.range", argument="rotationRules.automaticallyAfterDays",
             constraint=Range(1, 1000), message="AutomaticallyAfterDays: Valid Range: Minimum value of 1. Maximum "
                                                "value of 1000.", source=ROTATION_RULES,
             fix="rotate every 1..1000 days", ok=(1.0, 1000.0), bad=(0.0, 1001.0)),
        Rule(id="secretsmanager.secret-rotation.schedule.exactly-one", argument="rotationRules",
             constraint=Check(lambda r: None if not isinstance(r, dict) or not (
                 r.get("automaticallyAfterDays") and r.get("scheduleExpression"))
                 else "set automaticallyAfterDays or scheduleExpression, not both", "one schedule"),
             message='"rotation_rules.0.automatically_after_days": conflicts with rotation_rules.0.schedule_expression',
             source=ROTATION_SOURCE, fix="give the rotation one schedule", ok=({"automaticallyAfterDays": 30.0},),
             bad=({"automaticallyAfterDays": 30.0, "scheduleExpression": "rate(30 days)"},)),
    ),
)

RESOURCES: tuple[ResourceRules, ...] = (SECRET, SECRET_VERSION, SECRET_ROTATION)
