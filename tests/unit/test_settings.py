import json

import pytest

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
