"""One order from frontend to FILLED through the three services, against moto's server on loopback.

The services run in threads of this process (so coverage sees them) with exactly the environment local-up
and the catalog give them; moto stands in for DynamoDB, SQS, SNS, S3 and Secrets Manager.
"""
from __future__ import annotations

import io
import json
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest
from api_gateway.app import build as build_gateway
from appkit import runner
from frontend.app import build as build_frontend
from processing_service.app import build as build_processing

from shared.catalog import Secret, Store
from tests.apps.support import SAMPLE_APPS
from tools import local

BUILDERS = {"frontend": build_frontend, "api-gateway": build_gateway, "processing-service": build_processing}
LOG_KEYS = ("timestamp", "level", "service", "request_id", "message")


def http(method: str, url: str, payload: object = None, headers: dict | None = None) -> tuple[int, dict, dict]:
    request = urllib.request.Request(url, method=method, data=None if payload is None else json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


class Platform:
    def __init__(self):
        self.run = local.prepare()
        self.envs = local.environments(self.run)
        self.streams = {name: io.StringIO() for name in BUILDERS}
        self.servers = []
        self.threads = []
        self.actions: dict[str, set[str]] = {name: set() for name in BUILDERS}
        for service in SAMPLE_APPS:
            env = {**self.envs[service.name], "SQS_WAIT_SECONDS": "1"}
            server, built = runner.start(service.name, BUILDERS[service.name], env, host=local.HOST,
                                         stream=self.streams[service.name])
            self.record_actions(service.name, built)
            thread = threading.Thread(target=runner.serve, args=(server, built), daemon=True)
            thread.start()
            self.servers.append(server)
            self.threads.append(thread)
        local.wait_healthy(self.run, SAMPLE_APPS, timeout=15)
        self.session = local.aws_session()

    def record_actions(self, service: str, built) -> None:
        """Every AWS API call the service makes, as the IAM action it needs (e.g. `dynamodb:PutItem`)."""
        handler = next(h for _, _, h in built.app.routes if hasattr(h, "__self__") and h.__self__ is not built.app)
        session = handler.__self__.clients._session

        def record(event_name, **kwargs):
            _, prefix, operation = event_name.split(".")
            self.actions[service].add(f"{prefix}:{operation}")
        session.events.register("before-call", record)
        for worker in built.workers:  # the consumer's long-poll client exists already: hook it directly
            worker.sqs.meta.events.register("before-call", record)

    def client(self, name: str):
        return self.session.client(name, endpoint_url=self.run.endpoint)

    def lines(self, service: str) -> list[dict]:
        return [json.loads(line) for line in self.streams[service].getvalue().splitlines()]

    def stop(self):
        for server in self.servers:
            server.shutdown()
        for thread in self.threads:
            thread.join(timeout=10)
        self.run.venue.stop()
        self.run.moto.stop()


@pytest.fixture(scope="module")
def platform():
    started = Platform()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def observed_events(platform):
    """An SQS queue subscribed to the events topic, as a downstream consumer would be."""
    sqs, sns = platform.client("sqs"), platform.client("sns")
    url = sqs.create_queue(QueueName="events-observer")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=platform.run.stores.names[Store.EVENTS_TOPIC], Protocol="sqs", Endpoint=arn,
                  Attributes={"RawMessageDelivery": "true"})
    return url


def test_every_service_is_healthy_when_configured(platform):
    for service in SAMPLE_APPS:
        status, _, body = http("GET", f"{platform.run.url(service.name)}{service.health_path}")
        assert (status, body["status"], body["service"]) == (200, "ok", service.name)
    _, _, gateway = http("GET", f"{platform.run.url('api-gateway')}/health")
    _, _, processing = http("GET", f"{platform.run.url('processing-service')}/health")
    assert gateway["dependencies"] == ["tradesTable"]
    assert processing["dependencies"] == ["consumer", "ordersQueue", "venueApiKey"]


