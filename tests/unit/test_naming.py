import re

import pytest

from shared.naming import (
    NAME_RULES,
    NAMING_EXCEPTIONS,
    RESERVED_TYPE_TOKENS,
    SERVICE_NAME_MAX_LENGTH,
    SUFFIX_MAX_LENGTH,
    TIGHTEST_TYPE,
    NamingError,
    Replacement,
    physical_name,
    suffix_problem,
)


@pytest.mark.parametrize("resource_type, component, suffix, expected", [
    ("alb", None, "dev", "alb-dev"),
    ("tg", "frontend", "prod", "tg-frontend-prod"),
    ("role", "processing-service-exec", "dev-pr42", "role-processing-service-exec-dev-pr42"),
    ("alias", "kms-network", "dev", "alias/alias-kms-network-dev"),
])
def test_names_follow_type_component_suffix(resource_type, component, suffix, expected):
    assert physical_name(resource_type, suffix, component) == expected


def test_suffix_budget_follows_the_tightest_limit():
    # ALB names are capped at 32; `alb-<18-char component>-<suffix>` must still fit.
    assert TIGHTEST_TYPE == "alb"
    assert SUFFIX_MAX_LENGTH == 32 - len("alb--") - 18 == 9
    assert len(physical_name("alb", "a" * SUFFIX_MAX_LENGTH, "processing-service")) == 32
    assert len(physical_name("tg", "a" * SUFFIX_MAX_LENGTH, "processing-service")) == 31


@pytest.mark.parametrize("suffix, problem", [
    ("", "empty"),
    ("Dev", "lower-case"),
    ("dev_pr42", "lower-case"),
    ("dev-pr-42", "lower-case"),
    ("9dev", "lower-case"),
    ("dev-pr1234", "10 characters"),
])
def test_bad_suffixes_are_refused_with_the_reason(suffix, problem):
    assert problem in suffix_problem(suffix)
    with pytest.raises(NamingError, match="environmentSuffix"):
        physical_name("alb", suffix)


def test_good_suffixes_pass():
    assert suffix_problem("dev") is None
    assert suffix_problem("dev-pr42") is None


def test_a_name_over_its_aws_limit_names_the_limit_and_source():
    with pytest.raises(NamingError) as error:
        physical_name("tg", "dev", "a-very-long-component-name")
    message = str(error.value)
    assert "over the AWS limit of 32" in message and "CreateTargetGroup" in message and "shorten" in message


def test_a_name_with_forbidden_characters_is_refused():
    with pytest.raises(NamingError, match="does not match"):
        physical_name("sqs", "dev", "Orders")


def test_unknown_type_is_refused():
    with pytest.raises(NamingError, match=r"add it to shared\.naming\.NAME_RULES"):
        physical_name("bogus", "dev")


def test_every_rule_has_a_source_and_replacement_strategy():
    # The list a reviewer checks: how each fixed-name type avoids a name clash on replacement.
    strategies = {t: r.replacement for t, r in NAME_RULES.items()}
    assert strategies["secgroup"] is Replacement.NAME_PREFIX
    assert strategies["s3"] is Replacement.NAME_PREFIX
    assert strategies["td"] is Replacement.NEW_REVISION
    assert strategies["vpc"] is Replacement.TAG_ONLY
    for fixed in ("alb", "tg", "role", "log", "alias", "ecr", "cluster", "svc", "secret", "sqs", "sns", "ddb",
                  "lambda"):
        assert strategies[fixed] is Replacement.DELETE_BEFORE_REPLACE, fixed
    assert all(r.source.startswith("https://docs.aws.amazon.com/") for r in NAME_RULES.values())


# The AWS limits, written out by hand from each API reference page (not derived from NAME_RULES), so a mutated
# number in shared/naming.py fails here.
EXPECTED_MAX_LENGTH = {
    "vpc": 256, "alb": 32, "tg": 32, "tga": 32, "role": 64, "policy": 128, "secgroup": 255, "log": 512,
    "alias": 256, "ecr": 256, "cluster": 255, "svc": 255, "td": 255, "secret": 512, "sqs": 80, "sns": 256,
    "ddb": 255, "s3": 63, "waf": 128, "alarm": 255, "sd": 127, "scaling": 255, "lambda": 64,
}


def test_every_limit_is_pinned_by_hand():
    assert {t: r.max_length for t, r in NAME_RULES.items()} == EXPECTED_MAX_LENGTH


def _longest_component(resource_type: str, limit: int) -> str:
    """The component that makes `physical_name(resource_type, "dev", component)` exactly `limit` long."""
    fixed = len(f"{resource_type}--dev") + (len("alias/") if resource_type == "alias" else 0)
    return "a" * (limit - fixed)


@pytest.mark.parametrize("resource_type, limit", sorted(EXPECTED_MAX_LENGTH.items()))
def test_the_longest_name_passes_and_one_more_character_fails(resource_type, limit):
    longest = physical_name(resource_type, "dev", _longest_component(resource_type, limit))
    assert len(longest) == limit
    with pytest.raises(NamingError, match=f"over the AWS limit of {limit} "):
        physical_name(resource_type, "dev", _longest_component(resource_type, limit) + "a")


def test_the_suffix_budget_is_pinned():
    assert SERVICE_NAME_MAX_LENGTH == 18
    assert SUFFIX_MAX_LENGTH == 9
    assert suffix_problem("a" * 9) is None
    assert "10 characters" in suffix_problem("a" * 10) and "'alb' are limited to 32" in suffix_problem("a" * 10)


def test_the_longest_service_and_suffix_fit_every_type():
    for resource_type in NAME_RULES:
        name = physical_name(resource_type, "a" * 9, "a" * 18)
        assert len(name) <= EXPECTED_MAX_LENGTH[resource_type], resource_type


def test_security_group_names_never_start_with_sg():
    # CreateSecurityGroup: "cannot start with sg-"; the provider refuses it at preview.
    assert "sg" not in NAME_RULES
    assert physical_name("secgroup", "dev", "endpoints") == "secgroup-endpoints-dev"
    for component in ("alb", "frontend", "api-gateway", "processing-service", "endpoints"):
        assert not physical_name("secgroup", "prod", component).startswith("sg-")


def test_no_type_token_is_an_aws_id_prefix_unless_recorded_as_an_exception():
    excepted = {e.resource_type for e in NAMING_EXCEPTIONS}
    id_shaped = {t for t in NAME_RULES if t in RESERVED_TYPE_TOKENS}
    assert id_shaped == {"vpc"} and id_shaped <= excepted
    assert NAME_RULES["vpc"].replacement is Replacement.TAG_ONLY  # why "vpc" may keep its token


def test_every_exception_names_a_known_type_a_reason_and_a_source():
    for exception in NAMING_EXCEPTIONS:
        assert exception.resource_type in NAME_RULES
        assert exception.rule and exception.reason
        assert re.fullmatch(r"https://\S+", exception.source)
    assert {e.resource_type for e in NAMING_EXCEPTIONS} == {"secgroup", "vpc", "alias", "s3"}
