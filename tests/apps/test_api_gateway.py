"""api-gateway's behaviour around the happy path: validation, authentication, partial failures, privacy."""
from __future__ import annotations

import json

import pytest
from api_gateway import app as gateway
from appkit.client import Unreachable

from shared.catalog import Store
from tests.apps import support
from tests.shared_clients import MOCKED
from tools import local

ORDER = {"symbol": "ACME", "side": "BUY", "quantity": 10, "limitPrice": "101.25"}


def harness(stores, **overrides):
    return support.harness("api-gateway", gateway.build, stores.environment("api-gateway", **overrides))


def item(stores, order_id):
    return MOCKED.client("dynamodb").get_item(
        TableName=stores.stores.names[Store.TRADES_TABLE], Key={"tradeId": {"S": order_id}})["Item"]


@pytest.mark.parametrize("payload,message", [
    ([1], "the body must be a JSON object"),
    ({**ORDER, "symbol": "acme"}, "symbol must be 1-10 upper-case letters"),
    ({**ORDER, "side": "HOLD"}, "side must be one of BUY, SELL"),
    ({**ORDER, "quantity": 0}, "quantity must be a whole number from 1 to 1000000"),
    ({**ORDER, "quantity": True}, "quantity must be a whole number"),
    ({**ORDER, "quantity": 2.5}, "quantity must be a whole number"),
    ({**ORDER, "limitPrice": "0"}, "limitPrice must be a positive decimal"),
    ({**ORDER, "limitPrice": "1.23456"}, "limitPrice must be a positive decimal"),
    ({**ORDER, "limitPrice": True}, "limitPrice must be a positive decimal"),
    ({**ORDER, "symbol": "ACME\n"}, "symbol must be 1-10 upper-case letters"),  # `$` matches before a final \n
    ({**ORDER, "limitPrice": "101.25\n"}, "limitPrice must be a positive decimal"),
])
def test_each_invalid_order_is_refused_naming_the_field(payload, message):
    with pytest.raises(gateway.HttpError) as raised:
        gateway.parse_order(payload)
    assert raised.value.status == 400 and message in raised.value.message


def test_all_problems_are_reported_at_once():
    with pytest.raises(gateway.HttpError) as raised:
        gateway.parse_order({"symbol": 1, "side": None})
    assert raised.value.message.count(";") == 3


def test_a_numeric_price_is_kept_as_exact_text():
    assert gateway.parse_order({**ORDER, "limitPrice": 101.5})["limitPrice"] == "101.5"
    assert gateway.parse_order({**ORDER, "limitPrice": 7})["limitPrice"] == "7"


def test_orders_need_a_valid_token(stores):
    h = harness(stores)
    assert h.call("POST", "/orders", ORDER).status == 401
    # a token of another environment's key set: its kid is unknown here
    wrong = support.Stores(stores.stores, {**stores.secrets, "JWT_SIGNING_KEY": local.jwt_key_set()}).auth()
    response = h.call("POST", "/orders", ORDER, wrong)
    assert (response.status, support.body(response)) == (
        401, {"error": "the token's key id (kid) is not in this service's key set"})
    # the right kid with another secret
    forged = json.loads(stores.jwt_key)
    forged["keys"][0]["secret"] = json.loads(local.jwt_key_set())["keys"][0]["secret"]
    response = h.call("POST", "/orders", ORDER, support.Stores(stores.stores, {
        **stores.secrets, "JWT_SIGNING_KEY": json.dumps(forged)}).auth())
    assert (response.status, support.body(response)) == (401, {"error": "invalid token signature"})
    assert h.call("POST", "/orders", b"{", stores.auth()).status == 400


def test_an_order_that_cannot_be_queued_is_recorded_failed_not_left_pending(stores):
    h = harness(stores, ORDERS_QUEUE_URL="https://sqs.us-east-1.amazonaws.com/123456789012/sqs-gone-local")
    response = h.call("POST", "/orders", ORDER, stores.auth())
    assert response.status == 503
    order_id = support.body(response)["error"].split()[1]
    assert item(stores, order_id)["status"] == {"S": "FAILED"}
    assert [line["message"] for line in h.lines()] == ["order not queued; recorded as FAILED"]


def gateway_of(h) -> gateway.Gateway:
    return next(handler.__self__ for _, _, handler in h.app.routes if handler.__name__ == "submit")


