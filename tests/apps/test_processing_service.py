"""processing-service: idempotent execution, what is retried, what is dropped, and the consumer's resilience."""
from __future__ import annotations

import json

import pytest
from api_gateway import app as gateway
from appkit.client import Unreachable
from appkit.logs import request_id
from processing_service import app as processing

from shared.catalog import Secret, Store
from tests.apps import support
from tests.shared_clients import MOCKED
from tools import local

ORDER = {"symbol": "ACME", "side": "SELL", "quantity": 5, "limitPrice": "99.5"}


class World:
    """Stores under moto, an api-gateway to create orders, a processing-service to execute them."""

    def __init__(self, stores: support.Stores, venue_url: str = support.VENUE_URL, **overrides):
        self.stores = stores
        self.gateway = support.harness("api-gateway", gateway.build, stores.environment("api-gateway"))
        self.processing = support.harness("processing-service", processing.build, stores.environment(
            "processing-service", venue_url=venue_url, SQS_WAIT_SECONDS="0", **overrides))
        self.service = self.processing.app.checks["consumer"].__self__
        self.sqs = MOCKED.client("sqs")
        self.queue = stores.stores.names[Store.ORDERS_QUEUE]

    def submit(self) -> str:
        return support.body(self.gateway.call("POST", "/orders", ORDER, self.stores.auth()))["orderId"]

    def consume(self) -> None:
        self.service.consumer.poll()

    def status(self, order_id: str) -> str:
        return MOCKED.client("dynamodb").get_item(
            TableName=self.stores.stores.names[Store.TRADES_TABLE], Key={"tradeId": {"S": order_id}},
            ConsistentRead=True)["Item"]["status"]["S"]

    def queued(self) -> int:
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        return sum(int(v) for v in attributes.values())

    def messages(self) -> list[str]:
        return [line["message"] for line in self.processing.lines() if line["message"] != "consuming orders"]


SENT_NO_ANSWER = "sent, no answer"  # a venue answer meaning: the request left, no answer came back (timeout)


def venue(monkeypatch, *answers):
    """The venue answers each call with the next (status, body); None raises Unreachable before the order was
    sent (connection refused), SENT_NO_ANSWER after it was (timeout); a callable is called, then answers."""
    calls = []

    def fake(method, url, payload=None, headers=None, timeout=None):
        assert timeout == processing.VENUE_TIMEOUT_SECONDS  # counted in the stop budget
        calls.append((url, payload, headers))
        answer = answers[len(calls) - 1]
        if answer is None:
            raise Unreachable(f"{method} {url} failed: URLError")
        if answer == SENT_NO_ANSWER:
            raise Unreachable(f"{method} {url} failed: TimeoutError", maybe_delivered=True)
        if callable(answer):
            return answer()
        return answer
    monkeypatch.setattr(processing, "call", fake)
    return calls


def test_a_filled_order_sends_the_api_key_and_is_recorded_once(stores, monkeypatch):
    world = World(stores)
    calls = venue(monkeypatch, (200, {"status": "FILLED", "venueOrderId": "V1", "filledPrice": "99.4"}))
    order_id = world.submit()
    world.consume()
    assert world.status(order_id) == "FILLED" and world.queued() == 0
    url, payload, headers = calls[0]
    assert url == f"{support.VENUE_URL}/orders"
    assert payload == {"orderId": order_id, **ORDER}
    assert headers == {"X-Api-Key": json.loads(stores.secrets[Secret.THIRD_PARTY_API_KEYS.value])[local.STUB_VENUE]}


@pytest.mark.parametrize("answer,reason", [
    ((422, {"error": "market closed"}), "market closed"),
    ((200, {"status": "CANCELLED"}), "CANCELLED"),
    ((200, None), "venue answered 200"),
])
def test_a_refused_order_is_rejected_with_the_reason(stores, monkeypatch, answer, reason):
    world = World(stores)
    venue(monkeypatch, answer)
    order_id = world.submit()
    world.consume()
    assert world.status(order_id) == "REJECTED" and world.queued() == 0
    assert world.processing.lines()[-1]["reason"] == reason


