"""The verifier against an environment built in moto: it passes as built, and each seeded deviation fails
exactly the check that owns it (and only for the resource that deviates)."""
from __future__ import annotations

import pytest

from shared.catalog import SERVICES
from tests.verify.conftest import stubbed_session, unreachable, verify
from tests.verify.moto_env import REGION, Environment, build_environment
from tools.verify.checks import CHECKS, run_checks
from tools.verify.expected import expected_for
from tools.verify.results import Status, failures


def client(env: Environment, name: str):
    return env.session.client(name, region_name=REGION)


def test_prod_with_market_hours_passes_and_accepts_the_raised_minimum(mocked_aws):
    # GIVEN prod, whose processing-service raises its minimum during trading hours (stack config)
    env = build_environment(mocked_aws, "prod")
    outputs = env.service_outputs("processing-service")
    platform = env.stack("platform/prod")
    resource_id = f"service/{platform['clusterName']}/{outputs['serviceName']}"
    settings = env.ecs["processing-service"].settings
    assert settings.market_hours is not None
    # WHEN the opening action has run (the minimum is the trading-hours one)
    client(env, "application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs", ResourceId=resource_id, ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=settings.market_hours.min_capacity)

    results = verify(env)

    assert failures(results) == []
    schedules = [r for r in results if r.rule == "autoscaling" and "market-hours" in r.message
                 and "processing-service" in r.resource]
    assert settings.market_hours.open_schedule in schedules[0].actual


# --- seeded deviations: each fails exactly its check ---------------------------------------------------------

def retention_seven_days(env: Environment) -> None:
    client(env, "logs").put_retention_policy(logGroupName=env.service_outputs("api-gateway")["logGroupName"],
                                             retentionInDays=7)


def mutable_tags(env: Environment) -> None:
    client(env, "ecr").put_image_tag_mutability(repositoryName="ecr-frontend-dev", imageTagMutability="MUTABLE")


def public_ip(env: Environment) -> None:
    outputs, platform = env.service_outputs("processing-service"), env.stack("platform/dev")
    client(env, "ecs").update_service(
        cluster=platform["clusterArn"], service=outputs["serviceArn"],
        networkConfiguration={"awsvpcConfiguration": {
            "subnets": env.stack("network/dev")["privateSubnetIds"],
            "securityGroups": [platform["serviceSecurityGroupIds"]["processing-service"]],
            "assignPublicIp": "ENABLED"}})


def circuit_breaker_off(env: Environment) -> None:
    # moto drops deploymentConfiguration: the Stubber serves it (moto_env.ecs_stubber)
    env.ecs["api-gateway"].circuit_breaker = {"enable": False, "rollback": False}


def one_running_task(env: Environment) -> None:
    # moto keeps runningCount at 0: the Stubber serves it (moto_env.ecs_stubber)
    env.ecs["frontend"].running_count = 1


