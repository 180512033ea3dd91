"""A stack's config exactly as the Pulumi CLI hands it to the program, and every check the CLI makes first.

Library, not tool: the offline plan, the policy gate, the verifier and the deploy tasks all read config through
this one loader, so none of them can disagree with another about what a stack's config is, and none accepts a
stack the CLI would refuse before running the program.

The CLI's own rules are ported from its Go source, each beside a link, with the CLI's wording:
- `Project.Validate()` (sdk/go/common/workspace/project.go): a declaration may not carry both `value` and
  `default`; an `array` needs `items`; a typed `default` must have that type; a key of another namespace
  (`aws:region`) takes only `value:`, no `type` and no `default`.
- `mergeConfig` (pkg/workspace/config.go; sdk/go/common/workspace/config.go before pulumi 3.249): a key of the
  project's namespace declared with neither `value` nor `default` and not set on the stack is missing, all
  missing keys in one error; otherwise an unset key takes its `value`, else its `default`. Then every
  explicitly typed key: `secret: true` needs a `secure:` value, and the value must match `type`/`items`.
- How stack files are read: gopkg.in/yaml.v3 scalars (`yes` is a string, `1e3` a number), bare keys namespaced
  with the project, `config.Value` text for scalars and JSON for lists and mappings.
The CLI stops at its first error; this loader reports every problem of every stack at once.

Stricter than the CLI, by design (the CLI accepts these and the program silently ignores them):
- a key of the project's own namespace that its Pulumi.yaml does not declare (did-you-mean on a typo);
- a key of another project of this repository (`network:` keys in a platform stack file);
- a namespace other than the project's and ALLOWED_NAMESPACES (provider config);
- a stack overriding a `value:` that Pulumi.yaml fixes for every stack (`aws:region`: every rule here assumes
  us-east-1);
- OPTIONAL_SECRETS: secret keys a stack may leave unset, declared here rather than in Pulumi.yaml (below).

What it cannot check offline: the plaintext of a `secure:` value (the CLI decrypts it and checks its type; here
a `secure:` value passes a `string` type, is not type-checked otherwise, and reaches the program as
OFFLINE_SECRET, marked secret), and ESC environments (refused: none is used here).
"""
from __future__ import annotations

import copy
import difflib
import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from shared import stacks
from shared.stacks import PROJECT_ORDER, StackId

# Stands in for `secure:` values the offline plan cannot decrypt; marked secret like the real value.
OFFLINE_SECRET = "offline-plan-placeholder-secret"

# Where each ported rule lives in the CLI's source (pulumi/pulumi, master).
PULUMI = "https://github.com/pulumi/pulumi/blob/master"
MERGE_CONFIG = f"{PULUMI}/pkg/workspace/config.go"                      # mergeConfig, validateStackConfigValue
PROJECT_VALIDATE = f"{PULUMI}/sdk/go/common/workspace/project.go"       # Project.Validate, ValidateConfigValue
PROJECT_SCHEMA = f"{PULUMI}/sdk/go/common/workspace/project.json"       # configTypeDeclaration
STACK_LOADER = f"{PULUMI}/sdk/go/common/workspace/loaders.go"           # stackConfigNamespacedWithProject
CONFIG_KEY = f"{PULUMI}/sdk/go/common/resource/config/key.go"           # ParseKey
CONFIG_VALUE = f"{PULUMI}/sdk/go/common/resource/config/object.go"      # MarshalString, isSecureValue
YAML_V3 = "https://github.com/go-yaml/yaml/blob/v3.0.1/resolve.go"      # resolve: plain scalars
OURS = "shared/stack_config.py"                                         # rules stricter than the CLI

CLI = "pulumi CLI"
STRICTER = "stricter than the CLI"

# Namespaces other than the project's own a stack may set: provider config only. `pulumi:` (stack tags,
# default providers) and other providers are not used here; allowing them would let a typo pass.
ALLOWED_NAMESPACES = ("aws",)

