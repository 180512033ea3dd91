"""The config loader: the Pulumi CLI's own rules with its own cases and wording, the stricter rules of this
repository, YAML read as the CLI reads it, and every committed stack accepted by both.

The CLI cases are those of pulumi's `pkg/workspace/config_project_test.go` and
`sdk/go/common/workspace/project_test.go` (project `test`, stack `dev`), named after the Go test.
"""
from __future__ import annotations

import json
import math
import textwrap

import pytest
import yaml

import shared.stacks
from shared.settings.platform import EXTERNAL_SECRET_KEYS
from shared.stack_config import (
    ALLOWED_NAMESPACES,
    CLI,
    CONFIG_KEY,
    MERGE_CONFIG,
    OFFLINE_SECRET,
    OPTIONAL_SECRETS,
    OURS,
    PROJECT_SCHEMA,
    PROJECT_VALIDATE,
    STACK_LOADER,
    STRICTER,
    ConfigProblem,
    ItemsType,
    StackConfigError,
    default_value,
    full_type_name,
    load_environment_config,
    load_stack_config,
    load_yaml,
    missing_keys_message,
    parse_key,
    read_project,
    read_stack_config,
    read_stack_file,
    stack_value,
    validate_config_value,
)
from shared.stacks import ENVIRONMENTS, PROJECT_ORDER, StackId, deploy_order
from tools.plan import runner


@pytest.fixture
def projects(tmp_path, monkeypatch):
    """Write `projects/<project>/Pulumi.yaml` and `Pulumi.<stack>.yaml` under a throwaway root."""
    monkeypatch.setattr(shared.stacks, "PROJECTS_DIR", tmp_path)

    def make(project_yaml: str, stack_yaml: str | None = "", project: str = "test", stack: str = "dev") -> StackId:
        directory = tmp_path / project
        directory.mkdir(exist_ok=True)
        (directory / "Pulumi.yaml").write_text(textwrap.dedent(project_yaml))
        if stack_yaml is not None:
            (directory / f"Pulumi.{stack}.yaml").write_text(textwrap.dedent(stack_yaml))
        return StackId(project, stack)

    return make


def messages(config, origin: str | None = None) -> list[str]:
    return [p.problem for p in config.problems if origin is None or p.origin == origin]


# --- the CLI's merge (pkg/workspace/config.go mergeConfig) ------------------------------------------------------
def test_stack_config_is_inherited_from_project_config(projects):
    # TestStackConfigIsInheritedFromProjectConfig
    config = read_stack_config(projects("""
        name: test
        runtime: dotnet
        config:
          instanceSize: t3.micro
          instanceCount: 20
          protect: true""", "config:\n  test:instanceSize: t4.large\n"))
    assert config.problems == ()
    assert config.values == {"test:instanceSize": "t4.large", "test:instanceCount": "20", "test:protect": "true"}


def test_namespaced_config_values_are_inherited_correctly(projects):
    # TestNamespacedConfigValuesAreInheritedCorrectly (pulumi: is not a namespace this repository allows)
    config = read_stack_config(projects("""
        name: test
        config:
          aws:region: us-west-1
          pulumi:disable-default-providers: ["*"]
          instanceSize: t3.micro""", "config:\n  test:instanceSize: t4.large\n"))
    assert config.problems == ()
    assert config.values == {"test:instanceSize": "t4.large", "aws:region": "us-west-1",
                             "pulumi:disable-default-providers": '["*"]'}


def test_loading_stack_config_without_namespacing_the_project(projects):
    # TestLoadingStackConfigWithoutNamespacingTheProject
    config = read_stack_config(projects("name: test\nconfig:\n  aws:region: us-west-1\n  instanceSize: t3.micro\n",
                                        "config:\n  instanceSize: t4.large\n"))
    assert config.problems == () and config.values == {"test:instanceSize": "t4.large", "aws:region": "us-west-1"}


def test_untyped_project_config_values_are_not_validated(projects):
    # TestUntypedProjectConfigValuesAreNotValidated: the CLI accepts both values...
    config = read_stack_config(projects("name: test\nconfig:\n  instanceSize: t3.micro\n  aws:region: us-west-1\n",
                                        "config:\n  instanceSize: 9999\n  aws:region: 42\n"))
    assert config.cli_problems == ()
    assert config.values == {"test:instanceSize": "9999", "aws:region": "42"}
    # ...but a stack overriding the region Pulumi.yaml fixes with `value:` is refused here.
    [problem] = config.problems
    assert (problem.origin, problem.key, problem.value) == (STRICTER, "aws:region", 42)
    assert problem.problem == "overrides the value Pulumi.yaml fixes for every stack ('us-west-1')"


def test_untyped_project_config_values_with_only_default_or_only_value(projects):
    # TestUntypedProjectConfigValuesWithOnlyDefaultOrOnlyValue
    config = read_stack_config(projects("""
        name: test
        config:
          instanceSize:
            default: t3.micro
          region:
            value: us-west-1""", "config:\n  aws:answer: 42\n"))
    assert config.problems == ()
    assert config.values == {"test:instanceSize": "t3.micro", "test:region": "us-west-1", "aws:answer": "42"}


def test_untyped_stack_config_values_do_need_project_declaration(projects):
    # TestUntypedStackConfigValuesDoNeedProjectDeclaration: the CLI passes an undeclared key through; here it is
    # refused (the program would never read it).
    config = read_stack_config(projects("name: test\nconfig:\n  createVpc: true\n", "config:\n  instanceSize: 42\n"))
    assert config.cli_problems == ()
    assert config.values == {"test:instanceSize": "42", "test:createVpc": "true"}
    [problem] = messages(config, STRICTER)
    assert problem.startswith("is not declared in ") and problem.endswith("test/Pulumi.yaml")