def secret_in_plain_environment(env: Environment) -> None:
    """A deploy that moved the JWT key from `secrets` into plain `environment` (a new revision, in use)."""
    ecs = client(env, "ecs")
    outputs, platform = env.service_outputs("api-gateway"), env.stack("platform/dev")
    task = ecs.describe_task_definition(taskDefinition=outputs["taskDefinitionArn"])["taskDefinition"]
    container = task["containerDefinitions"][0]
    container["environment"].append({"name": "JWT_SIGNING_KEY", "value": "s3cr3t-value"})
    container["secrets"] = []
    revision = ecs.register_task_definition(
        family=task["family"], cpu=task["cpu"], memory=task["memory"], networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"], containerDefinitions=[container])["taskDefinition"]
    ecs.update_service(cluster=platform["clusterArn"], service=outputs["serviceArn"],
                       taskDefinition=revision["taskDefinitionArn"])
    outputs["taskDefinitionArn"] = revision["taskDefinitionArn"]


def max_capacity_twenty(env: Environment) -> None:
    platform = env.stack("platform/dev")
    client(env, "application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs", ScalableDimension="ecs:service:DesiredCount", MaxCapacity=20,
        ResourceId=f"service/{platform['clusterName']}/{env.service_outputs('processing-service')['serviceName']}")


def missing_cloud_map_service(env: Environment) -> None:
    discovery = client(env, "servicediscovery")
    found = next(s for s in discovery.list_services()["Services"] if s["Name"] == "api-gateway")
    discovery.delete_service(Id=found["Id"])


@pytest.mark.parametrize("deviate, check, resource, attribute, expected, actual", [
    (retention_seven_days, "log-retention", "log group log-api-gateway-dev", "retentionInDays", "30", "7"),
    (mutable_tags, "ecr", "ecr repository ecr-frontend-dev", "imageTagMutability", "IMMUTABLE", "MUTABLE"),
    (public_ip, "ecs-network", "ecs service svc-processing-service-dev", "assignPublicIp", "DISABLED", "ENABLED"),
    (circuit_breaker_off, "ecs-deployment", "ecs service svc-api-gateway-dev", "deploymentCircuitBreaker",
     "{'enable': True, 'rollback': True}", "{'enable': False, 'rollback': False}"),
    (one_running_task, "ecs-running", "ecs service svc-frontend-dev", "runningCount", ">= 2", "1"),
    (secret_in_plain_environment, "task-secrets", "task definition td-api-gateway-dev:2", "plain environment",
     "no secret-looking variables", "secret-looking: JWT_SIGNING_KEY (values hidden)"),
    (max_capacity_twenty, "autoscaling", "scalable target service/cluster-dev/svc-processing-service-dev",
     "MaxCapacity", "10", "20"),
    (missing_cloud_map_service, "discovery", "cloud map service api-gateway.trading-dev.internal",
     "service in namespace", "present", "absent"),
], ids=lambda v: getattr(v, "__name__", None))
def test_each_seeded_deviation_fails_exactly_its_check(dev_env, deviate, check, resource, attribute, expected,
                                                       actual):
    deviate(dev_env)

    failed = failures(verify(dev_env))

    assert {r.rule for r in failed} == {check}
    assert {r.resource for r in failed} == {resource}
    finding = next(r for r in failed if r.message.startswith(attribute))
    assert (finding.expected, finding.actual) == (expected, actual)


def test_secret_value_never_reaches_the_report(dev_env):
    secret_in_plain_environment(dev_env)
    results = verify(dev_env)
    assert not any("s3cr3t-value" in f"{r.expected} {r.actual}" for r in results)
    # moving the secret also shows where it went missing from `secrets`
    failed = {r.message for r in failures(results)}
    assert failed == {"secret names", "secret JWT_SIGNING_KEY valueFrom", "plain environment"}


class TestOnTheEnvironmentAsBuilt:
    """The verifier on an environment nobody changed: one shared by these tests (`class_dev_env`); the tests
    above seed deviations into environments of their own."""

    def test_environment_built_as_planned_passes_every_check(self, class_dev_env):
        results = verify(class_dev_env)

        assert failures(results) == []
        assert {r.rule for r in results} == set(CHECKS)
        # the probe cannot reach an ALB from here: reported as not verified, never as passed
        probe = [r for r in results if r.rule == "health-probe"]
        assert [r.status for r in probe] == [Status.NOT_VERIFIED]
        assert "not reachable from here" in probe[0].actual
        assert all(r.status is Status.PASS for r in results if r.rule != "health-probe")
        # every service is looked at by every per-service check
        for name in (s.name for s in SERVICES):
            for check in ("ecs-status", "ecs-running", "ecs-deployment", "ecs-network", "ecs-capacity", "autoscaling",
                          "discovery", "log-retention"):
                assert any(name in r.resource for r in results if r.rule == check), (check, name)

    def test_every_aws_call_the_verifier_makes_is_read_only(self, class_dev_env):
        # GIVEN a session whose clients record every operation before it is sent (or stubbed)
        calls: list[str] = []
        session, stubber = stubbed_session(class_dev_env)

        def record(model, **_):
            calls.append(f"{model.service_model.service_name}:{model.name}")

        make_client = session.client

        def recording_client(name, **kwargs):
            made = make_client(name, **kwargs)
            made.meta.events.register_first("before-call.*.*", record)
            return made

        session.client = recording_client
        with stubber:
            run_checks(session, expected_for(class_dev_env.document), http_get=unreachable)

        assert len(calls) > 20
        assert {c for c in calls if not c.split(":")[1].startswith(("Describe", "Get", "List"))} == set()
        assert {c.split(":")[0] for c in calls} >= {"elbv2", "ecs", "application-autoscaling",
                                                     "servicediscovery", "logs", "ecr", "kms", "dynamodb", "sqs", "sns",
                                                     "s3", "secretsmanager"}