def test_one_order_from_frontend_to_filled(platform, observed_events):
    # GIVEN a trader's token signed with the key Secrets Manager holds, and a request id of our own
    key = platform.run.secret_values[Secret.JWT_SIGNING_KEY.value]
    token = local.trader_token(key, trader="alice")
    request_id = f"e2e-{uuid.uuid4().hex}"
    auth = {"Authorization": f"Bearer {token}"}
    frontend = platform.run.url("frontend")

    # WHEN the trader submits an order through frontend
    status, headers, body = http("POST", f"{frontend}/orders",
                                 {"symbol": "ACME", "side": "BUY", "quantity": 10, "limitPrice": "101.25"},
                                 {**auth, "X-Request-Id": request_id})

    # THEN api-gateway accepted it as PENDING, under our request id
    assert status == 202, body
    assert body["status"] == "PENDING" and len(body["orderId"]) == 32
    assert headers["X-Request-Id"] == request_id
    order_id = body["orderId"]

    # AND frontend shows it FILLED through api-gateway, with processing-service's execution details
    deadline = time.monotonic() + 15
    while True:
        status, _, shown = http("GET", f"{frontend}/orders/{order_id}", headers=auth)
        if shown.get("status") == "FILLED" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status == 200
    assert shown["status"] == "FILLED" and shown["trader"] == "alice" and shown["quantity"] == 10
    assert shown["execution"]["status"] == "FILLED"
    assert shown["execution"]["venueOrderId"] == "V-000001"
    assert shown["execution"]["filledPrice"] == "101.25" and shown["execution"]["filledQuantity"] == 10

    # AND the table holds the filled trade
    item = platform.client("dynamodb").get_item(TableName=platform.run.stores.names[Store.TRADES_TABLE],
                                                Key={"tradeId": {"S": order_id}}, ConsistentRead=True)["Item"]
    assert item["status"] == {"S": "FILLED"}
    assert item["limitPrice"] == {"N": "101.25"} and item["filledQuantity"] == {"N": "10"}
    assert item["requestId"] == {"S": request_id}

    # AND the orders queue is drained and nothing went to the dead-letter queue
    sqs = platform.client("sqs")
    for url in (platform.run.stores.names[Store.ORDERS_QUEUE], platform.run.stores.dead_letter_queue_url):
        counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        assert counts == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}, url

    # AND the venue executed it once, under the same request id, authenticated with the API key
    assert [(o["orderId"], o["requestId"]) for o in platform.run.venue.orders] == [(order_id, request_id)]

    # AND OrderAccepted then OrderFilled were published, both carrying the request id
    events = [json.loads(m["Body"]) for m in sqs.receive_message(
        QueueUrl=observed_events, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])]
    assert sorted(e["type"] for e in events) == ["OrderAccepted", "OrderFilled"]
    assert {(e["orderId"], e["requestId"]) for e in events} == {(order_id, request_id)}

    # AND all three services logged JSON lines for that request id, and only JSON lines
    for service in BUILDERS:
        lines = platform.lines(service)
        assert all(set(LOG_KEYS) <= line.keys() and line["service"] == service for line in lines), service
        assert any(line["request_id"] == request_id for line in lines), f"{service} logged nothing for the order"
    processing = [line["message"] for line in platform.lines("processing-service") if line["request_id"] == request_id]
    assert processing == ["executing order", "order filled"]

    # AND no secret value (nor the trader's token) appears in any log line
    everything = "".join(stream.getvalue() for stream in platform.streams.values())
    for value in [*platform.run.secret_values.values(), platform.run.venue.api_key, token]:
        assert value not in everything


def test_the_services_call_only_what_the_catalog_grants_their_task_roles(platform):
    """Run after the order: every AWS action a service used is among its catalog actions (its IAM policy)."""
    status, _ = http_raw("GET", f"{platform.run.url('frontend')}/assets/styles.css")
    assert status == 200
    for service in SAMPLE_APPS:
        granted = {action for access in service.stores for action in access.actions}
        assert platform.actions[service.name], f"{service.name} made no AWS call"
        assert platform.actions[service.name] <= granted, (service.name, platform.actions[service.name] - granted)
    assert platform.actions["processing-service"] == {
        "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "dynamodb:GetItem",
        "dynamodb:UpdateItem", "sns:Publish"}


def http_raw(method: str, url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as response:
        return response.status, response.read()