def test_untyped_project_config_object_values_passed_down_to_stack(projects):
    # TestUntypedProjectConfigObjectValuesPassedDownToStack
    config = read_stack_config(projects("""
        name: test
        config:
          instanceSize:
            value:
              hello: world
          aws:config:
            value:
              region: us-west-1""", "config:\n  aws:whatever: 42\n"))
    assert config.problems == ()
    assert config.values == {"test:instanceSize": '{"hello":"world"}', "aws:config": '{"region":"us-west-1"}',
                             "aws:whatever": "42"}


def test_stack_config_errors_when_stack_value_is_not_correctly_typed(projects):
    # TestStackConfigErrorsWhenStackValueIsNotCorrectlyTyped
    config = read_stack_config(projects("""
        name: test
        config:
          values:
            type: array
            items:
              type: string
            default: [value]""", "config:\n  test:values: someValue\n"))
    [problem] = config.problems
    assert problem.problem == "Stack 'dev' with configuration key 'values' must be of type 'array<string>'"
    assert (problem.origin, problem.key, problem.value) == (CLI, "test:values", "someValue")
    assert "a YAML list" in problem.fix and "pulumi config set test:values <value> --stack dev" in problem.fix


def test_stack_config_integer_type_is_correctly_validated(projects):
    # TestStackConfigIntegerTypeIsCorrectlyValidated
    declared = "name: test\nconfig:\n  importantNumber:\n    type: integer\n"
    assert read_stack_config(projects(declared, "config:\n  test:importantNumber: 20\n")).problems == ()
    config = read_stack_config(projects(declared, "config:\n  test:importantNumber: hello\n"))
    assert messages(config) == ["Stack 'dev' with configuration key 'importantNumber' must be of type 'integer'"]


@pytest.mark.parametrize("declared, expected", [
    # TestStackConfigErrorsWhenMissingStackValueForConfigTypeWithNoDefault
    ({"values": "array"}, "Stack 'dev' is missing configuration value 'values'"),
    # TestStackConfigErrorsWhenMissingTwoStackValueForConfigTypeWithNoDefault
    ({"another": "string", "values": "array"}, "Stack 'dev' is missing configuration values 'another' and 'values'"),
    # TestStackConfigErrorsWhenMissingMultipleStackValueForConfigTypeWithNoDefault
    ({"world": "string", "hello": "integer", "values": "array"},
     "Stack 'dev' is missing configuration values 'hello', 'values' and 'world'"),
])
def test_every_missing_key_is_reported_in_one_sorted_error(projects, declared, expected):
    body = "".join(f"  {key}:\n    type: {typ}\n" + ("    items:\n      type: string\n" if typ == "array" else "")
                   for key, typ in declared.items())
    config = read_stack_config(projects("name: test\nconfig:\n" + body, ""))
    [problem] = config.problems
    assert problem.problem == expected and problem.origin == CLI and problem.value is None
    assert all(f"pulumi config set test:{key} <value> --stack dev" in problem.fix for key in declared)
    assert problem.fix.endswith(f"a default in {shared.stacks.PROJECTS_DIR.name}/test/Pulumi.yaml")


def test_missing_keys_message_joins_as_the_cli_does():
    assert missing_keys_message("s", ["b"]) == "Stack 's' is missing configuration value 'b'"
    assert missing_keys_message("s", ["d", "a", "c", "b"]) == (
        "Stack 's' is missing configuration values 'a', 'b', 'c' and 'd'")


def test_only_the_projects_own_namespace_can_be_missing(projects):
    # mergeConfig: `key.Namespace() == projectName`; a declared `secret: true` key is required like any other
    config = read_stack_config(projects("""
        name: test
        config:
          aws:profile:
            description: refused by Project.Validate, but not missing
          token:
            type: string
            secret: true""", ""))
    namespaced, problem = config.problems
    assert namespaced.problem == "Configuration key 'aws:profile' is namespaced and must provide an attribute 'value'"
    assert problem.problem == "Stack 'dev' is missing configuration value 'token'"
    assert "pulumi config set --secret test:token <value> --stack dev" in problem.fix


def test_stack_config_does_not_error_when_project_has_not_defined_config(projects):
    # TestStackConfigDoesNotErrorWhenProjectHasNotDefinedConfig: the CLI accepts; every key is undeclared here
    config = read_stack_config(projects("name: test\nruntime: dotnet\n", "config:\n  hello: 21\n  world: 42\n"
                                                                           "  another: 42\n"))
    assert config.cli_problems == () and len(config.problems) == 3


def test_stack_config_secret_is_correctly_validated(projects):
    # TestStackConfigSecretIsCorrectlyValidated
    declared = "name: test\nconfig:\n  importantNumber:\n    type: integer\n    secret: true\n"
    valid = read_stack_config(projects(declared, "config:\n  test:importantNumber:\n    secure: djE6YWJj\n"))
    assert valid.problems == () and valid.secret_keys == ("test:importantNumber",)
    assert valid.values["test:importantNumber"] == OFFLINE_SECRET
    config = read_stack_config(projects(declared, "config:\n  test:importantNumber: 20\n"))
    [problem] = config.problems
    assert problem.problem == "Stack 'dev' with configuration key 'importantNumber' must be encrypted as it's secret"
    assert "pulumi config set --secret test:importantNumber <value> --stack dev" in problem.fix


def test_a_default_of_a_secret_key_is_merged_in_plain_text_and_refused(projects):
    # Why the platform's optional secrets are not in Pulumi.yaml: a default is not `secure:`.
    config = read_stack_config(projects("name: test\nconfig:\n  key:\n    type: string\n    secret: true\n"
                                        "    default: ''\n", ""))
    assert messages(config) == ["Stack 'dev' with configuration key 'key' must be encrypted as it's secret"]


