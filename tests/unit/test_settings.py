import json
from enum import Enum

import pytest

from shared.fargate import CapacityShare
from shared.settings import ConfigError, ConfigReader, DictConfigSource, read_common
from shared.settings.network import NatStrategy, load_network_settings

BASE = {
    "ownerTeam": "platform-network", "costCenter": "TRD-1", "vpcCidr": "10.10.0.0/16",
    "availabilityZones": json.dumps(["us-east-1a", "us-east-1b", "us-east-1c"]), "natStrategy": "single",
    "interfaceEndpoints": json.dumps(["ecr.api", "logs"]),
}


def network(stack="dev", secret_keys=(), **changes):
    values = {**BASE, **changes}
    values = {k: v for k, v in values.items() if v is not None}
    return load_network_settings(DictConfigSource("network", stack, values, frozenset(secret_keys)))


def violation(**changes) -> str:
    with pytest.raises(ConfigError) as error:
        network(**changes)
    return str(error.value)


def test_valid_config_becomes_typed_settings():
    settings = network()
    assert settings.nat_strategy is NatStrategy.SINGLE
    assert settings.availability_zones == ("us-east-1a", "us-east-1b", "us-east-1c")
    assert settings.common.environment == settings.common.environment_suffix == "dev"
    assert settings.interface_endpoints == ("ecr.api", "logs")
    assert settings.vpc_cidr == "10.10.0.0/16"


def test_environment_suffix_may_carry_a_throwaway_token():
    assert network(environmentSuffix="dev-pr42").common.environment_suffix == "dev-pr42"


@pytest.mark.parametrize("changes, expected", [
    ({"vpcCidr": "10.0.0.1/16"}, ["network:vpcCidr", "'10.0.0.1/16'", "not a valid IPv4 network", "10.10.0.0/16"]),
    ({"vpcCidr": "banana"}, ["network:vpcCidr", "not a valid IPv4 network"]),
    ({"vpcCidr": "10.0.0.0/26"}, ["network:vpcCidr", "prefix /26", "/16 to /24"]),
    ({"availabilityZones": json.dumps(["us-east-1a", "us-east-1b"])}, ["availabilityZones", "exactly 3"]),
    ({"availabilityZones": json.dumps(["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"])},
     ["availabilityZones", "exactly 3"]),
    ({"availabilityZones": json.dumps(["us-east-1a", "us-east-1a", "us-east-1b"])}, ["exactly 3 distinct"]),
    ({"availabilityZones": json.dumps(["us-west-2a", "us-east-1b", "us-east-1c"])},
     ["outside us-east-1", "us-west-2a"]),
    ({"availabilityZones": "us-east-1a"}, ["availabilityZones", "not a list of strings"]),
    ({"availabilityZones": json.dumps([1, 2, 3])}, ["not a list of strings"]),
    ({"natStrategy": "two"}, ["network:natStrategy", "'two'", "single, one_per_az, none"]),
    ({"interfaceEndpoints": json.dumps(["ecr.api", "ec2messages"])}, ["interfaceEndpoints", "ec2messages",
                                                                        "choose from"]),
    ({"interfaceEndpoints": json.dumps(["logs", "logs"])}, ["repeats an endpoint"]),
    ({"environmentSuffix": ""}, ["environmentSuffix", "empty"]),
    ({"environmentSuffix": "Dev!"}, ["environmentSuffix", "lower-case"]),
    ({"environmentSuffix": "dev-pr1234567"}, ["environmentSuffix", "leaves 9 for the suffix"]),
    ({"ownerTeam": "Platform Team"}, ["ownerTeam", "team slug"]),
    ({"natStrategy": None}, ["network:natStrategy", "is not set", "pulumi config set network:natStrategy"]),
    ({"vpcCidr": None}, ["network:vpcCidr", "is not set"]),
    ({"availabilityZones": None}, ["availabilityZones", "is not set"]),
])
def test_each_bad_input_names_key_value_and_fix(changes, expected):
    message = violation(**changes)
    for fragment in expected:
        assert fragment in message


