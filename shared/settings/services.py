"""Settings of the services project: one stack per catalog service, named `<service>-<environment>`.

The stack name selects the catalog entry (`shared.stacks.split_service_stack`), so the catalog stays the one
source of what a service is (port, size, secrets, stores, callers); a stack file holds only what a team tunes
per environment (release tag, counts, capacity mix, deployment mode). Every rule below that is an AWS limit
says so; the others are platform decisions recorded in docs/DESIGN.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from shared.catalog import SERVICES, Service, callees
from shared.fargate import VALID_MEMORY_BY_CPU, CapacityShare, size_problem
from shared.settings import CommonSettings, ConfigError, ConfigReader, ConfigSource, SecretValue, Violation, read_common
from shared.stacks import split_service_stack

# Application Auto Scaling bounds the platform allows: at least two tasks so one AZ or one task can fail,
# at most ten so a runaway scale-out cannot exhaust the private subnets or the budget.
MIN_TASKS = 2
MAX_TASKS = 10
# Every pattern here is applied with `fullmatch`: `$` also matches before a trailing newline, so `re.match`
# with `...$` would accept "1.0.0\n" (a value pasted with its line end) and hand it to ECS.
# Docker's tag grammar: https://docs.docker.com/reference/cli/docker/image/tag/
IMAGE_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
# Tags that move: a task definition must pin a release so a rollback brings back the same bits.
MOVING_TAGS = frozenset({"latest", "stable", "main", "master"})
# Weekdays only: the exchange is closed at weekends, so the raised minimum would cost money for nothing.
MARKET_CRON = re.compile(r"cron\((\d{1,2}) (\d{1,2}) \? \* MON-FRI \*\)")
HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,40}")
VENUE_URL = re.compile(r"https://[a-z0-9.-]+(:\d+)?(/\S*)?")
MARKET_TIMEZONE = "America/New_York"
# The largest Fargate size, so a typo (cpu: 10240000) is refused as a number before it is judged as a size.
MAX_CPU = max(VALID_MEMORY_BY_CPU)
MAX_MEMORY = max(VALID_MEMORY_BY_CPU[MAX_CPU])
# ECS: bake time of BLUE_GREEN, LINEAR and CANARY is 0..1440 minutes (provider docs, ServiceDeploymentConfiguration).
MAX_BAKE_MINUTES = 1440


def is_image_tag(tag: str) -> bool:
    """Docker's tag grammar, the whole string: the one rule the settings and the release task share."""
    return IMAGE_TAG.fullmatch(tag) is not None


class DeploymentStrategy(Enum):
    ROLLING = "ROLLING"        # ECS replaces tasks in place behind the same target group (default)
    BLUE_GREEN = "BLUE_GREEN"  # ECS native blue/green: a green task set behind an alternate target group


class LogLevel(Enum):
    INFO = "INFO"
    DEBUG = "DEBUG"
    WARNING = "WARNING"
    ERROR = "ERROR"


@dataclass(frozen=True)
class MarketHours:
    """Scheduled minimum for trading hours: raised at `open_schedule`, back to the configured minimum at
    `close_schedule`, both in New York time."""

    min_capacity: int
    open_schedule: str
    close_schedule: str
    timezone: str = MARKET_TIMEZONE


@dataclass(frozen=True)
class ServiceSettings:
    """One service stack's validated settings. `service` is the catalog entry the stack name selects and
    `services` the catalog it came from (callers and callees are resolved against it); every other field is
    the stack config key of the same meaning, documented with its default in projects/services/Pulumi.yaml.
    `capacity_strategy` holds (provider, base, weight) shares; `market_hours` is None when the schedule is off;
    `test_header` is "" when blue/green has no test listener rule."""

    common: CommonSettings
    service: Service
    services: tuple[Service, ...]
    image_tag: str
    cpu: int
    memory: int
    log_level: str
    desired_count: int
    min_capacity: int
    max_capacity: int
    cpu_target_percent: int
    scale_out_cooldown_seconds: int
    scale_in_cooldown_seconds: int
    capacity_strategy: tuple[CapacityShare, ...]
    market_hours: MarketHours | None
    health_check_grace_seconds: int
    deregistration_delay_seconds: int
    readonly_root_filesystem: bool
    enable_execute_command: bool
    venue_url: str
    deployment_strategy: str
    bake_time_minutes: int
    test_header: str
    cpu_alarm_percent: int

    @property
    def callees(self) -> tuple[Service, ...]:
        """Services this one calls, whose Cloud Map URLs it receives."""
        return callees(self.service, self.services)

    @property
    def blue_green(self) -> bool:
        return self.deployment_strategy == DeploymentStrategy.BLUE_GREEN.value


