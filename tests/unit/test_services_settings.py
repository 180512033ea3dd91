"""Settings, container definition and IAM documents of the services project: pure code, table tests."""
from __future__ import annotations

import dataclasses
import json

import pytest

from shared import alarms, iam
from shared.catalog import SERVICES, Secret, Service, Store, StoreAccess
from shared.fargate import parse_capacity_share
from shared.settings import ConfigError, DictConfigSource
from shared.settings.services import DeploymentStrategy, MarketHours, load_service_settings
from shared.stack_config import load_stack_config
from shared.stacks import StackId
from shared.taskdef import (
    ContainerInputs,
    container_definition,
    container_definitions_json,
    environment_variables,
    service_url,
)


def committed(stack: str) -> dict[str, str]:
    """The config a `pulumi up` of `stack` would see: Pulumi.yaml defaults, then the stack file."""
    values, _ = load_stack_config(StackId("services", stack))
    return {k.split(":", 1)[1]: v for k, v in values.items() if k.startswith("services:")}


def settings(stack="frontend-dev", services=SERVICES, secret_keys=(), **changes):
    values = {**committed("frontend-dev"), **changes}
    values = {k: v for k, v in values.items() if v is not None}
    return load_service_settings(DictConfigSource("services", stack, values, frozenset(secret_keys)), services)


def violation(stack="frontend-dev", services=SERVICES, **changes) -> str:
    with pytest.raises(ConfigError) as error:
        settings(stack, services, **changes)
    return str(error.value)


@pytest.mark.parametrize("stack", [f"{s.name}-{env}" for s in SERVICES for env in ("dev", "prod")])
def test_every_committed_stack_file_is_valid_and_selects_its_catalog_service(stack):
    found = load_service_settings(DictConfigSource("services", stack, committed(stack)))
    assert f"{found.service.name}-{found.common.environment}" == stack
    assert found.common.environment_suffix == found.common.environment
    assert found.common.owner_team == found.service.owner_team  # the catalog's team owns the tags
    assert found.image_tag == "1.0.0"
    assert (found.min_capacity, found.max_capacity, found.cpu_target_percent) == (2, 10, 70)
    assert found.readonly_root_filesystem is True and found.enable_execute_command is False


def test_prod_runs_processing_on_demand_only_and_the_others_with_spot_over_an_on_demand_base():
    processing = settings("processing-service-prod", **committed("processing-service-prod"))
    assert processing.capacity_strategy == (("FARGATE", 0, 1),)
    for name in ("frontend", "api-gateway"):
        other = settings(f"{name}-prod", **committed(f"{name}-prod"))
        assert other.capacity_strategy == (("FARGATE", 2, 1), ("FARGATE_SPOT", 0, 3))


def test_dev_trades_availability_for_cost_with_spot():
    # frontend and api-gateway on Spot only; processing keeps one on-demand task and runs at half prod's size
    for name in ("frontend", "api-gateway"):
        assert settings(f"{name}-dev", **committed(f"{name}-dev")).capacity_strategy == (("FARGATE_SPOT", 0, 1),)
    processing = settings("processing-service-dev", **committed("processing-service-dev"))
    assert processing.capacity_strategy == (("FARGATE", 1, 0), ("FARGATE_SPOT", 0, 1))
    assert (processing.cpu, processing.memory) == (1024, 2048)


def test_prod_raises_the_minimum_for_market_hours_and_dev_does_not():
    prod = settings("api-gateway-prod", **committed("api-gateway-prod"))
    assert prod.market_hours == MarketHours(4, "cron(0 9 ? * MON-FRI *)", "cron(30 16 ? * MON-FRI *)",
                                            "America/New_York")
    assert settings("api-gateway-dev", **committed("api-gateway-dev")).market_hours is None


