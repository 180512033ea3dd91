"""The service catalog: its initial content (issue 4's table) and every way `validate_catalog` refuses one."""
from dataclasses import replace

import pytest

from shared.catalog import (
    SERVICES,
    CatalogError,
    ExternalCall,
    PublicRoute,
    Secret,
    Service,
    Store,
    StoreAccess,
    by_name,
    callees,
    validate_catalog,
)

# The three services the catalog started with (issue 4); a fourth one added later changes none of these tests.
FRONTEND, API, PROCESSING = (by_name(n) for n in ("frontend", "api-gateway", "processing-service"))


def svc(name: str, port: int, *callers: str, public: PublicRoute | None = None) -> Service:
    return Service(name=name, port=port, cpu=256, memory=512, owner_team="t", callers=callers, public=public)


def test_initial_catalog_matches_the_table_of_the_issue():
    assert [(s.name, s.cpu, s.memory) for s in SERVICES[:3]] == [
        ("frontend", 512, 1024), ("api-gateway", 1024, 2048), ("processing-service", 2048, 4096)]
    assert FRONTEND.public == PublicRoute("/*", 1000) and API.public is None and PROCESSING.public is None
    assert (FRONTEND.callers, API.callers, PROCESSING.callers) == ((), ("frontend",), ("api-gateway",))
    assert FRONTEND.secrets == API.secrets == (Secret.JWT_SIGNING_KEY,)
    assert PROCESSING.secrets == (Secret.DATABASE_URL, Secret.THIRD_PARTY_API_KEYS)
    assert {a.store: a.actions for a in FRONTEND.stores} == {Store.ASSETS_BUCKET: ("s3:GetObject",)}
    assert {a.store: a.actions for a in API.stores} == {
        Store.TRADES_TABLE: ("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query"),
        Store.ORDERS_QUEUE: ("sqs:SendMessage",), Store.EVENTS_TOPIC: ("sns:Publish",)}
    assert {a.store: set(a.actions) for a in PROCESSING.stores} == {
        Store.ORDERS_QUEUE: {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
                             "sqs:GetQueueAttributes"},
        Store.TRADES_TABLE: {"dynamodb:GetItem", "dynamodb:UpdateItem"}, Store.EVENTS_TOPIC: {"sns:Publish"}}
    assert (FRONTEND.external, API.external) == ((), ())
    assert PROCESSING.external == (ExternalCall("trading venues", 443),)
    assert validate_catalog() is SERVICES


def test_container_contract_and_health_check_need_no_curl():
    assert FRONTEND.contract.user == "10001:10001" and FRONTEND.contract.tmp_path == "/tmp"
    command = API.health_check_command()
    assert command[:3] == ["CMD", "python", "-c"] and "curl" not in " ".join(command)
    assert "http://127.0.0.1:8081/health" in command[3]
    assert PROCESSING.url_env == "PROCESSING_SERVICE_URL"


def test_call_graph_lookups():
    assert callees(FRONTEND) == (API,) and callees(PROCESSING) == ()
    assert PROCESSING in callees(API) and callees(API) == tuple(s for s in SERVICES if "api-gateway" in s.callers)
    assert by_name("api-gateway") is API
    with pytest.raises(CatalogError, match="no service named 'ghost' in the catalog; known: frontend, api-gateway"):
        by_name("ghost")


def test_a_diamond_call_graph_is_not_a_cycle():
    catalog = (svc("a", 8001), svc("b", 8002, "a"), svc("c", 8003, "a"), svc("d", 8004, "b", "c"))
    assert validate_catalog(catalog) == catalog


@pytest.mark.parametrize("catalog, expected", [
    pytest.param((svc("a", 8001), svc("b", 8002, "a", "ghost")),
                 "service 'b': caller 'ghost' is not in the catalog; add it or fix the name", id="unknown-caller"),
    pytest.param((svc("a", 8001, "a"),), "service 'a' lists itself as a caller; remove the self-call", id="self-call"),
    pytest.param((svc("a", 8001, "c"), svc("b", 8002, "a"), svc("c", 8003, "b")),
                 "the call graph has a cycle: a -> b -> c -> a; calls must form a DAG", id="cycle"),
    pytest.param((svc("a", 8001, public=PublicRoute("/*", 100)), svc("b", 8002, public=PublicRoute("/api/*", 100))),
                 "services 'a' and 'b' share listener priority 100; give each public service its own priority",
                 id="same-priority"),
    pytest.param((svc("a", 8001, public=PublicRoute("/*", 50001)),),
                 "service 'a': listener priority 50001 is outside 1..50000", id="priority-range"),
    pytest.param((svc("a", 8001), svc("a", 8002)), "service names repeat", id="same-name"),
    pytest.param((svc("a", 8001), svc("b", 8001)), "container ports repeat", id="same-port"),
    pytest.param((svc("Bad_Name", 8001),), "service 'Bad_Name': name must be lower-case", id="bad-name"),
    pytest.param((svc("alb", 8001),), "service 'alb': the name is reserved for a security group of the platform",
                 id="reserved-name"),
    pytest.param((svc("a", 80),), "service 'a': port 80 must be 1024..65535", id="privileged-port"),
    pytest.param((replace(svc("a", 8001), cpu=256, memory=4096),), "service 'a': memory 4096 is not valid with cpu 256",
                 id="fargate-size"),
    pytest.param((replace(svc("a", 8001), stores=(StoreAccess(Store.TRADES_TABLE, ("sqs:SendMessage",)),)),),
                 "service 'a': actions ['sqs:SendMessage'] on tradesTable must be one or more 'dynamodb:...' actions",
                 id="wrong-store-action"),
    pytest.param((replace(svc("a", 8001), stores=(StoreAccess(Store.ORDERS_QUEUE, ()),)),),
                 "service 'a': actions [] on ordersQueue must be one or more 'sqs:...' actions", id="no-store-action"),
])
def test_bad_catalogs_are_refused_naming_the_service_and_the_fix(catalog, expected):
    with pytest.raises(CatalogError) as error:
        validate_catalog(catalog)
    assert str(error.value).startswith("invalid service catalog:")
    assert expected in str(error.value)