def test_a_wrong_api_key_is_a_rejection_by_the_stub_venue(stores):
    stub = local.StubVenue("the-venue-expects-this-key")
    stub.start()
    try:
        world = World(stores, venue_url=stub.url)
        order_id = world.submit()
        world.consume()
    finally:
        stub.stop()
    assert world.status(order_id) == "REJECTED" and stub.orders == []
    assert world.processing.lines()[-1]["reason"] == "unknown API key"


@pytest.mark.parametrize("answer", [None, (503, {"error": "busy"}), (429, {"error": "slow down"})])
def test_an_unavailable_venue_leaves_the_order_pending_and_the_message_queued(stores, monkeypatch, answer):
    world = World(stores)
    venue(monkeypatch, answer)
    order_id = world.submit()
    world.consume()
    assert world.status(order_id) == "PENDING" and world.queued() == 1
    assert world.processing.lines()[-1]["level"] == "WARNING"


def test_a_duplicate_delivery_is_not_executed_twice(stores, monkeypatch):
    world = World(stores)
    calls = venue(monkeypatch, (200, {"status": "FILLED"}))
    order_id = world.submit()
    message = world.sqs.receive_message(QueueUrl=world.queue, MessageAttributeNames=["All"])["Messages"][0]
    world.service.consumer.executor.handle(message)
    world.service.consumer.executor.handle(message)  # the same message again, as at-least-once allows
    assert len(calls) == 1 and world.status(order_id) == "FILLED"
    assert world.messages()[-1] == "order already processed; duplicate delivery dropped"


