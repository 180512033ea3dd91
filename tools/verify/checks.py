"""Checks of a deployed environment: small functions over a boto3 Session, read-only calls only.

Each check takes a `Live` (the session plus memoised reads) and the `Expected` environment and returns
`Finding`s naming the resource, the attribute, the expected and the actual value. Counts, sizes, zones and
strategies come from `Expected` (stack config and catalog); the few values written here are the platform's
invariants that issues 6 and 9 state for every environment (an internet-facing ALB, no public IP, a circuit
breaker with rollback, immutable scanned repositories, customer-key encryption), each named where it is used.

Reads are memoised in `Live` and ECS is read in a fixed order (all services in `DescribeServices` calls of
at most 10, then each task definition when first needed), so a test can serve ECS through botocore's `Stubber`
in that order.
"""
from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import boto3
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as AwsConnectionError

from shared.catalog import PublicRoute, Secret
from tools.findings import Finding, Status
from tools.verify.expected import Expected, ServiceExpectation
from tools.verify.probe import TIMEOUT_SECONDS, UNREACHABLE, HttpGet, http_status
from tools.verify.results import compare, observed

AWS_ERRORS = (ClientError, BotoCoreError)
# The endpoint could not be reached at all (no network, wrong endpoint, timeouts): nothing was seen, so the
# resource is "not verified", never a failure that would read as drift.
UNREACHABLE_AWS = (AwsConnectionError, HTTPClientError)
DESCRIBE_SERVICES_LIMIT = 10  # ECS DescribeServices accepts at most 10 services per call
SCALABLE_DIMENSION = "ecs:service:DesiredCount"
CPU_METRIC = "ECSServiceAverageCPUUtilization"
# Names and values that look like a credential; a match in a task's plain `environment` is a finding (its
# value is never printed). Catalog secret names are added at check time.
SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|SIGNING_KEY|CREDENTIAL", re.I)
# The AWS APIs the checks read (read-only calls only); a Literal so boto3's typed overloads apply.
AwsService = Literal["application-autoscaling", "dynamodb", "ecr", "ecs", "elbv2", "kms", "logs", "s3",
                     "secretsmanager", "servicediscovery", "sns", "sqs", "sts"]
SECRET_VALUE = re.compile(r"(?:AKIA|ASIA)[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|://[^/\s:@]+:[^/\s@]+@")


@dataclass
class Live:
    """A boto3 Session in the environment's region, with the reads several checks share done once."""

    session: boto3.Session
    region: str
    http_get: HttpGet = http_status
    _clients: dict[AwsService, Any] = field(default_factory=dict)
    _services: dict[str, dict] | None = None
    _task_definitions: dict[str, dict] = field(default_factory=dict)
    _keys: dict[str, str] = field(default_factory=dict)

    def client(self, name: AwsService) -> Any:
        if name not in self._clients:
            self._clients[name] = self.session.client(name, region_name=self.region)
        return self._clients[name]

    def ecs_service(self, expected: Expected, service: ServiceExpectation) -> dict | None:
        """The ECS service as DescribeServices reports it, or None when ECS does not know it."""
        if self._services is None:
            arns = [s.outputs["serviceArn"] for s in expected.services]
            found: dict[str, dict] = {}
            for start in range(0, len(arns), DESCRIBE_SERVICES_LIMIT):
                answer = self.client("ecs").describe_services(cluster=expected.platform["clusterArn"],
                                                              services=arns[start:start + DESCRIBE_SERVICES_LIMIT])
                found.update({s["serviceArn"]: s for s in answer["services"]})
            self._services = found
        return self._services.get(service.outputs["serviceArn"])

    def task_definition(self, arn: str) -> dict:
        if arn not in self._task_definitions:
            answer = self.client("ecs").describe_task_definition(taskDefinition=arn)
            self._task_definitions[arn] = answer["taskDefinition"]
        return self._task_definitions[arn]

    def key_arn(self, key: str) -> str:
        """The ARN of a KMS key named by id, ARN or alias, so references in any form compare equal."""
        if key not in self._keys:
            self._keys[key] = self.client("kms").describe_key(KeyId=key)["KeyMetadata"]["Arn"]
        return self._keys[key]


