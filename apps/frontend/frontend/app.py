"""frontend's routes: the page, static assets from the assets bucket, and orders forwarded to api-gateway.

The token is checked here too, so an unauthenticated request stops at the edge, and again by api-gateway,
which does not trust its caller. The page is inline so the image needs no static files of its own; larger
assets live in the platform's bucket (the task role may only `s3:GetObject` there).
"""
from __future__ import annotations

from collections.abc import Mapping

from appkit import auth, contract
from appkit.aws import Clients
from appkit.client import Unreachable, call
from appkit.logs import JsonLogger
from appkit.runner import Built
from appkit.settings import Settings
from appkit.web import App, HttpError, Request, Response
from botocore.exceptions import ClientError

ORDER_ID = r"[0-9a-f]{32}"
ASSET_KEY = r"[A-Za-z0-9][A-Za-z0-9._/-]{0,255}"
# Without s3:ListBucket, S3 answers AccessDenied rather than NoSuchKey for a missing object.
MISSING_OBJECT = frozenset({"NoSuchKey", "AccessDenied", "404", "403"})

PAGE = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Trading</title></head>
<body>
<h1>Submit an order</h1>
<form id="order">
  <label>Token <input name="token" type="password" required></label>
  <label>Symbol <input name="symbol" required></label>
  <label>Side <select name="side"><option>BUY</option><option>SELL</option></select></label>
  <label>Quantity <input name="quantity" type="number" min="1" required></label>
  <label>Limit price <input name="limitPrice" required></label>
  <button>Submit</button>
</form>
<pre id="result"></pre>
<script>
document.getElementById("order").addEventListener("submit", async (event) => {
  event.preventDefault();
  const f = new FormData(event.target);
  const headers = {"Content-Type": "application/json", "Authorization": "Bearer " + f.get("token")};
  const body = JSON.stringify({symbol: f.get("symbol"), side: f.get("side"),
                               quantity: Number(f.get("quantity")), limitPrice: f.get("limitPrice")});
  const answer = await (await fetch("/orders", {method: "POST", headers, body})).json();
  document.getElementById("result").textContent = JSON.stringify(answer, null, 2);
});
</script>
</body></html>
"""


class Frontend:
    def __init__(self, settings: Settings, logger: JsonLogger, clients: Clients):
        self.settings = settings
        self.logger = logger
        self.clients = clients

    def page(self, request: Request) -> Response:
        return Response(200, PAGE, "text/html; charset=utf-8")

    def asset(self, request: Request) -> Response:
        key = request.params["key"]
        if ".." in key.split("/"):
            raise HttpError(404, f"no asset {key}")
        try:
            found = self.clients.get("s3").get_object(Bucket=self.settings.get(contract.ASSETS_BUCKET_NAME), Key=key)
        except ClientError as error:
            if error.response["Error"]["Code"] in MISSING_OBJECT:
                raise HttpError(404, f"no asset {key}") from None
            raise
        return Response(200, found["Body"].read(), found.get("ContentType") or "application/octet-stream")

    def _forward(self, request: Request, method: str, path: str) -> Response:
        auth.trader(request.headers, self.settings.get(contract.JWT_SIGNING_KEY))
        payload = request.json() if method == "POST" else None
        url = f"{self.settings.get(contract.API_GATEWAY_URL)}{path}"
        try:
            status, body = call(method, url, payload, headers={"Authorization": request.headers["Authorization"]})
        except Unreachable as error:
            self.logger.error("api-gateway unreachable", error=str(error))
            raise HttpError(502, "api-gateway is unreachable; try again shortly") from None
        return Response.json(status, body)

    def submit(self, request: Request) -> Response:
        response = self._forward(request, "POST", "/orders")
        self.logger.info("order forwarded", status=response.status)
        return response

    def status(self, request: Request) -> Response:
        return self._forward(request, "GET", f"/orders/{request.params['order_id']}")


def build(settings: Settings, logger: JsonLogger, environ: Mapping[str, str], clients: Clients | None = None) -> Built:
    frontend = Frontend(settings, logger, clients or Clients(environ))
    routes = [
        ("GET", "/", frontend.page),
        ("GET", f"/assets/(?P<key>{ASSET_KEY})", frontend.asset),
        ("POST", "/orders", frontend.submit),
        ("GET", f"/orders/(?P<order_id>{ORDER_ID})", frontend.status),
    ]
    # No dependency probe: the role's only permission is s3:GetObject, and probing api-gateway would let
    # one unhealthy service take every caller out of the load balancer with it.
    return Built(App(settings, logger, routes))