def test_a_queueing_error_after_the_order_moved_on_keeps_it_and_says_so(stores, monkeypatch):
    """SendMessage can fail on the client side (a timeout) after SQS stored the message; when processing-service
    already moved the order on, recording FAILED would overwrite it and tell the trader to submit it twice."""
    h = harness(stores)
    table = stores.stores.names[Store.TRADES_TABLE]

    def queued_then_timed_out(order_id, trader, rid):
        MOCKED.client("dynamodb").update_item(
            TableName=table, Key={"tradeId": {"S": order_id}}, UpdateExpression="SET #s = :s",
            ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "FILLED"}})
        raise gateway.BotoCoreError()
    monkeypatch.setattr(gateway_of(h), "_queue", queued_then_timed_out)
    response = h.call("POST", "/orders", ORDER, stores.auth())
    assert (response.status, support.body(response)["status"]) == (202, "FILLED")
    order_id = support.body(response)["orderId"]
    assert item(stores, order_id)["status"] == {"S": "FILLED"} and "reason" not in item(stores, order_id)
    assert next(line["message"] for line in h.lines()) == (
        "queueing reported an error but the order is already being processed; not recorded as FAILED")


def test_a_failure_to_record_failed_is_an_internal_error(stores, monkeypatch):
    h = harness(stores, ORDERS_QUEUE_URL="https://sqs.us-east-1.amazonaws.com/123456789012/sqs-gone-local")
    dynamodb = gateway_of(h).clients.get("dynamodb")
    put = dynamodb.put_item

    def second_put_fails(**kwargs):
        if kwargs["Item"]["status"] == {"S": "FAILED"}:
            kwargs["TableName"] = "ddb-gone-local"
        return put(**kwargs)
    monkeypatch.setattr(dynamodb, "put_item", second_put_fails)
    assert h.call("POST", "/orders", ORDER, stores.auth()).status == 500
    assert h.lines()[-1]["error"] == "ResourceNotFoundException"


def test_a_failed_publish_is_logged_and_the_order_still_accepted(stores):
    h = harness(stores, EVENTS_TOPIC_ARN="arn:aws:sns:us-east-1:123456789012:sns-gone-local")
    response = h.call("POST", "/orders", ORDER, stores.auth())
    assert response.status == 202
    assert [(line["level"], line["message"], line.get("event")) for line in h.lines()] == [
        ("ERROR", "event not published", "OrderAccepted"), ("INFO", "order accepted", None)]


def test_a_fifo_queue_gets_a_group_per_trader_and_deduplication_by_order(stores):
    sqs = MOCKED.client("sqs")
    url = sqs.create_queue(QueueName="sqs-orders-local.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    response = harness(stores, ORDERS_QUEUE_URL=url).call("POST", "/orders", ORDER, stores.auth("bob"))
    order_id = support.body(response)["orderId"]
    message = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"])["Messages"][0]
    assert message["Attributes"]["MessageGroupId"] == "bob"
    assert message["Attributes"]["MessageDeduplicationId"] == order_id
    assert json.loads(message["Body"])["orderId"] == order_id


def test_another_traders_order_looks_missing(stores):
    h = harness(stores)
    order_id = support.body(h.call("POST", "/orders", ORDER, stores.auth("alice")))["orderId"]
    assert h.call("GET", f"/orders/{order_id}", headers=stores.auth("mallory")).status == 404
    assert h.call("GET", f"/orders/{'0' * 32}", headers=stores.auth("alice")).status == 404


def test_status_without_processing_service_answers_without_execution(stores, monkeypatch):
    h = harness(stores)
    order_id = support.body(h.call("POST", "/orders", ORDER, stores.auth()))["orderId"]

    def unreachable(method, url, *args, **kwargs):
        raise Unreachable(f"{method} {url} failed: URLError")
    monkeypatch.setattr(gateway, "call", unreachable)
    response = h.call("GET", f"/orders/{order_id}", headers=stores.auth())
    assert response.status == 200
    assert support.body(response)["execution"] is None and support.body(response)["status"] == "PENDING"
    monkeypatch.setattr(gateway, "call", lambda method, url: (404, {"error": "no order"}))
    assert support.body(h.call("GET", f"/orders/{order_id}", headers=stores.auth()))["execution"] is None
    assert [line["message"] for line in h.lines()][-2:] == [
        "processing-service unreachable; answering without execution details",
        "processing-service has no execution details"]


def test_from_item_keeps_whole_numbers_as_ints_and_decimals_as_text():
    assert gateway.from_item({"tradeId": {"S": "o"}, "a": {"N": "-3"}, "b": {"N": "1.50"}, "c": {"S": "x"}}) == {
        "orderId": "o", "a": -3, "b": "1.50", "c": "x"}