@pytest.mark.parametrize("changes, line", [
    ({"vpcCidr": "10.0.0.0/26"}, "config 'network:vpcCidr' = '10.0.0.0/26': has prefix /26; AWS allows /16 to /28 "
     "for a VPC and the 6 subnets need at least a /24. Fix: use a prefix from /16 to /24"),
    ({"availabilityZones": json.dumps(["us-east-1a", "us-east-1b"])},
     "config 'network:availabilityZones' = ['us-east-1a', 'us-east-1b']: must name exactly 3 distinct AZs. Fix: "
     "list three AZs of us-east-1, e.g. us-east-1a, us-east-1b, us-east-1c"),
    ({"availabilityZones": json.dumps(["us-west-2a", "us-east-1b", "us-east-1c"])},
     "config 'network:availabilityZones' = ['us-west-2a']: names AZs outside us-east-1. Fix: use AZ names of "
     "us-east-1 such as us-east-1a"),
    ({"interfaceEndpoints": json.dumps(["ecr.api", "ec2messages"])},
     "config 'network:interfaceEndpoints' = ['ec2messages']: names unknown endpoints. Fix: choose from ecr.api, "
     "ecr.dkr, logs, secretsmanager, sqs, sns, monitoring"),
    ({"interfaceEndpoints": json.dumps(["logs", "logs"])},
     "config 'network:interfaceEndpoints' = ['logs', 'logs']: repeats an endpoint. Fix: list each endpoint once"),
])
def test_each_network_rule_gives_its_whole_line(changes, line):
    """The whole violation: the key to edit, the offending values only, the reason, and the fix."""
    assert violation(**changes).splitlines()[1:] == [f"  - {line}"]


def test_all_violations_are_reported_together():
    message = violation(vpcCidr="x", natStrategy="y")
    assert "2 problem(s)" in message and "vpcCidr" in message and "natStrategy" in message


def test_plain_keys_given_as_secrets_are_refused():
    assert "without --secret" in violation(secret_keys={"ownerTeam"})


def make_reader(values, secret_keys=()):
    return ConfigReader(DictConfigSource("platform", "dev", values, frozenset(secret_keys)))


def test_integer_boolean_and_mapping_readers():
    reader = make_reader({"n": "5", "bad": "five", "far": "50", "on": "true", "maybe": "yes", "m": '{"a": 1}',
                          "notmap": "[1]", "broken": "{"})
    assert reader.integer("n", minimum=1, maximum=10) == 5
    assert reader.integer("bad") == 0
    assert reader.integer("far", minimum=1, maximum=10) == 50
    assert reader.integer("absent") == 0
    assert reader.boolean("on") is True
    assert reader.boolean("maybe") is False
    assert reader.boolean("absent") is False
    assert reader.json_object("m") == {"a": 1}
    assert reader.json_object("notmap") == {} and reader.json_object("broken") == {}
    assert reader.json_object("absent") == {}
    problems = [str(v) for v in reader.violations]
    assert any("'platform:bad' = 'five': is not an integer" in p for p in problems)
    assert any("'platform:far' = 50: is outside 1..10" in p for p in problems)
    assert any("'platform:maybe' = 'yes': is not a boolean. Fix: use true or false" in p for p in problems)
    assert sum("is not a mapping" in p for p in problems) == 2
    assert sum("is not set" in p for p in problems) == 3


def test_secret_reader_refuses_plain_text_and_accepts_secrets():
    reader = make_reader({"plainSecret": "hunter2", "goodSecret": "s3cret"}, secret_keys={"goodSecret"})
    assert reader.secret("goodSecret") == "s3cret"
    assert reader.secret("unset") is None
    reader.secret("plainSecret")
    [problem] = reader.violations
    assert "platform:plainSecret" in str(problem) and "plain text" in str(problem)
    assert "pulumi config set --secret platform:plainSecret" in str(problem)
    assert "hunter2" not in str(problem)


def test_string_default_and_check():
    reader = make_reader({})
    assert reader.string("x", default="fallback") == "fallback"
    assert reader.string("y") == ""
    reader.check(True, "z", 1, "never", "never")
    assert len(reader.violations) == 1  # only the unset `y`


def test_common_settings_default_the_suffix_to_the_environment():
    reader = make_reader({"ownerTeam": "platform", "costCenter": "TRD-1"})
    common = read_common(reader, environment="prod")
    assert (common.environment, common.environment_suffix, common.project) == ("prod", "prod", "platform")
    assert reader.finish("ok") == "ok"


class SecretsNeverRead(DictConfigSource):
    """A source whose plain `get` refuses secret keys: a plain reader must not read one (nor show it)."""

    def get(self, key):
        assert key not in self.secret_keys, f"{key} is secret and was read as plain config"
        return super().get(key)