def test_a_secure_value_passes_a_string_type_and_other_types_cannot_be_checked_offline(projects):
    project = "name: test\nconfig:\n  s:\n    type: string\n  n:\n    type: integer\n  b:\n    type: boolean\n"
    stack = "config:\n  s:\n    secure: x\n  n:\n    secure: y\n  b: {secure: z}\n"
    config = read_stack_config(projects(project, stack))
    assert config.problems == () and sorted(config.secret_keys) == ["test:b", "test:n", "test:s"]


def test_untyped_declarations_are_not_type_checked_not_even_secret(projects):
    # IsExplicitlyTyped: the secret check sits inside it too.
    config = read_stack_config(projects("name: test\nconfig:\n  key:\n    secret: true\n", "config:\n  key: plain\n"))
    assert config.problems == ()


def test_a_typed_value_declaration_is_checked_on_every_stack(projects):
    # Project.Validate checks only defaults; the merge type-checks a `value:` like any stack value.
    config = read_stack_config(projects("name: test\nconfig:\n  count:\n    type: integer\n    value: many\n", ""))
    assert messages(config) == ["Stack 'dev' with configuration key 'count' must be of type 'integer'"]
    assert config.problems[0].value == "many"


# --- the CLI's project validation (sdk/go/common/workspace/project.go Project.Validate) -----------------------
@pytest.mark.parametrize("declaration, expected", [
    # TestNamespacedProjectConfigShouldNotBeExplicitlyTyped
    ("  aws:region:\n    type: string\n    value:\n      region: us-west-1\n",
     ["Configuration key 'aws:region' is not namespaced by the project and should not define a type"]),
    # TestProjectConfigCannotHaveBothValueAndDefault
    ("  instanceSize:\n    type: string\n    default: t3.micro\n    value: t4.large\n",
     ["project config 'instanceSize' cannot have both a 'default' and 'value' attribute"]),
    # TestProjectConfigCannotBeTypedArrayWithoutItems
    ("  instanceSize:\n    type: array\n    default: [t3.micro, t4.large]\n",
     ["The configuration key 'instanceSize' declares an array but does not specify the underlying type via the "
      "'items' attribute"]),
    # TestNamespacedProjectConfigShouldNotBeProvideDefault
    ("  aws:region:\n    default: us-west-1\n",
     ["Configuration key 'aws:region' is not namespaced by the project and should not define a default value. Did "
      "you mean to use the 'value' attribute instead of 'default'?"]),
    # TestProjectValidationFailsForIncorrectDefaultValueType
    ("  instanceSize:\n    type: integer\n    default: hello\n",
     ["The default value specified for configuration key 'instanceSize' is not of the expected type 'integer'"]),
    ("  values:\n    type: array\n    items:\n      type: array\n      items:\n        type: string\n"
     "    default: [hello]\n",
     ["The default value specified for configuration key 'values' is not of the expected type "
      "'array<array<string>>'"]),
    # Project.Validate: a key of another namespace must give `value`
    ("  aws:region:\n    description: the region\n",
     ["Configuration key 'aws:region' is namespaced and must provide an attribute 'value'"]),
])
def test_project_validation(projects, declaration, expected):
    project = read_project(projects("name: test\nconfig:\n" + declaration, None).directory)
    assert [p.problem for p in project.problems] == expected
    assert all(p.origin == CLI and p.stack == "" and p.file.endswith("Pulumi.yaml") for p in project.problems)


@pytest.mark.parametrize("declaration", [
    # TestProjectValidationSucceedsForCorrectDefaultValueType, TestProjectValidationSucceedsForObjectConfigType
    "  instanceSize:\n    type: integer\n    default: 1\n",
    "  values:\n    type: array\n    items:\n      type: array\n      items:\n        type: string\n"
    "    default: [[hello]]\n",
    "  example:\n    type: object\n    default:\n      hello: world\n",
])
def test_project_validation_succeeds(projects, declaration):
    assert read_project(projects("name: test\nconfig:\n" + declaration, None).directory).problems == ()


@pytest.mark.parametrize("declaration, fragment", [
    ("  key:\n    type: string\n    defualt: x\n", "attribute 'defualt' is not allowed"),
    ("  key:\n    type: int\n", "type 'int' is not one of string, integer, boolean, array, object"),
    ("  key:\n    type: array\n    items: string\n", "items must be a mapping"),
    ("  key:\n    type: array\n    items:\n      type: array\n", "items must be a mapping"),
    ("  key:\n    type: string\n    secret: yes\n", "secret must be true or false"),
    ("  key:\n", "is neither a value"),
    ("  key: 1.5\n", "is neither a value"),
    ("  a:b:c: x\n", "could not parse a:b:c as a configuration key (configuration keys should be of the form "
                     "`<namespace>:<name>`)"),
])
def test_the_project_schema_refuses_malformed_declarations(projects, declaration, fragment):
    stack = projects("name: test\nconfig:\n" + declaration, "config:\n  key: x\n")
    project = read_project(stack.directory)
    assert len(project.problems) == 1 and fragment in project.problems[0].problem
    # a refused declaration is not type-checked on the stack as well
    assert all(p.stack == "" or p.origin == STRICTER for p in read_stack_config(stack).problems)


