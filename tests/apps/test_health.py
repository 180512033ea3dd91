"""Health paths: 200 with every setting and dependency there, otherwise 503 naming what is missing."""
from __future__ import annotations

import pytest
from api_gateway.app import build as build_gateway
from appkit import contract
from frontend.app import build as build_frontend
from processing_service.app import build as build_processing

from tests.apps import support

BUILDERS = {"frontend": build_frontend, "api-gateway": build_gateway, "processing-service": build_processing}
CASES = [(name, variable) for name, service in contract.SERVICES.items() for variable in service.required]


@pytest.mark.parametrize("service", sorted(BUILDERS))
def test_health_is_200_when_everything_is_there(stores, service):
    harness = support.harness(service, BUILDERS[service], stores.environment(service, SQS_WAIT_SECONDS="0"))
    for worker in harness.built.workers:  # processing-service's consumer must be running to be healthy
        worker.start()
    try:
        response = harness.call("GET", "/health")
    finally:
        for worker in harness.built.workers:
            worker.stop()
    assert response.status == 200, response.body
    assert support.body(response)["status"] == "ok"


@pytest.mark.parametrize("service,variable", CASES)
def test_health_names_each_missing_variable(service, variable):
    env = support.static().environment(service, **{variable: None})
    harness = support.harness(service, BUILDERS[service], env)
    response = harness.call("GET", "/health")
    assert response.status == 503
    assert support.body(response) == {"status": "unavailable", "service": service, "missing": [variable],
                                      "problems": []}
    # Every other route refuses too, with the same reason, instead of failing halfway.
    refused = harness.call("GET", "/orders/" + "0" * 32) if service != "processing-service" else \
        harness.call("GET", "/executions/" + "0" * 32)
    assert (refused.status, support.body(refused)["missing"]) == (503, [variable])


@pytest.mark.parametrize("override,problem", [
    ({"PORT": "http"}, "PORT='http' is not a port number (1-65535); the catalog's port for api-gateway is 8081"),
    ({"PORT": "70000"}, "PORT='70000' is not a port number"),
    ({"SERVICE_NAME": "frontend"}, "SERVICE_NAME='frontend' but this image is 'api-gateway'"),
    ({"PROCESSING_SERVICE_URL": "processing:8082"}, "PROCESSING_SERVICE_URL='processing:8082' is not an http(s) URL"),
    ({"LOG_LEVEL": "chatty"}, "LOG_LEVEL='CHATTY' is not one of DEBUG, INFO, WARNING, ERROR"),
])
def test_health_names_each_malformed_setting(override, problem):
    harness = support.harness("api-gateway", build_gateway, support.static().environment("api-gateway", **override))
    response = harness.call("GET", "/health")
    assert response.status == 503
    problems = support.body(response)["problems"]
    assert len(problems) == 1 and problems[0].startswith(problem)


def test_log_level_is_optional_and_defaults_to_info():
    harness = support.harness("frontend", build_frontend, support.static().environment("frontend", LOG_LEVEL=None))
    assert harness.app.settings.log_level == "INFO" and harness.app.settings.ok


def test_api_gateway_health_names_a_missing_table(stores):
    env = stores.environment("api-gateway", TRADES_TABLE_NAME="ddb-gone-local")
    response = support.harness("api-gateway", build_gateway, env).call("GET", "/health")
    assert response.status == 503
    assert support.body(response)["dependencies"] == {
        "tradesTable": "trades table ddb-gone-local: ResourceNotFoundException"}


def test_api_gateway_health_names_an_unreachable_endpoint(stores):
    env = stores.environment("api-gateway", AWS_ENDPOINT_URL="http://127.0.0.1:9")
    response = support.harness("api-gateway", build_gateway, env).call("GET", "/health")
    assert support.body(response)["dependencies"]["tradesTable"].endswith("EndpointConnectionError")


def test_processing_health_names_a_missing_queue_and_a_stopped_consumer(stores):
    env = stores.environment("processing-service",
                             ORDERS_QUEUE_URL="https://sqs.us-east-1.amazonaws.com/123456789012/sqs-gone-local")
    response = support.harness("processing-service", build_processing, env).call("GET", "/health")
    assert response.status == 503
    assert support.body(response)["dependencies"] == {
        "ordersQueue": "orders queue https://sqs.us-east-1.amazonaws.com/123456789012/sqs-gone-local: "
                       "AWS.SimpleQueueService.NonExistentQueue",
        "consumer": "the queue consumer is not running"}


def test_processing_health_names_an_unreachable_endpoint(stores):
    env = stores.environment("processing-service", AWS_ENDPOINT_URL="http://127.0.0.1:9")
    response = support.harness("processing-service", build_processing, env).call("GET", "/health")
    assert support.body(response)["dependencies"]["ordersQueue"].endswith("EndpointConnectionError")
