"""processing-service: the queue consumer that executes orders, and its internal execution API.

Delivery is at least once, so an order must reach the venue at most once per claim. Each message names an
order; the consumer claims it with a conditional update PENDING -> EXECUTING, and only the delivery that won
the claim calls the venue. The FILLED/REJECTED update is conditional on EXECUTING. A duplicate delivery finds
the order EXECUTING or final and never calls the venue.

What happens to the message:
- final state reached (or the order is already final, or unknown): deleted.
- venue unreachable before the order left (connection refused, DNS) or busy (429/5xx): the claim is released
  (EXECUTING -> PENDING) and the message reappears after the queue's visibility timeout.
- no usable API key: nothing is claimed or sent; the message is left for retry and then the dead-letter queue.
- the venue may hold the order but its answer never came (timeout after sending), or a task died between the
  venue call and the final update: the order stays EXECUTING. A later delivery does NOT send it again (that
  could execute it twice); it logs an error and leaves the message, which reaches the dead-letter queue after
  the redrive policy's receive count. Recovery is reconciliation by a person: ask the venue about the order id
  (sent as the venue's client order id) and set FILLED/REJECTED, or PENDING to let it be executed.
- cannot be parsed: left for the dead-letter queue.

One message is received at a time, so none waits invisible behind a slow one. On SIGTERM the consumer stops
between messages, within STOP_GRACE_SECONDS, which is shorter than the container's stopTimeout. The task role
allows exactly ReceiveMessage/DeleteMessage/ChangeMessageVisibility/GetQueueAttributes, GetItem/UpdateItem and
Publish.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import urlsplit

from appkit import contract
from appkit.aws import Clients
from appkit.client import DEFAULT_TIMEOUT_SECONDS, Unreachable, call
from appkit.logs import JsonLogger, request_id
from appkit.runner import Built
from appkit.settings import Settings
from appkit.web import App, HttpError, Request, Response, incoming_request_id
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

ORDER_ID = r"[0-9a-f]{32}"
TABLE_KEY = contract.TRADES_TABLE_KEY  # holds the order id
WAIT_ENV = "SQS_WAIT_SECONDS"  # optional tuning, not part of the contract: long-poll length (0-20)
DEFAULT_WAIT_SECONDS = 20
ERROR_BACKOFF_SECONDS = 2.0
VENUE_TIMEOUT_SECONDS = DEFAULT_TIMEOUT_SECONDS
# stop() gives the consumer this long to finish its poll and message, then lets the process exit: 10 s less than
# ECS's stopTimeout leaves time for the HTTP server to close and the last log lines to reach CloudWatch.
STOP_GRACE_SECONDS = contract.STOP_TIMEOUT_SECONDS - 10
PENDING, EXECUTING = "PENDING", "EXECUTING"
EXECUTION_FIELDS = ("status", "venueOrderId", "filledQuantity", "filledPrice", "reason", "executedAt")
API_KEY_HEADER = "X-Api-Key"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
        """True when the order reached a final state (delete the message), False to leave the message."""
        dynamodb = self.clients.get("dynamodb")
        item = dynamodb.get_item(TableName=self.table, Key={TABLE_KEY: {"S": order_id}},
                                 ConsistentRead=True).get("Item")
        if item is None:
            self.logger.error("no such order; message dropped", order_id=order_id)
            return True
        status = item["status"]["S"]
        if status == EXECUTING:
            # Either another delivery is at the venue right now, or one died after sending: sending again could
            # execute the order twice. The message stays; once the order is final a later delivery deletes it,
            # otherwise it reaches the dead-letter queue for reconciliation.
            self.logger.error("order is EXECUTING from another delivery; not sent to the venue again",
                              order_id=order_id, updated_at=item.get("updatedAt", {}).get("S"))
            return False
        if status != PENDING:
            self.logger.info("order already processed; duplicate delivery dropped", order_id=order_id, status=status)
            return True
        api_key = self.api_key
        if not api_key:  # health says which entries exist; an empty key would only earn a REJECTED
            self.logger.error("no API key for the venue; message left for retry and then the dead-letter queue",
                              order_id=order_id)
            return False
        order = {"orderId": order_id, "symbol": item["symbol"]["S"], "side": item["side"]["S"],
                 "quantity": int(item["quantity"]["N"]), "limitPrice": item["limitPrice"]["N"]}
        if not self._update(order_id, PENDING, {"status": EXECUTING}):
            self.logger.info("order claimed by another delivery; this one leaves it", order_id=order_id)
            return False
        self.logger.info("executing order", **order)
        try:
            status_code, answer = call("POST", f"{self.venue_url}/orders", order, headers={API_KEY_HEADER: api_key},
                                       timeout=VENUE_TIMEOUT_SECONDS)
        except Unreachable as error:
            if error.maybe_delivered:
                self.logger.error("the venue may have the order but did not answer; left EXECUTING for "
                                  "reconciliation, not re-sent", order_id=order_id, error=str(error))
                return False
            self.logger.warning("venue unreachable; the order is retried after the visibility timeout",
                                order_id=order_id, error=str(error))
            self._release(order_id)
            return False
        answer = answer if isinstance(answer, dict) else {}
        if 200 <= status_code < 300 and answer.get("status") == "FILLED":
            result = {"status": "FILLED", "venueOrderId": str(answer.get("venueOrderId", "")),
                      "filledQuantity": int(answer.get("filledQuantity", order["quantity"])),
                      "filledPrice": str(answer.get("filledPrice", order["limitPrice"]))}
        elif 200 <= status_code < 300 or (400 <= status_code < 500 and status_code != 429):
            result = {"status": "REJECTED",
                      "reason": str(answer.get("error") or answer.get("status") or f"venue answered {status_code}")}
        else:
            self.logger.warning("venue busy or failing; the order is retried after the visibility timeout",
                                order_id=order_id, status=status_code)
            self._release(order_id)
            return False
        return self._record(order, result)

    def _release(self, order_id: str) -> None:
        """Give the claim back so the next delivery executes the order. A failed condition means someone
        (reconciliation) moved it on meanwhile: either way the message is left, so the result is not needed."""
        self._update(order_id, EXECUTING, {"status": PENDING})

    def _update(self, order_id: str, expected: str, fields: Mapping[str, str | int]) -> bool:
        """Set `fields` (and updatedAt) while the order's status is `expected`; False when it is not."""
        values: dict[str, dict] = {":expected": {"S": expected}, ":at": {"S": now()}}
        sets = ["updatedAt = :at"]
        for name, value in fields.items():
            values[f":{name}"] = {"N": str(value)} if isinstance(value, int) else {"S": value}
            sets.append(f"{'#status' if name == 'status' else name} = :{name}")
        try:
            self.clients.get("dynamodb").update_item(
                TableName=self.table, Key={TABLE_KEY: {"S": order_id}},
                UpdateExpression="SET " + ", ".join(sets), ConditionExpression="#status = :expected",
                ExpressionAttributeNames={"#status": "status"}, ExpressionAttributeValues=values)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def _record(self, order: dict, result: dict) -> bool:
        executed = now()
        if not self._update(order["orderId"], EXECUTING, {**result, "executedAt": executed}):
            self.logger.info("order no longer EXECUTING (reconciled elsewhere); result dropped",
                             order_id=order["orderId"])
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
            self._thread.join(timeout=STOP_GRACE_SECONDS)
            if self._thread.is_alive():  # the daemon thread dies with the process, possibly mid-order
                self.logger.error("the consumer did not stop in time; an order it held may be left EXECUTING "
                                  "for reconciliation")

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
                QueueUrl=self.executor.queue_url, MaxNumberOfMessages=1, WaitTimeSeconds=self.wait,
                MessageAttributeNames=["All"]).get("Messages", [])
        except (BotoCoreError, ClientError) as error:
            self.logger.error("receiving from the orders queue failed", error=type(error).__name__)
            self._stop.wait(ERROR_BACKOFF_SECONDS)
            return
        for message in messages:
            if self._stop.is_set():  # stopping during the poll: untouched, it reappears for another task
                self.logger.info("stopping: message left for another consumer", message_id=message["MessageId"])
                break
            try:
                self.executor.handle(message)
            except Exception as error:  # noqa: BLE001 - one bad order must not stop the consumer; it comes back
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