def test_a_project_outside_the_projects_directory_is_named_by_its_full_path(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: test\nconfig:\n  a:b:c: x\n")
    assert read_project(tmp_path).problems[0].file == str(tmp_path / "Pulumi.yaml")


@pytest.mark.parametrize("text", ["runtime: python\n", "name: test\nconfig: ./stacks\n", "name: [unclosed\n"])
def test_an_unusable_project_file_is_one_problem(projects, text):
    config = read_stack_config(projects(text, "config: {}\n"))
    [problem] = config.problems
    assert problem.key == "(project file)" and "is not a project with a 'name'" in problem.problem


# --- YAML as the CLI (gopkg.in/yaml.v3) reads it ---------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("yes", "yes"), ("on", "on"), ("Off", "Off"), ("y", "y"),  # YAML 1.1 booleans are strings to the CLI
    ("true", True), ("False", False), ("TRUE", True),
    ("~", None), ("null", None), ("", None),
    ("42", 42), ("-7", -7), ("+7", 7), ("1_000", 1000), ("0x1F", 31), ("0o17", 15), ("017", 15), ("0b101", 5),
    ("18446744073709551615", 18446744073709551615),  # uint64
    ("1e3", 1000.0), ("1.5", 1.5), (".5", 0.5), ("08", 8.0), ("-9223372036854775809", -9223372036854775809.0),
    ("1:30", "1:30"), ("2024-01-01", "2024-01-01"), ("1.0.0", "1.0.0"), ("10.10.0.0/16", "10.10.0.0/16"),
    ("-x", "-x"), ("'42'", "42"),
    (".5_0", ".5_0"),  # yaml.v3 drops '_' from numbers, but not from one starting with '.': no float, a string
])
def test_plain_scalars_resolve_as_in_yaml_v3(text, expected):
    assert load_yaml(f"v: {text}\n")["v"] == expected


def test_special_floats_and_repeated_keys():
    assert math.isnan(load_yaml("v: .nan\n")["v"]) and load_yaml("v: -.Inf\n")["v"] == -math.inf
    with pytest.raises(yaml.YAMLError, match=r"mapping key 'a' already defined\n  in .*, line 3, column 1"):
        load_yaml("a: 1\nb: 2\na: 3\n")
    # an alias inside its own anchor: yaml.v3 refuses it ("anchor 'a' value contains itself")
    for text in ("a: &a\n  b: *a\n", "a: &a [*a]\n"):
        with pytest.raises(yaml.YAMLError, match="recursive"):
            load_yaml(text)
    assert load_yaml("a: &x {b: [1]}\nc: *x\n") == {"a": {"b": [1]}, "c": {"b": [1]}}  # a plain alias is fine
    # an unhashable key does not stop the check of the keys after it
    with pytest.raises(yaml.YAMLError, match="mapping key 'c' already defined"):
        load_yaml("? [a]\n: b\nc: 1\nc: 2\n")
    with pytest.raises(yaml.YAMLError, match="unhashable"):
        load_yaml("? [a]\n: b\n")


def test_a_yaml_1_1_boolean_fails_a_boolean_key_as_the_cli_would(projects):
    config = read_stack_config(projects("name: test\nconfig:\n  waf:\n    type: boolean\n    default: false\n",
                                        "config:\n  waf: yes\n"))
    assert messages(config) == ["Stack 'dev' with configuration key 'waf' must be of type 'boolean'"]


@pytest.mark.parametrize("raw, text, secure, is_object", [
    ("a", "a", False, False), (None, "", False, False), (True, "true", False, False), (3, "3", False, False),
    (3.0, "3", False, False), (1.5, "1.5", False, False), ({"secure": "v1:x"}, OFFLINE_SECRET, True, False),
    (["a", 2], '["a",2]', False, True), ({"b": 1, "a": [1.0]}, '{"a":[1],"b":1}', False, True),
    ({"k": {"secure": "v1:x"}}, f'{{"k":"{OFFLINE_SECRET}"}}', True, True),
    ([{"secure": "v1:x"}], f'["{OFFLINE_SECRET}"]', True, True),
    ({"secure": 5}, '{"secure":5}', False, True),
    (["é"], '["é"]', False, True),  # Go's json.Marshal writes UTF-8, not \u escapes
])
def test_stack_values_are_stored_as_the_cli_stores_them(raw, text, secure, is_object):
    value = stack_value(raw)
    assert (value.text, value.secure, value.object) == (text, secure, is_object)


def test_defaults_are_merged_as_the_cli_merges_them():
    assert default_value(2).text == "2" and default_value(False).text == "false" and default_value("x").text == "x"
    assert (default_value([]).text, default_value([]).object) == ("[]", True)
    assert default_value(1.5).object and default_value({"a": 1}).text == '{"a":1}'


@pytest.mark.parametrize("type_name, items, value, ok", [
    ("string", None, "x", True), ("string", None, 3, False),
    ("integer", None, 3, True), ("integer", None, True, False), ("integer", None, 3.0, True),
    ("integer", None, 3.5, False), ("integer", None, "+3", True), ("integer", None, "3.0", False),
    ("integer", None, " 3", False), ("integer", None, "9223372036854775808", False), ("integer", None, None, False),
    # strconv.Atoi's int64 range, both ends
    ("integer", None, "9223372036854775807", True), ("integer", None, "-9223372036854775808", True),
    ("integer", None, "-9223372036854775809", False),
    ("boolean", None, "true", True), ("boolean", None, "True", False), ("boolean", None, False, True),
    ("boolean", None, 1, False),
    ("object", None, {}, True), ("object", None, [], False),
    ("array", ItemsType("string"), ["a"], True), ("array", ItemsType("string"), [1], False),
    ("array", None, ["a"], False), ("array", ItemsType("string"), "a", False),
    ("array", ItemsType("array", ItemsType("integer")), [[1, "2"]], True),
])
def test_validate_config_value_matches_the_cli(type_name, items, value, ok):
    assert validate_config_value(type_name, items, value) is ok


def test_full_type_names():
    assert full_type_name("array", ItemsType("array", ItemsType("string"))) == "array<array<string>>"
    assert full_type_name("integer", None) == "integer"


# --- stack files ---------------------------------------------------------------------------------------------------
PROJECT = """\
name: test
config:
  imageTag:
    type: string
  desiredCount:
    type: integer
    default: 2
  natStrategy:
    type: string
    default: single
"""


def test_a_legacy_key_form_is_the_same_key(projects):
    config = read_stack_config(projects(PROJECT, "config:\n  test:config:imageTag: 1.0.0\n"))
    assert config.problems == () and config.values["test:imageTag"] == "1.0.0"


