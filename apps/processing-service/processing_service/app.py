"""processing-service: the queue consumer that executes orders, and its internal execution API.

Delivery is at least once, so execution is idempotent: an order is sent to the venue only while it is
PENDING, and the FILLED/REJECTED update is conditional on it still being PENDING. A message is deleted only
once the order reached a final state; when the venue is unreachable or busy it is left to reappear after
the queue's visibility timeout, and a message that cannot be parsed is left for the dead-letter queue
(the platform's redrive policy moves it there after a few receives). The task role allows exactly
ReceiveMessage/DeleteMessage/ChangeMessageVisibility/GetQueueAttributes, GetItem/UpdateItem and Publish.
"""
from __future__ import annotations

import json
import threading
from urllib.parse import urlsplit
from datetime import datetime, timezone
from typing import Mapping

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from appkit import contract
from appkit.aws import Clients
from appkit.client import Unreachable, call
from appkit.logs import JsonLogger, request_id
from appkit.runner import Built
from appkit.settings import Settings
from appkit.web import App, HttpError, Request, Response, incoming_request_id

ORDER_ID = r"[0-9a-f]{32}"
TABLE_KEY = contract.TRADES_TABLE_KEY  # holds the order id
WAIT_ENV = "SQS_WAIT_SECONDS"  # optional tuning, not part of the contract: long-poll length (0-20)
DEFAULT_WAIT_SECONDS = 20
ERROR_BACKOFF_SECONDS = 2.0
EXECUTION_FIELDS = ("status", "venueOrderId", "filledQuantity", "filledPrice", "reason", "executedAt")
API_KEY_HEADER = "X-Api-Key"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def venue_api_key(raw: str, venue_url: str) -> str | None:
    """The key sent to the venue. THIRD_PARTY_API_KEYS is either the key itself or a JSON object of keys by
    venue (the platform's placeholder has that shape): the entry named by the venue URL's host, else the only
    entry; None when several entries leave it ambiguous."""
    try:
        keys = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(keys, dict):
        return raw
    host = urlsplit(venue_url).hostname
    if host in keys:
        return str(keys[host])
    if len(keys) == 1:
        return str(next(iter(keys.values())))
    return None


def wait_seconds(environ: Mapping[str, str]) -> int:
    raw = environ.get(WAIT_ENV, "")
    return int(raw) if raw.isdigit() and int(raw) <= 20 else DEFAULT_WAIT_SECONDS


class Executor:
    """Handles one queue message end to end."""

    def __init__(self, settings: Settings, logger: JsonLogger, clients: Clients):
        self.settings = settings
        self.logger = logger
        self.clients = clients

    @property
    def table(self) -> str:
        return self.settings.get(contract.TRADES_TABLE_NAME)

    @property
    def queue_url(self) -> str:
        return self.settings.get(contract.ORDERS_QUEUE_URL)

    @property
    def venue_url(self) -> str:
        return self.settings.get(contract.VENUE_URL)

    @property
    def api_key(self) -> str | None:
        return venue_api_key(self.settings.get(contract.THIRD_PARTY_API_KEYS), self.venue_url)

    def handle(self, message: dict) -> None:
        attributes = message.get("MessageAttributes") or {}
        try:
            body = json.loads(message["Body"])
        except ValueError:
            body = None
        order_id = body.get("orderId") if isinstance(body, dict) else None
        if not isinstance(order_id, str) or not order_id:
            self.logger.error("malformed message left for the dead-letter queue", message_id=message["MessageId"])
            return
        token = request_id.set(incoming_request_id(
            attributes.get("requestId", {}).get("StringValue") or body.get("requestId")))
        try:
            if self._execute(order_id):
                self.clients.get("sqs").delete_message(QueueUrl=self.queue_url,
                                                       ReceiptHandle=message["ReceiptHandle"])
        finally:
            request_id.reset(token)

    def _execute(self, order_id: str) -> bool:
        """True when the order reached a final state (delete the message), False to retry it later."""
        dynamodb = self.clients.get("dynamodb")
        item = dynamodb.get_item(TableName=self.table, Key={TABLE_KEY: {"S": order_id}},
                                 ConsistentRead=True).get("Item")
        if item is None:
            self.logger.error("no such order; message dropped", order_id=order_id)
            return True
        if item["status"]["S"] != "PENDING":
            self.logger.info("order already processed; duplicate delivery dropped", order_id=order_id,
                             status=item["status"]["S"])
            return True
        order = {"orderId": order_id, "symbol": item["symbol"]["S"], "side": item["side"]["S"],
                 "quantity": int(item["quantity"]["N"]), "limitPrice": item["limitPrice"]["N"]}
        self.logger.info("executing order", **order)
        try:
            status, answer = call("POST", f"{self.venue_url}/orders", order,
                                  headers={API_KEY_HEADER: self.api_key or ""})
        except Unreachable as error:
            self.logger.warning("venue unreachable; the order is retried after the visibility timeout",
                                order_id=order_id, error=str(error))
            return False
        answer = answer if isinstance(answer, dict) else {}
        if 200 <= status < 300 and answer.get("status") == "FILLED":
            result = {"status": "FILLED", "venueOrderId": str(answer.get("venueOrderId", "")),
                      "filledQuantity": int(answer.get("filledQuantity", order["quantity"])),
                      "filledPrice": str(answer.get("filledPrice", order["limitPrice"]))}
        elif 200 <= status < 300 or (400 <= status < 500 and status != 429):
            result = {"status": "REJECTED",
                      "reason": str(answer.get("error") or answer.get("status") or f"venue answered {status}")}
        else:
            self.logger.warning("venue busy or failing; the order is retried after the visibility timeout",
                                order_id=order_id, status=status)
            return False
        return self._record(order, result)

    def _record(self, order: dict, result: dict) -> bool:
        executed = now()
        values = {":pending": {"S": "PENDING"}, ":status": {"S": result["status"]}, ":at": {"S": executed}}
        sets = ["#status = :status", "executedAt = :at", "updatedAt = :at"]
        for name, value in result.items():
            if name != "status":
                values[f":{name}"] = {"N": str(value)} if name == "filledQuantity" else {"S": value}
                sets.append(f"{name} = :{name}")
        try:
            self.clients.get("dynamodb").update_item(
                TableName=self.table, Key={TABLE_KEY: {"S": order["orderId"]}},
                UpdateExpression="SET " + ", ".join(sets), ConditionExpression="#status = :pending",
                ExpressionAttributeNames={"#status": "status"}, ExpressionAttributeValues=values)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            self.logger.info("order finished by another delivery; result dropped", order_id=order["orderId"])
            return True
        event = {"type": f"Order{result['status'].title()}", "orderId": order["orderId"], **result,
                 "executedAt": executed, "requestId": request_id.get()}
        self.clients.get("sns").publish(
            TopicArn=self.settings.get(contract.EVENTS_TOPIC_ARN), Message=json.dumps(event),
            MessageAttributes={"type": {"DataType": "String", "StringValue": event["type"]},
                               "requestId": {"DataType": "String", "StringValue": event["requestId"]}})
        self.logger.info(f"order {result['status'].lower()}", order_id=order["orderId"], **result)
        return True


