"""frontend: the page, assets from the bucket, and forwarding to api-gateway with the token checked first."""
from __future__ import annotations

import pytest
from appkit.client import Unreachable
from frontend import app as frontend

from shared.catalog import Store
from tests.apps import support
from tests.shared_clients import MOCKED


@pytest.fixture
def harness(stores):
    return support.harness("frontend", frontend.build, stores.environment("frontend"))


def test_the_page_is_served(harness):
    response = harness.call("GET", "/")
    assert (response.status, response.content_type) == (200, "text/html; charset=utf-8")
    assert b'fetch("/orders"' in response.body


def test_assets_come_from_the_assets_bucket(harness):
    response = harness.call("GET", "/assets/styles.css")
    assert (response.status, response.content_type, response.body) == (200, "text/css",
                                                                       b"body { font-family: sans-serif; }\n")


def test_an_asset_without_content_type_is_served_as_bytes(harness, stores):
    MOCKED.client("s3").put_object(
        Bucket=stores.stores.names[Store.ASSETS_BUCKET], Key="blob.bin", Body=b"\x00\x01")
    response = harness.call("GET", "/assets/blob.bin")
    assert (response.status, response.body) == (200, b"\x00\x01")
    assert response.content_type in ("application/octet-stream", "binary/octet-stream")


@pytest.mark.parametrize("path", ["/assets/missing.css", "/assets/css/../secret"])
def test_missing_assets_and_parent_paths_are_404(harness, path):
    assert harness.call("GET", path).status == 404


def test_other_storage_errors_are_a_500_without_details(stores):
    h = support.harness("frontend", frontend.build, stores.environment("frontend", ASSETS_BUCKET_NAME="s3-gone-local"))
    response = h.call("GET", "/assets/styles.css")
    assert response.status == 500 and support.body(response)["error"] == "internal error"
    assert h.lines()[-1]["error"] == "NoSuchBucket"


def test_orders_without_a_token_stop_at_the_edge(harness, monkeypatch):
    monkeypatch.setattr(frontend, "call", lambda *a, **k: pytest.fail("forwarded without a token"))
    assert harness.call("POST", "/orders", {"symbol": "ACME"}).status == 401
    assert harness.call("GET", f"/orders/{'a' * 32}", headers={"Authorization": "Basic x"}).status == 401


def test_orders_are_forwarded_with_the_token(harness, stores, monkeypatch):
    calls = []
    monkeypatch.setattr(frontend, "call", lambda method, url, payload, headers: calls.append(
        (method, url, payload, headers)) or (202, {"orderId": "b" * 32}))
    auth = stores.auth()
    assert harness.call("POST", "/orders", {"symbol": "ACME"}, auth).status == 202
    assert harness.call("GET", f"/orders/{'b' * 32}", headers=auth).status == 202
    gateway = f"http://127.0.0.1:{support.PORTS['api-gateway']}"
    assert calls == [("POST", f"{gateway}/orders", {"symbol": "ACME"}, auth),
                     ("GET", f"{gateway}/orders/{'b' * 32}", None, auth)]


def test_an_unreachable_gateway_is_a_502(harness, stores, monkeypatch):
    def unreachable(method, url, payload, headers):
        raise Unreachable(f"{method} {url} failed: URLError")
    monkeypatch.setattr(frontend, "call", unreachable)
    response = harness.call("POST", "/orders", {"symbol": "ACME"}, stores.auth())
    assert (response.status, support.body(response)) == (
        502, {"error": "api-gateway is unreachable; try again shortly"})