def test_owner_team_and_suffix_may_be_overridden_per_stack():
    found = settings(ownerTeam="trading-oncall", environmentSuffix="dev-pr42")
    assert (found.common.owner_team, found.common.environment_suffix) == ("trading-oncall", "dev-pr42")


def test_callees_come_from_the_catalog_callers():
    assert [s.name for s in settings().callees] == ["api-gateway"]
    assert [s.name for s in settings("api-gateway-dev").callees] == [s.name for s in SERVICES
                                                                     if "api-gateway" in s.callers]
    assert "processing-service" in [s.name for s in settings("api-gateway-dev").callees]
    assert settings("processing-service-dev", venueUrl="https://venue.example.com").callees == ()


@pytest.mark.parametrize("stack, changes, expected", [
    ("frontend-dev", {"imageTag": "latest"}, ["services:imageTag", "'latest'", "moving tag", "1.4.2"]),
    ("frontend-dev", {"imageTag": ""}, ["services:imageTag", "''", "not a Docker image tag", "1.4.2"]),
    ("frontend-dev", {"imageTag": None}, ["services:imageTag", "is not set", "pulumi config set"]),
    ("frontend-dev", {"imageTag": "1.0.0 beta"}, ["services:imageTag", "not a Docker image tag"]),
    # `$` matches before a trailing newline: each pattern must match the whole value (a pasted line end)
    ("frontend-dev", {"imageTag": "1.0.0\n"},
     ["services:imageTag", "'1.0.0\\n'", "not a Docker image tag", "e.g. 1.4.2"]),
    ("frontend-dev", {"marketOpenSchedule": "cron(0 9 ? * MON-FRI *)\n"},
     ["services:marketOpenSchedule", "'cron(0 9 ? * MON-FRI *)\\n'", "weekday cron", "use e.g. cron(0 9"]),
    ("frontend-dev", {"deploymentStrategy": "BLUE_GREEN", "blueGreenTestHeader": "X-Release-Test\n"},
     ["services:blueGreenTestHeader", "'X-Release-Test\\n'", "not an HTTP header name", "e.g. X-Release-Test"]),
    ("processing-service-dev", {"venueUrl": "https://venue.example.com\n"},
     ["services:venueUrl", "'https://venue.example.com\\n'", "must be an https URL", "pulumi config set venueUrl"]),
    ("frontend-dev", {"minCapacity": "6", "maxCapacity": "4", "desiredCount": "4"},
     ["services:minCapacity", "6", "above maxCapacity (4)", "lower minCapacity or raise maxCapacity"]),
    ("frontend-dev", {"maxCapacity": "11"}, ["services:maxCapacity", "11", "outside 2..10", "from 2 to 10"]),
    ("frontend-dev", {"minCapacity": "1", "capacityStrategy": '["FARGATE:0:1"]'},
     ["services:minCapacity", "1", "outside 2..10"]),
    ("frontend-dev", {"desiredCount": "1"}, ["services:desiredCount", "1", "outside 2..10"]),
    ("frontend-dev", {"desiredCount": "9", "maxCapacity": "8"},
     ["services:desiredCount", "9", "outside minCapacity..maxCapacity (2..8)"]),
    ("frontend-dev", {"cpuTargetPercent": "0"}, ["services:cpuTargetPercent", "0", "outside 1..100"]),
    ("frontend-dev", {"cpuTargetPercent": "101"}, ["services:cpuTargetPercent", "101", "outside 1..100"]),
    ("frontend-dev", {"capacityStrategy": '["FARGATE:3:1", "FARGATE_SPOT:0:1"]'},
     ["services:capacityStrategy", "base of 3 tasks, above the autoscaling minimum 2", "lower the base"]),
    ("frontend-dev", {"capacityStrategy": '["FARGATE:1:1", "FARGATE_SPOT:1:1"]'},
     ["services:capacityStrategy", "more than one provider", "on-demand FARGATE entry only"]),
    ("frontend-dev", {"capacityStrategy": '["FARGATE:0:1", "FARGATE:0:2"]'},
     ["services:capacityStrategy", "names a provider twice", "each capacity provider once"]),
    ("frontend-dev", {"capacityStrategy": '["FARGATE:0:0"]'},
     ["services:capacityStrategy", "no entry with a weight above 0"]),
    ("frontend-dev", {"capacityStrategy": '["EC2:0:1"]'},
     ["services:capacityStrategy", "'EC2:0:1'", "PROVIDER:base:weight", "FARGATE_SPOT:0:3"]),
    ("frontend-dev", {"capacityStrategy": '["FARGATE"]'}, ["services:capacityStrategy", "'FARGATE'"]),
    ("frontend-dev", {"capacityStrategy": "[]"}, ["services:capacityStrategy", "is empty", "[FARGATE:0:1]"]),
    ("frontend-dev", {"enableExecuteCommand": "true"},
     ["services:enableExecuteCommand", "True", "root filesystem", "readonlyRootFilesystem", "keep ECS Exec off"]),
    ("frontend-dev", {"marketHoursMinCapacity": "11"}, ["services:marketHoursMinCapacity", "outside 0..10"]),
    ("frontend-dev", {"marketHoursMinCapacity": "2"},
     ["services:marketHoursMinCapacity", "2", "above minCapacity (2)", "or 0 to turn the schedule off"]),
    ("frontend-dev", {"marketHoursMinCapacity": "6", "maxCapacity": "5"},
     ["services:marketHoursMinCapacity", "at most maxCapacity (5)"]),
    ("frontend-dev", {"marketOpenSchedule": "cron(0 9 * * ? *)"},
     ["services:marketOpenSchedule", "weekday cron", "cron(0 9 ? * MON-FRI *)"]),
    ("frontend-dev", {"marketCloseSchedule": "cron(75 16 ? * MON-FRI *)"}, ["services:marketCloseSchedule"]),
    ("frontend-dev", {"marketCloseSchedule": "cron(30 25 ? * MON-FRI *)"}, ["services:marketCloseSchedule"]),
    ("frontend-dev", {"venueUrl": "https://venue.example.com"},
     ["services:venueUrl", "frontend declares no external calls", "remove it"]),
    ("processing-service-dev", {"venueUrl": "http://venue.example.com"},
     ["services:venueUrl", "must be an https URL", "trading venues", "pulumi config set venueUrl"]),
    ("processing-service-dev", {"venueUrl": None}, ["services:venueUrl", "''", "https URL"]),
    ("frontend-dev", {"logLevel": "TRACE"}, ["services:logLevel", "'TRACE'", "DEBUG"]),
    ("frontend-dev", {"deploymentStrategy": "CANARY"}, ["services:deploymentStrategy", "'CANARY'", "BLUE_GREEN"]),
    ("frontend-dev", {"blueGreenBakeMinutes": "1441"}, ["services:blueGreenBakeMinutes", "outside 0..1440"]),
    ("frontend-dev", {"healthCheckGraceSeconds": "601"}, ["services:healthCheckGraceSeconds", "outside 0..600"]),
])
def test_bad_inputs_name_key_value_and_fix(stack, changes, expected):
    message = violation(stack, **changes)
    for fragment in expected:
        assert fragment in message
    assert "Fix:" in message


