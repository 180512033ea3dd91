"""api-gateway's routes: submit an order, read its status (with processing-service's execution view).

Flow of `POST /orders`: verify the JWT, validate, put the order as PENDING (conditional on the id being
new), queue `{orderId, requestId}` for processing-service, publish `OrderAccepted`, answer 202 with the id.
The task role allows exactly PutItem/GetItem/Query, SendMessage and Publish (shared/catalog.py); nothing
here needs more.
"""
from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from appkit import auth, contract
from appkit.aws import Clients
from appkit.client import Unreachable, call
from appkit.logs import JsonLogger, request_id
from appkit.runner import Built
from appkit.settings import Settings
from appkit.web import App, HttpError, Request, Response
from botocore.exceptions import BotoCoreError, ClientError

ORDER_ID = r"[0-9a-f]{32}"
TABLE_KEY = contract.TRADES_TABLE_KEY  # holds the order id
SYMBOL = re.compile(r"[A-Z][A-Z0-9.]{0,9}")  # used with fullmatch: `$` accepts a trailing newline
PRICE = re.compile(r"\d{1,9}(\.\d{1,4})?")
SIDES = ("BUY", "SELL")
MAX_QUANTITY = 1_000_000
HEALTH_PROBE_KEY = "health-check"  # a key no order has (ids are 32 hex digits): GetItem proves table + IAM


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_order(payload: object) -> dict:
    """The order fields, or HttpError(400) listing every problem at once."""
    if not isinstance(payload, dict):
        raise HttpError(400, "the body must be a JSON object with symbol, side, quantity and limitPrice")
    problems = []
    symbol = payload.get("symbol")
    if not isinstance(symbol, str) or not SYMBOL.fullmatch(symbol):
        problems.append("symbol must be 1-10 upper-case letters, digits or '.', starting with a letter")
    if payload.get("side") not in SIDES:
        problems.append(f"side must be one of {', '.join(SIDES)}")
    quantity = payload.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 < quantity <= MAX_QUANTITY:
        problems.append(f"quantity must be a whole number from 1 to {MAX_QUANTITY}")
    price = payload.get("limitPrice")
    price_text = price if isinstance(price, str) else repr(price)
    if isinstance(price, bool) or not PRICE.fullmatch(price_text) or float(price_text) <= 0:
        problems.append("limitPrice must be a positive decimal with at most 4 decimal places, e.g. \"101.25\"")
    if problems:
        raise HttpError(400, "; ".join(problems))
    return {"symbol": symbol, "side": payload["side"], "quantity": quantity, "limitPrice": price_text}


def from_item(item: Mapping[str, Mapping[str, str]]) -> dict:
    """A DynamoDB item as JSON: the table key is the order id, strings stay strings, whole numbers become
    ints and prices stay exact text."""
    out: dict[str, object] = {}
    for name, value in item.items():
        name = "orderId" if name == TABLE_KEY else name
        if "N" in value:
            out[name] = int(value["N"]) if value["N"].lstrip("-").isdigit() else value["N"]
        else:
            out[name] = value["S"]
    return out