Check = Callable[[Live, Expected], list[Finding]]


def _guarded(check: str, items: Iterable[tuple[str, Any]], inspect: Callable[[Any], list[Finding]]) -> list[Finding]:
    """Run `inspect` per resource; an AWS error (missing resource, denied call) fails that resource only."""
    results: list[Finding] = []
    for resource, item in items:
        try:
            results.extend(inspect(item))
        except UNREACHABLE_AWS as error:
            results.append(observed(check, resource, "read-only AWS call", "succeeds",
                                    f"not verified: cannot reach AWS ({error})", Status.NOT_VERIFIED))
        except AWS_ERRORS as error:
            results.append(observed(check, resource, "read-only AWS call", "succeeds", f"error: {error}", Status.FAIL))
    return results


def _missing(check: str, resource: str, what: str) -> Finding:
    return observed(check, resource, what, "present", "absent", Status.FAIL)


def _service_resource(service: ServiceExpectation) -> str:
    return f"ecs service {service.outputs['serviceName']}"


def _per_ecs_service(check: str, live: Live, expected: Expected,
                     inspect: Callable[[ServiceExpectation, dict], list[Finding]]) -> list[Finding]:
    def one(service: ServiceExpectation) -> list[Finding]:
        described = live.ecs_service(expected, service)
        if described is None:
            return [_missing(check, _service_resource(service), "service in cluster "
                             f"{expected.platform['clusterName']}")]
        return inspect(service, described)

    return _guarded(check, [(_service_resource(s), s) for s in expected.services], one)


# --- load balancer -----------------------------------------------------------------------------------------

def check_alb(live: Live, expected: Expected) -> list[Finding]:
    """Internet-facing (the platform's invariant), in the network config's AZs, on the public subnets."""
    def inspect(arn: str) -> list[Finding]:
        lb = live.client("elbv2").describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]
        resource = f"alb {lb['LoadBalancerName']}"
        zones = lb["AvailabilityZones"]
        return [
            compare("alb", resource, "Scheme", "internet-facing", lb["Scheme"]),
            compare("alb", resource, "AvailabilityZones", sorted(expected.network_settings.availability_zones),
                    sorted(z["ZoneName"] for z in zones)),
            compare("alb", resource, "Subnets", sorted(expected.network["publicSubnetIds"]),
                    sorted(z["SubnetId"] for z in zones)),
        ]

    return _guarded("alb", [(f"alb {expected.platform['albArn']}", expected.platform["albArn"])], inspect)


def forwarded_groups(actions: list[dict]) -> list[str]:
    """Target groups a rule's forward actions send traffic to (weight above 0; a plain forward counts)."""
    groups: list[str] = []
    for action in actions:
        if action["Type"] != "forward":
            continue
        weighted = action.get("ForwardConfig", {}).get("TargetGroups")
        if weighted:
            groups.extend(g["TargetGroupArn"] for g in weighted if g.get("Weight", 1) > 0)
        else:
            groups.append(action["TargetGroupArn"])
    return sorted(groups)


def _path_patterns(rule: dict) -> list[str]:
    values: list[str] = []
    for condition in rule["Conditions"]:
        if condition["Field"] == "path-pattern":
            values.extend(condition.get("PathPatternConfig", {}).get("Values") or condition.get("Values", []))
    return values