@pytest.mark.parametrize("stack", ["billing-dev", "frontend", "frontend-", "dev"])
def test_a_stack_name_that_names_no_catalog_service_is_refused(stack):
    message = violation(stack)
    assert f"'{stack}'" in message and "names no catalog service" in message
    assert "frontend, api-gateway, processing-service" in message and "pulumi stack init frontend-dev" in message


def test_an_invalid_fargate_size_in_the_catalog_is_refused_before_any_resource():
    bad = tuple(dataclasses.replace(s, memory=3000) if s.name == "frontend" else s for s in SERVICES)
    message = violation("frontend-dev", bad)
    assert "'cpu=512 memory=3000': is not a Fargate size: memory 3000 is not valid with cpu 512" in message
    assert "(0 keeps the catalog's 512/3000)" in message and "fargate-tasks-size" in message


def test_a_team_sizes_its_service_per_environment_in_its_stack_file():
    assert (settings().cpu, settings().memory) == (512, 1024)  # 0, the default: the catalog's size
    assert (settings(cpu="1024", memory="2048").cpu, settings(cpu="1024", memory="2048").memory) == (1024, 2048)
    assert (settings(memory="4096").cpu, settings(memory="4096").memory) == (512, 4096)  # cpu stays the catalog's
    assert settings(cpu="16384", memory="122880").memory == 122880  # the largest Fargate size