def set_status(world: World, order_id: str, status: str) -> None:
    MOCKED.client("dynamodb").update_item(
        TableName=world.stores.stores.names[Store.TRADES_TABLE], Key={"tradeId": {"S": order_id}},
        UpdateExpression="SET #s = :s", ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": status}})


def test_concurrent_deliveries_send_the_order_to_the_venue_once(stores, monkeypatch):
    """A second delivery of the same message arrives while the first is at the venue (a standard queue may
    deliver twice, or the visibility timeout may lapse): the claim makes only the first one execute it."""
    world = World(stores)
    order_id = world.submit()
    message = world.sqs.receive_message(QueueUrl=world.queue, MessageAttributeNames=["All"])["Messages"][0]
    executor = world.service.consumer.executor

    def second_delivery_meanwhile():
        executor.handle(message)
        return 200, {"status": "FILLED", "venueOrderId": "V1"}
    calls = venue(monkeypatch, second_delivery_meanwhile, (200, {"status": "FILLED", "venueOrderId": "V2"}))
    executor.handle(message)
    assert len(calls) == 1 and world.status(order_id) == "FILLED"
    assert "order is EXECUTING from another delivery; not sent to the venue again" in world.messages()


def test_a_delivery_that_loses_the_claim_leaves_the_order_to_the_winner(stores, monkeypatch):
    world = World(stores)
    executor = world.service.consumer.executor
    order_id = world.submit()
    dynamodb = executor.clients.get("dynamodb")
    get_item = dynamodb.get_item

    def read_then_claimed_elsewhere(**kwargs):
        item = get_item(**kwargs)
        set_status(world, order_id, "EXECUTING")  # another consumer claims it between this read and our claim
        return item
    monkeypatch.setattr(dynamodb, "get_item", read_then_claimed_elsewhere)
    calls = venue(monkeypatch)
    world.consume()
    assert calls == [] and world.status(order_id) == "EXECUTING" and world.queued() == 1
    assert world.messages()[-1] == "order claimed by another delivery; this one leaves it"


def test_an_order_stuck_executing_is_not_sent_again_but_left_for_reconciliation(stores, monkeypatch):
    """A task stopped between the venue call and the final update leaves the order EXECUTING: its message comes
    back, and is left until it reaches the dead-letter queue, where a person checks the venue."""
    world = World(stores)
    order_id = world.submit()
    set_status(world, order_id, "EXECUTING")
    calls = venue(monkeypatch)
    world.consume()
    assert calls == [] and world.status(order_id) == "EXECUTING" and world.queued() == 1
    line = world.processing.lines()[-1]
    assert (line["level"], line["message"], line["order_id"]) == (
        "ERROR", "order is EXECUTING from another delivery; not sent to the venue again", order_id)


def test_a_venue_that_took_the_order_but_did_not_answer_leaves_it_executing(stores, monkeypatch):
    world = World(stores)
    calls = venue(monkeypatch, SENT_NO_ANSWER)
    order_id = world.submit()
    world.consume()
    assert len(calls) == 1 and world.status(order_id) == "EXECUTING" and world.queued() == 1
    assert world.messages()[-1] == ("the venue may have the order but did not answer; left EXECUTING for "
                                    "reconciliation, not re-sent")


def test_without_a_usable_api_key_nothing_is_sent_and_the_order_stays_pending(stores, monkeypatch):
    world = World(stores, THIRD_PARTY_API_KEYS='{"b": "secret-b-value", "a": "secret-a-value"}')
    calls = venue(monkeypatch, (401, {"error": "unknown API key"}))
    order_id = world.submit()
    world.consume()
    assert calls == [] and world.status(order_id) == "PENDING" and world.queued() == 1
    line = world.processing.lines()[-1]
    assert (line["level"], line["message"]) == (
        "ERROR", "no API key for the venue; message left for retry and then the dead-letter queue")


def test_one_message_is_received_at_a_time(stores, monkeypatch):
    """A batch would hold later messages invisible while earlier ones execute, past the visibility timeout."""
    world = World(stores)
    calls = venue(monkeypatch, (200, {"status": "FILLED"}), (200, {"status": "FILLED"}))
    first, second = world.submit(), world.submit()
    world.consume()
    assert len(calls) == 1 and sorted([world.status(first), world.status(second)]) == ["FILLED", "PENDING"]


def test_a_stopping_consumer_does_not_start_a_received_message(stores, monkeypatch):
    world = World(stores)
    calls = venue(monkeypatch)
    order_id = world.submit()
    world.service.consumer._stop.set()  # SIGTERM arrived during the long poll
    world.consume()
    assert calls == [] and world.status(order_id) == "PENDING" and world.queued() == 1
    assert world.messages()[-1] == "stopping: message left for another consumer"


def test_a_result_that_lost_the_race_is_dropped(stores, monkeypatch):
    world = World(stores)
    executor = world.service.consumer.executor
    order_id = world.submit()
    set_status(world, order_id, "EXECUTING")
    order = {"orderId": order_id, **ORDER}
    request_id.set("race-0000-request")  # as handle() does for each message
    assert executor._record(order, {"status": "FILLED", "venueOrderId": "V1", "filledQuantity": 5,
                                    "filledPrice": "99.5"})
    assert executor._record(order, {"status": "REJECTED", "reason": "late"})
    assert world.status(order_id) == "FILLED"
    assert world.messages()[-1] == "order no longer EXECUTING (reconciled elsewhere); result dropped"


def test_malformed_messages_are_left_for_the_dead_letter_queue(stores):
    world = World(stores)
    for body in ("not json", "[1]", json.dumps({"orderId": ""})):
        world.sqs.send_message(QueueUrl=world.queue, MessageBody=body)
    for _ in range(3):  # one message per receive
        world.consume()
    assert world.queued() == 3
    assert world.messages() == ["malformed message left for the dead-letter queue"] * 3


def test_a_message_for_an_unknown_order_is_dropped(stores):
    world = World(stores)
    world.sqs.send_message(QueueUrl=world.queue, MessageBody=json.dumps({"orderId": "0" * 32}))
    world.consume()
    assert world.queued() == 0 and world.messages() == ["no such order; message dropped"]


def test_a_failing_message_does_not_stop_the_consumer(stores, monkeypatch):
    world = World(stores, TRADES_TABLE_NAME="ddb-gone-local")
    world.sqs.send_message(QueueUrl=world.queue, MessageBody=json.dumps({"orderId": "0" * 32}))
    world.consume()
    line = world.processing.lines()[-1]
    assert (line["message"], line["error"]) == ("message failed; it returns after the visibility timeout",
                                               "ResourceNotFoundException")


def test_other_update_errors_propagate(stores):
    world = World(stores, TRADES_TABLE_NAME="ddb-gone-local")
    with pytest.raises(processing.ClientError):
        world.service.consumer.executor._record({"orderId": "0" * 32}, {"status": "REJECTED", "reason": "x"})


def test_a_receive_failure_backs_off_and_is_logged(stores, monkeypatch):
    world = World(stores, ORDERS_QUEUE_URL="https://sqs.us-east-1.amazonaws.com/123456789012/sqs-gone-local")
    monkeypatch.setattr(processing, "ERROR_BACKOFF_SECONDS", 0)
    world.consume()
    assert world.processing.lines()[-1]["message"] == "receiving from the orders queue failed"


def test_the_consumer_thread_runs_until_stopped(stores):
    world = World(stores)
    consumer = world.service.consumer
    assert not consumer.alive
    consumer.start()
    assert consumer.alive
    consumer.stop()
    assert not consumer.alive
    assert world.processing.lines()[0]["message"] == "consuming orders"


def test_stopping_a_consumer_that_never_started_is_a_no_op(stores):
    World(stores).service.consumer.stop()


def test_stop_waits_less_than_ecs_before_sigkill(stores, monkeypatch):
    """ECS kills the task `stopTimeout` after SIGTERM: stop() gives up earlier, so the last lines are logged."""
    from appkit import contract
    assert processing.STOP_GRACE_SECONDS < contract.STOP_TIMEOUT_SECONDS
    # the slowest poll (a full long poll) plus one message at the venue fits in the grace period
    assert processing.DEFAULT_WAIT_SECONDS + 2 * processing.VENUE_TIMEOUT_SECONDS < processing.STOP_GRACE_SECONDS
    world = World(stores)
    consumer = world.service.consumer
    busy = processing.threading.Event()
    monkeypatch.setattr(consumer, "run", lambda: busy.wait(5))  # a message that outlasts the grace period
    monkeypatch.setattr(processing, "STOP_GRACE_SECONDS", 0.05)
    consumer.start()
    consumer.stop()
    assert consumer.alive
    busy.set()
    assert world.processing.lines()[-1]["message"] == (
        "the consumer did not stop in time; an order it held may be left EXECUTING for reconciliation")


def test_the_execution_api(stores, monkeypatch):
    world = World(stores)
    venue(monkeypatch, (200, {"status": "FILLED", "venueOrderId": "V9"}))
    order_id = world.submit()
    world.consume()
    response = world.processing.call("GET", f"/executions/{order_id}")
    assert response.status == 200
    assert support.body(response).keys() == {"orderId", "status", "venueOrderId", "filledQuantity", "filledPrice",
                                             "executedAt"}
    assert support.body(response)["filledQuantity"] == 5
    assert world.processing.call("GET", f"/executions/{'0' * 32}").status == 404
    pending = world.submit()
    assert support.body(world.processing.call("GET", f"/executions/{pending}")) == {"orderId": pending,
                                                                                   "status": "PENDING"}


@pytest.mark.parametrize("raw,seconds", [("", 20), ("0", 0), ("5", 5), ("21", 20), ("x", 20)])
def test_long_poll_length(raw, seconds):
    assert processing.wait_seconds({processing.WAIT_ENV: raw}) == seconds


@pytest.mark.parametrize("raw,key", [
    ("plain-key", "plain-key"),
    ('["a"]', '["a"]'),
    ('{"venue.example.com": "k1", "other": "k2"}', "k1"),
    ('{"placeholder-venue": "k3"}', "k3"),
    ('{"a": "k1", "b": "k2"}', None),
])
def test_the_venue_key_is_chosen_from_the_api_keys(raw, key):
    assert processing.venue_api_key(raw, "https://venue.example.com") == key


def test_health_names_ambiguous_api_keys_without_their_values(stores):
    world = World(stores, THIRD_PARTY_API_KEYS='{"b": "secret-b-value", "a": "secret-a-value"}')
    world.service.consumer.start()
    try:
        response = world.processing.call("GET", "/health")
    finally:
        world.service.consumer.stop()
    assert response.status == 503
    assert support.body(response)["dependencies"] == {
        "venueApiKey": "THIRD_PARTY_API_KEYS holds keys for a, b but none for the venue host 127.0.0.1"}
    assert b"secret-" not in response.body
