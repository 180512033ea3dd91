"""Helpers for the apps' tests: environments from the catalog, in-process moto stores, direct dispatch."""
from __future__ import annotations

import contextvars
import io
import json
from dataclasses import dataclass

from appkit.aws import Clients
from appkit.logs import JsonLogger, request_id
from appkit.runner import Built
from appkit.settings import load
from appkit.web import Request, Response, incoming_request_id

from shared.catalog import SERVICES, Secret, Store
from tests.shared_clients import SharedClients
from tools import local

VENUE_URL = "http://127.0.0.1:9"  # discard port: nothing answers
PORTS = {s.name: s.port for s in SERVICES}
# The catalog services that have a sample app under apps/<name>/: what the apps' tests run. A catalog service
# without one is refused by local-up and build-push with the fix (tests/apps/test_local.py, test_images.py).
SAMPLE_APPS = tuple(s for s in SERVICES if (local.APPS_DIR / s.name).is_dir())


@dataclass
class Harness:
    built: Built
    stream: io.StringIO

    @property
    def app(self):
        return self.built.app

    def call(self, method: str, path: str, body: object = None, headers: dict | None = None) -> Response:
        """Dispatch as the HTTP layer does: in a fresh context holding a new request id."""
        data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())

        def dispatch() -> Response:
            request_id.set(incoming_request_id(None))
            return self.app.dispatch(Request(method, path, headers or {}, data))
        return contextvars.Context().run(dispatch)

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]


def body(response: Response) -> dict:
    return json.loads(response.body)


@dataclass
class Stores:
    """Stores created under `moto.mock_aws` and each service's environment pointing at them."""

    stores: local.LocalStores
    secrets: dict[str, str]

    def environment(self, service: str, venue_url: str = VENUE_URL, **overrides: str | None) -> dict[str, str]:
        definition = next(s for s in SERVICES if s.name == service)
        env = local.service_environment(definition, ports=PORTS, stores=self.stores, secret_values=self.secrets,
                                        venue_url=venue_url, endpoint="")
        env.pop(local.ENDPOINT_ENV)
        env.update(overrides)
        return {k: v for k, v in env.items() if v is not None}

    @property
    def jwt_key(self) -> str:
        """JWT_SIGNING_KEY: the key set, as the rotation function's bootstrap writes it."""
        return self.secrets[Secret.JWT_SIGNING_KEY.value]

    def auth(self, trader: str = "alice") -> dict[str, str]:
        return {"Authorization": f"Bearer {local.trader_token(self.jwt_key, trader)}"}


def create() -> Stores:
    stores = local.create_stores(None)
    return Stores(stores, local.injected_secrets(None, stores.secret_arns))


# One session for every test's services, with local-up's credentials: each client is made once.
SESSION = SharedClients(region_name=local.REGION,
                        **{key.lower(): value for key, value in local.FAKE_CREDENTIALS.items()})


def harness(service: str, build, env: dict[str, str]) -> Harness:
    settings = load(service, env)
    stream = io.StringIO()
    logger = JsonLogger(service, settings.log_level, stream, secrets=settings.secret_values())
    return Harness(build(settings, logger, env, Clients(env, SESSION)), stream)


def static() -> Stores:
    """Plausible names and secrets without any AWS: for tests that never reach a dependency."""
    names = {Store.TRADES_TABLE: "ddb-trades-local",
             Store.ORDERS_QUEUE: "https://sqs.us-east-1.amazonaws.com/123456789012/sqs-orders-local",
             Store.EVENTS_TOPIC: "arn:aws:sns:us-east-1:123456789012:sns-events-local",
             Store.ASSETS_BUCKET: "s3-assets-local"}
    values = {secret.value: f"{secret.name.lower()}-value-0123456789" for secret in Secret}
    values[Secret.JWT_SIGNING_KEY.value] = local.jwt_key_set()
    return Stores(local.LocalStores(names, "", {}), values)