@pytest.mark.parametrize(("changes", "expected"), [
    ({"cpu": "1024"}, "'cpu=1024 memory=1024': is not a Fargate size: memory 1024 is not valid with cpu 1024"),
    ({"cpu": "300", "memory": "1024"}, "cpu 300 is not a Fargate size"),
    ({"cpu": "16385"}, "'services:cpu' = 16385: is outside 0..16384"),
    ({"memory": "122881"}, "'services:memory' = 122881: is outside 0..122880"),
    ({"cpu": "-1"}, "'services:cpu' = -1: is outside 0..16384"),
])
def test_a_size_that_is_not_a_fargate_pair_is_refused_naming_both_keys(changes, expected):
    message = violation(**changes)
    assert expected in message and "(1 problem(s))" in message  # an out-of-range number is not judged as a size


def test_a_secret_image_tag_is_refused_as_plain_configuration():
    with pytest.raises(ConfigError) as error:
        settings(secret_keys=("imageTag",))
    assert "services:imageTag" in str(error.value) and "without --secret" in str(error.value)


def test_every_violation_is_reported_at_once():
    message = violation(imageTag="latest", maxCapacity="12", cpuTargetPercent="0")
    assert "(3 problem(s))" in message


@pytest.mark.parametrize("entry, expected", [
    ("FARGATE:2:1", ("FARGATE", 2, 1)), ("FARGATE_SPOT:0:3", ("FARGATE_SPOT", 0, 3)),
    ("FARGATE:x:1", None), ("fargate:0:1", None), ("FARGATE:0", None),
])
def test_capacity_entries_parse_as_provider_base_weight(entry, expected):
    share = parse_capacity_share(entry)
    assert (None if share is None else (share.provider, share.base, share.weight)) == expected


# --- IAM document builders ---------------------------------------------------------------------------

def test_s3_object_actions_scope_to_objects_and_bucket_actions_to_the_bucket():
    bucket = "arn:aws:s3:::s3-assets-dev"
    assert iam.store_resources(("s3:GetObject",), bucket) == [f"{bucket}/*"]
    assert iam.store_resources(("s3:GetObject", "s3:ListBucket"), bucket) == [bucket, f"{bucket}/*"]
    assert iam.store_resources(("sqs:SendMessage",), "arn:q") == ["arn:q"]


def test_producers_get_generate_data_key_and_readers_only_decrypt():
    assert iam.store_kms_actions(("sqs:SendMessage",)) == ("kms:Decrypt", "kms:GenerateDataKey")
    assert iam.store_kms_actions(("sqs:ReceiveMessage", "sqs:DeleteMessage")) == ("kms:Decrypt",)


def test_execution_policy_without_secrets_has_no_secret_or_kms_statement():
    doc = iam.parse_document(iam.execution_role_policy(region="us-east-1", repository_arn="arn:repo",
                                                       log_group_arn="arn:lg", secret_arns=[], kms_key_arn="arn:k"))
    assert [s.sid for s in doc] == ["EcrLogin", "PullOwnImage", "WriteOwnLogs"]