@pytest.mark.parametrize("stack_yaml, fragment", [
    ("config:\n  imageTag: 1\n  test:imageTag: 2\n", "sets test:imageTag twice"),
    ("config:\n  imageTag: 1\nenvironment: [team/dev]\n", "imports ESC environments"),
    ("- a\n", "expected a mapping with a `config:` mapping"),
    ("config: [a]\n", "expected a mapping with a `config:` mapping"),
    ("config:\n  a: 1\n  a: 2\n", "already defined"),
])
def test_an_unreadable_stack_file_is_one_problem(projects, stack_yaml, fragment):
    config = read_stack_config(projects(PROJECT, stack_yaml))
    [problem] = config.problems
    assert problem.key == "(stack file)" and fragment in problem.problem and config.values == {}


def test_an_absent_or_empty_stack_file_is_empty_config(projects):
    for stack_yaml in (None, "", "config:\n", "encryptionsalt: v1:abc\n"):
        config = read_stack_config(projects(PROJECT, stack_yaml, stack=f"s{len(stack_yaml or 'x')}"))
        assert messages(config) == [f"Stack '{config.stack.stack}' is missing configuration value 'imageTag'"]


def test_an_unparsable_key_is_refused_with_the_clis_message(projects):
    config = read_stack_config(projects(PROJECT, "config:\n  imageTag: 1.0.0\n  a:b:c: x\n"))
    [problem] = config.problems
    assert problem.problem == ("could not parse a:b:c as a configuration key (configuration keys should be of the "
                               "form `<namespace>:<name>`)")


@pytest.mark.parametrize("key, suggestion", [
    ("ImageTag", "test:imageTag"),         # the same key but for case
    ("desiredCont", "test:desiredCount"),  # a typo
    ("NATstrateg", "test:natStrategy"),    # both
    ("venueUrl", None),                    # nothing close
    ("desired", None),                     # 0.74 like desiredCount: under the 0.75 cutoff, no guess
])
def test_an_undeclared_key_of_the_project_is_refused_with_a_suggestion(projects, key, suggestion):
    config = read_stack_config(projects(PROJECT, f"config:\n  imageTag: 1.0.0\n  test:{key}: 3\n"))
    [problem] = config.problems
    assert (problem.origin, problem.key, problem.value) == (STRICTER, f"test:{key}", 3)
    assert problem.problem.startswith("is not declared in ") and problem.problem.endswith(
        f"; did you mean '{suggestion}'?" if suggestion else "Pulumi.yaml")
    assert "the program would never read it" in problem.fix


def test_a_mistyped_required_key_is_both_undeclared_and_missing(projects):
    # The case: `services:ImageTag` is a typo, and imageTag is then missing.
    config = read_stack_config(projects(PROJECT, "config:\n  test:ImageTag: 1.0.0\n"))
    missing, typo = messages(config)
    assert missing == "Stack 'dev' is missing configuration value 'imageTag'"
    assert typo.endswith("Pulumi.yaml; did you mean 'test:imageTag'?")


def test_keys_of_other_projects_and_unknown_namespaces_are_refused(projects):
    config = read_stack_config(projects(PROJECT, "config:\n  imageTag: 1.0.0\n  network:vpcCidr: 10.0.0.0/16\n"
                                                 "  pulumi:tags: {a: b}\n  aws:profile: trading\n"))
    assert [(p.key, p.problem) for p in config.problems] == [
        ("network:vpcCidr", "belongs to project network, not test: its program never reads it"),
        ("pulumi:tags", "is in namespace 'pulumi', which no program here reads")]
    assert "projects/network/Pulumi.<stack>.yaml" in config.problems[0].fix
    assert config.problems[1].value == {"a": "b"} and "aws:" in config.problems[1].fix
    assert config.values["aws:profile"] == "trading" and ALLOWED_NAMESPACES == ("aws",)


def test_optional_secrets_may_be_unset_and_must_be_secure_when_set(projects):
    project = "name: platform\nconfig:\n  waf:\n    type: boolean\n    default: false\n"
    assert read_stack_config(projects(project, "config: {}\n", project="platform")).problems == ()
    secure = read_stack_config(projects(project, "config:\n  platform:databaseUrl:\n    secure: v1:x\n",
                                        project="platform", stack="prod"))
    assert secure.problems == () and secure.secret_keys == ("platform:databaseUrl",)
    plain = read_stack_config(projects(project, "config:\n  platform:thirdPartyApiKeys: '{}'\n", project="platform",
                                       stack="staging"))
    [problem] = plain.problems
    assert (problem.key, problem.value, problem.origin) == ("platform:thirdPartyApiKeys", "<hidden>", STRICTER)
    assert "pulumi config set --secret platform:thirdPartyApiKeys <value> --stack staging" in problem.fix


def test_problems_render_stack_key_value_rule_and_fix():
    problem = ConfigProblem("projects/x/Pulumi.dev.yaml", "x/dev", "x:k", "v", "is wrong", "fix it", CLI, "url")
    assert str(problem) == "x/dev: x:k = 'v': is wrong [pulumi CLI]. Fix: fix it"
    assert str(ConfigProblem("projects/x/Pulumi.yaml", "", "k", None, "bad", "f", CLI, "u")) == (
        "projects/x/Pulumi.yaml: k: bad [pulumi CLI]. Fix: f")


