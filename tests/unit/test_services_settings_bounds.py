"""The services settings at both sides of every bound, and each refusal worded exactly (key, value, problem and
fix), since the message is the interface a team meets (issue 17.9: minCapacity == maxCapacity, cron minute 60
and hour 24, the cooldowns, the deregistration delay and the CPU alarm percent had no boundary test)."""
from __future__ import annotations

import dataclasses

import pytest

from shared.catalog import SERVICES, PublicRoute
from shared.settings import ConfigError, DictConfigSource
from shared.settings.services import load_service_settings
from shared.stack_config import load_stack_config
from shared.stacks import StackId


def committed(stack: str) -> dict[str, str]:
    values, _ = load_stack_config(StackId("services", stack))
    return {k.split(":", 1)[1]: v for k, v in values.items() if k.startswith("services:")}


def load(stack: str = "frontend-dev", services=SERVICES, **changes):
    values = {k: v for k, v in {**committed(stack), **changes}.items() if v is not None}
    return load_service_settings(DictConfigSource("services", stack, values), services)


def problems(stack: str = "frontend-dev", services=SERVICES, **changes) -> list[str]:
    with pytest.raises(ConfigError) as error:
        load(stack, services, **changes)
    return [str(v) for v in error.value.violations]


def outside(key: str, value: int, low: int, high: int) -> str:
    return f"config 'services:{key}' = {value}: is outside {low}..{high}. Fix: choose a value from {low} to {high}"


# --- ranges: the bound itself is accepted, one past it is refused ------------------------------------------

@pytest.mark.parametrize("key, field, low, high", [
    ("scaleOutCooldownSeconds", "scale_out_cooldown_seconds", 0, 3600),
    ("scaleInCooldownSeconds", "scale_in_cooldown_seconds", 0, 3600),
    ("deregistrationDelaySeconds", "deregistration_delay_seconds", 0, 3600),
    ("cpuAlarmPercent", "cpu_alarm_percent", 1, 100),
    ("cpuTargetPercent", "cpu_target_percent", 1, 100),
    ("healthCheckGraceSeconds", "health_check_grace_seconds", 0, 600),
    ("blueGreenBakeMinutes", "bake_time_minutes", 0, 1440),
])
def test_each_range_accepts_both_bounds_and_refuses_one_past_either(key, field, low, high):
    assert getattr(load(**{key: str(low)}), field) == low
    assert getattr(load(**{key: str(high)}), field) == high
    assert problems(**{key: str(low - 1)}) == [outside(key, low - 1, low, high)]
    assert problems(**{key: str(high + 1)}) == [outside(key, high + 1, low, high)]


def test_min_capacity_may_equal_max_capacity_and_the_desired_count_both():
    found = load(minCapacity="4", maxCapacity="4", desiredCount="4")
    assert (found.min_capacity, found.max_capacity, found.desired_count) == (4, 4, 4)
    assert load(desiredCount="10").desired_count == 10  # desired at the maximum


def test_min_capacity_above_max_capacity_is_refused_with_the_desired_count_outside_both():
    assert problems(minCapacity="5", maxCapacity="4", desiredCount="4") == [
        "config 'services:minCapacity' = 5: is above maxCapacity (4). Fix: lower minCapacity or raise maxCapacity",
        "config 'services:desiredCount' = 4: lies outside minCapacity..maxCapacity (5..4). Fix: choose a starting "
        "count within the autoscaling range"]


def test_a_max_capacity_that_does_not_parse_is_the_only_problem_reported():
    # minCapacity, desiredCount, the base and the trading-hours minimum are all compared with it: none of
    # those rules may run on the stand-in value 0.
    assert problems(maxCapacity="ten", marketHoursMinCapacity="4") == [
        "config 'services:maxCapacity' = 'ten': is not an integer. Fix: give a whole number"]


def test_a_min_capacity_that_does_not_parse_is_the_only_problem_reported():
    assert problems(minCapacity="two", capacityStrategy='["FARGATE:1:1"]', marketHoursMinCapacity="4") == [
        "config 'services:minCapacity' = 'two': is not an integer. Fix: give a whole number"]


