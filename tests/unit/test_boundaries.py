"""Both sides of every range the library enforces: AWS name lengths, Fargate sizes and capacity strategies, the
catalog's ports and listener priorities. Each limit is written here by hand from its AWS source, so a changed
number in the library fails a test (issue 17.9: mutants that moved a bound went unnoticed)."""
from __future__ import annotations

import pytest

from shared import naming
from shared.catalog import CatalogError, PublicRoute, Service, validate_catalog
from shared.fargate import CapacityShare, parse_capacity_share, size_problem, strategy_problems
from shared.naming import NamingError, physical_name, suffix_problem

# --- naming: every AWS length limit, at the limit and one past it ----------------------------------------

# From each API reference (CreateLoadBalancer: 32, CreateRole: 64, bucket naming rules: 63, CreateQueue: 80, ...).
AWS_NAME_LIMITS = {
    "vpc": 256, "alb": 32, "tg": 32, "tga": 32, "role": 64, "policy": 128, "secgroup": 255, "log": 512,
    "alias": 256, "ecr": 256, "cluster": 255, "svc": 255, "td": 255, "secret": 512, "sqs": 80, "sns": 256,
    "ddb": 255, "s3": 63, "waf": 128, "alarm": 255, "sd": 127, "scaling": 255, "lambda": 64,
}


def test_every_resource_type_has_its_documented_limit():
    assert {t: rule.max_length for t, rule in naming.NAME_RULES.items()} == AWS_NAME_LIMITS


@pytest.mark.parametrize("resource_type, limit", sorted(AWS_NAME_LIMITS.items()))
def test_a_name_of_exactly_the_limit_is_accepted_and_one_more_character_is_refused(resource_type, limit):
    prefix = "alias/" if resource_type == "alias" else ""
    fixed = len(f"{prefix}{resource_type}--dev")
    longest = physical_name(resource_type, "dev", "a" * (limit - fixed))
    assert len(longest) == limit
    with pytest.raises(NamingError) as refused:
        physical_name(resource_type, "dev", "a" * (limit - fixed + 1))
    assert str(refused.value).startswith(f"name '{prefix}{resource_type}-") and \
        f"is {limit + 1} characters, over the AWS limit of {limit} for '{resource_type}'" in str(refused.value)


def test_the_suffix_budget_is_what_the_tightest_type_leaves_after_the_longest_service():
    # tg, tga and alb are 32 long: 32 - len("tg--") - 18 (processing-service) = 10; alb and tga leave 9, and the
    # first of them in the table names the limit.
    assert naming._budget("tg") == 10
    assert naming._budget("alb") == naming._budget("tga") == 9
    assert naming._budget("role") == 64 - 6 - 18 == 40
    assert (naming.TIGHTEST_TYPE, naming.SUFFIX_MAX_LENGTH) == ("alb", 9)
    assert suffix_problem("a" * 9) is None
    assert suffix_problem("a" * 10) == (
        "it is 10 characters; names of type 'alb' are limited to 32 (https://docs.aws.amazon.com/"
        "elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html), which leaves 9 for the suffix")


@pytest.mark.parametrize("suffix, problem", [
    ("", "it is empty"),
    ("Dev", "it must be lower-case letters and digits starting with a letter, with at most one extra '-token' "
            "for a throwaway copy (e.g. dev, prod, dev-pr42)"),
    ("dev-pr-42", "it must be lower-case letters and digits starting with a letter, with at most one extra "
                  "'-token' for a throwaway copy (e.g. dev, prod, dev-pr42)"),
])
def test_suffix_problems_are_worded_exactly(suffix, problem):
    assert suffix_problem(suffix) == problem


# --- Fargate: the top of each cpu's memory range, and capacity strategies ------------------------------

@pytest.mark.parametrize("cpu, top, step", [
    (256, 2048, 1024), (512, 4096, 1024), (1024, 8192, 1024), (2048, 16384, 1024), (4096, 30720, 1024),
    (8192, 61440, 4096), (16384, 122880, 8192),
])
def test_the_largest_memory_of_each_cpu_is_valid_and_the_next_step_is_not(cpu, top, step):
    assert size_problem(cpu, top) is None
    problem = size_problem(cpu, top + step)
    assert problem is not None and problem.startswith(f"memory {top + step} is not valid with cpu {cpu}; valid: ")
    assert f"..{top} as (" in problem and problem.endswith("#fargate-tasks-size)")