# --- every stack of an environment, before any program runs ----------------------------------------------------
def test_an_environment_reports_every_problem_of_every_stack_once(projects):
    broken = PROJECT + "  bad:\n    type: array\n    default: []\n"
    first = projects(broken, "config:\n  imageTag: 1.0.0\n  desiredCount: two\n", stack="a-dev")
    second = projects(broken, "config:\n  natStrateg: none\n", stack="b-dev")
    with pytest.raises(StackConfigError) as error:
        load_environment_config([first, second])
    problems = [p.problem for p in error.value.problems]
    assert problems.count("The configuration key 'bad' declares an array but does not specify the underlying type "
                          "via the 'items' attribute") == 1  # the project file's problem, once
    assert "Stack 'a-dev' with configuration key 'desiredCount' must be of type 'integer'" in problems
    assert "Stack 'b-dev' is missing configuration value 'imageTag'" in problems
    assert any(p.startswith("is not declared") and "did you mean 'test:natStrategy'?" in p for p in problems)
    assert str(error.value).startswith("stack config refused before any program ran: 4 problem(s) in ")
    assert "test/a-dev" in str(error.value) and "test/b-dev" in str(error.value)
    with pytest.raises(StackConfigError):
        load_stack_config(second)


def test_an_accepted_environment_is_every_stacks_config(projects):
    first = projects(PROJECT, "config:\n  imageTag: 1.0.0\n", stack="a-dev")
    configs = load_environment_config([first])
    assert configs[first].program_config == ({"test:imageTag": "1.0.0", "test:desiredCount": "2",
                                              "test:natStrategy": "single"}, [])
    assert load_stack_config(first) == configs[first].program_config


def test_the_plan_refuses_an_environment_before_any_program_runs(projects, tmp_path):
    marker = tmp_path / "ran"
    program = f"open({str(marker)!r}, 'w').write('ran')\n"
    for project in ("network", "registry"):
        stack = projects(PROJECT.replace("name: test", f"name: {project}"), f"config:\n  {project}:desiredCount: x\n",
                         project=project)
        (stack.directory / "__main__.py").write_text(program)
    with pytest.raises(runner.PlanError) as error:
        runner.plan_environment("dev")
    message = str(error.value)
    assert message.startswith("dev: stack config refused before any program ran: 4 problem(s)")
    for project in ("network", "registry"):
        assert f"{project}/dev: {project}:imageTag: Stack 'dev' is missing configuration value 'imageTag'" in message
        assert "Stack 'dev' with configuration key 'desiredCount' must be of type 'integer'" in message
    assert not marker.exists()


# --- every field of a problem: where, which key, what value, why, the fix, whose rule, where it is defined ------
def fields(problem: ConfigProblem) -> tuple:
    return (problem.file, problem.stack, problem.key, problem.value, problem.problem, problem.fix, problem.origin,
            problem.source)


def shown(*parts: str) -> str:
    """A file as the problems name it: relative to the (throwaway) projects directory's parent."""
    return "/".join((shared.stacks.PROJECTS_DIR.name, *parts))


def test_each_project_file_problem_gives_every_field_and_the_declarations_after_it_are_still_read(projects):
    stack = projects("name: test\nconfig:\n  a:b:c: x\n  key: 1.5\n  odd:\n    type: string\n    secret: 'no'\n"
                     "  bare:\n    type: string\n    defualt: x\n  list:\n    type: array\n"
                     "    items: {type: string, description: x}\n  both:\n    default: a\n    value: b\n", None)
    file = shown("test", "Pulumi.yaml")
    declaration = "(project.json: configTypeDeclaration)"
    assert [fields(p) for p in read_project(stack.directory).problems] == [
        (file, "", "a:b:c", None, "could not parse a:b:c as a configuration key (configuration keys should be of "
         "the form `<namespace>:<name>`)", "write it as test:<name> or <name>", CLI, CONFIG_KEY),
        (file, "", "key", 1.5, "is neither a value (string, integer, boolean, array) nor a declaration mapping "
         "(project.json: config)", "give a declaration: {type, default, description}", CLI, PROJECT_SCHEMA),
        (file, "", "odd", None, f"secret must be true or false {declaration}", "fix the declaration in Pulumi.yaml",
         CLI, PROJECT_SCHEMA),
        (file, "", "bare", None, "attribute 'defualt' is not allowed (allowed: default, description, items, secret, "
         f"type, value) {declaration}", "fix the declaration in Pulumi.yaml", CLI, PROJECT_SCHEMA),
        # items with a known type but an attribute the schema does not have
        (file, "", "list", None, "items must be a mapping with a type out of string, integer, boolean, array, "
         f"object (and items for an array) {declaration}", "fix the declaration in Pulumi.yaml", CLI, PROJECT_SCHEMA),
        (file, "", "both", None, "project config 'both' cannot have both a 'default' and 'value' attribute",
         "keep one: `default` (a stack may override it) or `value` (fixed for every stack)", CLI, PROJECT_VALIDATE),
    ]


@pytest.mark.parametrize("declaration, fix", [
    ("  k:\n    type: array\n    default: [a]\n", "add `items: {type: string}` (or the element type)"),
    ("  k:\n    type: integer\n    default: x\n", "give a default of type integer: a whole number, e.g. 3"),
    ("  aws:k:\n    type: string\n    value: x\n", "remove `type:`; a key of another namespace takes only `value:`"),
    ("  aws:k:\n    default: x\n", "rename `default:` to `value:`"),
    ("  aws:k:\n    description: x\n",
     "give it `value: <value>`, or remove the declaration and set the key on each stack"),
])
def test_each_declaration_the_cli_refuses_names_its_fix(projects, declaration, fix):
    [problem] = read_project(projects("name: test\nconfig:\n" + declaration, None).directory).problems
    assert (problem.key, problem.fix, problem.origin, problem.source) == (
        declaration.split(":\n")[0].strip(), fix, CLI, PROJECT_VALIDATE)


def test_an_unusable_project_file_shows_what_was_read_up_to_200_characters(projects):
    stack = projects("runtime: " + "x" * 300 + "\n", None)
    project = read_project(stack.directory)
    file = shown("test", "Pulumi.yaml")
    assert [fields(p) for p in project.problems] == [
        (file, "", "(project file)", None, "is not a project with a 'name' and a `config:` mapping ({'runtime': '"
         + "x" * 187 + ")", f"fix {file}", CLI, PROJECT_VALIDATE)]
    assert (project.name, project.directory, project.declarations) == ("test", stack.directory, {})
    # YAML that does not parse: the parser's own message
    [problem] = read_project(projects("name: [unclosed\n", None).directory).problems
    assert "(while parsing a flow sequence" in problem.problem and "expected ',' or ']'" in problem.problem


