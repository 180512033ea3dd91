"""The services program, run for real under the offline plan's mocks, one stack per catalog service.

Upstream outputs come from `upstream_fixture`: what network, registry and platform export per
shared/contracts.py, with realistic ids and ARNs (account 123456789012), so these tests do not depend on the
upstream programs; `test_full_environment_*` run the real chain.
"""
from __future__ import annotations

import json

import pytest

from shared import catalog
from shared.catalog import SERVICES, Secret, Store
from shared.stacks import stack_reference_name
from tools.plan.mocks import ACCOUNT_ID, REGION, StackOutputs
from tools.plan.runner import PlanError

ARN = f"{REGION}:{ACCOUNT_ID}"


def upstream_fixture(environment: str, services=SERVICES, *, drop: tuple[str, str] | None = None) -> dict:
    """Outputs of network, registry and platform for `environment`, keyed by StackReference name.
    `drop=(output, entry)` removes one entry of a map output (an upstream deployed from an older catalog)."""
    names = [s.name for s in services]
    network = {
        "vpcId": "vpc-0a1b2c3d4e5f60718",
        "privateSubnetIds": ["subnet-0aaa0000000000001", "subnet-0bbb0000000000002", "subnet-0ccc0000000000003"],
    }
    registry = {
        "repositoryUrls": {n: f"{ACCOUNT_ID}.dkr.ecr.{REGION}.amazonaws.com/{n}-{environment}" for n in names},
        "repositoryArns": {n: f"arn:aws:ecr:{ARN}:repository/{n}-{environment}" for n in names},
        "kmsKeyArn": f"arn:aws:kms:{ARN}:key/11111111-2222-3333-4444-555555555555",
    }
    platform = {
        "environmentSuffix": environment,
        "clusterName": f"cluster-{environment}",
        "clusterArn": f"arn:aws:ecs:{ARN}:cluster/cluster-{environment}",
        "serviceListenerArn": (f"arn:aws:elasticloadbalancing:{ARN}:listener/app/alb-{environment}/"
                               "50dc6c495c0c9188/f2f7dc8efc522ab2"),
        "albArnSuffix": f"app/alb-{environment}/50dc6c495c0c9188",
        "namespaceId": "ns-abcdefgh12345678",
        "namespaceName": f"trading-{environment}.internal",
        "serviceSecurityGroupIds": {n: f"sg-0{i}f00000000000000" for i, n in enumerate(names)},
        "kmsKeyArn": f"arn:aws:kms:{ARN}:key/99999999-8888-7777-6666-555555555555",
        "secretArns": {s.value: f"arn:aws:secretsmanager:{ARN}:secret:{s.value.lower()}-{environment}-AbCdEf"
                       for s in Secret},
        "storeNames": {
            Store.ASSETS_BUCKET.value: f"s3-assets-{environment}-20261125",
            Store.TRADES_TABLE.value: f"ddb-trades-{environment}",
            Store.ORDERS_QUEUE.value: f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/sqs-orders-{environment}",
            Store.EVENTS_TOPIC.value: f"arn:aws:sns:{ARN}:sns-events-{environment}",
        },
        "storeArns": {
            Store.ASSETS_BUCKET.value: f"arn:aws:s3:::s3-assets-{environment}-20261125",
            Store.TRADES_TABLE.value: f"arn:aws:dynamodb:{ARN}:table/ddb-trades-{environment}",
            Store.ORDERS_QUEUE.value: f"arn:aws:sqs:{ARN}:sqs-orders-{environment}",
            Store.EVENTS_TOPIC.value: f"arn:aws:sns:{ARN}:sns-events-{environment}",
        },
        "alarmTopicArn": f"arn:aws:sns:{ARN}:sns-alarms-{environment}",
    }
    outputs = {"network": network, "registry": registry, "platform": platform}
    if drop:
        key, entry = drop
        for values in outputs.values():
            if key in values:
                values[key] = {k: v for k, v in values[key].items() if k != entry}
    return {stack_reference_name(project, environment): StackOutputs(values, [])
            for project, values in outputs.items()}


SERVICE_TYPE = "aws:ecs/service:Service"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
RULE = "aws:lb/listenerRule:ListenerRule"
DISCOVERY = "aws:servicediscovery/service:Service"
SCALING_TARGET = "aws:appautoscaling/target:Target"
SCALING_POLICY = "aws:appautoscaling/policy:Policy"
SCHEDULE = "aws:appautoscaling/scheduledAction:ScheduledAction"
STACKS = [f"{s.name}-{env}" for s in SERVICES for env in ("dev", "prod")]
BLUE_GREEN_STACKS = ["frontend-prod"]  # the committed stack files' choice (issue 7)
ROLLING_STACKS = [n for n in STACKS if n not in BLUE_GREEN_STACKS]
KMS_VIA = {"s3": "s3", "dynamodb": "dynamodb", "sqs": "sqs", "sns": "sns"}


@pytest.fixture(scope="module")
def planned(once_per_run):
    """Every committed service stack, planned once per run against the upstream fixture."""
    from shared.stacks import StackId
    from tests.conftest import Stack
    from tools.plan.runner import run_stack

    plans = once_per_run("services-on-the-upstream-fixture", lambda: {
        stack: run_stack(StackId("services", stack), upstream_fixture(stack.rsplit("-", 1)[1])) for stack in STACKS})
    return {stack: Stack(plan) for stack, plan in plans.items()}