def check_routing(live: Live, expected: Expected) -> list[Finding]:
    """Each public service: its catalog rule on the service listener forwards to its own target group (either
    group of a blue/green pair, whichever ECS has weighted), and that group checks the catalog's health path."""
    elbv2 = live.client("elbv2")
    listener = expected.platform["serviceListenerArn"]

    def inspect(public: tuple[ServiceExpectation, PublicRoute]) -> list[Finding]:
        service, route = public
        rules = [r for page in elbv2.get_paginator("describe_rules").paginate(ListenerArn=listener)
                 for r in page["Rules"]]
        rule = next((r for r in rules if r["Priority"] == str(route.priority)), None)
        resource = f"listener rule {route.priority} ({service.name})"
        if rule is None:
            return [_missing("routing", resource, f"rule on listener {listener}")]
        target_group = service.outputs["targetGroupArn"]
        own = {target_group}
        described = live.ecs_service(expected, service) or {}
        for balancer in described.get("loadBalancers", []):
            alternate = balancer.get("advancedConfiguration", {}).get("alternateTargetGroupArn")
            if alternate:
                own.add(alternate)
        active = forwarded_groups(rule["Actions"])
        forwards_own = bool(active) and set(active) <= own
        group = elbv2.describe_target_groups(TargetGroupArns=[target_group])["TargetGroups"][0]
        group_resource = f"target group {group['TargetGroupName']}"
        return [
            compare("routing", resource, "path-pattern", [route.path_pattern], _path_patterns(rule)),
            observed("routing", resource, "forwards to", f"only {' or '.join(sorted(own))}", str(active),
                     Status.PASS if forwards_own else Status.FAIL),
            compare("routing", group_resource, "TargetType", "ip", group["TargetType"]),
            compare("routing", group_resource, "Port", service.service.port, group["Port"]),
            compare("routing", group_resource, "HealthCheckPath", service.service.health_path,
                    group.get("HealthCheckPath")),
            compare("routing", group_resource, "VpcId", expected.network["vpcId"], group["VpcId"]),
        ]

    return _guarded("routing", [(f"service {s.name}", (s, route)) for s, route in expected.public_routes], inspect)


# --- ECS services ------------------------------------------------------------------------------------------

def check_ecs_status(live: Live, expected: Expected) -> list[Finding]:
    """ACTIVE and running the task definition revision its stack exported."""
    def inspect(service: ServiceExpectation, described: dict) -> list[Finding]:
        resource = _service_resource(service)
        return [compare("ecs-status", resource, "status", "ACTIVE", described["status"]),
                compare("ecs-status", resource, "taskDefinition", service.outputs["taskDefinitionArn"],
                        described.get("taskDefinition"))]

    return _per_ecs_service("ecs-status", live, expected, inspect)


def check_ecs_running(live: Live, expected: Expected) -> list[Finding]:
    """At least the autoscaling minimum of the stack config is running."""
    def inspect(service: ServiceExpectation, described: dict) -> list[Finding]:
        minimum = service.settings.min_capacity
        running = described["runningCount"]
        return [observed("ecs-running", _service_resource(service), "runningCount", f">= {minimum}", str(running),
                         Status.PASS if running >= minimum else Status.FAIL)]

    return _per_ecs_service("ecs-running", live, expected, inspect)


def check_ecs_deployment(live: Live, expected: Expected) -> list[Finding]:
    """Circuit breaker with rollback (every service, every environment) and the configured strategy."""
    def inspect(service: ServiceExpectation, described: dict) -> list[Finding]:
        resource = _service_resource(service)
        configuration = described.get("deploymentConfiguration", {})
        breaker = configuration.get("deploymentCircuitBreaker", {})
        return [
            compare("ecs-deployment", resource, "deploymentCircuitBreaker", {"enable": True, "rollback": True},
                    {"enable": breaker.get("enable", False), "rollback": breaker.get("rollback", False)}),
            # AWS reports no strategy for services created before strategies existed: those roll.
            compare("ecs-deployment", resource, "strategy", service.settings.deployment_strategy,
                    configuration.get("strategy", "ROLLING")),
        ]

    return _per_ecs_service("ecs-deployment", live, expected, inspect)


def check_ecs_network(live: Live, expected: Expected) -> list[Finding]:
    """No public IP, the network's private subnets, the platform's security group for this service."""
    def inspect(service: ServiceExpectation, described: dict) -> list[Finding]:
        resource = _service_resource(service)
        awsvpc = described.get("networkConfiguration", {}).get("awsvpcConfiguration", {})
        return [
            compare("ecs-network", resource, "assignPublicIp", "DISABLED", awsvpc.get("assignPublicIp", "absent")),
            compare("ecs-network", resource, "subnets", sorted(expected.network["privateSubnetIds"]),
                    sorted(awsvpc.get("subnets", []))),
            compare("ecs-network", resource, "securityGroups",
                    [expected.platform["serviceSecurityGroupIds"].get(service.name)],
                    awsvpc.get("securityGroups", [])),
        ]

    return _per_ecs_service("ecs-network", live, expected, inspect)