def test_a_plain_key_stored_as_a_secret_is_refused_once_and_never_read():
    source = SecretsNeverRead("platform", "dev", {"n": "s3cret-5", "name": "s3cret-x", "flag": "s3cret"},
                              frozenset({"n", "name", "flag"}))
    reader = ConfigReader(source)
    assert reader.integer("n", minimum=1, maximum=10) == 0
    assert reader.string("name", default="fallback") == "fallback"
    assert reader.string("name", pattern="[a-z]+") == ""
    assert reader.boolean("flag") is False
    problems = [str(v) for v in reader.violations]
    assert len(problems) == 4 and all("is a secret but this key is plain configuration" in p for p in problems)
    assert not any("s3cret" in p for p in problems)


class Kind(Enum):
    FIRST = "a"
    SECOND = "b"


def lines(reader: ConfigReader) -> list[str]:
    return [str(v) for v in reader.violations]


def test_each_reader_names_the_key_the_value_the_problem_and_the_fix():
    reader = make_reader({"n": "five", "far": "11", "flag": "maybe", "kind": "x", "list": "[1]", "map": "[1]",
                          "net": "10.0.0.1/16", "wide": "10.0.0.0/8", "name": "Bad Name", "plain": "hunter2",
                          "stored": "s3cret"}, secret_keys={"stored"})
    assert reader.integer("n") == 0
    assert reader.integer("far", minimum=1, maximum=10) == 11
    assert reader.boolean("flag") is False
    assert reader.enum("kind", Kind) is Kind.FIRST  # the first member stands in until finish() raises
    assert reader.string_list("list") == ()
    assert reader.json_object("map") == {}
    assert reader.ipv4_network("net", min_prefix=16, max_prefix=24, purpose="why") == "10.0.0.1/16"
    assert reader.ipv4_network("wide", min_prefix=16, max_prefix=24, purpose="why") == "10.0.0.0/8"
    assert reader.ipv4_network("absent", min_prefix=16, max_prefix=24, purpose="why") == ""
    assert reader.string("name", pattern="[a-z]+") == "Bad Name"
    assert reader.string("unset") == ""
    assert reader.secret("plain") is None
    assert reader.integer("stored") == 0
    assert lines(reader) == [
        "config 'platform:n' = 'five': is not an integer. Fix: give a whole number",
        "config 'platform:far' = 11: is outside 1..10. Fix: choose a value from 1 to 10",
        "config 'platform:flag' = 'maybe': is not a boolean. Fix: use true or false",
        "config 'platform:kind' = 'x': is not a known value. Fix: use one of a, b",
        "config 'platform:list' = '[1]': is not a list of strings. Fix: set it as a YAML list, e.g. `pulumi config "
        "set --path 'platform:list[0]' <value>`",
        "config 'platform:map' = '[1]': is not a mapping. Fix: set it as a YAML mapping in the stack file",
        "config 'platform:net' = '10.0.0.1/16': is not a valid IPv4 network (host bits set or malformed). Fix: give "
        "a network address such as 10.10.0.0/16",
        "config 'platform:wide' = '10.0.0.0/8': has prefix /8; why. Fix: use a prefix from /16 to /24",
        "config 'platform:absent' = None: is not set. Fix: in projects/platform run `pulumi config set "
        "platform:absent <value> --stack dev`",
        "config 'platform:name' = 'Bad Name': does not match [a-z]+. Fix: see the key's description in Pulumi.yaml",
        "config 'platform:unset' = None: is not set. Fix: in projects/platform run `pulumi config set "
        "platform:unset <value> --stack dev`",
        "config 'platform:plain' = '<hidden>': is stored in plain text. Fix: remove it and run `pulumi config set "
        "--secret platform:plain <value>`",
        "config 'platform:stored' = '[secret]': is a secret but this key is plain configuration. Fix: run `pulumi "
        "config set platform:stored <value>` without --secret",
    ]


def test_values_on_the_bounds_are_accepted():
    reader = make_reader({"low": "1", "high": "10", "big": "1000000", "small": "-5", "no": "FALSE",
                          "edge": "10.0.0.0/24", "top": "10.0.0.0/16"})
    assert reader.integer("low", minimum=1, maximum=10) == 1 and reader.integer("high", minimum=1, maximum=10) == 10
    assert reader.integer("big", minimum=1) == 1000000 and reader.integer("small", maximum=10) == -5
    assert reader.boolean("no") is False
    assert reader.ipv4_network("edge", min_prefix=16, max_prefix=24, purpose="") == "10.0.0.0/24"
    assert reader.ipv4_network("top", min_prefix=16, max_prefix=24, purpose="") == "10.0.0.0/16"
    assert reader.violations == []