def service_of(stack: str):
    return next(s for s in SERVICES if stack.startswith(f"{s.name}-") and stack[len(s.name) + 1:] in ("dev", "prod"))


def container(stack) -> dict:
    [definition] = json.loads(stack.one(TASKDEF).inputs["containerDefinitions"])
    return definition


def statements(registration) -> dict[str, dict]:
    return {s["Sid"]: s for s in json.loads(registration.inputs["policy"])["Statement"]}


def role_policy(stack, suffix: str):
    return next(r for r in stack.of_type(ROLE_POLICY) if r.name.endswith(suffix))


# Sizes a stack file sets for its environment (services:cpu/memory); every other stack runs the catalog's size.
STACK_SIZES = {"processing-service-dev": ("1024", "2048")}


@pytest.mark.parametrize("name", STACKS)
def test_task_definition_is_fargate_awsvpc_with_the_stack_or_catalog_size(planned, name):
    service, stack = service_of(name), planned[name]
    task = stack.one(TASKDEF)
    expected = STACK_SIZES.get(name, (str(service.cpu), str(service.memory)))
    assert (task.inputs["cpu"], task.inputs["memory"]) == expected
    assert task.inputs["networkMode"] == "awsvpc" and task.inputs["requiresCompatibilities"] == ["FARGATE"]
    assert task.inputs["family"] == f"td-{name}"
    assert task.inputs["volumes"] == [{"name": "tmp"}]
    # What build-push builds the images for (tools/release.py, linux/amd64): on another platform they would not start.
    assert task.inputs["runtimePlatform"] == {"operatingSystemFamily": "LINUX", "cpuArchitecture": "X86_64"}
    # The agent starts the task as the execution role; the application calls AWS as the task role.
    roles = {r.name: r.state["arn"] for r in stack.of_type(ROLE)}
    assert task.inputs["executionRoleArn"] == roles[f"{service.name}-execution-role"]
    assert task.inputs["taskRoleArn"] == roles[f"{service.name}-task-role"]
    # The container logs to the group by name, not by reference: without the dependency a first deploy could start
    # tasks before the group exists, and awslogs refuses to start them.
    assert stack.one(LOG_GROUP).urn in task.dependencies
    definition = container(stack)
    env = name.rsplit("-", 1)[1]
    assert definition["image"] == f"{ACCOUNT_ID}.dkr.ecr.{REGION}.amazonaws.com/{service.name}-{env}:1.0.0"
    assert definition["portMappings"][0]["containerPort"] == service.port
    assert definition["user"] == "10001:10001" and definition["privileged"] is False
    assert definition["readonlyRootFilesystem"] is True
    options = definition["logConfiguration"]["options"]
    assert options["awslogs-group"] == f"log-{name}" and options["awslogs-stream-prefix"] == service.name
    assert options["mode"] == "non-blocking"
    # SIGTERM then SIGKILL after stopTimeout: long enough for a long poll plus one order, within Fargate's 120 s
    assert definition["stopTimeout"] == 60


@pytest.mark.parametrize("name", STACKS)
def test_secrets_are_exactly_the_catalogs_by_arn_and_none_is_in_the_environment(planned, name):
    service, stack = service_of(name), planned[name]
    env = name.rsplit("-", 1)[1]
    secret_arns = upstream_fixture(env)[stack_reference_name("platform", env)].values["secretArns"]
    definition = container(stack)
    assert definition["secrets"] == [{"name": s.value, "valueFrom": secret_arns[s.value]} for s in service.secrets]
    environment = {e["name"]: e["value"] for e in definition["environment"]}
    assert not set(environment) & {s.value for s in Secret}
    assert not set(environment.values()) & set(secret_arns.values())
    expected = {"SERVICE_NAME", "PORT", "ENVIRONMENT", "AWS_REGION", "LOG_LEVEL"}
    expected |= {catalog.STORE_ENV[a.store] for a in service.stores}
    expected |= {c.url_env for c in catalog.callees(service)}
    expected |= {"VENUE_URL"} if service.external else set()
    assert set(environment) == expected
    for callee in catalog.callees(service):
        assert environment[callee.url_env] == f"http://{callee.name}.trading-{env}.internal:{callee.port}"