def check_ecs_capacity(live: Live, expected: Expected) -> list[Finding]:
    """The stack config's capacity provider strategy (on-demand base, Spot share)."""
    def inspect(service: ServiceExpectation, described: dict) -> list[Finding]:
        wanted = sorted((provider, base, weight) for provider, base, weight in service.settings.capacity_strategy)
        actual = sorted((item["capacityProvider"], item.get("base", 0), item.get("weight", 0))
                        for item in described.get("capacityProviderStrategy", []))
        return [compare("ecs-capacity", _service_resource(service), "capacityProviderStrategy "
                        "(provider, base, weight)", wanted, actual)]

    return _per_ecs_service("ecs-capacity", live, expected, inspect)


# --- task definitions --------------------------------------------------------------------------------------

def _task_resource(service: ServiceExpectation) -> str:
    return f"task definition {service.outputs['taskDefinitionArn'].split('/')[-1]}"


def _per_task_definition(check: str, live: Live, expected: Expected,
                         inspect: Callable[[ServiceExpectation, dict], list[Finding]]) -> list[Finding]:
    return _guarded(check, [(_task_resource(s), s) for s in expected.services],
                    lambda s: inspect(s, live.task_definition(s.outputs["taskDefinitionArn"])))


def check_task_size(live: Live, expected: Expected) -> list[Finding]:
    """The stack's CPU and memory (its own setting, else the catalog's), on Fargate in awsvpc mode."""
    def inspect(service: ServiceExpectation, task: dict) -> list[Finding]:
        resource = _task_resource(service)
        return [
            compare("task-size", resource, "cpu", str(service.settings.cpu), task.get("cpu")),
            compare("task-size", resource, "memory", str(service.settings.memory), task.get("memory")),
            compare("task-size", resource, "requiresCompatibilities", ["FARGATE"],
                    task.get("requiresCompatibilities", [])),
            compare("task-size", resource, "networkMode", "awsvpc", task.get("networkMode")),
        ]

    return _per_task_definition("task-size", live, expected, inspect)


def secret_looking(name: str, value: str) -> bool:
    """A plain environment variable that carries or names a credential."""
    catalog_names = {s.value for s in Secret}
    return name in catalog_names or bool(SECRET_NAME.search(name)) or bool(SECRET_VALUE.search(value))


def _from_secret(value_from: str | None, secret_arn: str) -> bool:
    """`valueFrom` is the secret's ARN, or that ARN selecting a JSON key/version (`ARN:key:stage:version`)."""
    return value_from is not None and (value_from == secret_arn or value_from.startswith(secret_arn + ":"))


def check_task_secrets(live: Live, expected: Expected) -> list[Finding]:
    """Exactly the catalog's secrets, each from its Secrets Manager ARN; nothing secret-looking in plain
    `environment` (names are reported, values never)."""
    arns = expected.platform["secretArns"]

    def inspect(service: ServiceExpectation, task: dict) -> list[Finding]:
        resource = _task_resource(service)
        given = {s["name"]: s["valueFrom"] for c in task["containerDefinitions"] for s in c.get("secrets", [])}
        wanted = {secret.value: arns.get(secret.value, "(not in platform outputs)")
                  for secret in service.service.secrets}
        results = [compare("task-secrets", resource, "secret names", sorted(wanted), sorted(given))]
        for name, arn in sorted(wanted.items()):
            actual = given.get(name)
            results.append(observed("task-secrets", resource, f"secret {name} valueFrom", arn, str(actual),
                                    Status.PASS if _from_secret(actual, arn) else Status.FAIL))
        plain = [(e["name"], e.get("value", "")) for c in task["containerDefinitions"]
                 for e in c.get("environment", [])]
        leaked = sorted(name for name, value in plain if secret_looking(name, value))
        results.append(observed("task-secrets", resource, "plain environment",
                                 "no secret-looking variables",
                                 f"secret-looking: {', '.join(leaked)} (values hidden)" if leaked
                                 else f"none among {len(plain)} variables",
                                 Status.FAIL if leaked else Status.PASS))
        return results

    return _per_task_definition("task-secrets", live, expected, inspect)


