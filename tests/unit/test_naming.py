import pytest

from shared.naming import (NAME_RULES, SUFFIX_MAX_LENGTH, TIGHTEST_TYPE, NamingError, Replacement, physical_name,
                           suffix_problem)


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
    with pytest.raises(NamingError, match="add it to shared.naming.NAME_RULES"):
        physical_name("bogus", "dev")


def test_every_rule_has_a_source_and_replacement_strategy():
    # The list a reviewer checks: how each fixed-name type avoids a name clash on replacement.
    strategies = {t: r.replacement for t, r in NAME_RULES.items()}
    assert strategies["sg"] is Replacement.NAME_PREFIX
    assert strategies["s3"] is Replacement.NAME_PREFIX
    assert strategies["td"] is Replacement.NEW_REVISION
    assert strategies["vpc"] is Replacement.TAG_ONLY
    for fixed in ("alb", "tg", "role", "log", "alias", "ecr", "cluster", "svc", "secret", "sqs", "sns", "ddb"):
        assert strategies[fixed] is Replacement.DELETE_BEFORE_REPLACE, fixed
    assert all(r.source.startswith("https://docs.aws.amazon.com/") for r in NAME_RULES.values())