@pytest.mark.parametrize("name", STACKS)
def test_execution_role_pulls_logs_and_reads_only_its_own_secrets(planned, name):
    service, stack = service_of(name), planned[name]
    env = name.rsplit("-", 1)[1]
    up = upstream_fixture(env)
    platform = up[stack_reference_name("platform", env)].values
    registry = up[stack_reference_name("registry", env)].values
    found = statements(role_policy(stack, "-execution"))
    expected = {
        "EcrLogin": (["ecr:GetAuthorizationToken"], "*"),
        "PullOwnImage": (["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                         [registry["repositoryArns"][service.name]]),
        "WriteOwnLogs": (["logs:CreateLogStream", "logs:PutLogEvents"],
                         [f"arn:aws:logs:{ARN}:log-group:log-{name}:*"]),
        "ReadOwnSecrets": (["secretsmanager:GetSecretValue"],
                           sorted(platform["secretArns"][s.value] for s in service.secrets)),
        "DecryptSecretsViaSecretsManager": (["kms:Decrypt"], [platform["kmsKeyArn"]]),
    }
    assert {sid: (s["Action"], s["Resource"]) for sid, s in found.items()} == expected
    assert found["DecryptSecretsViaSecretsManager"]["Condition"] == {
        "StringEquals": {"kms:ViaService": [f"secretsmanager.{REGION}.amazonaws.com"]}}


@pytest.mark.parametrize("name", STACKS)
def test_task_role_holds_exactly_the_catalog_store_actions_and_their_kms_needs(planned, name):
    service, stack = service_of(name), planned[name]
    env = name.rsplit("-", 1)[1]
    platform = upstream_fixture(env)[stack_reference_name("platform", env)].values
    parsed = json.loads(role_policy(stack, "-task").inputs["policy"])["Statement"]
    data = [s for s in parsed if not s["Action"][0].startswith("kms:")]
    kms = [s for s in parsed if s["Action"][0].startswith("kms:")]
    granted = {(a, r) for s in data for a in s["Action"] for r in s["Resource"]}
    expected = set()
    for access in service.stores:
        arn = platform["storeArns"][access.store.value]
        resource = f"{arn}/*" if access.store is Store.ASSETS_BUCKET else arn
        expected |= {(action, resource) for action in access.actions}
    assert granted == expected
    # KMS: producers (any write action) GenerateDataKey + Decrypt, readers Decrypt, each via its store's service.
    expected_kms: dict[tuple, set] = {}
    for access in service.stores:
        prefix = access.actions[0].split(":")[0]
        writes = bool(set(access.actions) & catalog.WRITE_ACTIONS)
        key = ("kms:Decrypt", "kms:GenerateDataKey") if writes else ("kms:Decrypt",)
        expected_kms.setdefault(key, set()).add(f"{KMS_VIA[prefix]}.{REGION}.amazonaws.com")
    assert {tuple(s["Action"]): set(s["Condition"]["StringEquals"]["kms:ViaService"]) for s in kms} == expected_kms
    assert all(s["Resource"] == [platform["kmsKeyArn"]] for s in kms)
    assert all("*" not in a for s in parsed for a in s["Action"])
    assert all(s["Resource"] != "*" for s in parsed)


@pytest.mark.parametrize("name", STACKS)
def test_both_roles_trust_only_ecs_tasks_of_this_account(planned, name):
    stack, service = planned[name], service_of(name)
    roles = [r for r in stack.of_type(ROLE) if not r.name.endswith("-ecs-lb-role")]
    # What the IAM console shows an auditor next to each role.
    assert {r.name: r.inputs["description"] for r in roles} == {
        f"{service.name}-execution-role": f"ECS agent starting {service.name}: pull, logs, secrets",
        f"{service.name}-task-role": f"{service.name} application: its catalog data stores only"}
    assert sorted(r.inputs["name"] for r in roles) == sorted(
        [f"role-{service_of(name).name}-exec-{name.rsplit('-', 1)[1]}",
         f"role-{service_of(name).name}-task-{name.rsplit('-', 1)[1]}"])
    for role in roles:
        [trust] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert trust["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
        assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT_ID}
        assert trust["Condition"]["ArnLike"] == {"aws:SourceArn": f"arn:aws:ecs:{ARN}:*"}


@pytest.mark.parametrize("name", STACKS)
def test_log_group_keeps_30_days_encrypted_with_the_platform_key(planned, name):
    group = planned[name].one(LOG_GROUP)
    env = name.rsplit("-", 1)[1]
    assert group.inputs["retentionInDays"] == 30
    assert group.inputs["kmsKeyId"] == upstream_fixture(env)[stack_reference_name("platform", env)].values["kmsKeyArn"]
    assert group.inputs["name"] == f"log-{name}" and group.delete_before_replace is True


@pytest.mark.parametrize("name", ROLLING_STACKS)
def test_ecs_service_rolls_safely_in_private_subnets_and_keeps_the_autoscaled_count(planned, name):
    service, stack = service_of(name), planned[name]
    env = name.rsplit("-", 1)[1]
    up = upstream_fixture(env)
    ecs = stack.one(SERVICE_TYPE)
    inputs = ecs.inputs
    assert inputs["desiredCount"] == 2 and "desiredCount" in ecs.ignore_changes
    assert "launchType" not in inputs
    network = inputs["networkConfiguration"]
    assert network["assignPublicIp"] is False
    assert network["subnets"] == up[stack_reference_name("network", env)].values["privateSubnetIds"]
    assert network["securityGroups"] == [
        up[stack_reference_name("platform", env)].values["serviceSecurityGroupIds"][service.name]]
    assert inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert inputs["deploymentConfiguration"] == {"strategy": "ROLLING"}  # bake time is blue/green's alone
    assert (inputs["deploymentMinimumHealthyPercent"], inputs["deploymentMaximumPercent"]) == (100, 200)
    assert inputs["waitForSteadyState"] is True
    assert ecs.custom_timeouts == {"create": "30m", "update": "30m", "delete": "20m"}
    assert inputs["enableExecuteCommand"] is False
    # Tasks carry the service's tags (cost allocation per team), and ECS's own.
    assert inputs["propagateTags"] == "SERVICE" and inputs["enableEcsManagedTags"] is True
    # A capacity-strategy change must not be refused or turned into a replacement of the service.
    assert inputs["forceNewDeployment"] is True
    assert inputs["taskDefinition"] == stack.one(TASKDEF).state["arn"]
    assert inputs["serviceRegistries"] == {"registryArn": stack.one(DISCOVERY).state["arn"]}
    assert inputs["cluster"] == up[stack_reference_name("platform", env)].values["clusterArn"]


@pytest.mark.parametrize("name, expected", [
    ("frontend-dev", [{"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": 1}]),  # dev: Spot only
    ("frontend-prod", [{"capacityProvider": "FARGATE", "base": 2, "weight": 1},
                       {"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": 3}]),
    ("api-gateway-prod", [{"capacityProvider": "FARGATE", "base": 2, "weight": 1},
                          {"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": 3}]),
    ("processing-service-dev", [{"capacityProvider": "FARGATE", "base": 1, "weight": 0},
                                {"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": 1}]),
    ("processing-service-prod", [{"capacityProvider": "FARGATE", "base": 0, "weight": 1}]),
])
def test_capacity_strategy_comes_from_the_stack_config(planned, name, expected):
    assert planned[name].one(SERVICE_TYPE).inputs["capacityProviderStrategies"] == expected


@pytest.mark.parametrize("name", STACKS)
def test_cloud_map_registers_multivalue_a_records_with_a_short_ttl(planned, name):
    discovery = planned[name].one(DISCOVERY)
    env = name.rsplit("-", 1)[1]
    assert discovery.inputs["name"] == service_of(name).name
    assert discovery.inputs["dnsConfig"] == {
        "namespaceId": "ns-abcdefgh12345678", "routingPolicy": "MULTIVALUE", "dnsRecords": [{"type": "A", "ttl": 10}]}
    # An empty block would be dropped by the provider: ECS could not report task health to Cloud Map.
    assert discovery.inputs["healthCheckCustomConfig"] == {"failureThreshold": 1}
    assert planned[name].outputs["discoveryName"] == f"{service_of(name).name}.trading-{env}.internal"


@pytest.mark.parametrize("name", ROLLING_STACKS)
def test_only_public_services_get_a_target_group_and_a_listener_rule(planned, name):
    service, stack = service_of(name), planned[name]
    env = name.rsplit("-", 1)[1]
    ecs = stack.one(SERVICE_TYPE).inputs
    if service.public is None:
        assert stack.of_type(TARGET_GROUP) == [] and stack.of_type(RULE) == []
        assert "loadBalancers" not in ecs and "healthCheckGracePeriodSeconds" not in ecs
        assert stack.outputs["targetGroupArn"] == ""
        return
    group, rule = stack.one(TARGET_GROUP), stack.one(RULE)
    assert group.inputs["targetType"] == "ip" and group.inputs["port"] == service.port
    assert group.inputs["protocol"] == "HTTP"
    assert group.inputs["vpcId"] == "vpc-0a1b2c3d4e5f60718"
    assert group.inputs["healthCheck"]["path"] == service.health_path
    assert group.inputs["deregistrationDelay"] == 30
    assert rule.inputs["priority"] == service.public.priority
    assert rule.inputs["tags"]["Name"] == f"rule-{name}"
    assert rule.inputs["listenerArn"] == \
        upstream_fixture(env)[stack_reference_name("platform", env)].values["serviceListenerArn"]
    assert rule.inputs["conditions"] == [{"pathPattern": {"values": [service.public.path_pattern]}}]
    assert rule.inputs["actions"] == [{"type": "forward", "targetGroupArn": group.state["arn"]}]
    assert ecs["loadBalancers"] == [{"targetGroupArn": group.state["arn"], "containerName": service.name,
                                     "containerPort": service.port}]
    assert ecs["healthCheckGracePeriodSeconds"] == 60
    assert rule.urn in stack.one(SERVICE_TYPE).dependencies  # attached to the ALB before ECS registers tasks
    assert stack.outputs["targetGroupArn"] == group.state["arn"]


@pytest.mark.parametrize("name", STACKS)
def test_cpu_target_tracking_between_two_and_ten_tasks(planned, name):
    stack = planned[name]
    env = name.rsplit("-", 1)[1]
    target, policy_ = stack.one(SCALING_TARGET), stack.one(SCALING_POLICY)
    assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (2, 10)
    assert target.inputs["resourceId"] == f"service/cluster-{env}/svc-{name}"
    assert target.inputs["scalableDimension"] == "ecs:service:DesiredCount"
    config = policy_.inputs["targetTrackingScalingPolicyConfiguration"]
    assert policy_.inputs["policyType"] == "TargetTrackingScaling"
    assert policy_.inputs["name"] == f"scaling-{service_of(name).name}-cpu-{env}"
    assert config["targetValue"] == 70
    assert config["predefinedMetricSpecification"] == {"predefinedMetricType": "ECSServiceAverageCPUUtilization"}
    assert (config["scaleOutCooldown"], config["scaleInCooldown"]) == (60, 300)


@pytest.mark.parametrize("name", [n for n in STACKS if n.endswith("-prod")])
def test_prod_raises_the_minimum_for_market_hours_and_ups_leave_it_alone(planned, name):
    stack = planned[name]
    opening, closing = (stack.one(SCHEDULE, f"{service_of(name).name}-market-{w}") for w in ("open", "close"))
    assert opening.inputs["schedule"] == "cron(0 9 ? * MON-FRI *)"
    assert closing.inputs["schedule"] == "cron(30 16 ? * MON-FRI *)"
    assert opening.inputs["timezone"] == closing.inputs["timezone"] == "America/New_York"
    service = service_of(name).name
    assert (opening.inputs["name"], closing.inputs["name"]) == (f"scaling-{service}-market-open-prod",
                                                                f"scaling-{service}-market-close-prod")
    assert opening.inputs["scalableTargetAction"] == {"minCapacity": 4, "maxCapacity": 10}
    # The close puts back the configured minimum, so the schedule, not `up`, owns the minimum.
    assert closing.inputs["scalableTargetAction"] == {"minCapacity": 2, "maxCapacity": 10}
    assert stack.one(SCALING_TARGET).ignore_changes == ["minCapacity", "maxCapacity"]
    assert opening.urn in closing.dependencies
    # One change at a time on the scalable target: policy, then opening, then closing.
    assert stack.one(SCALING_POLICY).urn in opening.dependencies


@pytest.mark.parametrize("name", [n for n in STACKS if n.endswith("-dev")])
def test_dev_has_no_market_schedule_and_pulumi_owns_the_minimum(planned, name):
    assert planned[name].of_type(SCHEDULE) == []
    assert planned[name].one(SCALING_TARGET).ignore_changes == []


@pytest.mark.parametrize("name", STACKS)
def test_outputs_follow_the_contract(planned, name):
    stack = planned[name]
    outputs = stack.outputs
    assert outputs["serviceName"] == f"svc-{name}"
    assert outputs["serviceArn"] == f"arn:aws:ecs:{ARN}:service/cluster-{name.rsplit('-', 1)[1]}/svc-{name}"
    assert outputs["taskDefinitionArn"].endswith(f"task-definition/td-{name}:1")
    assert outputs["logGroupName"] == f"log-{name}"
    assert outputs["deploymentStrategy"] == ("BLUE_GREEN" if name in BLUE_GREEN_STACKS else "ROLLING")


def project_defaults() -> dict[str, str]:
    """Config of a service stack that has no stack file yet: the Pulumi.yaml defaults only."""
    import yaml

    from shared.stacks import PROJECTS_DIR

    declared = yaml.safe_load((PROJECTS_DIR / "services" / "Pulumi.yaml").read_text())["config"]
    values = {}
    for key, decl in declared.items():
        full = key if ":" in key else f"services:{key}"
        if "value" in decl or "default" in decl:
            raw = decl.get("value", decl.get("default"))
            values[full] = json.dumps(raw) if isinstance(raw, list) else str(raw).lower() \
                if isinstance(raw, bool) else str(raw)
    return values


LEDGER = catalog.Service(
    name="ledger", port=8090, cpu=256, memory=512, owner_team="trading-ledger", callers=("processing-service",),
    secrets=(Secret.DATABASE_URL,),
    stores=(catalog.StoreAccess(Store.TRADES_TABLE, ("dynamodb:GetItem", "dynamodb:Query")),))


def test_a_fourth_catalog_service_gets_its_stack_with_no_code_change(monkeypatch):
    from shared.stacks import StackId
    from tests.conftest import Stack
    from tools.plan.runner import run_stack

    # GIVEN a catalog with a fourth service, and a platform that has (from that catalog) a group for it
    four = catalog.validate_catalog((*SERVICES, LEDGER))
    monkeypatch.setattr(catalog, "SERVICES", four)
    upstream = upstream_fixture("dev", four)
    values = {**project_defaults(), "services:imageTag": "0.1.0"}
    # WHEN its stack `ledger-dev` is planned with nothing but an image tag
    stack = Stack(run_stack(StackId("services", "ledger-dev"), upstream, (values, [])))
    # THEN it gets IAM from its catalog entry, the platform's security group for it, and discovery
    platform = upstream[stack_reference_name("platform", "dev")].values
    execution = statements(role_policy(stack, "-execution"))
    assert execution["ReadOwnSecrets"]["Resource"] == [platform["secretArns"]["DATABASE_URL"]]
    task = statements(role_policy(stack, "-task"))
    assert task["TradesTableAccess"]["Action"] == ["dynamodb:GetItem", "dynamodb:Query"]
    assert task["DecryptFromStores"]["Action"] == ["kms:Decrypt"]
    ecs = stack.one(SERVICE_TYPE).inputs
    assert ecs["networkConfiguration"]["securityGroups"] == [platform["serviceSecurityGroupIds"]["ledger"]]
    assert stack.one(DISCOVERY).inputs["name"] == "ledger"
    assert stack.outputs["discoveryName"] == "ledger.trading-dev.internal"
    assert (stack.one(TASKDEF).inputs["cpu"], stack.one(TASKDEF).inputs["memory"]) == ("256", "512")
    assert stack.one(ROLE, "ledger-task-role").inputs["tags"]["Owner"] == "trading-ledger"
    assert stack.of_type(RULE) == []  # not public
    # ... and its caller learns where it is, also without a code change
    caller = Stack(run_stack(StackId("services", "processing-service-dev"), upstream,
                             ({**values, "services:venueUrl": "https://venue.example.com"}, [])))
    env = {e["name"]: e["value"] for e in container(caller)["environment"]}
    assert env["LEDGER_URL"] == "http://ledger.trading-dev.internal:8090"


def test_a_service_without_stores_gets_no_task_policy_at_all(monkeypatch):
    from shared.stacks import StackId
    from tests.conftest import Stack
    from tools.plan.runner import run_stack

    bare = catalog.Service(name="status-page", port=8095, cpu=256, memory=512, owner_team="trading-ui")
    services = (*SERVICES, bare)
    monkeypatch.setattr(catalog, "SERVICES", services)
    stack = Stack(run_stack(StackId("services", "status-page-dev"), upstream_fixture("dev", services),
                            ({**project_defaults(), "services:imageTag": "0.1.0"}, [])))
    assert [r.name for r in stack.of_type(ROLE_POLICY)] == ["status-page-execution"]
    assert "ReadOwnSecrets" not in statements(role_policy(stack, "-execution"))
    assert container(stack)["secrets"] == []


def test_an_upstream_from_an_older_catalog_fails_the_stack_naming_the_output_entry_and_fix(run_project):
    from tools.plan.runner import PlanError

    with pytest.raises(PlanError) as error:
        run_project("services", "api-gateway-dev",
                    upstream=upstream_fixture("dev", drop=("serviceSecurityGroupIds", "api-gateway")))
    message = str(error.value)
    assert "organization/platform/dev" in message and "serviceSecurityGroupIds" in message
    assert "api-gateway" in message and "redeploy platform" in message


def test_bad_config_fails_the_stack_before_any_resource(run_project):
    from tools.plan.runner import PlanError

    with pytest.raises(PlanError) as error:
        run_project("services", "frontend-dev", {"imageTag": "latest"}, upstream=upstream_fixture("dev"))
    assert "services:imageTag" in str(error.value) and "moving tag" in str(error.value)


def test_ecs_exec_on_a_writable_root_adds_only_the_exec_channel(run_project):
    stack = run_project("services", "frontend-dev", {"readonlyRootFilesystem": "false",
                                                     "enableExecuteCommand": "true"},
                        upstream=upstream_fixture("dev"))
    assert stack.one(SERVICE_TYPE).inputs["enableExecuteCommand"] is True
    assert container(stack)["readonlyRootFilesystem"] is False
    assert statements(role_policy(stack, "-task"))["EcsExecChannel"]["Resource"] == "*"


def test_every_taggable_resource_carries_the_base_tags_with_the_catalog_owner(planned):
    stack = planned["processing-service-prod"]
    tagged = [r for r in stack.resources if "tags" in r.inputs]
    assert {r.type for r in tagged} >= {LOG_GROUP, ROLE, TASKDEF, DISCOVERY, SERVICE_TYPE, SCALING_TARGET}
    for resource in tagged:
        assert resource.inputs["tags"]["Owner"] == "trading-execution"
        assert resource.inputs["tags"]["Environment"] == "prod" and resource.inputs["tags"]["Project"] == "services"


# --- the real chain: network -> registry -> platform -> services ------------------------------------------

@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_full_environment_plans_six_stacks_and_services_read_the_real_platform(environment_plans, environment):
    plans = environment_plans(environment)
    assert list(plans) == [f"network/{environment}", f"registry/{environment}", f"platform/{environment}",
                           *(f"services/{s.name}-{environment}" for s in SERVICES)]
    platform = plans[f"platform/{environment}"].outputs
    registry = plans[f"registry/{environment}"].outputs
    for service in SERVICES:
        stack = plans[f"services/{service.name}-{environment}"]
        ecs = stack.one(SERVICE_TYPE).inputs
        assert ecs["networkConfiguration"]["securityGroups"] == [platform["serviceSecurityGroupIds"][service.name]]
        assert ecs["networkConfiguration"]["subnets"] == plans[f"network/{environment}"].outputs["privateSubnetIds"]
        assert ecs["cluster"] == platform["clusterArn"]
        assert container(stack)["image"] == f"{registry['repositoryUrls'][service.name]}:1.0.0"
        assert container(stack)["secrets"] == [{"name": s.value, "valueFrom": platform["secretArns"][s.value]}
                                               for s in service.secrets]
        assert stack.outputs["discoveryName"] == f"{service.name}.{platform['namespaceName']}"
        if service.public:
            assert stack.one(RULE).inputs["listenerArn"] == platform["serviceListenerArn"]


# --- issue 7: deployment alarms and native blue/green ---------------------------------------------------

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"


def alarms_by_key(stack, service_name: str) -> dict:
    return {r.name.removeprefix(f"{service_name}-alarm-"): r for r in stack.of_type(ALARM)}


@pytest.mark.parametrize("name", STACKS)
def test_alarms_notify_the_platform_topic_and_release_alarms_roll_back(planned, name):
    service, stack = service_of(name), planned[name]
    env = name.rsplit("-", 1)[1]
    topic = upstream_fixture(env)[stack_reference_name("platform", env)].values["alarmTopicArn"]
    found = alarms_by_key(stack, service.name)
    expected = {"cpu-high", "tasks-below-desired"} | ({"target-5xx", "unhealthy-hosts"} if service.public else set())
    assert set(found) == expected
    for key, alarm in found.items():
        assert alarm.inputs["alarmActions"] == [topic] and alarm.inputs["okActions"] == [topic]
        assert alarm.inputs["name"] == f"alarm-{service.name}-{key}-{env}"
        # What the on-call engineer reads in the notification: the service and what went wrong.
        assert alarm.inputs["alarmDescription"].startswith(f"svc-{name}: "), key
        # Every alarm fires above its threshold over three one-minute periods (the 5xx one on two of them).
        assert alarm.inputs["comparisonOperator"] == "GreaterThanThreshold", key
        assert (alarm.inputs["evaluationPeriods"], alarm.inputs["datapointsToAlarm"]) == (
            3, 2 if key == "target-5xx" else 3), key
        # CPU data that stops arriving is itself news; the release alarms stay quiet before the first datapoint.
        assert alarm.inputs["treatMissingData"] == ("missing" if key == "cpu-high" else "notBreaching"), key
    cpu = found["cpu-high"].inputs
    assert cpu["threshold"] == 85 and cpu["metricQueries"][0]["metric"]["dimensions"] == {
        "ClusterName": f"cluster-{env}", "ServiceName": f"svc-{name}"}
    deployment = stack.one(SERVICE_TYPE).inputs["alarms"]
    assert deployment["enable"] is True and deployment["rollback"] is True
    assert sorted(deployment["alarmNames"]) == sorted(found[k].inputs["name"] for k in expected - {"cpu-high"})
    assert {found[k].urn for k in expected - {"cpu-high"}} <= set(stack.one(SERVICE_TYPE).dependencies)


def test_rolling_frontend_alarms_watch_its_one_target_group(planned):
    stack = planned["frontend-dev"]
    group = stack.one(TARGET_GROUP)
    queries = alarms_by_key(stack, "frontend")["target-5xx"].inputs["metricQueries"]
    assert [q["id"] for q in queries] == ["tg0", "result"]
    assert queries[0]["metric"]["dimensions"] == {"LoadBalancer": "app/alb-dev/50dc6c495c0c9188",
                                                  "TargetGroup": group.state["arnSuffix"]}
    assert queries[1]["expression"] == "FILL(tg0, 0)"
    assert stack.one(RULE).ignore_changes == []  # Pulumi owns the rolling rule's action
    assert stack.of_type(ATTACHMENT) == [] and "advancedConfiguration" not in \
        stack.one(SERVICE_TYPE).inputs["loadBalancers"][0]


def test_blue_green_frontend_has_an_alternate_group_and_a_weighted_rule_ecs_may_rewrite(planned):
    stack = planned["frontend-prod"]
    blue, green = stack.one(TARGET_GROUP, "frontend-tg"), stack.one(TARGET_GROUP, "frontend-tg-alternate")
    assert (blue.inputs["name"], green.inputs["name"]) == ("tg-frontend-prod", "tga-frontend-prod")
    for key in ("port", "protocol", "targetType", "vpcId", "healthCheck", "deregistrationDelay"):
        assert blue.inputs[key] == green.inputs[key]
    rule = stack.one(RULE)
    assert rule.inputs["actions"] == [{"type": "forward", "forward": {"targetGroups": [
        {"arn": blue.state["arn"], "weight": 100}, {"arn": green.state["arn"], "weight": 0}]}}]
    assert rule.inputs["priority"] == 1000 and rule.inputs["tags"]["Name"] == "rule-frontend-prod"
    assert rule.ignore_changes == ["actions"]


def test_blue_green_service_points_ecs_at_both_groups_the_rule_and_its_role(planned):
    stack = planned["frontend-prod"]
    ecs = stack.one(SERVICE_TYPE)
    [balancer] = ecs.inputs["loadBalancers"]
    assert balancer["targetGroupArn"] == stack.one(TARGET_GROUP, "frontend-tg").state["arn"]
    assert balancer["advancedConfiguration"] == {
        "alternateTargetGroupArn": stack.one(TARGET_GROUP, "frontend-tg-alternate").state["arn"],
        "productionListenerRule": stack.one(RULE).state["arn"],
        "roleArn": stack.one(ROLE, "frontend-ecs-lb-role").state["arn"],
    }
    assert ecs.inputs["deploymentConfiguration"] == {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": "15"}
    assert isinstance(ecs.inputs["deploymentConfiguration"]["bakeTimeInMinutes"], str)
    # Rolling percentages are not used by blue/green and are not sent.
    assert "deploymentMinimumHealthyPercent" not in ecs.inputs and "deploymentMaximumPercent" not in ecs.inputs
    assert ecs.inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert "desiredCount" in ecs.ignore_changes and ecs.inputs["waitForSteadyState"] is True
    # `up` waits out the 15-minute bake as well as the release itself.
    assert ecs.custom_timeouts == {"create": "45m", "update": "45m", "delete": "20m"}


def test_blue_green_infrastructure_role_is_trusted_by_ecs_and_the_service_waits_for_its_policy(planned):
    stack = planned["frontend-prod"]
    role = stack.one(ROLE, "frontend-ecs-lb-role")
    [trust] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "ecs.amazonaws.com"} and trust["Action"] == "sts:AssumeRole"
    attachment = stack.one(ATTACHMENT)
    assert attachment.inputs == {
        "role": "role-frontend-ecs-lb-prod",
        "policyArn": "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"}
    assert attachment.urn in stack.one(SERVICE_TYPE).dependencies
    assert sorted(r.name for r in stack.of_type(ROLE_POLICY)) == ["frontend-execution", "frontend-task"]


def test_blue_green_alarms_sum_both_target_groups(planned):
    stack = planned["frontend-prod"]
    suffixes = [stack.one(TARGET_GROUP, n).state["arnSuffix"] for n in ("frontend-tg", "frontend-tg-alternate")]
    found = alarms_by_key(stack, "frontend")
    for key, metric in (("target-5xx", "HTTPCode_Target_5XX_Count"), ("unhealthy-hosts", "UnHealthyHostCount")):
        queries = found[key].inputs["metricQueries"]
        assert [q["metric"]["dimensions"]["TargetGroup"] for q in queries[:2]] == suffixes
        assert {q["metric"]["metricName"] for q in queries[:2]} == {metric}
        assert queries[2] == {"id": "result", "expression": "FILL(tg0, 0) + FILL(tg1, 0)",
                              "label": f"{metric} over 2 target group(s)", "returnData": True}


def test_an_optional_test_rule_sends_the_header_to_green_before_production(run_project):
    stack = run_project("services", "frontend-prod", {"blueGreenTestHeader": "X-Release-Test"},
                        upstream=upstream_fixture("prod"))
    test_rule = stack.one(RULE, "frontend-test-rule")
    assert test_rule.inputs["priority"] == 999  # evaluated before the production rule (1000)
    assert test_rule.inputs["tags"]["Name"] == "rule-frontend-test-prod"
    assert test_rule.inputs["conditions"] == [
        {"pathPattern": {"values": ["/*"]}},
        {"httpHeader": {"httpHeaderName": "X-Release-Test", "values": ["green"]}}]
    assert test_rule.ignore_changes == ["actions"]
    advanced = stack.one(SERVICE_TYPE).inputs["loadBalancers"][0]["advancedConfiguration"]
    assert advanced["testListenerRule"] == test_rule.state["arn"]
    assert advanced["productionListenerRule"] == stack.one(RULE, "frontend-rule").state["arn"]


@pytest.mark.parametrize("stack", ["api-gateway-prod", "processing-service-prod"])
def test_blue_green_elsewhere_stops_the_program_with_the_reason(run_project, stack):
    from tools.plan.runner import PlanError

    with pytest.raises(PlanError) as error:
        run_project("services", stack, {"deploymentStrategy": "BLUE_GREEN"}, upstream=upstream_fixture("prod"))
    assert "services:deploymentStrategy" in str(error.value) and "Cloud Map" in str(error.value)


def test_prod_plan_json_shows_the_mode_each_stack_chose(environment_plans, tmp_path):
    from tools.plan.runner import write_plan

    plans = [s.plan for s in environment_plans("prod").values()]
    document = json.loads(write_plan(tmp_path, "prod", plans).read_text())
    modes = {}
    for stack in document["stacks"]:
        if stack["project"] != "services":
            continue
        [ecs] = [r for r in stack["resources"] if r["type"] == SERVICE_TYPE]
        assert ecs["inputs"]["deploymentConfiguration"]["strategy"] == stack["outputs"]["deploymentStrategy"]
        assert "desiredCount" in ecs["ignoreChanges"]
        modes[stack["stack"]] = stack["outputs"]["deploymentStrategy"]
    # frontend's prod stack file chooses blue/green; every other catalog service rolls (the project default)
    assert modes == {f"{s.name}-prod": "BLUE_GREEN" if s.name == "frontend" else "ROLLING" for s in SERVICES}


def test_a_suffix_other_than_the_platforms_stops_the_program_naming_both(run_project):
    # The platform key admits CloudWatch Logs only for log-*-<platform suffix>; a service log group named
    # with another suffix would fail at creation, so the program refuses first.
    with pytest.raises(PlanError) as error:
        run_project("services", "frontend-dev", {"environmentSuffix": "dev-pr42"}, environment="dev")
    message = str(error.value)
    assert "services:environmentSuffix = 'dev-pr42'" in message and "organization/platform/dev" in message
    assert "set services:environmentSuffix to 'dev'" in message


@pytest.mark.parametrize("name", ["frontend-prod", "processing-service-dev"])
def test_the_component_registers_the_services_outputs(planned, name):
    # What the state shows under the component: the stack's exports, a public and an internal service.
    stack = planned[name]
    [component] = stack.of_type("trading:services:TradingService")
    assert component.outputs == {
        "serviceName": f"svc-{name}", "serviceArn": stack.one(SERVICE_TYPE).state["arn"],
        "taskDefinitionArn": stack.one(TASKDEF).state["arn"], "logGroupName": f"log-{name}",
        "discoveryName": f"{service_of(name).name}.trading-{name.rsplit('-', 1)[1]}.internal",
        "targetGroupArn": stack.one(TARGET_GROUP, "frontend-tg").state["arn"] if name == "frontend-prod" else "",
        "deploymentStrategy": "BLUE_GREEN" if name == "frontend-prod" else "ROLLING"}


def test_options_given_to_the_service_reach_it_and_its_children():
    # A caller's options (protect, aliases after a move, a provider) would otherwise be dropped without a word.
    import pulumi

    from shared.components.context import AwsContext
    from shared.components.service import ServiceUpstream, TradingService, TradingServiceArgs
    from shared.settings.pulumi_source import pulumi_config_source
    from shared.settings.services import load_service_settings
    from shared.stacks import StackId
    from tests.conftest import Stack
    from tools.plan.runner import run_stack

    def program():
        settings = load_service_settings(pulumi_config_source(), catalog.SERVICES)
        TradingService(settings.service.name, TradingServiceArgs(
            settings=settings, upstream=ServiceUpstream.read(settings), context=AwsContext.lookup()),
            opts=pulumi.ResourceOptions(protect=True))

    stack = Stack(run_stack(StackId("services", "frontend-dev"), upstream_fixture("dev"), program=program))
    assert stack.one("trading:services:TradingService").protect is True
    owned = [r for r in stack.resources if not r.type.startswith("pulumi:")]
    assert owned and all(r.protect is True for r in owned)
