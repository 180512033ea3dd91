"""The platform's container contract and each service's slice of the catalog, as literals.

The images carry only `apps/`, not the infrastructure repository, so `shared/catalog.py` cannot be
imported at runtime. This module repeats the facts the apps need, and `tests/apps/test_contract.py`
derives the same values from the catalog and fails on any difference, printing the literal to paste here.
The catalog stays the source; a change there that the apps do not follow breaks a test, not a deploy.
"""
from __future__ import annotations

from dataclasses import dataclass

# The container contract (shared.catalog.CONTRACT).
USER = "10001:10001"
TMP_PATH = "/tmp"
SERVICE_NAME = "SERVICE_NAME"
PORT = "PORT"
ENVIRONMENT = "ENVIRONMENT"
AWS_REGION = "AWS_REGION"
LOG_LEVEL = "LOG_LEVEL"
VENUE_URL = "VENUE_URL"

# Seconds ECS waits after SIGTERM before SIGKILL (shared.taskdef.STOP_TIMEOUT_SECONDS, the container's
# stopTimeout): a service's shutdown must finish well within it.
STOP_TIMEOUT_SECONDS = 60

# Stores (shared.catalog.STORE_ENV values).
ASSETS_BUCKET_NAME = "ASSETS_BUCKET_NAME"
TRADES_TABLE_NAME = "TRADES_TABLE_NAME"
ORDERS_QUEUE_URL = "ORDERS_QUEUE_URL"
EVENTS_TOPIC_ARN = "EVENTS_TOPIC_ARN"

# The trades table's partition key (the platform project's TRADES_TABLE_KEY); it holds the order id.
TRADES_TABLE_KEY = "tradeId"

# Secrets ECS injects as environment variables (shared.catalog.Secret values).
JWT_SIGNING_KEY = "JWT_SIGNING_KEY"
DATABASE_URL = "DATABASE_URL"
THIRD_PARTY_API_KEYS = "THIRD_PARTY_API_KEYS"

# Cloud Map URLs of callees (shared.catalog.Service.url_env).
API_GATEWAY_URL = "API_GATEWAY_URL"
PROCESSING_SERVICE_URL = "PROCESSING_SERVICE_URL"


@dataclass(frozen=True)
class ServiceContract:
    """One catalog entry as the container sees it: every field names environment variables it is given."""

    name: str
    port: int
    health_path: str
    secrets: tuple[str, ...]
    stores: tuple[str, ...]
    callees: tuple[str, ...]
    venue: bool  # the catalog declares an external call, so the service is given VENUE_URL

    @property
    def required(self) -> tuple[str, ...]:
        """Every variable the service cannot run without, in the order health reports them."""
        base = (SERVICE_NAME, PORT, ENVIRONMENT, AWS_REGION)
        return base + self.stores + self.callees + ((VENUE_URL,) if self.venue else ()) + self.secrets


SERVICES: dict[str, ServiceContract] = {
    "frontend": ServiceContract(
        name="frontend", port=8080, health_path="/health",
        secrets=(JWT_SIGNING_KEY,),
        stores=(ASSETS_BUCKET_NAME,),
        callees=(API_GATEWAY_URL,),
        venue=False,
    ),
    "api-gateway": ServiceContract(
        name="api-gateway", port=8081, health_path="/health",
        secrets=(JWT_SIGNING_KEY,),
        stores=(TRADES_TABLE_NAME, ORDERS_QUEUE_URL, EVENTS_TOPIC_ARN),
        callees=(PROCESSING_SERVICE_URL,),
        venue=False,
    ),
    "processing-service": ServiceContract(
        name="processing-service", port=8082, health_path="/health",
        secrets=(DATABASE_URL, THIRD_PARTY_API_KEYS),
        stores=(ORDERS_QUEUE_URL, TRADES_TABLE_NAME, EVENTS_TOPIC_ARN),
        callees=(),
        venue=True,
    ),
}