# --- autoscaling -------------------------------------------------------------------------------------------

def check_autoscaling(live: Live, expected: Expected) -> list[Finding]:
    """The scalable target's bounds, the CPU target-tracking policy and, when configured, the market-hours
    schedule, all from the stack config. During trading hours the schedule has raised the minimum, so
    the configured minimum or the raised one is accepted."""
    scaling = live.client("application-autoscaling")
    cluster = expected.platform["clusterName"]

    def inspect(service: ServiceExpectation) -> list[Finding]:
        settings = service.settings
        resource_id = f"service/{cluster}/{service.outputs['serviceName']}"
        resource = f"scalable target {resource_id}"
        targets = scaling.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[resource_id],
                                                    ScalableDimension=SCALABLE_DIMENSION)["ScalableTargets"]
        if not targets:
            return [_missing("autoscaling", resource, "scalable target")]
        target = targets[0]
        market = settings.market_hours
        minimums = [settings.min_capacity] + ([market.min_capacity] if market else [])
        results = [
            observed("autoscaling", resource, "MinCapacity", " or ".join(map(str, minimums)),
                     str(target["MinCapacity"]), Status.PASS if target["MinCapacity"] in minimums else Status.FAIL),
            compare("autoscaling", resource, "MaxCapacity", settings.max_capacity, target["MaxCapacity"]),
        ]
        policies = scaling.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=resource_id,
                                                     ScalableDimension=SCALABLE_DIMENSION)["ScalingPolicies"]
        cpu = [p["TargetTrackingScalingPolicyConfiguration"] for p in policies
               if p["PolicyType"] == "TargetTrackingScaling" and p["TargetTrackingScalingPolicyConfiguration"]
               .get("PredefinedMetricSpecification", {}).get("PredefinedMetricType") == CPU_METRIC]
        if not cpu:
            results.append(_missing("autoscaling", resource, f"{CPU_METRIC} target-tracking policy"))
        else:
            results.append(compare("autoscaling", resource, "CPU policy (target, scale-out, scale-in cooldown)",
                                   (float(settings.cpu_target_percent), settings.scale_out_cooldown_seconds,
                                    settings.scale_in_cooldown_seconds),
                                   (cpu[0]["TargetValue"], cpu[0].get("ScaleOutCooldown"),
                                    cpu[0].get("ScaleInCooldown"))))
        actions = scaling.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=resource_id,
                                                     ScalableDimension=SCALABLE_DIMENSION)["ScheduledActions"]
        wanted = sorted([(market.open_schedule, market.timezone, market.min_capacity, settings.max_capacity),
                         (market.close_schedule, market.timezone, settings.min_capacity, settings.max_capacity)]
                        ) if market else []
        actual = sorted((a["Schedule"], a.get("Timezone", "UTC"), a.get("ScalableTargetAction", {}).get("MinCapacity"),
                         a.get("ScalableTargetAction", {}).get("MaxCapacity")) for a in actions)
        results.append(compare("autoscaling", resource, "market-hours schedule (cron, timezone, min, max)", wanted,
                               actual))
        return results

    return _guarded("autoscaling", [(f"service {s.name}", s) for s in expected.services], inspect)


# --- discovery, logs, registry, encryption -----------------------------------------------------------------

