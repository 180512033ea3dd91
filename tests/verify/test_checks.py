"""Checks one by one: what each reports when a resource is missing, unreadable, or shaped differently."""
from __future__ import annotations

import dataclasses

import pytest
from botocore.stub import Stubber

from shared.catalog import PublicRoute
from tests.verify.conftest import StubbedSession, unreachable, verify
from tests.verify.moto_env import REGION, Environment
from tools.verify.checks import (
    Live,
    _from_secret,
    _path_patterns,
    check_health_probe,
    forwarded_groups,
    run_checks,
    secret_looking,
)
from tools.verify.expected import expected_for
from tools.verify.results import Status, failures


def client(env: Environment, name: str):
    return env.session.client(name, region_name=REGION)


def failed(env: Environment) -> list[tuple[str, str, str, str]]:
    return sorted((r.rule, r.resource, r.message, r.actual) for r in failures(verify(env)))


def test_blue_green_pair_passes_whichever_group_ecs_weighted(dev_env):
    # GIVEN frontend in blue/green: an alternate group, the rule weighting it 100 (ECS shifted traffic)
    elbv2 = client(dev_env, "elbv2")
    outputs = dev_env.service_outputs("frontend")
    alternate = elbv2.create_target_group(Name="tg-frontend-alt-dev", Protocol="HTTP", Port=8080,
                                          VpcId=dev_env.stack("network/dev")["vpcId"], TargetType="ip",
                                          HealthCheckPath="/health")["TargetGroups"][0]["TargetGroupArn"]
    rule = elbv2.describe_rules(ListenerArn=dev_env.stack("platform/dev")["serviceListenerArn"])["Rules"]
    rule_arn = next(r["RuleArn"] for r in rule if r["Priority"] == "1000")
    elbv2.modify_rule(RuleArn=rule_arn, Actions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": [
        {"TargetGroupArn": outputs["targetGroupArn"], "Weight": 0}, {"TargetGroupArn": alternate, "Weight": 100}]}}])
    dev_env.ecs["frontend"].extra = {"loadBalancers": [{
        "targetGroupArn": outputs["targetGroupArn"], "containerName": "frontend", "containerPort": 8080,
        "advancedConfiguration": {"alternateTargetGroupArn": alternate, "productionListenerRule": rule_arn,
                                  "roleArn": "arn:aws:iam::123456789012:role/ecs-infrastructure"}}]}

    assert failed(dev_env) == []

    # WHEN the ECS service no longer names that group as its alternate, the weighted group is foreign
    dev_env.ecs["frontend"].extra = {}
    assert failed(dev_env) == [("routing", "listener rule 1000 (frontend)", "forwards to", f"['{alternate}']")]


def test_missing_listener_rule_and_log_group_are_reported_absent(dev_env):
    elbv2 = client(dev_env, "elbv2")
    rules = elbv2.describe_rules(ListenerArn=dev_env.stack("platform/dev")["serviceListenerArn"])["Rules"]
    elbv2.delete_rule(RuleArn=next(r["RuleArn"] for r in rules if r["Priority"] == "1000"))
    client(dev_env, "logs").delete_log_group(logGroupName="log-frontend-dev")

    assert failed(dev_env) == [
        ("log-retention", "log group log-frontend-dev", "log group", "absent"),
        ("routing", "listener rule 1000 (frontend)",
         f"rule on listener {dev_env.stack('platform/dev')['serviceListenerArn']}", "absent"),
    ]


def test_a_rule_that_forwards_nowhere_fails_routing(dev_env):
    # GIVEN frontend's rule answering with a fixed response only: no forward, so no group at all gets traffic
    # (an empty set is a subset of the service's groups; that is no pass)
    elbv2 = client(dev_env, "elbv2")
    rules = elbv2.describe_rules(ListenerArn=dev_env.stack("platform/dev")["serviceListenerArn"])["Rules"]
    elbv2.modify_rule(RuleArn=next(r["RuleArn"] for r in rules if r["Priority"] == "1000"), Actions=[
        {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "503", "ContentType": "text/plain"}}])

    assert failed(dev_env) == [("routing", "listener rule 1000 (frontend)", "forwards to", "[]")]


