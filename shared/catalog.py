"""The service catalog: the one place that says what each service is. Pure data, no Pulumi import.

Projects (registry repositories, platform security groups, service stacks), the policy pack, the
deployability analysis and the sample apps all read it, so adding a service is one entry here plus its
stack files. `validate_catalog` refuses a catalog that no project could deploy.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from shared.fargate import size_problem
from shared.naming import SERVICE_NAME_MAX_LENGTH


class Store(Enum):
    """Data stores the platform owns; services get IAM on them by catalog entry only."""

    ASSETS_BUCKET = "assetsBucket"
    TRADES_TABLE = "tradesTable"
    ORDERS_QUEUE = "ordersQueue"
    EVENTS_TOPIC = "eventsTopic"


class Secret(Enum):
    """Secrets the platform keeps in Secrets Manager; value is the environment variable ECS injects."""

    JWT_SIGNING_KEY = "JWT_SIGNING_KEY"
    DATABASE_URL = "DATABASE_URL"
    THIRD_PARTY_API_KEYS = "THIRD_PARTY_API_KEYS"


# The environment variable through which a service learns where each store is.
STORE_ENV: dict[Store, str] = {
    Store.ASSETS_BUCKET: "ASSETS_BUCKET_NAME",
    Store.TRADES_TABLE: "TRADES_TABLE_NAME",
    Store.ORDERS_QUEUE: "ORDERS_QUEUE_URL",
    Store.EVENTS_TOPIC: "EVENTS_TOPIC_ARN",
}

# The IAM service prefix of each store's actions: a catalog entry granting `sqs:*` on a table is a typo.
STORE_ACTION_PREFIX: dict[Store, str] = {
    Store.ASSETS_BUCKET: "s3:",
    Store.TRADES_TABLE: "dynamodb:",
    Store.ORDERS_QUEUE: "sqs:",
    Store.EVENTS_TOPIC: "sns:",
}

# Names the platform's network policy uses for groups that are not services: the load balancer's, the network's
# interface endpoints' and the JWT rotation function's (shared.netpolicy).
RESERVED_NAMES = frozenset({"alb", "endpoints", "jwt-rotation"})
# ALB listener rule priorities AWS accepts:
# https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateRule.html
LISTENER_PRIORITY_RANGE = (1, 50000)

# Which KMS actions an IAM data action needs on the platform key, by what it does to the data: producers
# encrypt (GenerateDataKey) and may read back, consumers only decrypt.
WRITE_ACTIONS = frozenset({"sqs:SendMessage", "sns:Publish", "dynamodb:PutItem", "dynamodb:UpdateItem",
                           "s3:PutObject"})


@dataclass(frozen=True)
class StoreAccess:
    store: Store
    actions: tuple[str, ...]


@dataclass(frozen=True)
class PublicRoute:
    """Exposure through the ALB. A lower priority number wins, so `/api/*` sits below the catch-all `/*`."""

    path_pattern: str
    priority: int


@dataclass(frozen=True)
class ExternalCall:
    """A call leaving the VPC (through NAT), declared so the network policy and analysis can allow it."""

    purpose: str
    port: int


@dataclass(frozen=True)
class ContainerContract:
    """What every image must honour so the platform can run it read-only and non-root on Fargate."""

    user: str = "10001:10001"
    tmp_volume: str = "tmp"
    tmp_path: str = "/tmp"
    env_service_name: str = "SERVICE_NAME"
    env_port: str = "PORT"
    env_environment: str = "ENVIRONMENT"
    env_region: str = "AWS_REGION"
    env_log_level: str = "LOG_LEVEL"
    env_venue_url: str = "VENUE_URL"


CONTRACT = ContainerContract()


@dataclass(frozen=True)
class Service:
    name: str
    port: int
    cpu: int
    memory: int
    owner_team: str
    health_path: str = "/health"
    public: PublicRoute | None = None
    callers: tuple[str, ...] = ()
    secrets: tuple[Secret, ...] = ()
    stores: tuple[StoreAccess, ...] = ()
    external: tuple[ExternalCall, ...] = ()
    contract: ContainerContract = field(default=CONTRACT)

    @property
    def url_env(self) -> str:
        """Variable through which callers learn this service's Cloud Map URL."""
        return self.name.upper().replace("-", "_") + "_URL"

    def health_check_command(self) -> list[str]:
        """A container health check that needs only the Python of the image (slim images lack curl)."""
        probe = (f"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{self.port}"
                 f"{self.health_path}', timeout=3)")
        return ["CMD", "python", "-c", probe]