def check_discovery(live: Live, expected: Expected) -> list[Finding]:
    """The platform's namespace holds a Cloud Map service per catalog service, each the ECS service's registry."""
    discovery = live.client("servicediscovery")
    namespace_id = expected.platform["namespaceId"]
    namespace_resource = f"namespace {expected.platform['namespaceName']}"

    def inspect(_: None) -> list[Finding]:
        namespace = discovery.get_namespace(Id=namespace_id)["Namespace"]
        results = [compare("discovery", namespace_resource, "Name", expected.platform["namespaceName"],
                           namespace["Name"])]
        pages = discovery.get_paginator("list_services").paginate(
            Filters=[{"Name": "NAMESPACE_ID", "Values": [namespace_id], "Condition": "EQ"}])
        held: dict[str, dict] = {}
        for summary in (s for page in pages for s in page["Services"]):
            # The filter is applied again here: a service counts only if it is in this namespace.
            detail = discovery.get_service(Id=summary["Id"])["Service"]
            if detail.get("NamespaceId") == namespace_id:
                held[detail["Name"]] = detail
        for service in expected.services:
            resource = f"cloud map service {service.name}.{expected.platform['namespaceName']}"
            found = held.get(service.name)
            if found is None:
                results.append(_missing("discovery", resource, f"service in namespace {namespace_id}"))
                continue
            described = live.ecs_service(expected, service) or {}
            registries = [r["registryArn"] for r in described.get("serviceRegistries", [])]
            results.append(compare("discovery", resource, f"registry of {_service_resource(service)}",
                                   [found["Arn"]], registries))
        return results

    return _guarded("discovery", [(namespace_resource, None)], inspect)


def check_log_retention(live: Live, expected: Expected) -> list[Finding]:
    """Every log group the stacks exported keeps logs for the platform's retention."""
    logs = live.client("logs")

    def inspect(group: tuple[str, int]) -> list[Finding]:
        name, days = group
        groups = [g for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=name)
                  for g in page["logGroups"] if g["logGroupName"] == name]
        if not groups:
            return [_missing("log-retention", f"log group {name}", "log group")]
        return [compare("log-retention", f"log group {name}", "retentionInDays", days,
                        groups[0].get("retentionInDays", "never expires"))]

    return _guarded("log-retention", [(f"log group {g[0]}", g) for g in expected.log_retention], inspect)


def check_ecr(live: Live, expected: Expected) -> list[Finding]:
    """A repository per catalog service: immutable tags, scan on push, the registry's KMS key."""
    ecr = live.client("ecr")
    arns = expected.registry["repositoryArns"]

    def inspect(service: ServiceExpectation) -> list[Finding]:
        arn = arns.get(service.name)
        resource = f"ecr repository of {service.name}"
        if arn is None:
            return [_missing("ecr", resource, "repository in registry outputs")]
        repository = ecr.describe_repositories(repositoryNames=[arn.split("/", 1)[1]])["repositories"][0]
        resource = f"ecr repository {repository['repositoryName']}"
        encryption = repository.get("encryptionConfiguration", {})
        key = encryption.get("kmsKey")
        return [
            compare("ecr", resource, "imageTagMutability", "IMMUTABLE", repository["imageTagMutability"]),
            compare("ecr", resource, "scanOnPush", True,
                    repository.get("imageScanningConfiguration", {}).get("scanOnPush", False)),
            compare("ecr", resource, "encryption", f"KMS {live.key_arn(expected.registry['kmsKeyArn'])}",
                    f"{encryption.get('encryptionType')} {live.key_arn(key) if key else '(no key)'}"),
        ]

    return _guarded("ecr", [(f"ecr repository of {s.name}", s) for s in expected.services], inspect)


def _store_key(live: Live, arn: str) -> tuple[str, str | None]:
    """(what the store is, the KMS key reference AWS reports for it or None) for a data store ARN."""
    service = arn.split(":")[2]
    name = arn.split(":")[-1].split("/")[-1]
    if service == "dynamodb":
        sse = live.client("dynamodb").describe_table(TableName=name)["Table"].get("SSEDescription", {})
        return "table", sse.get("KMSMasterKeyArn") if sse.get("Status") == "ENABLED" else None
    if service == "sqs":
        sqs = live.client("sqs")
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        return "queue", sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["KmsMasterKeyId"]) \
            .get("Attributes", {}).get("KmsMasterKeyId")
    if service == "sns":
        return "topic", live.client("sns").get_topic_attributes(TopicArn=arn)["Attributes"].get("KmsMasterKeyId")
    if service == "s3":
        rules = live.client("s3").get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
        default = rules[0]["ApplyServerSideEncryptionByDefault"]
        return "bucket", default.get("KMSMasterKeyID") if default["SSEAlgorithm"] == "aws:kms" else None
    if service == "secretsmanager":
        return "secret", live.client("secretsmanager").describe_secret(SecretId=arn).get("KmsKeyId")
    return f"unknown store type {service}", None