def test_log_retention_judges_the_exact_group_not_a_prefix_sibling(dev_env):
    # GIVEN an older group whose name starts with the exported one (DescribeLogGroups filters by prefix)
    logs = client(dev_env, "logs")
    logs.create_log_group(logGroupName="log-frontend-dev-old")
    logs.put_retention_policy(logGroupName="log-frontend-dev-old", retentionInDays=7)
    expected = expected_for(dev_env.document)

    def retention() -> list[tuple[str, str, str, Status]]:
        return [(r.resource, r.message, r.actual, r.status)
                for r in run_checks(dev_env.session, expected, only=["log-retention"])
                if r.resource == "log group log-frontend-dev"]

    assert retention() == [("log group log-frontend-dev", "retentionInDays", "30", Status.PASS)]

    # WHEN the exported group is gone, the sibling does not stand in for it
    logs.delete_log_group(logGroupName="log-frontend-dev")
    assert retention() == [("log group log-frontend-dev", "log group", "absent", Status.FAIL)]


def test_deleted_service_is_reported_inactive(dev_env):
    outputs = dev_env.service_outputs("api-gateway")
    client(dev_env, "ecs").delete_service(cluster=dev_env.stack("platform/dev")["clusterArn"],
                                          service=outputs["serviceArn"], force=True)

    assert failed(dev_env) == [("ecs-status", "ecs service svc-api-gateway-dev", "status", "INACTIVE")]


def test_service_unknown_to_the_cluster_fails_each_service_check_for_it(dev_env):
    # GIVEN outputs naming a service ECS does not know (DescribeServices lists it under `failures`)
    outputs = dev_env.service_outputs("api-gateway")
    outputs["serviceArn"] = outputs["serviceArn"].replace("svc-api-gateway-dev", "svc-api-gateway-gone")

    found = failed(dev_env)

    assert {check for check, *_ in found} == {"ecs-status", "ecs-running", "ecs-deployment", "ecs-network",
                                              "ecs-capacity", "discovery"}
    assert all("api-gateway" in resource for _, resource, *_ in found)
    assert ("ecs-running", "ecs service svc-api-gateway-dev", "service in cluster cluster-dev", "absent") in found
    assert ("discovery", "cloud map service api-gateway.trading-dev.internal",
            "registry of ecs service svc-api-gateway-dev", "[]") in found


def test_an_aws_error_fails_that_resource_only(dev_env):
    client(dev_env, "ecr").delete_repository(repositoryName="ecr-api-gateway-dev", force=True)

    found = failed(dev_env)

    assert len(found) == 1
    check, resource, attribute, actual = found[0]
    assert (check, resource, attribute) == ("ecr", "ecr repository of api-gateway", "read-only AWS call")
    assert "RepositoryNotFoundException" in actual


def test_repository_missing_from_registry_outputs(dev_env):
    del dev_env.stack("registry/dev")["repositoryArns"]["frontend"]
    assert failed(dev_env) == [("ecr", "ecr repository of frontend", "repository in registry outputs", "absent")]


def test_repository_without_customer_key(dev_env):
    ecr = client(dev_env, "ecr")
    ecr.delete_repository(repositoryName="ecr-frontend-dev", force=True)
    ecr.create_repository(repositoryName="ecr-frontend-dev", imageTagMutability="IMMUTABLE",
                          imageScanningConfiguration={"scanOnPush": True})
    assert failed(dev_env) == [("ecr", "ecr repository ecr-frontend-dev", "encryption", "AES256 (no key)")]


def test_scaling_target_and_cpu_policy_missing(dev_env):
    scaling = client(dev_env, "application-autoscaling")
    platform = dev_env.stack("platform/dev")
    frontend = f"service/{platform['clusterName']}/{dev_env.service_outputs('frontend')['serviceName']}"
    gateway = f"service/{platform['clusterName']}/{dev_env.service_outputs('api-gateway')['serviceName']}"
    scaling.deregister_scalable_target(ServiceNamespace="ecs", ResourceId=frontend,
                                       ScalableDimension="ecs:service:DesiredCount")
    scaling.delete_scaling_policy(PolicyName="scaling-api-gateway-cpu-dev", ServiceNamespace="ecs",
                                  ResourceId=gateway, ScalableDimension="ecs:service:DesiredCount")

    assert failed(dev_env) == [
        ("autoscaling", f"scalable target {gateway}", "ECSServiceAverageCPUUtilization target-tracking policy",
         "absent"),
        ("autoscaling", f"scalable target {frontend}", "scalable target", "absent"),
    ]