# Secret keys a stack MAY set, declared here instead of in Pulumi.yaml's `config:` block. The CLI requires every
# `secret: true` key it knows on every stack (it has no optional secrets: a `default:` is merged in plain text
# and then refused as "must be encrypted as it's secret"), and a `secure:` ciphertext is bound to one backend's
# secrets provider, so no value can be committed for dev, where the platform generates placeholders. Kept out
# of the CLI's schema these keys are optional to the CLI; this loader still knows them (no "undeclared key"),
# requires `secure:` when one is set, and the platform settings require both unless generateSecretPlaceholders
# (so prod must carry real values).
OPTIONAL_SECRETS: dict[str, dict[str, str]] = {
    "platform": {
        "databaseUrl": "Connection string of the trading database (outside this platform). Set with "
                       "`pulumi config set --secret platform:databaseUrl <value>`.",
        "thirdPartyApiKeys": "JSON object of the trading venues' API keys. Set with "
                             "`pulumi config set --secret platform:thirdPartyApiKeys <json>`.",
    },
}

# https://github.com/pulumi/pulumi/blob/master/sdk/go/common/workspace/project.json: configTypeDeclaration.
DECLARATION_ATTRIBUTES = ("default", "description", "items", "secret", "type", "value")
CONFIG_TYPES = ("string", "integer", "boolean", "array", "object")  # simpleConfigType
STACK_FILE_ATTRIBUTES = ("config", "encryptedkey", "encryptionsalt", "environment", "secretsprovider")


# --- YAML as the CLI reads it -------------------------------------------------------------------------------
class _CliYamlLoader(yaml.SafeLoader):
    """Plain scalars as gopkg.in/yaml.v3 resolves them (YAML 1.2-like), not as PyYAML's YAML 1.1 does:
    `yes`/`on`/`no`/`off` and dates stay strings, `1e3` and `0o17` are numbers, `1:30` is a string, and a
    repeated mapping key is an error (https://github.com/go-yaml/yaml/blob/v3.0.1/resolve.go), as is an alias
    inside its own anchor (yaml.v3: "anchor 'a' value contains itself")."""

    yaml_implicit_resolvers = {}  # noqa: RUF012 - its own resolvers, not SafeLoader's YAML 1.1 ones

    def construct_object(self, node, deep=False):
        # Every value built whole at once (deep): PyYAML then refuses an alias met while its anchor is being built
        # ("found unconstructable recursive node"), where lazy building would return a value containing itself.
        return super().construct_object(node, deep=True)

    def construct_mapping(self, node, deep=False):
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                continue  # unhashable: refused by PyYAML's own construct_mapping below
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"mapping key {key!r} already defined",
                                                        key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_NUMBER_TAG = "tag:pulumi-cli,2026:number"