SERVICES: tuple[Service, ...] = (
    Service(
        name="frontend", port=8080, cpu=512, memory=1024, owner_team="trading-ui",
        public=PublicRoute("/*", 1000),
        secrets=(Secret.JWT_SIGNING_KEY,),
        stores=(StoreAccess(Store.ASSETS_BUCKET, ("s3:GetObject",)),),
    ),
    Service(
        name="api-gateway", port=8081, cpu=1024, memory=2048, owner_team="trading-api",
        callers=("frontend",),
        secrets=(Secret.JWT_SIGNING_KEY,),
        stores=(
            StoreAccess(Store.TRADES_TABLE, ("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query")),
            StoreAccess(Store.ORDERS_QUEUE, ("sqs:SendMessage",)),
            StoreAccess(Store.EVENTS_TOPIC, ("sns:Publish",)),
        ),
    ),
    Service(
        name="processing-service", port=8082, cpu=2048, memory=4096, owner_team="trading-execution",
        callers=("api-gateway",),
        secrets=(Secret.DATABASE_URL, Secret.THIRD_PARTY_API_KEYS),
        stores=(
            StoreAccess(Store.ORDERS_QUEUE, ("sqs:ReceiveMessage", "sqs:DeleteMessage",
                                             "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes")),
            StoreAccess(Store.TRADES_TABLE, ("dynamodb:GetItem", "dynamodb:UpdateItem")),
            StoreAccess(Store.EVENTS_TOPIC, ("sns:Publish",)),
        ),
        external=(ExternalCall("trading venues", 443),),
    ),
)


class CatalogError(ValueError):
    """A catalog no project could deploy; the message names the service, the field and the fix."""


def callees(service: Service, services: tuple[Service, ...] = SERVICES) -> tuple[Service, ...]:
    """Services that `service` calls (the inverse of `callers`)."""
    return tuple(other for other in services if service.name in other.callers)


def by_name(name: str, services: tuple[Service, ...] = SERVICES) -> Service:
    for service in services:
        if service.name == name:
            return service
    raise CatalogError(f"no service named {name!r} in the catalog; known: {', '.join(s.name for s in services)}")


def _find_cycle(services: tuple[Service, ...]) -> list[str] | None:
    calls = {s.name: [c.name for c in callees(s, services)] for s in services}
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> list[str] | None:
        state[name] = 1
        for callee in calls[name]:
            if state.get(callee) == 1:
                return [*path, name, callee]
            if callee not in state:
                found = visit(callee, [*path, name])
                if found:
                    return found
        state[name] = 2
        return None

    for name in calls:
        if name not in state:
            found = visit(name, [])
            if found:
                return found
    return None


def validate_catalog(services: tuple[Service, ...] = SERVICES) -> tuple[Service, ...]:
    """Every problem with the catalog at once, or the catalog itself."""
    problems: list[str] = []
    names = [s.name for s in services]
    if len(set(names)) != len(names):
        problems.append(f"service names repeat: {names}; give each service a unique name")
    ports = [s.port for s in services]
    if len(set(ports)) != len(ports):
        problems.append(f"container ports repeat: {ports}; give each service its own port so rules stay exact")
    for s in services:
        if not re.fullmatch(r"[a-z][a-z0-9-]*", s.name) or len(s.name) > SERVICE_NAME_MAX_LENGTH:
            problems.append(f"service {s.name!r}: name must be lower-case letters, digits and '-', at most "
                            f"{SERVICE_NAME_MAX_LENGTH} characters (target group names are limited to 32)")
        if s.name in RESERVED_NAMES:
            problems.append(f"service {s.name!r}: the name is reserved for a security group of the platform "
                            f"(the load balancer's, the endpoints' or the rotation function's); choose another name")
        if not 1024 <= s.port <= 65535:
            problems.append(f"service {s.name!r}: port {s.port} must be 1024..65535 (non-root containers cannot "
                            f"bind lower ports)")
        for access in s.stores:
            prefix = STORE_ACTION_PREFIX[access.store]
            wrong = [a for a in access.actions if not a.startswith(prefix)]
            if wrong or not access.actions:
                problems.append(f"service {s.name!r}: actions {list(access.actions)} on {access.store.value} must "
                                f"be one or more '{prefix}...' actions")
        size = size_problem(s.cpu, s.memory)
        if size:
            problems.append(f"service {s.name!r}: {size}")
        for caller in s.callers:
            if caller == s.name:
                problems.append(f"service {s.name!r} lists itself as a caller; remove the self-call")
            elif caller not in names:
                problems.append(f"service {s.name!r}: caller {caller!r} is not in the catalog; add it or fix "
                                f"the name")
    priorities: dict[int, str] = {}
    for s in services:
        if s.public is None:
            continue
        low, high = LISTENER_PRIORITY_RANGE
        if not low <= s.public.priority <= high:
            problems.append(f"service {s.name!r}: listener priority {s.public.priority} is outside {low}..{high}")
        if s.public.priority in priorities:
            problems.append(f"services {priorities[s.public.priority]!r} and {s.name!r} share listener priority "
                            f"{s.public.priority}; give each public service its own priority")
        priorities[s.public.priority] = s.name
    if not problems:
        cycle = _find_cycle(services)
        if cycle:
            problems.append(f"the call graph has a cycle: {' -> '.join(cycle)}; calls must form a DAG")
    if problems:
        raise CatalogError("invalid service catalog:\n" + "\n".join(f"  - {p}" for p in problems))
    return services