def test_ecs_exec_channel_is_the_only_star_resource_a_task_role_gets():
    statements = iam.task_role_statements(region="us-east-1", grants=[], kms_key_arn="arn:k", execute_command=True)
    [channel] = statements
    assert channel["Resource"] == "*" and all(a.startswith("ssmmessages:") for a in channel["Action"])
    assert iam.task_role_statements(region="us-east-1", grants=[], kms_key_arn="arn:k") == []


# --- container definition ----------------------------------------------------------------------------

def container_inputs(service: Service, **changes) -> ContainerInputs:
    base = {"service": service, "image": "repo:1.0.0", "environment": "dev", "region": "us-east-1", "log_level": "INFO",
                "log_group": "log-x-dev", "namespace": "trading-dev.internal", "callees": (),
                "secret_arns": {s.value: f"arn:secret:{s.value}" for s in service.secrets},
                "store_values": {a.store.value: f"value-of-{a.store.value}" for a in service.stores},
                "venue_url": "", "readonly_root_filesystem": True}
    return ContainerInputs(**{**base, **changes})


def test_secrets_travel_by_arn_and_never_as_plain_environment():
    processing = SERVICES[2]
    definition = container_definition(container_inputs(processing, venue_url="https://venue.example.com"))
    assert definition["secrets"] == [{"name": "DATABASE_URL", "valueFrom": "arn:secret:DATABASE_URL"},
                                     {"name": "THIRD_PARTY_API_KEYS", "valueFrom": "arn:secret:THIRD_PARTY_API_KEYS"}]
    names = {e["name"] for e in definition["environment"]}
    assert not names & {s.value for s in Secret}
    assert not any("arn:secret" in e["value"] for e in definition["environment"])
    assert {"VENUE_URL", "ORDERS_QUEUE_URL", "TRADES_TABLE_NAME", "EVENTS_TOPIC_ARN"} <= names


def test_callers_get_the_cloud_map_url_of_each_callee():
    frontend, gateway = SERVICES[0], SERVICES[1]
    env = environment_variables(container_inputs(frontend, callees=(gateway,)))
    assert env["API_GATEWAY_URL"] == service_url(gateway, "trading-dev.internal") == \
        "http://api-gateway.trading-dev.internal:8081"


def test_container_runs_non_root_read_only_with_a_writable_tmp_and_non_blocking_logs():
    service = Service(name="ledger", port=9000, cpu=256, memory=512, owner_team="t",
                      stores=(StoreAccess(Store.TRADES_TABLE, ("dynamodb:GetItem",)),))
    definition = container_definition(container_inputs(service))
    assert definition["user"] == "10001:10001" and definition["privileged"] is False
    assert definition["readonlyRootFilesystem"] is True
    assert definition["mountPoints"] == [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}]
    assert definition["logConfiguration"]["options"]["mode"] == "non-blocking"
    assert definition["healthCheck"]["command"][:2] == ["CMD", "python"]  # no curl in slim images
    assert "curl" not in json.dumps(definition["healthCheck"])
    assert definition["secrets"] == []