def test_an_unreadable_stack_file_gives_every_field(projects):
    stack = projects(PROJECT, "- a\n")
    config = read_stack_config(stack)
    file = shown("test", "Pulumi.dev.yaml")
    assert [fields(p) for p in config.problems] == [
        (file, "test/dev", "(stack file)", None, "cannot be read: expected a mapping with a `config:` mapping",
         f"fix {file}", CLI, STACK_LOADER)]
    assert (config.stack, config.values, config.secret_keys) == (stack, {}, ())
    esc = read_stack_config(projects(PROJECT, "environment: [team/dev]\n", stack="esc"))
    assert esc.problems[0].problem == ("cannot be read: imports ESC environments (`environment:`), which the offline "
                                       "plan cannot resolve; set the values in the stack file's `config:` instead")


def test_bare_keys_take_the_namespace_pulumi_yaml_names_not_the_directorys(projects):
    # loaders.go namespaces with the project's name; the directory may be named otherwise
    stack = projects("name: test\nconfig:\n  size:\n    type: string\n", "config:\n  size: big\n", project="dir")
    config = read_stack_config(stack)
    assert config.problems == () and config.values == {"test:size": "big"}
    # without a project name, the stack's project
    assert read_stack_file(stack) == {"dir:size": "big"}


def test_keys_are_parsed_as_the_cli_parses_them():
    assert parse_key("ns:name") == ("ns", "name") and parse_key("ns:config:name") == ("ns", "name")
    assert parse_key(":config:name") is None and parse_key("ns:config:") is None and parse_key("a:b:c") is None


def test_each_stack_problem_gives_every_field_and_one_bad_key_does_not_hide_the_next(projects):
    stack = projects(PROJECT, "config:\n  imageTag: 1.0.0\n  a:b:c: x\n  test:zz: 1\n"
                              "  network:vpcCidr: 10.0.0.0/16\n  pulumi:tags: {a: b}\n")
    file, project_file = shown("test", "Pulumi.dev.yaml"), shown("test", "Pulumi.yaml")
    assert [fields(p) for p in read_stack_config(stack).problems] == [
        (file, "test/dev", "a:b:c", "x", "could not parse a:b:c as a configuration key (configuration keys should be "
         "of the form `<namespace>:<name>`)", "write keys as <namespace>:<name>", CLI, CONFIG_KEY),
        (file, "test/dev", "network:vpcCidr", "10.0.0.0/16", "belongs to project network, not test: its program never "
         "reads it", "move it to projects/network/Pulumi.<stack>.yaml", STRICTER, OURS),
        (file, "test/dev", "pulumi:tags", {"a": "b"}, "is in namespace 'pulumi', which no program here reads",
         "remove it; a stack sets only test: keys and provider config (aws:)", STRICTER, OURS),
        (file, "test/dev", "test:zz", 1, f"is not declared in {project_file}",
         f"rename it, or declare it (type, default, description) in {project_file}; the program would never read it",
         STRICTER, OURS),
    ]


@pytest.mark.parametrize("declared, key, fix", [
    ({"values": "array"}, "test:values",
     "in projects/test run `pulumi config set test:values <value> --stack dev`, or give it a default in "),
    ({"another": "string", "values": "array"}, "test:another, test:values",
     "in projects/test run `pulumi config set test:another <value> --stack dev`; `pulumi config set test:values "
     "<value> --stack dev`, or give them a default in "),
])
def test_the_missing_keys_problem_names_each_key_and_one_command_per_key(projects, declared, key, fix):
    body = "".join(f"  {name}:\n    type: {typ}\n" + ("    items:\n      type: string\n" if typ == "array" else "")
                   for name, typ in declared.items())
    [problem] = read_stack_config(projects("name: test\nconfig:\n" + body, "")).problems
    assert (problem.key, problem.fix, problem.source) == (key, fix + shown("test", "Pulumi.yaml"), MERGE_CONFIG)


def test_a_plain_value_of_a_secret_key_gives_every_field_and_the_value_as_written(projects):
    declared = "name: test\nconfig:\n  n:\n    type: integer\n    secret: true\n"
    [problem] = read_stack_config(projects(declared, "config:\n  test:n: 20\n")).problems
    assert fields(problem) == (
        shown("test", "Pulumi.dev.yaml"), "test/dev", "test:n", 20,
        "Stack 'dev' with configuration key 'n' must be encrypted as it's secret",
        "remove the plain-text value, then in projects/test run `pulumi config set --secret test:n <value> --stack "
        "dev`", CLI, MERGE_CONFIG)


@pytest.mark.parametrize("declaration, value, hint", [
    ("type: string", "[1]", "any text"),
    ("type: integer", "x", "a whole number, e.g. 3"),
    ("type: boolean", "x", "true or false"),
    ("type: object", "x", "a YAML mapping"),
    ("{type: array, items: {type: string}}", "x", "a YAML list whose items have that type, e.g. [a, b]"),
])
def test_a_mistyped_value_names_what_the_type_takes(projects, declaration, value, hint):
    [problem] = read_stack_config(projects(f"name: test\nconfig:\n  k: {declaration}\n".replace(
        "k: type", "k:\n    type"), f"config:\n  k: {value}\n")).problems
    assert (problem.fix, problem.source) == (
        f"give {hint}: in projects/test run `pulumi config set test:k <value> --stack dev`", MERGE_CONFIG)


