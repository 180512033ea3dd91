"""The apps' copy of the catalog (`apps/common/appkit/contract.py`) equals what shared/catalog.py says."""
from __future__ import annotations

from appkit import contract

from shared.catalog import CONTRACT, SERVICES, STORE_ENV, Secret, Store, callees
from tests.apps.support import SAMPLE_APPS


def expected_services() -> dict[str, contract.ServiceContract]:
    return {s.name: contract.ServiceContract(
        name=s.name, port=s.port, health_path=s.health_path,
        secrets=tuple(secret.value for secret in s.secrets),
        stores=tuple(STORE_ENV[access.store] for access in s.stores),
        callees=tuple(callee.url_env for callee in callees(s)),
        venue=bool(s.external)) for s in SAMPLE_APPS}


def test_every_sample_app_has_its_catalog_contract_in_the_apps():
    expected = expected_services()
    assert expected == contract.SERVICES, f"update apps/common/appkit/contract.py SERVICES to:\n{expected!r}"


def test_container_contract_names_match_the_catalog():
    assert (CONTRACT.user, CONTRACT.tmp_path) == (contract.USER, contract.TMP_PATH)
    assert [CONTRACT.env_service_name, CONTRACT.env_port, CONTRACT.env_environment, CONTRACT.env_region,
            CONTRACT.env_log_level, CONTRACT.env_venue_url] == [
        contract.SERVICE_NAME, contract.PORT, contract.ENVIRONMENT, contract.AWS_REGION, contract.LOG_LEVEL,
        contract.VENUE_URL]


def test_store_secret_and_callee_names_match_the_catalog():
    assert {Store.ASSETS_BUCKET: contract.ASSETS_BUCKET_NAME, Store.TRADES_TABLE: contract.TRADES_TABLE_NAME,
            Store.ORDERS_QUEUE: contract.ORDERS_QUEUE_URL, Store.EVENTS_TOPIC: contract.EVENTS_TOPIC_ARN} == STORE_ENV
    assert {s.value for s in Secret} == {contract.JWT_SIGNING_KEY, contract.DATABASE_URL, contract.THIRD_PARTY_API_KEYS}
    urls = {s.url_env for s in SERVICES if s.callers}
    assert urls == {contract.API_GATEWAY_URL, contract.PROCESSING_SERVICE_URL}


def test_required_lists_every_variable_once_in_report_order():
    gateway = contract.SERVICES["api-gateway"]
    assert gateway.required == ("SERVICE_NAME", "PORT", "ENVIRONMENT", "AWS_REGION", "TRADES_TABLE_NAME",
                                "ORDERS_QUEUE_URL", "EVENTS_TOPIC_ARN", "PROCESSING_SERVICE_URL", "JWT_SIGNING_KEY")
    assert contract.SERVICES["processing-service"].required[-3:] == ("VENUE_URL", "DATABASE_URL",
                                                                     "THIRD_PARTY_API_KEYS")


def test_the_trades_table_and_queue_match_the_platform_project():
    from shared.components import platform_data
    from tools import local
    assert contract.TRADES_TABLE_KEY == local.TABLE_KEY == platform_data.TRADES_TABLE_KEY
    assert local.VISIBILITY_TIMEOUT_SECONDS == platform_data.ORDERS_VISIBILITY_TIMEOUT_SECONDS
    assert local.MAX_RECEIVE_COUNT == platform_data.ORDERS_MAX_RECEIVES


def test_the_apps_shut_down_within_the_containers_stop_timeout():
    from shared.taskdef import FARGATE_MAX_STOP_TIMEOUT_SECONDS, STOP_TIMEOUT_SECONDS
    assert contract.STOP_TIMEOUT_SECONDS == STOP_TIMEOUT_SECONDS <= FARGATE_MAX_STOP_TIMEOUT_SECONDS


def test_the_task_definition_gives_each_app_exactly_what_it_requires():
    """What the services project puts in each container (shared/taskdef.py) is what the app reads."""
    from shared.catalog import by_name
    from shared.taskdef import ContainerInputs, container_definition
    for name, app in contract.SERVICES.items():
        service = by_name(name)
        inputs = ContainerInputs(
            service=service, image="repo:1.0.0", environment="dev", region="us-east-1", log_level="INFO",
            log_group="log-x-dev", namespace="trading-dev.internal", callees=callees(service),
            secret_arns={s.value: f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{s.value}" for s in Secret},
            store_values={s.value: f"value-of-{s.value}" for s in Store},
            venue_url="https://venue.example.com" if service.external else "", readonly_root_filesystem=True)
        definition = container_definition(inputs)
        given = {e["name"] for e in definition["environment"]} | {s["name"] for s in definition["secrets"]}
        assert given == set(app.required) | {contract.LOG_LEVEL}, name
        assert definition["user"] == contract.USER
        assert definition["mountPoints"][0]["containerPath"] == contract.TMP_PATH
        assert definition["portMappings"][0]["containerPort"] == app.port
        assert definition["stopTimeout"] == contract.STOP_TIMEOUT_SECONDS