def test_the_whole_container_definition_as_ecs_reads_it():
    """Every field ECS reads, written out: a misspelt key is silently ignored by ECS (no port mapping, no init
    process, the default 30 s stop timeout), so each is held by name and value."""
    service = Service(name="ledger", port=9000, cpu=256, memory=512, owner_team="t", health_path="/ready",
                      stores=(StoreAccess(Store.TRADES_TABLE, ("dynamodb:GetItem",)),), secrets=(Secret.DATABASE_URL,))
    expected = {
        "name": "ledger",
        "image": "repo:1.0.0",
        "essential": True,
        "user": "10001:10001",
        "privileged": False,
        "readonlyRootFilesystem": False,
        "portMappings": [{"containerPort": 9000, "protocol": "tcp", "name": "ledger"}],
        "environment": [{"name": "AWS_REGION", "value": "us-east-1"}, {"name": "ENVIRONMENT", "value": "dev"},
                        {"name": "LOG_LEVEL", "value": "INFO"}, {"name": "PORT", "value": "9000"},
                        {"name": "SERVICE_NAME", "value": "ledger"},
                        {"name": "TRADES_TABLE_NAME", "value": "value-of-tradesTable"}],
        "secrets": [{"name": "DATABASE_URL", "valueFrom": "arn:secret:DATABASE_URL"}],
        "mountPoints": [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}],
        "healthCheck": {"command": ["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen("
                                    "'http://127.0.0.1:9000/ready', timeout=3)"],
                        "interval": 15, "timeout": 5, "retries": 3, "startPeriod": 30},
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": "log-x-dev", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ledger",
            "mode": "non-blocking", "max-buffer-size": "25m"}},
        "linuxParameters": {"initProcessEnabled": True},
        "stopTimeout": 60,
    }
    inputs = container_inputs(service, readonly_root_filesystem=False)
    assert container_definition(inputs) == expected
    # the task definition's JSON: one container, keys sorted (a stable diff between two plans)
    text = container_definitions_json(inputs)
    assert json.loads(text) == [expected]
    assert text.startswith('[{"environment": [{"name": "AWS_REGION"') and '"user": "10001:10001"}]' in text

# --- issue 7: deployment strategy ---------------------------------------------------------------------

def test_blue_green_is_allowed_for_frontend_with_its_bake_time():
    found = settings("frontend-prod", **committed("frontend-prod"))
    assert found.deployment_strategy == DeploymentStrategy.BLUE_GREEN.value and found.blue_green
    assert found.bake_time_minutes == 15 and found.test_header == ""
    assert settings().blue_green is False


@pytest.mark.parametrize("stack, reasons", [
    ("api-gateway-dev", ["not behind the ALB", "its callers (frontend) reach it through Cloud Map DNS",
                         "green tasks register at once"]),
    ("processing-service-dev", ["not behind the ALB", "its callers (api-gateway)", "use ROLLING"]),
])
def test_blue_green_is_refused_with_the_reason_elsewhere(stack, reasons):
    extra = {"venueUrl": "https://venue.example.com"} if stack.startswith("processing") else {}
    message = violation(stack, deploymentStrategy="BLUE_GREEN", **extra)
    assert "services:deploymentStrategy" in message and "'BLUE_GREEN'" in message
    for reason in reasons:
        assert reason in message


def test_a_public_service_that_others_call_through_cloud_map_is_refused_blue_green():
    called = tuple(dataclasses.replace(s, callers=("api-gateway",)) if s.name == "frontend" else
                   dataclasses.replace(s, callers=()) if s.name == "api-gateway" else s for s in SERVICES)
    message = violation("frontend-dev", called, deploymentStrategy="BLUE_GREEN")
    assert "its callers (api-gateway) reach it through Cloud Map DNS" in message
    assert "not behind the ALB" not in message


@pytest.mark.parametrize("changes, expected", [
    ({"blueGreenTestHeader": "X-Release-Test"}, ["services:blueGreenTestHeader", "deploymentStrategy is ROLLING",
                                                 "set deploymentStrategy to BLUE_GREEN"]),
    ({"deploymentStrategy": "BLUE_GREEN", "blueGreenTestHeader": "X Release"},
     ["services:blueGreenTestHeader", "'X Release'", "not an HTTP header name", "X-Release-Test"]),
])
def test_bad_test_listener_settings_are_refused(changes, expected):
    message = violation(**changes)
    for fragment in expected:
        assert fragment in message


def test_the_test_rule_priority_must_be_free_in_the_catalog():
    neighbour = Service(name="docs", port=8099, cpu=256, memory=512, owner_team="t",
                        public=catalog_route("/docs/*", 999))
    message = violation("frontend-dev", (*SERVICES, neighbour), deploymentStrategy="BLUE_GREEN",
                        blueGreenTestHeader="X-Release-Test")
    assert "needs listener priority 999" in message and "which docs uses" in message
    assert "shared/catalog.py" in message