class _CatalogDefaults:
    """A ConfigSource that falls back to the catalog for keys whose default depends on the service: the owner
    tag is the catalog's owner team unless a stack overrides it (Pulumi.yaml declares `ownerTeam` with default
    "", since the CLI requires a key with no default on every stack; empty means the catalog's)."""

    def __init__(self, source: ConfigSource, defaults: dict[str, str]):
        self.source = source
        self.project = source.project
        self.stack = source.stack
        self.defaults = defaults

    def get(self, key: str) -> str | None:
        value = self.source.get(key)
        return self.defaults.get(key) if not value and key in self.defaults else value

    def get_secret(self, key: str) -> SecretValue | None:
        return self.source.get_secret(key)

    def is_secret(self, key: str) -> bool:
        return self.source.is_secret(key)


def _capacity_strategy(reader: ConfigReader, min_capacity: int) -> tuple[CapacityShare, ...]:
    shares = reader.capacity_strategy("capacityStrategy")
    total_base = sum(s.base for s in shares)
    reader.check(total_base <= min_capacity, "capacityStrategy", [f"{p}:{b}:{w}" for p, b, w in shares],
                 f"asks for a base of {total_base} tasks, above the autoscaling minimum {min_capacity}",
                 f"lower the base to at most minCapacity ({min_capacity}) or raise minCapacity; a base above the "
                 f"minimum would never be met when autoscaling scales in", after=("minCapacity",))
    return shares


def _market_hours(reader: ConfigReader, min_capacity: int, max_capacity: int) -> MarketHours | None:
    raised = reader.integer("marketHoursMinCapacity", minimum=0, maximum=MAX_TASKS)
    open_schedule = reader.string("marketOpenSchedule")
    close_schedule = reader.string("marketCloseSchedule")
    for key, schedule in (("marketOpenSchedule", open_schedule), ("marketCloseSchedule", close_schedule)):
        match = MARKET_CRON.fullmatch(schedule)
        reader.check(match is not None and int(match.group(1)) < 60 and int(match.group(2)) < 24, key, schedule,
                     "is not a weekday cron expression `cron(M H ? * MON-FRI *)`",
                     "use e.g. cron(0 9 ? * MON-FRI *) (times are America/New_York)")
    if raised == 0:
        return None
    reader.check(min_capacity < raised <= max_capacity, "marketHoursMinCapacity", raised,
                 f"must lie above minCapacity ({min_capacity}) and at most maxCapacity ({max_capacity})",
                 "choose a trading-hours minimum between them, or 0 to turn the schedule off",
                 after=("minCapacity", "maxCapacity"))
    return MarketHours(raised, open_schedule, close_schedule)


def _deployment(reader: ConfigReader, service: Service, services: tuple[Service, ...]) -> tuple[str, int, str]:
    strategy = reader.enum("deploymentStrategy", DeploymentStrategy)
    bake = reader.integer("blueGreenBakeMinutes", minimum=0, maximum=MAX_BAKE_MINUTES)
    header = reader.string("blueGreenTestHeader", default="")
    if header:
        reader.check(strategy is DeploymentStrategy.BLUE_GREEN, "blueGreenTestHeader", header,
                     "is set but deploymentStrategy is ROLLING, which has no green tasks to test",
                     "remove it, or set deploymentStrategy to BLUE_GREEN", after=("deploymentStrategy",))
        reader.check(bool(HEADER_NAME.fullmatch(header)), "blueGreenTestHeader", header,
                     "is not an HTTP header name", "use letters, digits and '-', e.g. X-Release-Test")
        taken = {s.public.priority: s.name for s in services if s.public and s.name != service.name}
        test_priority = service.public.priority - 1 if service.public else 0
        reader.check(test_priority not in taken, "blueGreenTestHeader", header,
                     f"needs listener priority {test_priority} (evaluated just before {service.name}'s rule) for "
                     f"the test rule, which {taken.get(test_priority)} uses",
                     "move one of the services' priorities in shared/catalog.py")
    if strategy is DeploymentStrategy.BLUE_GREEN:
        callers = [c for c in service.callers if any(s.name == c for s in services)]
        reader.check(service.public is not None, "deploymentStrategy", strategy.value,
                     f"is refused for {service.name}: native blue/green shifts load-balancer traffic and "
                     f"{service.name} is not behind the ALB",
                     "use ROLLING for internal services")
        reader.check(not callers, "deploymentStrategy", strategy.value,
                     f"is refused for {service.name}: its callers ({', '.join(callers)}) reach it through "
                     f"Cloud Map DNS, where green tasks register at once, before any traffic shift",
                     "use ROLLING, or move its callers to the load balancer first")
    return strategy.value, bake, header