def test_cloud_map_services_of_another_namespace_do_not_count(dev_env):
    # moto ignores the NAMESPACE_ID filter of ListServices, as a buggy or eventually consistent API could:
    # the verifier re-checks each service's namespace, so a same-named service elsewhere is not enough.
    discovery = client(dev_env, "servicediscovery")
    other_vpc = client(dev_env, "ec2").create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    discovery.create_private_dns_namespace(Name="other.internal", Vpc=other_vpc)
    other = next(n["Id"] for n in discovery.list_namespaces()["Namespaces"] if n["Name"] == "other.internal")
    own = next(s["Id"] for s in discovery.list_services()["Services"] if s["Name"] == "frontend")
    discovery.delete_service(Id=own)
    discovery.create_service(Name="frontend", NamespaceId=other,
                             DnsConfig={"DnsRecords": [{"Type": "A", "TTL": 10}]})

    assert failed(dev_env) == [("discovery", "cloud map service frontend.trading-dev.internal",
                                f"service in namespace {dev_env.stack('platform/dev')['namespaceId']}", "absent")]


def test_data_stores_without_the_platform_key(dev_env):
    # GIVEN stores encrypted another way (or not at all), and one the verifier does not know
    platform = dev_env.stack("platform/dev")
    dynamodb, sqs = client(dev_env, "dynamodb"), client(dev_env, "sqs")
    table = dynamodb.create_table(TableName="ddb-plain-dev", BillingMode="PAY_PER_REQUEST",
                                  AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                                  KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])["TableDescription"]
    queue = sqs.create_queue(QueueName="sqs-plain-dev")["QueueUrl"]
    client(dev_env, "s3").put_bucket_encryption(Bucket="s3-assets-dev", ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    platform["storeArns"].update({
        "tradesTable": table["TableArn"],
        "ordersQueue": sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"],
        "somethingNew": "arn:aws:kinesis:us-east-1:123456789012:stream/new"})

    assert failed(dev_env) == [
        ("encryption", "bucket assetsBucket", "KMS key", "(no customer key)"),
        ("encryption", "queue ordersQueue", "KMS key", "(no customer key)"),
        ("encryption", "table tradesTable", "KMS key", "(no customer key)"),
        ("encryption", "unknown store type kinesis somethingNew", "KMS key", "(no customer key)"),
    ]


def test_secret_missing_from_platform_outputs(dev_env):
    del dev_env.stack("platform/dev")["secretArns"]["JWT_SIGNING_KEY"]
    found = [r for r in failures(verify(dev_env)) if r.rule == "task-secrets"]
    assert {(r.resource, r.message, r.expected) for r in found} == {
        ("task definition td-frontend-dev:1", "secret JWT_SIGNING_KEY valueFrom", "(not in platform outputs)"),
        ("task definition td-api-gateway-dev:1", "secret JWT_SIGNING_KEY valueFrom", "(not in platform outputs)")}


def test_health_probe_of_a_host_name_that_cannot_be_encoded_is_not_verified_and_the_run_goes_on(dev_env):
    # GIVEN an outputs file whose ALB name has a label over 63 characters: the resolver's IDNA encoding
    # raises UnicodeError (a ValueError) locally, before any lookup, so nothing leaves this machine
    host = f"{'a' * 64}.us-east-1.elb.amazonaws.com"
    dev_env.stack("platform/dev")["albDnsName"] = host

    results = verify(dev_env)  # the real probe

    probe = [(r.status, r.message, r.actual) for r in results if r.rule == "health-probe"]
    assert len(probe) == 1
    status, attribute, actual = probe[0]
    assert (status, attribute) == (Status.NOT_VERIFIED, f"GET http://{host}/health")
    assert actual.startswith("not probed: the URL cannot be requested: ") and "label" in actual
    # every other check still ran and reported
    assert failures(results) == [] and {r.rule for r in results} >= {"alb", "routing", "encryption"}


def test_forwarded_groups_reads_plain_and_weighted_forwards_only():
    actions = [
        {"Type": "authenticate-oidc"},
        {"Type": "forward", "TargetGroupArn": "tg-plain"},
        {"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": "blue", "Weight": 0},
                                                               {"TargetGroupArn": "green", "Weight": 100},
                                                               {"TargetGroupArn": "default-weight"}]}},
    ]
    assert forwarded_groups(actions) == ["default-weight", "green", "tg-plain"]


def test_path_patterns_read_both_condition_shapes():
    rule = {"Conditions": [{"Field": "host-header", "Values": ["example.com"]},
                           {"Field": "path-pattern", "Values": ["/legacy/*"]},
                           {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}]}
    assert _path_patterns(rule) == ["/legacy/*", "/api/*"]