def test_overriding_a_fixed_value_with_a_secret_does_not_show_it(projects):
    stack = projects("name: test\nconfig:\n  aws:region:\n    value: us-east-1\n",
                     "config:\n  aws:region:\n    secure: v1:x\n")
    file = shown("test", "Pulumi.dev.yaml")
    assert [fields(p) for p in read_stack_config(stack).problems] == [
        (file, "test/dev", "aws:region", "[secret]", "overrides the value Pulumi.yaml fixes for every stack "
         "('us-east-1')", f"remove it from {file}; the value is fixed with `value:` in {shown('test', 'Pulumi.yaml')}",
         STRICTER, OURS)]


def test_an_optional_secret_gives_every_field_and_does_not_hide_the_keys_after_it(projects):
    project = "name: platform\nconfig:\n  waf:\n    type: boolean\n    default: false\n"
    plain = read_stack_config(projects(project, "config:\n  platform:databaseUrl: postgres://x\n", project="platform"))
    assert [fields(p) for p in plain.problems] == [
        (shown("platform", "Pulumi.dev.yaml"), "platform/dev", "platform:databaseUrl", "<hidden>",
         "is an optional secret stored in plain text", "remove it, then in projects/platform run `pulumi config set "
         "--secret platform:databaseUrl <value> --stack dev`", STRICTER, OURS)]
    secure = read_stack_config(projects(project, "config:\n  platform:databaseUrl:\n    secure: v1:x\n"
                                                 "  platform:zz: 1\n", project="platform", stack="prod"))
    assert [p.key for p in secure.problems] == ["platform:zz"]


def test_the_error_names_each_stack_or_project_file_once_then_every_problem():
    project = ConfigProblem("projects/x/Pulumi.yaml", "", "k", None, "bad", "f", CLI, "u")
    stack = ConfigProblem("projects/x/Pulumi.dev.yaml", "x/dev", "x:k", 1, "wrong", "g", STRICTER, "v")
    assert str(StackConfigError([stack, project, stack])) == (
        "stack config refused before any program ran: 3 problem(s) in projects/x/Pulumi.yaml, x/dev:\n"
        "  - x/dev: x:k = 1: wrong [stricter than the CLI]. Fix: g\n"
        "  - projects/x/Pulumi.yaml: k: bad [pulumi CLI]. Fix: f\n"
        "  - x/dev: x:k = 1: wrong [stricter than the CLI]. Fix: g")


@pytest.mark.parametrize("text, expected", [
    ("9223372036854775807", 9223372036854775807), ("-9223372036854775808", -9223372036854775808),  # int64
    ("+9223372036854775808", 9223372036854775808.0),  # a sign: ParseInt only, out of range: a float
    ("18446744073709551616", 18446744073709551616.0),  # above uint64: a float
    ("-200", -200), ("+200", 200),
])
def test_integers_stay_integers_within_go_int64_or_uint64(text, expected):
    value = load_yaml(f"v: {text}\n")["v"]
    assert (value, type(value)) == (expected, type(expected))


# --- the committed stacks --------------------------------------------------------------------------------------
COMMITTED = [stack for environment in ENVIRONMENTS for stack in deploy_order(environment)]


@pytest.mark.parametrize("stack", COMMITTED, ids=str)
def test_every_committed_stack_passes_the_cli_rules_and_ours(stack):
    config = read_stack_config(stack)
    assert config.problems == ()
    project = read_project(stack.directory)
    declared = project.declarations
    own = {key for key in declared if key.startswith(f"{stack.project}:")}
    # no untyped key of the project's own namespace: the CLI checks the type of typed keys only
    assert all(declared[key].type is not None for key in own)
    # no missing key: every key without a default or value is set by the stack file
    written = read_stack_file(stack)
    assert all(key in written for key in own if declared[key].default is None and declared[key].value is None)
    # no undeclared key: each one the stack sets is declared, an optional secret, or provider config
    optional = {f"{stack.project}:{key}" for key in OPTIONAL_SECRETS.get(stack.project, {})}
    assert all(key in own | optional or key.split(":")[0] in ALLOWED_NAMESPACES for key in written)
    # and the program receives every declared key
    assert own <= set(config.values)


def test_the_platforms_optional_secrets_are_the_settings_external_secrets():
    assert set(OPTIONAL_SECRETS) == {"platform"} and set(OPTIONAL_SECRETS) <= set(PROJECT_ORDER)
    assert set(OPTIONAL_SECRETS["platform"]) == set(EXTERNAL_SECRET_KEYS.values())
    # neither is declared to the CLI (it would require them on dev), prod sets both as `secure:`
    platform = read_project(shared.stacks.PROJECTS_DIR / "platform")
    assert not {f"platform:{key}" for key in OPTIONAL_SECRETS["platform"]} & set(platform.declarations)
    prod = read_stack_config(StackId("platform", "prod"))
    assert sorted(prod.secret_keys) == ["platform:databaseUrl", "platform:thirdPartyApiKeys"]
    assert not set(read_stack_file(StackId("platform", "dev"))) & {"platform:databaseUrl", "platform:thirdPartyApiKeys"}


def test_the_service_stacks_set_their_suffix_and_default_the_owner_to_the_catalog():
    for stack in COMMITTED:
        if stack.project == "services":
            values = read_stack_config(stack).values
            assert values["services:environmentSuffix"] == stack.stack.rsplit("-", 1)[1]
            assert values["services:ownerTeam"] == ""
    assert json.loads(read_stack_config(StackId("services", "frontend-prod")).values["services:capacityStrategy"]) == [
        "FARGATE:2:1", "FARGATE_SPOT:0:3"]


def test_each_caller_gets_its_own_copy_of_a_parsed_document():
    """Parsing is cached per text: a caller that edits what it got, nested values included, must not change
    what the next caller of the same text reads."""
    text = "config:\n  a:\n    b: [1]\n"
    first = load_yaml(text)
    first["config"]["a"]["b"].append(2)
    assert load_yaml(text) == {"config": {"a": {"b": [1]}}}