def test_a_min_capacity_that_does_not_parse_silences_every_rule_compared_with_it():
    # maxCapacity 5 parses: the desired count and the trading-hours minimum above it are judged against the
    # stand-in minimum 0 only if the rules forget that they also depend on minCapacity.
    assert problems(minCapacity="two", maxCapacity="5", desiredCount="6", marketHoursMinCapacity="6") == [
        "config 'services:minCapacity' = 'two': is not an integer. Fix: give a whole number"]


def test_a_read_only_root_that_does_not_parse_does_not_also_refuse_ecs_exec():
    assert problems(readonlyRootFilesystem="yes", enableExecuteCommand="true") == [
        "config 'services:readonlyRootFilesystem' = 'yes': is not a boolean. Fix: use true or false"]


@pytest.mark.parametrize("schedule, ok", [
    ("cron(59 9 ? * MON-FRI *)", True), ("cron(60 9 ? * MON-FRI *)", False),
    ("cron(0 23 ? * MON-FRI *)", True), ("cron(0 24 ? * MON-FRI *)", False),
    ("cron(0 0 ? * MON-FRI *)", True),
])
def test_cron_minutes_run_to_59_and_hours_to_23(schedule, ok):
    if ok:
        assert load("frontend-prod", marketOpenSchedule=schedule).market_hours.open_schedule == schedule
    else:
        assert problems(marketOpenSchedule=schedule) == [
            f"config 'services:marketOpenSchedule' = '{schedule}': is not a weekday cron expression "
            f"`cron(M H ? * MON-FRI *)`. Fix: use e.g. cron(0 9 ? * MON-FRI *) (times are America/New_York)"]


def test_the_trading_hours_minimum_may_reach_max_capacity_but_not_pass_it():
    assert load("api-gateway-prod", marketHoursMinCapacity="10").market_hours.min_capacity == 10
    assert problems(marketHoursMinCapacity="2") == [
        "config 'services:marketHoursMinCapacity' = 2: must lie above minCapacity (2) and at most maxCapacity "
        "(10). Fix: choose a trading-hours minimum between them, or 0 to turn the schedule off"]


def test_the_settings_carry_the_configured_values():
    found = load("processing-service-prod", desiredCount="3", scaleOutCooldownSeconds="61",
                 scaleInCooldownSeconds="301", deregistrationDelaySeconds="31", cpuAlarmPercent="81",
                 venueUrl="https://venue.example.com:8443/fix")
    assert (found.desired_count, found.scale_out_cooldown_seconds, found.scale_in_cooldown_seconds,
            found.deregistration_delay_seconds, found.cpu_alarm_percent) == (3, 61, 301, 31, 81)
    assert found.venue_url == "https://venue.example.com:8443/fix"
    assert found.capacity_strategy == (("FARGATE", 0, 1),)  # the project default: on-demand only


# --- each refusal, exactly ---------------------------------------------------------------------------

@pytest.mark.parametrize("stack, changes, expected", [
    ("frontend-dev", {"imageTag": "latest"},
     "config 'services:imageTag' = 'latest': is a moving tag; a rollback would not bring back the same image. "
     "Fix: set a release tag, e.g. `pulumi config set imageTag 1.4.2`"),
    ("frontend-dev", {"imageTag": "1.0 beta"},
     "config 'services:imageTag' = '1.0 beta': is not a Docker image tag (empty, or characters Docker rejects). "
     "Fix: use letters, digits, '_', '.' and '-', at most 128 characters, e.g. 1.4.2"),
    ("frontend-dev", {"capacityStrategy": '["FARGATE:3:1", "FARGATE_SPOT:0:1"]'},
     "config 'services:capacityStrategy' = ['FARGATE:3:1', 'FARGATE_SPOT:0:1']: asks for a base of 3 tasks, above "
     "the autoscaling minimum 2. Fix: lower the base to at most minCapacity (2) or raise minCapacity; a base above "
     "the minimum would never be met when autoscaling scales in"),
    ("frontend-dev", {"enableExecuteCommand": "true"},
     "config 'services:enableExecuteCommand' = True: is refused while readonlyRootFilesystem is true: the ECS Exec "
     "agent writes to the root filesystem, so sessions would fail. Fix: keep ECS Exec off (the default), or set "
     "readonlyRootFilesystem to false for a debugging stack"),
    ("frontend-dev", {"venueUrl": "https://venue.example.com"},
     "config 'services:venueUrl' = 'https://venue.example.com': is set but frontend declares no external calls in "
     "the catalog. Fix: remove it, or declare the external call in shared/catalog.py"),
    ("processing-service-dev", {"venueUrl": "http://venue.example.com"},
     "config 'services:venueUrl' = 'http://venue.example.com': must be an https URL: processing-service calls "
     "trading venues. Fix: set the venue endpoint, e.g. `pulumi config set venueUrl https://venue.example.com`"),
    ("frontend-dev", {"blueGreenTestHeader": "X-Release-Test"},
     "config 'services:blueGreenTestHeader' = 'X-Release-Test': is set but deploymentStrategy is ROLLING, which "
     "has no green tasks to test. Fix: remove it, or set deploymentStrategy to BLUE_GREEN"),
    ("frontend-dev", {"deploymentStrategy": "BLUE_GREEN", "blueGreenTestHeader": "X Release"},
     "config 'services:blueGreenTestHeader' = 'X Release': is not an HTTP header name. Fix: use letters, digits "
     "and '-', e.g. X-Release-Test"),
])
def test_each_refusal_names_key_value_problem_and_fix(stack, changes, expected):
    assert problems(stack, **changes) == [expected]