@pytest.mark.parametrize("name, value, flagged", [
    ("JWT_SIGNING_KEY", "x", True),            # a catalog secret's name
    ("DB_PASSWORD", "x", True),
    ("STRIPE_API_KEY", "x", True),
    ("GITHUB_TOKEN", "x", True),
    ("CONFIG", "AKIAABCDEFGHIJKLMNOP", True),  # an access key id
    ("CONFIG", "-----BEGIN RSA PRIVATE KEY-----", True),
    ("DATABASE", "postgres://trader:hunter2@db:5432/trades", True),  # credentials in a URL
    ("API_GATEWAY_URL", "http://api-gateway.trading-dev.internal:8081", False),
    ("ORDERS_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/sqs-orders-dev", False),
    ("EVENTS_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:sns-events-dev", False),
    ("LOG_LEVEL", "INFO", False),
])
def test_secret_looking(name, value, flagged):
    assert secret_looking(name, value) is flagged


@pytest.mark.parametrize("value_from, ok", [
    ("arn:aws:secretsmanager:us-east-1:1:secret:jwt-AbC", True),
    ("arn:aws:secretsmanager:us-east-1:1:secret:jwt-AbC:signingKey::", True),  # one JSON key of the secret
    ("arn:aws:secretsmanager:us-east-1:1:secret:jwt-AbCdef", False),           # another secret sharing a prefix
    ("arn:aws:ssm:us-east-1:1:parameter/jwt", False),
    (None, False),
])
def test_value_from_must_name_the_secret(value_from, ok):
    assert _from_secret(value_from, "arn:aws:secretsmanager:us-east-1:1:secret:jwt-AbC") is ok


class TestOnTheEnvironmentAsBuilt:
    """Checks that only read the environment share one (`class_dev_env`); the tests above change
    it and build their own."""

    def test_describe_services_is_asked_at_most_ten_services_at_a_time(self, class_dev_env):
        # GIVEN a catalog grown to 23 services: ECS DescribeServices takes at most 10 per call, so 3 calls
        # (10, 10, 3), each checked by the Stubber against the exact services it must name
        expected = expected_for(class_dev_env.document)
        template = expected.services[0]
        prefix = template.outputs["serviceArn"].rsplit("/", 1)[0]
        arns = [f"{prefix}/svc-service{i:02d}-dev" for i in range(23)]
        many = tuple(dataclasses.replace(template, outputs={**template.outputs, "serviceArn": arn}) for arn in arns)
        expected = dataclasses.replace(expected, services=many)
        ecs = client(class_dev_env, "ecs")
        stubber = Stubber(ecs)
        for chunk in (arns[0:10], arns[10:20], arns[20:]):
            answer = {"services": [{"serviceArn": a, "status": "ACTIVE"} for a in chunk], "failures": []}
            stubber.add_response("describe_services", answer,
                                 {"cluster": expected.platform["clusterArn"], "services": chunk})
        live = Live(StubbedSession(class_dev_env.session, ecs), REGION)

        with stubber:
            found = [live.ecs_service(expected, service) for service in many]
            stubber.assert_no_pending_responses()

        assert [f["serviceArn"] for f in found] == arns

    def test_health_probe_verdict_follows_the_answer(self, class_dev_env):
        expected = expected_for(class_dev_env.document)
        for status, verdict in [(200, Status.PASS), (204, Status.PASS), (503, Status.FAIL), (404, Status.FAIL),
                                (301, Status.FAIL)]:
            asked: list[str] = []

            def answer(url: str, timeout: float, asked: list[str] = asked, status: int = status) -> int:
                asked.append(url)
                return status

            results = run_checks(class_dev_env.session, expected, http_get=answer, only=["health-probe"])

            assert [(r.status, r.actual) for r in results] == [(verdict, str(status))]
            assert asked == [f"http://{class_dev_env.stack('platform/dev')['albDnsName']}/health"]

    def test_health_probe_of_a_service_whose_rule_does_not_route_its_health_path(self, class_dev_env):
        expected = expected_for(class_dev_env.document)
        frontend = expected.services[0]
        moved = dataclasses.replace(frontend.service, public=PublicRoute("/ui/*", 1000))
        moved_frontend = dataclasses.replace(frontend, settings=dataclasses.replace(frontend.settings, service=moved))
        expected = dataclasses.replace(expected, services=(moved_frontend, *expected.services[1:]))

        results = check_health_probe(Live(class_dev_env.session, REGION, unreachable), expected)

        assert [(r.status, r.actual) for r in results] == [(Status.NOT_VERIFIED, "not routed to frontend by its rule "
                                                            "/ui/*")]

    def test_unknown_check_is_refused(self, class_dev_env):
        with pytest.raises(ValueError, match=r"unknown checks \['albb'\]; known: alb, routing"):
            run_checks(class_dev_env.session, expected_for(class_dev_env.document), only=["albb"])