def check_encryption(live: Live, expected: Expected) -> list[Finding]:
    """Data stores and secrets are encrypted with the platform's customer-managed key."""
    key = expected.platform["kmsKeyArn"]
    stores = sorted(expected.platform["storeArns"].items()) + sorted(expected.platform["secretArns"].items())

    def inspect(item: tuple[str, str]) -> list[Finding]:
        purpose, arn = item
        kind, reference = _store_key(live, arn)
        return [compare("encryption", f"{kind} {purpose}", "KMS key", live.key_arn(key),
                        live.key_arn(reference) if reference else "(no customer key)")]

    return _guarded("encryption", [(f"store {purpose}", (purpose, arn)) for purpose, arn in stores], inspect)


def check_health_probe(live: Live, expected: Expected) -> list[Finding]:
    """GET the ALB at each public service's health path (when its own rule routes that path). Unreachable
    from here is "not verified", never pass."""
    results = []
    host = expected.platform["albDnsName"]
    for service, route in expected.public_routes:
        path = service.service.health_path
        resource = f"alb {host} ({service.name})"
        if not fnmatch.fnmatchcase(path, route.path_pattern):
            results.append(observed("health-probe", resource, f"GET {path}", "2xx", f"not routed to {service.name} "
                                    f"by its rule {route.path_pattern}", Status.NOT_VERIFIED))
            continue
        url = f"http://{host}{path}"
        try:
            status = live.http_get(url, TIMEOUT_SECONDS)
        except UNREACHABLE as error:
            results.append(observed("health-probe", resource, f"GET {url}", "2xx",
                                    f"not reachable from here: {error}", Status.NOT_VERIFIED))
            continue
        except ValueError as error:
            # The URL cannot even be sent (e.g. a host name from the outputs file that fails IDNA encoding,
            # which the resolver raises as UnicodeError): no answer, so this probe says nothing, and the
            # other checks' results must still be reported.
            results.append(observed("health-probe", resource, f"GET {url}", "2xx",
                                    f"not probed: the URL cannot be requested: {error}", Status.NOT_VERIFIED))
            continue
        results.append(observed("health-probe", resource, f"GET {url}", "2xx", str(status),
                                Status.PASS if 200 <= status < 300 else Status.FAIL))
    return results


CHECKS: dict[str, Check] = {
    "alb": check_alb,
    "routing": check_routing,
    "ecs-status": check_ecs_status,
    "ecs-running": check_ecs_running,
    "ecs-deployment": check_ecs_deployment,
    "ecs-network": check_ecs_network,
    "ecs-capacity": check_ecs_capacity,
    "task-size": check_task_size,
    "task-secrets": check_task_secrets,
    "autoscaling": check_autoscaling,
    "discovery": check_discovery,
    "log-retention": check_log_retention,
    "ecr": check_ecr,
    "encryption": check_encryption,
    "health-probe": check_health_probe,
}


def run_checks(session: boto3.Session, expected: Expected, *, http_get: HttpGet = http_status,
               only: Iterable[str] | None = None) -> list[Finding]:
    """Run the named checks (all by default) in their declared order against one session."""
    names = list(CHECKS) if only is None else list(only)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise ValueError(f"unknown checks {unknown}; known: {', '.join(CHECKS)}")
    live = Live(session, expected.region, http_get)
    try:  # one cheap call first: unreachable AWS is one clear answer per check, not a timeout per resource
        live.client("sts").get_caller_identity()
    except UNREACHABLE_AWS as error:
        return [observed(name, "AWS API", "read-only AWS call", "succeeds", f"not verified: cannot reach AWS ({error})",
                         Status.NOT_VERIFIED) for name in names]
    return [result for name in names for result in CHECKS[name](live, expected)]
