"""ECS: containers (privilege, root filesystem, user, secrets), services (no public IP, rollback, capacity
providers) and clusters (Container Insights)."""
from __future__ import annotations

from collections.abc import Callable

from policy import containers
from policy.inputs import block, is_true, items
from policy.rules.base import (
    ECS_CLUSTER,
    ECS_SERVICE,
    TASK_DEFINITION,
    Check,
    Policy,
    for_types,
    report_all,
    resource_policy,
)
from tools.findings import SECRET_MARKER


def _container_check(problems_of: Callable[[list[dict]], list[str]]) -> Check:
    @for_types(TASK_DEFINITION)
    def check(props, report, _config):
        try:
            parsed = containers.parse_containers(props.get("containerDefinitions"))
        except containers.ContainerDefinitionsError:
            return  # unreadable (e.g. secret) definitions are `ecs-container-definitions-not-secret`'s finding
        report_all(report, problems_of(parsed))

    return check


@for_types(TASK_DEFINITION)
def _definitions_not_secret(props, report, _config):
    value = props.get("containerDefinitions")
    if value == SECRET_MARKER:  # how the offline plan writes a secret; online the SDK unwraps secrets
        report("containerDefinitions is a secret: a secret value leaked into it (e.g. an Output.secret "
               "in an environment value), which also hides the whole document from review; pass "
               "secrets through `secrets` with valueFrom = a Secrets Manager ARN")
        return
    try:
        containers.parse_containers(value)
    except containers.ContainerDefinitionsError as error:
        report(f"{error}; build it with json.dumps of a list of container definitions")


@for_types(ECS_SERVICE)
def _no_public_ip(props, report, _config):
    network = block(props, "networkConfiguration")
    if not network:
        report("the service has no networkConfiguration; give it private subnets, its security group "
               "and assign_public_ip=False")
    elif is_true(network.get("assignPublicIp")):
        report("networkConfiguration.assignPublicIp is true; tasks run in private subnets and reach "
               "AWS through NAT or VPC endpoints: set assign_public_ip=False")


@for_types(ECS_CLUSTER)
def _container_insights(props, report, _config):
    values = [s.get("value") for s in items(props.get("settings")) if s.get("name") == "containerInsights"]
    if not any(v in ("enabled", "enhanced") for v in values):
        report(f"Container Insights is {values[0] if values else 'not set'!s}; add settings "
               f"[{{'name': 'containerInsights', 'value': 'enhanced'}}] (or 'enabled')")


@for_types(ECS_SERVICE)
def _circuit_breaker(props, report, _config):
    breaker = block(props, "deploymentCircuitBreaker")
    if not (is_true(breaker.get("enable")) and is_true(breaker.get("rollback"))):
        report(f"deploymentCircuitBreaker is {dict(breaker) or 'not set'}; set "
               f"deployment_circuit_breaker={{'enable': True, 'rollback': True}} so a failing release "
               f"rolls back by itself")


@for_types(ECS_SERVICE)
def _capacity_strategy(props, report, _config):
    if props.get("launchType"):
        report(f"launchType is {props['launchType']!r}; remove it and give "
               f"capacity_provider_strategies (a launch type excludes capacity providers)")
    if not items(props.get("capacityProviderStrategies")):
        report("no capacityProviderStrategies; give FARGATE (and FARGATE_SPOT where interruptions are "
               "acceptable) with a base and weights")


def policies() -> list[Policy]:
    return [
        resource_policy("ecs-no-public-ip", "FSBP ECS.2: ECS services do not assign public IPs; tasks live in private "
                        "subnets.", _no_public_ip),
        resource_policy("ecs-not-privileged", "FSBP ECS.4: containers do not run privileged.",
                        _container_check(containers.privileged_problems)),
        resource_policy("ecs-read-only-root", "FSBP ECS.5: containers have read-only root filesystems.",
                        _container_check(containers.writable_root_problems)),
        resource_policy("ecs-non-root-user", "FSBP ECS.20: Linux containers run as a non-root user.",
                        _container_check(containers.root_user_problems)),
        resource_policy("ecs-container-definitions-not-secret", "Reason: a secret in any container field makes the "
                        "whole containerDefinitions document secret (hidden from diffs and review) - the signal that a "
                        "secret leaked out of Secrets Manager. Offline only: the SDK unwraps secrets for online "
                        "policies.", _definitions_not_secret),
        resource_policy("ecs-secrets-via-secrets-manager", "FSBP ECS.8: no secret-looking names or values in "
                        "environment; secrets come only through `secrets` from Secrets Manager ARNs.",
                        _container_check(containers.secret_problems)),
        resource_policy("ecs-container-insights", "FSBP ECS.12: ECS clusters use Container Insights.",
                        _container_insights),
        resource_policy("ecs-circuit-breaker-rollback", "Reason: a release that cannot reach a steady state rolls back "
                        "on its own (no FSBP control; ECS deployment circuit breaker).", _circuit_breaker),
        resource_policy("ecs-capacity-provider-strategy", "Reason: services use capacity provider strategies "
                        "(FARGATE/FARGATE_SPOT with a base), never a launch type, which excludes them.",
                        _capacity_strategy),
    ]