class Gateway:
    def __init__(self, settings: Settings, logger: JsonLogger, clients: Clients):
        self.settings = settings
        self.logger = logger
        self.clients = clients

    @property
    def table(self) -> str:
        return self.settings.get(contract.TRADES_TABLE_NAME)

    def submit(self, request: Request) -> Response:
        trader = auth.trader(request.headers, self.settings.get(contract.JWT_SIGNING_KEY))
        order = parse_order(request.json())
        order_id = uuid.uuid4().hex
        rid = request_id.get()
        created = now()
        item = {
            TABLE_KEY: {"S": order_id}, "trader": {"S": trader}, "symbol": {"S": order["symbol"]},
            "side": {"S": order["side"]}, "quantity": {"N": str(order["quantity"])},
            "limitPrice": {"N": order["limitPrice"]}, "status": {"S": "PENDING"}, "createdAt": {"S": created},
            "updatedAt": {"S": created}, "requestId": {"S": rid},
        }
        dynamodb = self.clients.get("dynamodb")
        dynamodb.put_item(TableName=self.table, Item=item, ConditionExpression=f"attribute_not_exists({TABLE_KEY})")
        try:
            self._queue(order_id, trader, rid)
        except (BotoCoreError, ClientError) as error:
            # Without a message nobody would ever execute the order: record it as FAILED (PutItem is the
            # only write the role has) so the trader sees a final state instead of PENDING forever.
            # The error may come after SQS stored the message (a timeout on the answer): the put is conditional
            # on the order still being PENDING, so an order processing-service already claimed is never
            # overwritten, and the trader is not told to submit again what is being executed.
            failed = {**item, "status": {"S": "FAILED"}, "reason": {"S": "the order could not be queued"},
                      "updatedAt": {"S": now()}}
            try:
                dynamodb.put_item(TableName=self.table, Item=failed, ConditionExpression="#status = :pending",
                                  ExpressionAttributeNames={"#status": "status"},
                                  ExpressionAttributeValues={":pending": {"S": "PENDING"}})
            except ClientError as conflict:
                if conflict.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                return self._accepted_anyway(order_id, trader, order, rid, error)
            self.logger.error("order not queued; recorded as FAILED", order_id=order_id, error=type(error).__name__)
            raise HttpError(503, f"order {order_id} could not be queued and was recorded as FAILED; "
                                 "submit it again") from error
        self._publish({"type": "OrderAccepted", "orderId": order_id, "status": "PENDING", "trader": trader,
                       **order, "requestId": rid})
        self.logger.info("order accepted", order_id=order_id, trader=trader, **order)
        return Response.json(202, {"orderId": order_id, "status": "PENDING"})

    def _accepted_anyway(self, order_id: str, trader: str, order: dict, rid: str, error: Exception) -> Response:
        """The queueing error was not the end of the order: processing-service has it, so answer as accepted
        with the status it reached."""
        current = self.clients.get("dynamodb").get_item(
            TableName=self.table, Key={TABLE_KEY: {"S": order_id}}, ConsistentRead=True)["Item"]["status"]["S"]
        self.logger.warning("queueing reported an error but the order is already being processed; "
                            "not recorded as FAILED", order_id=order_id, status=current, error=type(error).__name__)
        self._publish({"type": "OrderAccepted", "orderId": order_id, "status": "PENDING", "trader": trader,
                       **order, "requestId": rid})
        return Response.json(202, {"orderId": order_id, "status": current})

    def _queue(self, order_id: str, trader: str, rid: str) -> None:
        queue_url = self.settings.get(contract.ORDERS_QUEUE_URL)
        extra = {}
        if queue_url.endswith(".fifo"):  # a FIFO queue orders per trader and drops duplicate sends
            extra = {"MessageGroupId": trader, "MessageDeduplicationId": order_id}
        self.clients.get("sqs").send_message(
            QueueUrl=queue_url, MessageBody=json.dumps({"orderId": order_id, "requestId": rid}),
            MessageAttributes={"requestId": {"DataType": "String", "StringValue": rid}}, **extra)

    def _publish(self, event: dict) -> None:
        """Events are notifications: the order is already queued, so a failed publish is logged, not fatal."""
        try:
            self.clients.get("sns").publish(
                TopicArn=self.settings.get(contract.EVENTS_TOPIC_ARN), Message=json.dumps(event),
                MessageAttributes={"type": {"DataType": "String", "StringValue": event["type"]},
                                   "requestId": {"DataType": "String", "StringValue": event["requestId"]}})
        except (BotoCoreError, ClientError) as error:
            self.logger.error("event not published", event=event["type"], order_id=event["orderId"],
                              error=type(error).__name__)

    def status(self, request: Request) -> Response:
        trader = auth.trader(request.headers, self.settings.get(contract.JWT_SIGNING_KEY))
        order_id = request.params["order_id"]
        found = self.clients.get("dynamodb").get_item(TableName=self.table, Key={TABLE_KEY: {"S": order_id}},
                                                      ConsistentRead=True).get("Item")
        # Another trader's order answers exactly like a missing one, so ids cannot be probed.
        if not found or found["trader"]["S"] != trader:
            raise HttpError(404, f"no order {order_id} for this trader")
        order = from_item(found)
        order["execution"] = self._execution(order_id)
        return Response.json(200, order)

    def _execution(self, order_id: str) -> dict | None:
        """processing-service's view of the execution, by its Cloud Map name; None when it cannot say."""
        url = f"{self.settings.get(contract.PROCESSING_SERVICE_URL)}/executions/{order_id}"
        try:
            status, body = call("GET", url)
        except Unreachable as error:
            self.logger.warning("processing-service unreachable; answering without execution details",
                                order_id=order_id, error=str(error))
            return None
        if status != 200:
            self.logger.warning("processing-service has no execution details", order_id=order_id, status=status)
            return None
        return body

    def table_check(self) -> str | None:
        try:
            self.clients.get("dynamodb").get_item(TableName=self.table, Key={TABLE_KEY: {"S": HEALTH_PROBE_KEY}})
        except ClientError as error:
            return f"trades table {self.table}: {error.response['Error']['Code']}"
        except BotoCoreError as error:
            return f"trades table {self.table}: {type(error).__name__}"
        return None


def build(settings: Settings, logger: JsonLogger, environ: Mapping[str, str], clients: Clients | None = None) -> Built:
    gateway = Gateway(settings, logger, clients or Clients(environ))
    routes = [("POST", "/orders", gateway.submit), ("GET", f"/orders/(?P<order_id>{ORDER_ID})", gateway.status)]
    return Built(App(settings, logger, routes, checks={"tradesTable": gateway.table_check}))