def test_a_test_header_on_an_internal_service_is_refused_with_blue_green_itself():
    message = violation("processing-service-dev", deploymentStrategy="BLUE_GREEN", blueGreenTestHeader="X-T",
                        venueUrl="https://venue.example.com")
    assert "not behind the ALB" in message


def catalog_route(path: str, priority: int):
    from shared.catalog import PublicRoute

    return PublicRoute(path, priority)


# --- issue 7: alarms as data --------------------------------------------------------------------------

def test_internal_services_get_cpu_and_task_alarms_only():
    specs = alarms.service_alarms(cluster="c", service="svc", cpu_percent=85, load_balancer=None, target_groups=[])
    assert [(s.key, s.deployment) for s in specs] == [("cpu-high", False), ("tasks-below-desired", True)]
    tasks = specs[1]
    assert tasks.metric_queries[-1] == {"id": "result", "expression": "desired - running", "label": "tasks missing",
                                        "return_data": True}
    assert {q["metric"]["metric_name"] for q in tasks.metric_queries[:2]} == {"RunningTaskCount", "DesiredTaskCount"}


def test_target_group_alarms_sum_every_group_of_the_service():
    specs = alarms.service_alarms(cluster="c", service="svc", cpu_percent=85, load_balancer="app/alb/1",
                                  target_groups=["targetgroup/blue/1", "targetgroup/green/2"])
    by_key = {s.key: s for s in specs}
    for key, metric in (("target-5xx", "HTTPCode_Target_5XX_Count"), ("unhealthy-hosts", "UnHealthyHostCount")):
        queries = by_key[key].metric_queries
        assert [q["metric"]["dimensions"] for q in queries[:2]] == [
            {"LoadBalancer": "app/alb/1", "TargetGroup": "targetgroup/blue/1"},
            {"LoadBalancer": "app/alb/1", "TargetGroup": "targetgroup/green/2"}]
        assert all(q["metric"]["metric_name"] == metric and q["return_data"] is False for q in queries[:2])
        assert queries[2]["expression"] == "FILL(tg0, 0) + FILL(tg1, 0)" and queries[2]["return_data"] is True
        assert by_key[key].deployment is True



def metric(query_id: str, namespace: str, name: str, stat: str, dimensions: dict) -> dict:
    """One metric query in the provider's shape, written out for the tables below."""
    return {"id": query_id, "return_data": False,
            "metric": {"namespace": namespace, "metric_name": name, "stat": stat, "period": 60,
                       "dimensions": dimensions}}