def load_service_settings(source: ConfigSource, services: tuple[Service, ...] = SERVICES) -> ServiceSettings:
    """Validate one service stack's config against the catalog entry its stack name selects."""
    try:
        service, environment = split_service_stack(source.stack, services)
    except ValueError as error:
        raise ConfigError(source.project, source.stack, [Violation(
            "(stack name)", source.stack, str(error),
            "create the stack as <service>-<environment>, e.g. `pulumi stack init frontend-dev`, or add the "
            "service to shared/catalog.py")]) from None
    reader = ConfigReader(_CatalogDefaults(source, {"ownerTeam": service.owner_team}))
    common = read_common(reader, environment=environment)
    # A team sizes its own service per environment in its stack file; 0 (the default) keeps the catalog's size.
    cpu = reader.integer("cpu", minimum=0, maximum=MAX_CPU) or service.cpu
    memory = reader.integer("memory", minimum=0, maximum=MAX_MEMORY) or service.memory
    problem = size_problem(cpu, memory)
    reader.check(problem is None, "cpu", f"cpu={cpu} memory={memory}", f"is not a Fargate size: {problem}",
                 f"set services:cpu and services:memory to a valid pair in the stack file (0 keeps the catalog's "
                 f"{service.cpu}/{service.memory})", after=("memory",))

    image_tag = reader.string("imageTag")
    reader.check(image_tag not in MOVING_TAGS, "imageTag", image_tag,
                 "is a moving tag; a rollback would not bring back the same image",
                 "set a release tag, e.g. `pulumi config set imageTag 1.4.2`")
    reader.check(is_image_tag(image_tag), "imageTag", image_tag,
                 "is not a Docker image tag (empty, or characters Docker rejects)",
                 "use letters, digits, '_', '.' and '-', at most 128 characters, e.g. 1.4.2")

    desired = reader.integer("desiredCount", minimum=MIN_TASKS, maximum=MAX_TASKS)
    min_capacity = reader.integer("minCapacity", minimum=MIN_TASKS, maximum=MAX_TASKS)
    max_capacity = reader.integer("maxCapacity", minimum=MIN_TASKS, maximum=MAX_TASKS)
    reader.check(min_capacity <= max_capacity, "minCapacity", min_capacity,
                 f"is above maxCapacity ({max_capacity})", "lower minCapacity or raise maxCapacity",
                 after=("maxCapacity",))
    reader.check(min_capacity <= desired <= max_capacity, "desiredCount", desired,
                 f"lies outside minCapacity..maxCapacity ({min_capacity}..{max_capacity})",
                 "choose a starting count within the autoscaling range", after=("minCapacity", "maxCapacity"))
    cpu_target = reader.integer("cpuTargetPercent", minimum=1, maximum=100)
    scale_out = reader.integer("scaleOutCooldownSeconds", minimum=0, maximum=3600)
    scale_in = reader.integer("scaleInCooldownSeconds", minimum=0, maximum=3600)
    capacity = _capacity_strategy(reader, min_capacity)
    market_hours = _market_hours(reader, min_capacity, max_capacity)

    readonly_root = reader.boolean("readonlyRootFilesystem")
    execute_command = reader.boolean("enableExecuteCommand")
    reader.check(not (execute_command and readonly_root), "enableExecuteCommand", execute_command,
                 "is refused while readonlyRootFilesystem is true: the ECS Exec agent writes to the root "
                 "filesystem, so sessions would fail",
                 "keep ECS Exec off (the default), or set readonlyRootFilesystem to false for a debugging stack",
                 after=("readonlyRootFilesystem",))

    venue_url = reader.string("venueUrl", default="")
    if service.external:
        reader.check(bool(VENUE_URL.fullmatch(venue_url)), "venueUrl", venue_url,
                     f"must be an https URL: {service.name} calls {service.external[0].purpose}",
                     "set the venue endpoint, e.g. `pulumi config set venueUrl https://venue.example.com`")
    else:
        reader.check(venue_url == "", "venueUrl", venue_url,
                     f"is set but {service.name} declares no external calls in the catalog",
                     "remove it, or declare the external call in shared/catalog.py")

    strategy, bake, test_header = _deployment(reader, service, services)
    return reader.finish(ServiceSettings(
        common=common,
        service=service,
        services=services,
        image_tag=image_tag,
        cpu=cpu,
        memory=memory,
        log_level=reader.enum("logLevel", LogLevel).value,
        desired_count=desired,
        min_capacity=min_capacity,
        max_capacity=max_capacity,
        cpu_target_percent=cpu_target,
        scale_out_cooldown_seconds=scale_out,
        scale_in_cooldown_seconds=scale_in,
        capacity_strategy=capacity,
        market_hours=market_hours,
        health_check_grace_seconds=reader.integer("healthCheckGraceSeconds", minimum=0, maximum=600),
        deregistration_delay_seconds=reader.integer("deregistrationDelaySeconds", minimum=0, maximum=3600),
        readonly_root_filesystem=readonly_root,
        enable_execute_command=execute_command,
        venue_url=venue_url,
        deployment_strategy=strategy,
        bake_time_minutes=bake,
        test_header=test_header,
        cpu_alarm_percent=reader.integer("cpuAlarmPercent", minimum=1, maximum=100),
    ))