def test_a_rule_is_skipped_for_a_key_that_did_not_parse_and_for_the_rules_after_it():
    reader = make_reader({"n": "five"})
    reader.integer("n")
    reader.check(False, "n", 0, "never", "never")
    reader.check(False, "other", 0, "never", "never", after=("n",))
    reader.check(False, "other", 1, "is wrong", "fix it")
    assert lines(reader) == ["config 'platform:n' = 'five': is not an integer. Fix: give a whole number",
                             "config 'platform:other' = 1: is wrong. Fix: fix it"]


def test_finish_raises_every_violation_of_the_stack_in_one_error():
    reader = make_reader({"n": "five", "m": "six"})
    reader.integer("n")
    reader.integer("m")
    with pytest.raises(ConfigError) as error:
        reader.finish(None)
    assert str(error.value) == (
        "invalid config for stack platform/dev (2 problem(s)):\n"
        "  - config 'platform:n' = 'five': is not an integer. Fix: give a whole number\n"
        "  - config 'platform:m' = 'six': is not an integer. Fix: give a whole number")
    assert [v.key for v in error.value.violations] == ["platform:n", "platform:m"]


@pytest.mark.parametrize("values, line", [
    ({"environmentSuffix": "Dev!"}, "config 'platform:environmentSuffix' = 'Dev!': it must be lower-case letters and "
     "digits starting with a letter, with at most one extra '-token' for a throwaway copy (e.g. dev, prod, dev-pr42). "
     "Fix: use the environment name, optionally with one extra token for a throwaway copy, e.g. dev-pr42"),
    ({"ownerTeam": "Platform Team"}, "config 'platform:ownerTeam' = 'Platform Team': does not match "
     "^[a-z][a-z0-9-]*$. Fix: use a lower-case team slug"),
    ({"costCenter": "TRD 1"}, "config 'platform:costCenter' = 'TRD 1': does not match ^[A-Za-z0-9-]+$. Fix: use the "
     "finance code, e.g. TRD-001"),
])
def test_each_common_setting_gives_its_whole_line(values, line):
    reader = make_reader({"ownerTeam": "platform", "costCenter": "TRD-1", **values})
    read_common(reader, environment="dev")
    assert lines(reader) == [line]


def test_the_cost_center_is_read_as_given():
    reader = make_reader({"ownerTeam": "platform", "costCenter": "trd-Ab-1"})
    assert read_common(reader, environment="dev").cost_center == "trd-Ab-1" and reader.violations == []


def test_a_capacity_strategy_reads_provider_base_and_weight():
    reader = make_reader({"cap": '["FARGATE:2:1", "FARGATE_SPOT:0:3"]'})
    assert reader.capacity_strategy("cap") == (CapacityShare("FARGATE", 2, 1), CapacityShare("FARGATE_SPOT", 0, 3))
    assert reader.violations == []


def test_a_malformed_capacity_entry_is_named_alone_and_the_strategy_rules_wait_for_it():
    reader = make_reader({"cap": '["FARGATE:1:0", "EC2:0:1"]'})
    assert reader.capacity_strategy("cap") == (CapacityShare("FARGATE", 1, 0),)
    # no "has no entry with a weight above 0" about what is left
    assert lines(reader) == ["config 'platform:cap' = 'EC2:0:1': is not PROVIDER:base:weight with a Fargate capacity "
                             "provider. Fix: write entries such as FARGATE:2:1 or FARGATE_SPOT:0:3; providers: "
                             "FARGATE, FARGATE_SPOT"]


def test_a_capacity_strategy_breaking_an_aws_rule_names_all_its_entries():
    reader = make_reader({"cap": '["FARGATE:0:0", "FARGATE_SPOT:0:0"]'})
    assert reader.capacity_strategy("cap") == (CapacityShare("FARGATE", 0, 0), CapacityShare("FARGATE_SPOT", 0, 0))
    assert lines(reader) == ["config 'platform:cap' = ['FARGATE:0:0', 'FARGATE_SPOT:0:0']: has no entry with a weight "
                             "above 0. Fix: give at least one provider a weight of 1 or more"]


def test_an_unset_capacity_strategy_is_only_unset():
    reader = make_reader({})
    assert reader.capacity_strategy("cap") == ()
    assert lines(reader) == ["config 'platform:cap' = None: is not set. Fix: in projects/platform run `pulumi config "
                             "set platform:cap <value> --stack dev`"]