def test_blue_green_of_an_internal_service_gives_both_reasons_exactly():
    # Another public service at priority 1: an internal service has no rule, so its test header needs none.
    services = tuple(dataclasses.replace(s, public=PublicRoute("/*", 1)) if s.name == "frontend" else s
                     for s in SERVICES)
    assert problems("processing-service-dev", services, deploymentStrategy="BLUE_GREEN",
                    blueGreenTestHeader="X-Release-Test", venueUrl="https://venue.example.com") == [
        "config 'services:deploymentStrategy' = 'BLUE_GREEN': is refused for processing-service: native blue/green "
        "shifts load-balancer traffic and processing-service is not behind the ALB. Fix: use ROLLING for internal "
        "services",
        "config 'services:deploymentStrategy' = 'BLUE_GREEN': is refused for processing-service: its callers "
        "(api-gateway) reach it through Cloud Map DNS, where green tasks register at once, before any traffic "
        "shift. Fix: use ROLLING, or move its callers to the load balancer first"]


def test_a_stack_without_the_test_header_key_has_no_test_rule():
    assert load(blueGreenTestHeader=None).test_header == ""


def test_every_caller_that_blocks_blue_green_is_named():
    services = tuple(dataclasses.replace(s, callers=("api-gateway", "processing-service")) if s.name == "frontend"
                     else s for s in SERVICES)
    assert "its callers (api-gateway, processing-service) reach it through Cloud Map DNS" in \
        problems("frontend-dev", services, deploymentStrategy="BLUE_GREEN")[0]


def test_the_callers_that_block_blue_green_are_those_of_the_catalog_given():
    # frontend called by a service this catalog does not have: nothing reaches it through Cloud Map.
    services = tuple(dataclasses.replace(s, callers=("billing",)) if s.name == "frontend" else s for s in SERVICES)
    assert load("frontend-dev", services, deploymentStrategy="BLUE_GREEN").blue_green


def test_a_test_rule_priority_taken_by_another_service_is_refused_exactly():
    services = tuple(dataclasses.replace(s, public=PublicRoute("/api/*", 999)) if s.name == "api-gateway" else s
                     for s in SERVICES)
    found = problems("frontend-dev", services, deploymentStrategy="BLUE_GREEN", blueGreenTestHeader="X-Release-Test")
    assert "config 'services:blueGreenTestHeader' = 'X-Release-Test': needs listener priority 999 (evaluated just " \
           "before frontend's rule) for the test rule, which api-gateway uses. Fix: move one of the services' " \
           "priorities in shared/catalog.py" in found


def test_a_stack_name_outside_the_catalog_is_refused_exactly():
    with pytest.raises(ConfigError) as error:
        load_service_settings(DictConfigSource("services", "billing-dev", {}))
    [violation] = error.value.violations
    assert (violation.key, violation.value) == ("(stack name)", "billing-dev")
    assert violation.fix == ("create the stack as <service>-<environment>, e.g. `pulumi stack init frontend-dev`, "
                             "or add the service to shared/catalog.py")
    assert str(error.value).startswith("invalid config for stack services/billing-dev (1 problem(s)):")