class Consumer:
    """Long-polls the queue on one thread; `stop()` ends it after the current poll and message."""

    def __init__(self, executor: Executor, clients: Clients, logger: JsonLogger, wait: int):
        self.executor = executor
        self.logger = logger
        self.wait = wait
        # A long poll holds the connection for up to `wait` seconds: the read timeout must outlast it.
        self.sqs = clients.get("sqs", Config(connect_timeout=2, read_timeout=wait + 10,
                                              retries={"max_attempts": 2, "mode": "standard"}))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="orders-consumer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.wait + 15)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def run(self) -> None:
        self.logger.info("consuming orders", wait_seconds=self.wait)
        while not self._stop.is_set():
            self.poll()

    def poll(self) -> None:
        try:
            messages = self.sqs.receive_message(
                QueueUrl=self.executor.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=self.wait,
                MessageAttributeNames=["All"]).get("Messages", [])
        except (BotoCoreError, ClientError) as error:
            self.logger.error("receiving from the orders queue failed", error=type(error).__name__)
            self._stop.wait(ERROR_BACKOFF_SECONDS)
            return
        for message in messages:
            try:
                self.executor.handle(message)
            except Exception as error:  # one bad order must not stop the consumer; the message comes back
                self.logger.error("message failed; it returns after the visibility timeout",
                                  message_id=message["MessageId"], error=type(error).__name__)


class Service:
    def __init__(self, settings: Settings, logger: JsonLogger, clients: Clients, consumer: Consumer | None):
        self.settings = settings
        self.logger = logger
        self.clients = clients
        self.consumer = consumer  # None when unconfigured; then health never runs checks

    def execution(self, request: Request) -> Response:
        order_id = request.params["order_id"]
        item = self.clients.get("dynamodb").get_item(
            TableName=self.settings.get(contract.TRADES_TABLE_NAME), Key={TABLE_KEY: {"S": order_id}},
            ConsistentRead=True).get("Item")
        if item is None:
            raise HttpError(404, f"no order {order_id}")
        execution = {"orderId": order_id, **{name: item[name].get("S", item[name].get("N"))
                                             for name in EXECUTION_FIELDS if name in item}}
        if "filledQuantity" in execution:  # the only number here; prices stay exact text
            execution["filledQuantity"] = int(execution["filledQuantity"])
        return Response.json(200, execution)

    def queue_check(self) -> str | None:
        queue = self.settings.get(contract.ORDERS_QUEUE_URL)
        try:
            self.clients.get("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
        except ClientError as error:
            return f"orders queue {queue}: {error.response['Error']['Code']}"
        except BotoCoreError as error:
            return f"orders queue {queue}: {type(error).__name__}"
        return None

    def consumer_check(self) -> str | None:
        return None if self.consumer.alive else "the queue consumer is not running"

    def api_key_check(self) -> str | None:
        """Names the entries and the host, never a key."""
        if self.consumer.executor.api_key is not None:
            return None
        names = ", ".join(sorted(json.loads(self.settings.get(contract.THIRD_PARTY_API_KEYS))))
        host = urlsplit(self.consumer.executor.venue_url).hostname
        return f"{contract.THIRD_PARTY_API_KEYS} holds keys for {names} but none for the venue host {host}"


def build(settings: Settings, logger: JsonLogger, environ: Mapping[str, str], clients: Clients | None = None) -> Built:
    clients = clients or Clients(environ)
    consumer = None
    if settings.ok:  # without a queue URL there is nothing to consume; health already says why
        consumer = Consumer(Executor(settings, logger, clients), clients, logger, wait_seconds(environ))
    service = Service(settings, logger, clients, consumer)
    checks = {"ordersQueue": service.queue_check}
    if consumer:
        checks["consumer"] = service.consumer_check
        checks["venueApiKey"] = service.api_key_check
    app = App(settings, logger, [("GET", f"/executions/(?P<order_id>{ORDER_ID})", service.execution)], checks)
    return Built(app, [consumer] if consumer else [])