# yaml.v3: `yamlStyleFloat`, and the resolve map's special floats.
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_SPECIAL_FLOATS = {spelling: value for value, spellings in (
    (float("nan"), (".nan", ".NaN", ".NAN")), (float("inf"), (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF")),
    (float("-inf"), ("-.inf", "-.Inf", "-.INF"))) for spelling in spellings}
# strconv.ParseInt(s, 0, 64) after yaml.v3 removed every '_': sign, then 0x / 0o / 0b / legacy 0-octal / decimal.
_GO_INT = re.compile(r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")


def _go_integer(plain: str) -> int | None:
    match = _GO_INT.fullmatch(plain)
    if not match:
        return None
    sign, digits = match.groups()
    number = int(digits, 0) if digits[:2].lower() in ("0x", "0o", "0b") else int(digits, 8 if digits[0] == "0" else 10)
    number = -number if sign == "-" else number
    # ParseInt (int64), else ParseUint (uint64, no sign allowed).
    fits = -2**63 <= number < 2**63 or (not sign and number < 2**64)
    return number if fits else None


def _construct_number(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = node.value
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    plain = text if text.startswith(".") else text.replace("_", "")
    number = None if text.startswith(".") else _go_integer(plain)
    if number is not None:
        return number
    return float(plain) if _YAML_FLOAT.fullmatch(plain) else text


_CliYamlLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                     list("tTfF"))
_CliYamlLoader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"),
                                     ["~", "n", "N", ""])
_CliYamlLoader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"])
_CliYamlLoader.add_implicit_resolver(_NUMBER_TAG, re.compile(r"^[-+.0-9]"), list("-+.0123456789"))
_CliYamlLoader.add_constructor(_NUMBER_TAG, _construct_number)


def load_yaml(text: str) -> Any:
    """A YAML document as the CLI's YAML library reads it (raises yaml.YAMLError as it would refuse it); the
    caller's own copy."""
    return copy.deepcopy(_parsed(text))


def parse_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_CliYamlLoader)  # a SafeLoader subclass: no arbitrary objects


# The same dozen stack files are read by the plan, the gates, the verifier and the deploy tasks, and PyYAML's
# pure-Python loader takes tens of milliseconds a file. Parsing is a pure function of the text (a refused text
# raises again: errors are not cached); CACHED lists it for whoever must start cold (the tests).
_parsed = functools.lru_cache(maxsize=256)(parse_yaml)
CACHED = (_parsed,)


# --- config values as the CLI represents them ------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """A YAML value as Go's JSON encoder writes it: string map keys, whole floats as integers."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _json(value: Any) -> str:
    # Go's json.Marshal: compact, map keys sorted.
    return json.dumps(_plain(value), separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def _is_secure(value: Any) -> bool:
    """`{secure: <ciphertext>}`, exactly (config/object.go isSecureValue)."""
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get("secure"), str)


def _has_secure(value: Any) -> bool:
    if _is_secure(value):
        return True
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return any(_has_secure(child) for child in children)


def _offline(value: Any) -> Any:
    """The value with every `secure:` leaf replaced by OFFLINE_SECRET (the offline plan cannot decrypt)."""
    if _is_secure(value):
        return OFFLINE_SECRET
    if isinstance(value, dict):
        return {k: _offline(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_offline(v) for v in value]
    return value


@dataclass(frozen=True)
class ConfigValue:
    """`config.Value`: the text the program receives, whether it is `secure:` and whether it is JSON."""

    text: str
    secure: bool = False
    object: bool = False


def stack_value(raw: Any) -> ConfigValue:
    """A stack file's value as the CLI stores it (config/object.go MarshalString): a scalar becomes its text
    (YAML null: empty, with a CLI warning), a list or mapping JSON; `secure:` values, which cannot be
    decrypted here, become OFFLINE_SECRET."""
    if _is_secure(raw):
        return ConfigValue(OFFLINE_SECRET, secure=True)
    if raw is None:
        return ConfigValue("")
    if isinstance(raw, (list, dict)):
        return ConfigValue(_json(_offline(raw)), secure=_has_secure(raw), object=True)
    return ConfigValue(_text(raw))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _json(value)
    return str(value)


def default_value(raw: Any) -> ConfigValue:
    """A Pulumi.yaml `default`/`value` as the CLI merges it (config.go createConfigValue): a string, integer or
    boolean becomes its text, anything else JSON."""
    if isinstance(raw, (str, int)):  # bool is an int
        return ConfigValue(_text(raw))
    return ConfigValue(_json(raw), object=True)


# --- the CLI's type check (project.go ValidateConfigValue, InferFullTypeName) --------------------------------
@dataclass(frozen=True)
class ItemsType:
    type: str
    items: ItemsType | None = None


def _atoi(text: str) -> bool:
    # strconv.Atoi: optional sign, decimal digits, int64 range.
    return bool(re.fullmatch(r"[-+]?[0-9]+", text)) and -2**63 <= int(text) < 2**63


def validate_config_value(type_name: str, items: ItemsType | None, value: Any) -> bool:
    """https://github.com/pulumi/pulumi/blob/master/sdk/go/common/workspace/project.go ValidateConfigValue."""
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        if isinstance(value, float):
            return value.is_integer()  # YAML and JSON numbers are floats in Go: whole ones pass
        if isinstance(value, str):
            return _atoi(value)
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "boolean":
        return value in ("true", "false") if isinstance(value, str) else isinstance(value, bool)
    if type_name == "object":
        return isinstance(value, dict)
    return isinstance(value, list) and items is not None and all(
        validate_config_value(items.type, items.items, item) for item in value)


def full_type_name(type_name: str, items: ItemsType | None) -> str:
    """InferFullTypeName: `array<string>`, `array<array<integer>>`."""
    return f"array<{full_type_name(items.type, items.items)}>" if items is not None else type_name


# --- problems ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConfigProblem:
    """One refused declaration or stack value: where, which key, what value, why (the CLI's wording when the
    rule is the CLI's), the fix, and whose rule it is (`origin`: CLI or STRICTER; `source`: where it is defined)."""

    file: str
    stack: str  # "services/frontend-dev"; "" for a problem of the project file itself
    key: str
    value: Any
    problem: str
    fix: str
    origin: str
    source: str

    def __str__(self) -> str:
        where = self.stack or self.file
        shown = "" if self.value is None else f" = {self.value!r}"
        return f"{where}: {self.key}{shown}: {self.problem} [{self.origin}]. Fix: {self.fix}"


class StackConfigError(ValueError):
    """Every config problem of the stacks read, raised before any program runs."""

    def __init__(self, problems: list[ConfigProblem]):
        self.problems = problems
        stacks = sorted({p.stack or p.file for p in problems})
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"stack config refused before any program ran: {len(problems)} problem(s) in "
                         f"{', '.join(stacks)}:\n{lines}")


# --- Pulumi.yaml -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Declaration:
    """One `config:` entry of Pulumi.yaml after the CLI's shorthand rewrite; None means absent, as in Go."""

    key: str       # as written: 'imageTag', 'aws:region'
    full_key: str  # namespaced: 'services:imageTag'
    type: str | None = None
    items: ItemsType | None = None
    default: Any = None
    value: Any = None
    secret: bool = False
    valid: bool = True  # False when the CLI's project validation refuses it (not type-checked on stacks)


@dataclass(frozen=True)
class Project:
    name: str
    directory: Path
    declarations: dict[str, Declaration]  # by full key
    problems: tuple[ConfigProblem, ...]

    @property
    def file(self) -> str:
        return _shown(self.directory / "Pulumi.yaml")


def _shown(path: Path) -> str:
    """`projects/<project>/<file>`, as a reader finds it from the repository root."""
    root = stacks.PROJECTS_DIR.parent
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def parse_key(text: str) -> tuple[str, str] | None:
    """(namespace, name) of `ns:name` or the legacy `ns:config:name` (config/key.go ParseKey); None otherwise."""
    parts = text.split(":")
    if len(parts) == 2:
        return parts[0], parts[1]
    if len(parts) == 3 and parts[1] == "config" and parts[0] and parts[2]:
        return parts[0], parts[2]
    return None


def _key_error(text: str) -> str:
    return (f"could not parse {text} as a configuration key (configuration keys should be of the form "
            f"`<namespace>:<name>`)")


def _items_problem(items: Any) -> str | None:
    """The project schema's configItemsType: a mapping with a known `type`, `items` when it is an array."""
    if not isinstance(items, dict) or items.get("type") not in CONFIG_TYPES or set(items) - {"type", "items"}:
        return f"items must be a mapping with a type out of {', '.join(CONFIG_TYPES)} (and items for an array)"
    if items["type"] == "array":
        return _items_problem(items.get("items"))
    return None


def _items(raw: Any) -> ItemsType | None:
    return None if raw is None else ItemsType(raw["type"], _items(raw.get("items")))


def read_project(directory: Path) -> Project:
    """Pulumi.yaml's config declarations, and everything the CLI's project loading refuses in them."""
    file = _shown(directory / "Pulumi.yaml")
    problems: list[ConfigProblem] = []
    try:
        raw = load_yaml((directory / "Pulumi.yaml").read_text())
    except yaml.YAMLError as error:
        raw = str(error)
    if not isinstance(raw, dict) or not raw.get("name") or not isinstance(raw.get("config") or {}, dict):
        problems.append(ConfigProblem(file, "", "(project file)", None, "is not a project with a 'name' and a "
                                      f"`config:` mapping ({str(raw)[:200]})", f"fix {file}", CLI, PROJECT_VALIDATE))
        return Project(directory.name, directory, {}, tuple(problems))
    name = str(raw["name"])

    def refuse(key: str, value: Any, problem: str, fix: str, source: str) -> None:
        problems.append(ConfigProblem(file, "", key, value, problem, fix, CLI, source))

    declarations: dict[str, Declaration] = {}
    for key, entry in (raw.get("config") or {}).items():
        parsed = (name, key) if ":" not in key else parse_key(key)
        if parsed is None:
            refuse(key, None, _key_error(key), f"write it as {name}:<name> or <name>", CONFIG_KEY)
            continue
        own = parsed[0] == name  # configKeyIsNamespacedByProject
        # project.go RewriteShorthandConfigValues: `key: value` is a default of the project's own keys and a
        # fixed value of other namespaces'.
        if isinstance(entry, (str, int, list)):  # bool is an int
            entry = {"default" if own else "value": entry}
        if not isinstance(entry, dict):
            refuse(key, entry, "is neither a value (string, integer, boolean, array) nor a declaration mapping "
                   "(project.json: config)", "give a declaration: {type, default, description}", PROJECT_SCHEMA)
            continue
        schema = [f"attribute '{a}' is not allowed (allowed: {', '.join(DECLARATION_ATTRIBUTES)})"
                  for a in sorted(set(entry) - set(DECLARATION_ATTRIBUTES))]
        if "type" in entry and entry["type"] not in CONFIG_TYPES:
            schema.append(f"type {entry['type']!r} is not one of {', '.join(CONFIG_TYPES)}")
        if "items" in entry and _items_problem(entry["items"]):
            schema.append(str(_items_problem(entry["items"])))
        if not isinstance(entry.get("secret", False), bool):
            schema.append("secret must be true or false")
        for problem in schema:
            refuse(key, None, f"{problem} (project.json: configTypeDeclaration)", "fix the declaration in Pulumi.yaml",
                   PROJECT_SCHEMA)
        declaration = Declaration(key, f"{parsed[0]}:{parsed[1]}", entry.get("type"),
                                  None if schema else _items(entry.get("items")), entry.get("default"),
                                  entry.get("value"), bool(entry.get("secret", False)))
        found = [] if schema else _declaration_problems(declaration, own)
        for problem, fix in found:
            refuse(key, None, problem, fix, PROJECT_VALIDATE)
        declarations[declaration.full_key] = replace(declaration, valid=not schema and not found)
    return Project(name, directory, declarations, tuple(problems))


def _declaration_problems(d: Declaration, own: bool) -> list[tuple[str, str]]:
    """https://github.com/pulumi/pulumi/blob/master/sdk/go/common/workspace/project.go Project.Validate (the CLI
    returns the first of these; every one that applies is listed here)."""
    found = []
    if d.default is not None and d.value is not None:
        found.append((f"project config '{d.key}' cannot have both a 'default' and 'value' attribute",
                      "keep one: `default` (a stack may override it) or `value` (fixed for every stack)"))
    if own:
        if d.type == "array" and d.items is None:
            found.append((f"The configuration key '{d.key}' declares an array but does not specify the underlying "
                          f"type via the 'items' attribute", "add `items: {type: string}` (or the element type)"))
        elif d.type is not None and d.default is not None and not validate_config_value(d.type, d.items, d.default):
            type_name = full_type_name(d.type, d.items)
            found.append((f"The default value specified for configuration key '{d.key}' is not of the expected type "
                          f"'{type_name}'", f"give a default of type {type_name}: {_type_hint(type_name)}"))
        return found
    if d.type is not None:
        found.append((f"Configuration key '{d.key}' is not namespaced by the project and should not define a type",
                      "remove `type:`; a key of another namespace takes only `value:`"))
    if d.default is not None:
        found.append((f"Configuration key '{d.key}' is not namespaced by the project and should not define a default "
                      f"value. Did you mean to use the 'value' attribute instead of 'default'?",
                      "rename `default:` to `value:`"))
    elif d.value is None:
        found.append((f"Configuration key '{d.key}' is namespaced and must provide an attribute 'value'",
                      "give it `value: <value>`, or remove the declaration and set the key on each stack"))
    return found


def _type_hint(type_name: str) -> str:
    hints = {"string": "any text", "integer": "a whole number, e.g. 3", "boolean": "true or false",
             "object": "a YAML mapping"}
    return hints.get(type_name, "a YAML list whose items have that type, e.g. [a, b]")


# --- a stack -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StackConfig:
    """One stack's config as its program receives it (`values`, `secret_keys`), and every problem found
    (empty when the CLI and this repository's stricter rules accept it)."""

    stack: StackId
    values: dict[str, str]
    secret_keys: tuple[str, ...]
    problems: tuple[ConfigProblem, ...] = field(default=())

    @property
    def cli_problems(self) -> tuple[ConfigProblem, ...]:
        return tuple(p for p in self.problems if p.origin == CLI)

    @property
    def program_config(self) -> tuple[dict[str, str], list[str]]:
        """(values, secret keys): what `pulumi.runtime.set_all_config` takes."""
        return dict(self.values), list(self.secret_keys)


def stack_file(stack: StackId) -> Path:
    return stack.directory / f"Pulumi.{stack.stack}.yaml"


def read_stack_file(stack: StackId, project_name: str | None = None) -> dict[str, Any]:
    """The stack file's `config:` as written, bare keys namespaced with the project (loaders.go); an absent
    file is an empty config, as for the CLI. Raises yaml.YAMLError or ValueError on an unreadable file."""
    path = stack_file(stack)
    raw = load_yaml(path.read_text()) if path.exists() else None
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not isinstance(raw.get("config") or {}, dict):
        raise ValueError("expected a mapping with a `config:` mapping")
    if raw.get("environment"):
        raise ValueError("imports ESC environments (`environment:`), which the offline plan cannot resolve; set "
                         "the values in the stack file's `config:` instead")
    namespace = project_name or stack.project
    config: dict[str, Any] = {}
    for key, value in (raw.get("config") or {}).items():
        full = str(key) if ":" in str(key) else f"{namespace}:{key}"
        parsed = parse_key(full)
        full = f"{parsed[0]}:{parsed[1]}" if parsed else full  # the legacy ns:config:name is ns:name
        if full in config:
            raise ValueError(f"sets {full} twice (bare and namespaced, or in the legacy ns:config:name form)")
        config[full] = value
    return config


def read_stack_config(stack: StackId) -> StackConfig:
    """The stack's config as the CLI would merge it, with every problem the CLI or this repository finds."""
    project = read_project(stack.directory)
    problems = list(project.problems)
    file = _shown(stack_file(stack))
    try:
        raw = read_stack_file(stack, project.name)
    except (yaml.YAMLError, ValueError) as error:
        problems.append(ConfigProblem(file, str(stack), "(stack file)", None, f"cannot be read: {error}",
                                      f"fix {file}", CLI, STACK_LOADER))
        return StackConfig(stack, {}, (), tuple(problems))
    checker = _StackChecker(stack, project, file, raw)
    values, secret_keys = checker.merge()
    return StackConfig(stack, values, secret_keys, tuple(problems + checker.problems))


class _StackChecker:
    def __init__(self, stack: StackId, project: Project, file: str, raw: dict[str, Any]):
        self.stack, self.project, self.file, self.raw = stack, project, file, raw
        self.problems: list[ConfigProblem] = []

    def refuse(self, key: str, value: Any, problem: str, fix: str, origin: str, source: str) -> None:
        self.problems.append(ConfigProblem(self.file, str(self.stack), key, value, problem, fix, origin, source))

    def command(self, key: str, secret: bool = False) -> str:
        flag = "--secret " if secret else ""
        return f"`pulumi config set {flag}{key} <value> --stack {self.stack.stack}`"

    def run(self, *commands: str) -> str:
        return f"in projects/{self.stack.project} run " + "; ".join(commands)

    def merge(self) -> tuple[dict[str, str], tuple[str, ...]]:
        stored: dict[str, ConfigValue] = {}
        for key, raw in self.raw.items():
            if parse_key(key) is None:
                self.refuse(key, raw, _key_error(key), "write keys as <namespace>:<name>", CLI, CONFIG_KEY)
            else:
                stored[key] = stack_value(raw)
        self._apply_declarations(stored)
        self._stricter_rules(stored)
        values = {key: value.text for key, value in stored.items()}
        return values, tuple(key for key, value in stored.items() if value.secure)

    def _apply_declarations(self, stored: dict[str, ConfigValue]) -> None:
        """https://github.com/pulumi/pulumi/blob/master/pkg/workspace/config.go mergeConfig, then
        validateStackConfigValues / validateStackConfigValue, in the CLI's key order (sorted as declared)."""
        name = self.project.name
        declared = sorted(self.project.declarations.values(), key=lambda d: d.key)
        missing = []
        for d in declared:
            if d.full_key in stored:
                continue
            if d.value is None and d.default is None:
                if d.full_key.split(":", 1)[0] == name:
                    missing.append(d)
                continue
            # Both set is refused by Project.Validate; were it not, the CLI's merge would take the default.
            stored[d.full_key] = default_value(d.default if d.default is not None else d.value)
        if missing:
            keys = sorted(d.key for d in missing)
            self.refuse(", ".join(d.full_key for d in missing), None, missing_keys_message(self.stack.stack, keys),
                        self.run(*(self.command(d.full_key, d.secret) for d in missing))
                        + f", or give {'it' if len(keys) == 1 else 'them'} a default in {self.project.file}",
                        CLI, MERGE_CONFIG)
        for d in declared:
            if d.type is None or not d.valid or d.full_key not in stored:
                continue
            self._check_type(d, stored[d.full_key])

    def _check_type(self, d: Declaration, value: ConfigValue) -> None:
        """https://github.com/pulumi/pulumi/blob/master/pkg/workspace/config.go validateStackConfigValue."""
        type_name = full_type_name(str(d.type), d.items)
        shown = "[secret]" if value.secure else self.raw.get(d.full_key, value.text)
        if d.secret and not value.secure:
            self.refuse(d.full_key, shown, f"Stack '{self.stack.stack}' with configuration key '{d.key}' must be "
                        f"encrypted as it's secret", "remove the plain-text value, then "
                        + self.run(self.command(d.full_key, secret=True)), CLI, MERGE_CONFIG)
            return
        if value.secure:
            # The CLI checks the decrypted text; any text is a string, other types cannot be known offline.
            return
        content = json.loads(value.text) if value.object else value.text
        if not validate_config_value(str(d.type), d.items, content):
            self.refuse(d.full_key, shown, f"Stack '{self.stack.stack}' with configuration key '{d.key}' must be of "
                        f"type '{type_name}'", f"give {_type_hint(type_name)}: " + self.run(self.command(d.full_key)),
                        CLI, MERGE_CONFIG)

    def _stricter_rules(self, stored: dict[str, ConfigValue]) -> None:
        """The keys the CLI would pass to the program without a word, refused here (see the module docstring)."""
        name = self.project.name
        declarations = self.project.declarations
        optional = OPTIONAL_SECRETS.get(name, {})
        for key in sorted(self.raw):
            parsed = parse_key(key)
            if parsed is None:
                continue
            namespace, short = parsed
            value = "[secret]" if stored[key].secure else self.raw[key]
            fixed = declarations.get(f"{namespace}:{short}")
            if fixed is not None and fixed.value is not None:
                self.refuse(key, value, f"overrides the value Pulumi.yaml fixes for every stack ({fixed.value!r})",
                            f"remove it from {self.file}; the value is fixed with `value:` in {self.project.file}",
                            STRICTER, OURS)
            elif namespace == name and key not in declarations:
                if short in optional:
                    if not stored[key].secure:
                        self.refuse(key, "<hidden>", "is an optional secret stored in plain text",
                                    "remove it, then " + self.run(self.command(key, secret=True)), STRICTER, OURS)
                    continue
                self.refuse(key, value, f"is not declared in {self.project.file}"
                            + _did_you_mean(short, [k.split(":", 1)[1] for k in declarations
                                                    if k.startswith(f"{name}:")] + list(optional), name),
                            f"rename it, or declare it (type, default, description) in {self.project.file}; "
                            f"the program would never read it", STRICTER, OURS)
            elif namespace in PROJECT_ORDER and namespace != name:
                self.refuse(key, value, f"belongs to project {namespace}, not {name}: its program never reads it",
                            f"move it to projects/{namespace}/Pulumi.<stack>.yaml", STRICTER, OURS)
            elif namespace != name and namespace not in ALLOWED_NAMESPACES:
                self.refuse(key, value, f"is in namespace '{namespace}', which no program here reads",
                            f"remove it; a stack sets only {name}: keys and provider config "
                            f"({', '.join(n + ':' for n in ALLOWED_NAMESPACES)})", STRICTER, OURS)


def missing_keys_message(stack_name: str, keys: list[str]) -> str:
    """https://github.com/pulumi/pulumi/blob/master/pkg/workspace/config.go missingStackConfigurationKeysError
    and formatMissingKeys: 'a', 'a' and 'b', 'a', 'b' and 'c' (sorted)."""
    quoted = [f"'{k}'" for k in sorted(keys)]
    listed = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"
    return f"Stack '{stack_name}' is missing configuration value{'s' if len(keys) > 1 else ''} {listed}"


def _did_you_mean(key: str, declared: list[str], namespace: str) -> str:
    """'; did you mean X?' for a declared key that differs only in case, or is close (difflib, ignoring case)."""
    lowered = {d.lower(): d for d in declared}
    close = difflib.get_close_matches(key.lower(), list(lowered), n=1, cutoff=0.75)
    return f"; did you mean '{namespace}:{lowered[close[0]]}'?" if close else ""


# --- what callers use ------------------------------------------------------------------------------------------
def load_stack_config(stack: StackId) -> tuple[dict[str, str], list[str]]:
    """Config as the CLI would hand it to the program (values, secret keys); StackConfigError listing every
    problem when the CLI or this repository's stricter rules refuse the stack."""
    config = read_stack_config(stack)
    if config.problems:
        raise StackConfigError(list(config.problems))
    return config.program_config


def load_environment_config(stacks: Iterable[StackId]) -> dict[StackId, StackConfig]:
    """Every stack's config; one StackConfigError with every problem of every stack (a project file's problems
    once) when any is refused, so all of them are fixed in one pass, before any program runs."""
    configs = {stack: read_stack_config(stack) for stack in stacks}
    problems: list[ConfigProblem] = []
    seen: set[str] = set()
    for config in configs.values():
        for problem in config.problems:
            if str(problem) not in seen:
                seen.add(str(problem))
                problems.append(problem)
    if problems:
        raise StackConfigError(problems)
    return configs