def test_every_alarm_of_a_service_behind_the_alb_written_out():
    """What CloudWatch evaluates (namespace, metric, statistic, dimensions, threshold, periods, missing data)
    and which alarms ECS watches during a release: a wrong name or statistic is an alarm that never fires."""
    ecs = {"ClusterName": "cluster-1", "ServiceName": "svc"}
    blue = {"LoadBalancer": "app/alb/1", "TargetGroup": "targetgroup/blue/1"}
    green = {"LoadBalancer": "app/alb/1", "TargetGroup": "targetgroup/green/2"}
    specs = alarms.service_alarms(cluster="cluster-1", service="svc", cpu_percent=85, load_balancer="app/alb/1",
                                  target_groups=["targetgroup/blue/1", "targetgroup/green/2"])
    assert specs == [
        alarms.AlarmSpec(
            "cpu-high", "svc: average CPU above 85% for 3 minutes (scaling is not keeping up)",
            [metric("cpu", "AWS/ECS", "CPUUtilization", "Average", ecs),
             {"id": "result", "expression": "cpu", "label": "CPUUtilization", "return_data": True}],
            "GreaterThanThreshold", 85.0, 3, 3, "missing", deployment=False),
        alarms.AlarmSpec(
            "tasks-below-desired", "svc: fewer tasks running than desired for 3 minutes",
            [metric("running", "ECS/ContainerInsights", "RunningTaskCount", "Average", ecs),
             metric("desired", "ECS/ContainerInsights", "DesiredTaskCount", "Average", ecs),
             {"id": "result", "expression": "desired - running", "label": "tasks missing", "return_data": True}],
            "GreaterThanThreshold", 0.0, 3, 3, "notBreaching", deployment=True),
        alarms.AlarmSpec(
            "target-5xx", "svc: more than 10 5xx a minute from its tasks",
            [metric("tg0", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", blue),
             metric("tg1", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", green),
             {"id": "result", "expression": "FILL(tg0, 0) + FILL(tg1, 0)",
              "label": "HTTPCode_Target_5XX_Count over 2 target group(s)", "return_data": True}],
            "GreaterThanThreshold", 10.0, 3, 2, "notBreaching", deployment=True),
        alarms.AlarmSpec(
            "unhealthy-hosts", "svc: a target failing ALB health checks for 3 minutes",
            [metric("tg0", "AWS/ApplicationELB", "UnHealthyHostCount", "Maximum", blue),
             metric("tg1", "AWS/ApplicationELB", "UnHealthyHostCount", "Maximum", green),
             {"id": "result", "expression": "FILL(tg0, 0) + FILL(tg1, 0)",
              "label": "UnHealthyHostCount over 2 target group(s)", "return_data": True}],
            "GreaterThanThreshold", 0.0, 3, 3, "notBreaching", deployment=True),
    ]

def test_a_value_that_does_not_parse_is_reported_once_not_also_by_the_rules_that_depend_on_it():
    # GIVEN unparsable counts, strategy and flag: each stand-in (0, ROLLING, False) would break a rule that
    # depends on it (desiredCount = 0 outside minCapacity..maxCapacity, the capacity base above minimum 0, a test
    # header "without BLUE_GREEN", the market-hours minimum outside 0..0); THEN only the parse errors are reported
    message = violation(desiredCount="two", minCapacity="many", maxCapacity="lots", deploymentStrategy="PURPLE",
                        blueGreenTestHeader="X-Release-Test", marketHoursMinCapacity="4",
                        readonlyRootFilesystem="maybe", enableExecuteCommand="true")
    assert "(5 problem(s))" in message
    for key, problem in (("desiredCount", "'two': is not an integer"), ("minCapacity", "'many': is not an integer"),
                         ("maxCapacity", "'lots': is not an integer"),
                         ("deploymentStrategy", "'PURPLE': is not a known"),
                         ("readonlyRootFilesystem", "'maybe': is not a boolean")):
        assert f"config 'services:{key}' = {problem}" in message


def test_an_unset_required_key_names_the_command_that_sets_it():
    message = violation(imageTag=None)
    assert ("config 'services:imageTag' = None: is not set. Fix: in projects/services run `pulumi config set "
            "services:imageTag <value> --stack frontend-dev`") in message
    assert "(1 problem(s))" in message  # not also "is not a Docker image tag"


def test_an_empty_owner_team_means_the_catalogs():
    assert committed("frontend-dev")["ownerTeam"] == ""  # the Pulumi.yaml default
    assert settings(ownerTeam="").common.owner_team == SERVICES[0].owner_team


def test_catalog_defaults_fill_plain_keys_only_and_pass_secrets_through():
    from shared.settings.services import _CatalogDefaults
    source = DictConfigSource("services", "frontend-dev", {"ownerTeam": "", "token": "s3cret"}, frozenset({"token"}))
    defaults = _CatalogDefaults(source, {"ownerTeam": "trading-ui", "token": "never"})
    assert defaults.get("ownerTeam") == "trading-ui"
    assert defaults.get_secret("token") == "s3cret" and defaults.is_secret("token")