@pytest.mark.parametrize("entry, share", [
    ("FARGATE_SPOT:0:3", CapacityShare("FARGATE_SPOT", 0, 3)),
    ("FARGATE:2:1", CapacityShare("FARGATE", 2, 1)),
    ("FARGATE:100000:1000", CapacityShare("FARGATE", 100000, 1000)),
    ("EC2:0:1", None), ("FARGATE:0", None), ("FARGATE:-1:1", None), ("fargate:0:1", None), (" FARGATE:0:1", None),
    ("FARGATE:0:1:2", None),
])
def test_capacity_entries_parse_only_as_provider_base_weight(entry, share):
    assert parse_capacity_share(entry) == share


CAPACITY_SOURCE = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html"
OVER = (f"has a weight above 1000 or a base above 100000 ({CAPACITY_SOURCE})",
        "keep weights within 0..1000 and bases within 0..100000")


@pytest.mark.parametrize("shares, problems", [
    ((), [("is empty", "give at least one entry, e.g. [FARGATE:0:1] (on-demand only)")]),
    ((("FARGATE", 0, 1),), []),
    ((("FARGATE", 100000, 1000),), []),  # both maxima are allowed
    ((("FARGATE", 0, 1001),), [OVER]),
    ((("FARGATE", 100001, 1),), [OVER]),
    ((("FARGATE", 0, 1), ("FARGATE", 0, 2)), [("names a provider twice", "list each capacity provider once")]),
    ((("FARGATE", 1, 1), ("FARGATE_SPOT", 1, 1)),
     [("gives a base to more than one provider (AWS allows one)", "keep a base on the on-demand FARGATE entry only")]),
    ((("FARGATE", 1, 1), ("FARGATE_SPOT", 0, 1)), []),  # one base is fine
    ((("FARGATE", 0, 0), ("FARGATE_SPOT", 0, 0)),
     [("has no entry with a weight above 0", "give at least one provider a weight of 1 or more")]),
    ((("FARGATE", 0, 0), ("FARGATE_SPOT", 0, 1)), []),  # one weight above 0 is enough
])
def test_capacity_strategy_rules_give_each_problem_with_its_fix(shares, problems):
    assert strategy_problems(tuple(CapacityShare(*s) for s in shares)) == problems


# --- catalog: ports and listener priorities -------------------------------------------------------------

def service(name: str = "a", port: int = 8001, public: PublicRoute | None = None) -> Service:
    return Service(name=name, port=port, cpu=256, memory=512, owner_team="t", public=public)


@pytest.mark.parametrize("port", [1024, 65535])
def test_ports_from_1024_to_65535_are_accepted(port):
    assert validate_catalog((service(port=port),))


@pytest.mark.parametrize("port", [1023, 65536])
def test_ports_outside_1024_to_65535_are_refused(port):
    with pytest.raises(CatalogError) as refused:
        validate_catalog((service(port=port),))
    assert str(refused.value) == (f"invalid service catalog:\n  - service 'a': port {port} must be 1024..65535 "
                                  f"(non-root containers cannot bind lower ports)")


@pytest.mark.parametrize("priority", [1, 50000])
def test_listener_priorities_from_1_to_50000_are_accepted(priority):
    assert validate_catalog((service(public=PublicRoute("/*", priority)),))


@pytest.mark.parametrize("priority", [0, 50001])
def test_listener_priorities_outside_1_to_50000_are_refused(priority):
    with pytest.raises(CatalogError, match=f"service 'a': listener priority {priority} is outside 1..50000$"):
        validate_catalog((service(public=PublicRoute("/*", priority)),))


def test_a_private_service_listed_first_does_not_hide_the_public_ones_after_it():
    catalog = (service("a", 8001), service("b", 8002, PublicRoute("/*", 0)), service("c", 8003, PublicRoute("/x", 0)))
    with pytest.raises(CatalogError) as refused:
        validate_catalog(catalog)
    assert str(refused.value) == (
        "invalid service catalog:\n"
        "  - service 'b': listener priority 0 is outside 1..50000\n"
        "  - service 'c': listener priority 0 is outside 1..50000\n"
        "  - services 'b' and 'c' share listener priority 0; give each public service its own priority")
