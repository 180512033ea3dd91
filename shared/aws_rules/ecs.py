"""Argument rules of the ecs resources this repository creates (see shared/aws_rules/model.py).

Cluster, cluster capacity providers, task definition (including the container definitions JSON the provider
unmarshals and the limits ECS applies to it) and service (deployment settings, capacity provider strategies,
load balancers, service registries, alarms). The Fargate CPU/memory pairs are a separate table
(shared/fargate.py); here the task-level `cpu`/`memory` are only checked for form.
"""
from __future__ import annotations

import json
import re
from typing import Any

from shared.aws_rules.model import (
    Check,
    ConflictsWith,
    Length,
    OneOf,
    Pattern,
    Range,
    ResourceRules,
    Rule,
)

_TF = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/ecs/"
CLUSTER_SOURCE = _TF + "cluster.go"
CCP_SOURCE = _TF + "cluster_capacity_providers.go"
TD_SOURCE = _TF + "task_definition.go"
SERVICE_SOURCE = _TF + "service.go"
ARN_SOURCE = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/verify/validate.go"
_API = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/"
API_CREATE_CLUSTER = _API + "API_CreateCluster.html"
API_TASK_DEFINITION = _API + "API_RegisterTaskDefinition.html"
API_CONTAINER_DEFINITION = _API + "API_ContainerDefinition.html"
API_PORT_MAPPING = _API + "API_PortMapping.html"
API_HEALTH_CHECK = _API + "API_HealthCheck.html"
API_CREATE_SERVICE = _API + "API_CreateService.html"
API_CP_STRATEGY_ITEM = _API + "API_CapacityProviderStrategyItem.html"
API_DEPLOYMENT_CONFIGURATION = _API + "API_DeploymentConfiguration.html"
API_AWSVPC_CONFIGURATION = _API + "API_AwsVpcConfiguration.html"
API_LOAD_BALANCER = _API + "API_LoadBalancer.html"

_NAME_255 = r"[A-Za-z0-9_-]{1,255}"
_NAME_255_MEANING = "1 to 255 letters, numbers, underscores and hyphens"

_ARN = re.compile(r"arn:(aws(?:-[a-z]+)*):([a-z0-9-]+):([a-z]{2}(?:-[a-z]+)+-\d{1,2})?:"
                  r"(\d{12}|aws|aws-managed|third-party|aws-marketplace)?:(.+)")


def _arn_problem(value: Any) -> str | None:
    if not isinstance(value, str) or _ARN.fullmatch(value) is None:
        return f"{value!r} is an invalid ARN"
    return None


def _arn_rule(rid: str, argument: str, tf_name: str, fix: str, ok: str, bad: str) -> Rule:
    return Rule(id=rid, argument=argument, constraint=Check(_arn_problem, "an ARN"),
                message=f'"{tf_name}" is an invalid ARN', source=ARN_SOURCE, fix=fix, ok=(ok,), bad=(bad,))


# --- cluster ----------------------------------------------------------------------------------------------

CLUSTER = ResourceRules(
    type="aws:ecs/cluster:Cluster",
    source=CLUSTER_SOURCE,
    forces_replacement=frozenset({"name"}),
    rules=(
        Rule(id="ecs.cluster.name.pattern", argument="name", constraint=Pattern(_NAME_255, _NAME_255_MEANING),
             message="clusterName: Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens "
                     "are allowed.",
             source=API_CREATE_CLUSTER, fix="name the cluster with letters, digits, _ and - (shared/naming.py)",
             ok=("cluster-dev", "c" * 255), bad=("cluster.dev", "c" * 256, "")),
        Rule(id="ecs.cluster.setting.name.enum", argument="settings[].name", constraint=OneOf(("containerInsights",)),
             message='expected setting.0.name to be one of ["containerInsights"]', source=CLUSTER_SOURCE,
             fix="the only cluster setting is containerInsights", ok=("containerInsights",), bad=("insights",)),
        Rule(id="ecs.cluster.setting.value.enum", argument="settings[].value",
             constraint=OneOf(("enabled", "disabled", "enhanced")),
             message='expected setting.0.value to be one of ["enabled" "disabled" "enhanced"]', source=CLUSTER_SOURCE,
             fix="use enabled, disabled or enhanced", ok=("enhanced", "enabled"), bad=("on", "Enhanced")),
    ),
)

# --- capacity providers -----------------------------------------------------------------------------------


def _strategy_rules(prefix: str, path: str, tf: str, source: str) -> tuple[Rule, ...]:
    return (
        Rule(id=f"{prefix}.base.range", argument=f"{path}[].base", constraint=Range(0, 100000),
             message=f"expected {tf}.0.base to be in the range (0 - 100000)", source=source,
             fix="keep the base from 0 to 100000 tasks", ok=(0.0, 100000.0, 2.0), bad=(-1.0, 100001.0)),
        Rule(id=f"{prefix}.weight.range", argument=f"{path}[].weight", constraint=Range(0, 1000),
             message=f"expected {tf}.0.weight to be in the range (0 - 1000)", source=source,
             fix="keep the weight from 0 to 1000", ok=(0.0, 1000.0, 3.0), bad=(-1.0, 1001.0)),
        Rule(id=f"{prefix}.base.single", argument=path,
             constraint=Check(_one_base, "at most one provider with a base above 0"),
             message="Only one capacity provider in a capacity provider strategy can have a base defined.",
             source=API_CP_STRATEGY_ITEM, fix="give the base to one provider only (FARGATE)",
             ok=([{"capacityProvider": "FARGATE", "base": 2.0, "weight": 1.0},
                  {"capacityProvider": "FARGATE_SPOT", "base": 0.0, "weight": 3.0}],),
             bad=([{"capacityProvider": "FARGATE", "base": 2.0, "weight": 1.0},
                   {"capacityProvider": "FARGATE_SPOT", "base": 1.0, "weight": 3.0}],)),
        Rule(id=f"{prefix}.weight.positive", argument=path,
             constraint=Check(_some_weight, "at least one provider with a weight above 0"),
             message="When multiple capacity providers are specified within a capacity provider strategy, at least "
                     "one of the capacity providers must have a weight value greater than zero",
             source=API_CP_STRATEGY_ITEM, fix="give at least one provider a weight above zero",
             ok=([{"capacityProvider": "FARGATE", "weight": 1.0},
                  {"capacityProvider": "FARGATE_SPOT", "weight": 0.0}],),
             bad=([{"capacityProvider": "FARGATE", "weight": 0.0},
                   {"capacityProvider": "FARGATE_SPOT", "weight": 0.0}],)),
    )


def _one_base(value: Any) -> str | None:
    if not isinstance(value, list):
        return None
    with_base = [i.get("capacityProvider") for i in value if isinstance(i, dict) and (i.get("base") or 0) > 0]
    return None if len(with_base) <= 1 else f"{', '.join(map(str, with_base))} all set a base; only one may"


def _some_weight(value: Any) -> str | None:
    if not isinstance(value, list) or len(value) < 2:
        return None
    if any(isinstance(i, dict) and (i.get("weight") or 0) > 0 for i in value):
        return None
    return "every provider has weight 0"


def _strategy_registered(value: dict) -> str | None:
    known = set(value.get("capacityProviders") or [])
    used = [i.get("capacityProvider") for i in value.get("defaultCapacityProviderStrategies") or []
            if isinstance(i, dict)]
    missing = [u for u in used if u not in known]
    return None if not missing else f"{', '.join(map(str, missing))} not in capacityProviders"


CLUSTER_CAPACITY_PROVIDERS = ResourceRules(
    type="aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
    source=CCP_SOURCE,
    forces_replacement=frozenset({"clusterName"}),
    rules=(
        Rule(id="ecs.cluster-capacity-providers.cluster-name.pattern", argument="clusterName",
             constraint=Pattern(_NAME_255, _NAME_255_MEANING),
             message="cluster: The short name or full Amazon Resource Name (ARN) of the cluster",
             source=_API + "API_PutClusterCapacityProviders.html",
             fix="pass the cluster's name (cluster.name), not its ARN", ok=("cluster-dev",),
             bad=("arn:aws:ecs:us-east-1:123456789012:cluster/cluster-dev", "")),
        *_strategy_rules("ecs.cluster-capacity-providers.default-strategy", "defaultCapacityProviderStrategies",
                         "default_capacity_provider_strategy", CCP_SOURCE),
        Rule(id="ecs.cluster-capacity-providers.strategy.registered", argument="",
             constraint=Check(_strategy_registered, "strategy providers are among capacityProviders"),
             message="The specified capacity provider strategy cannot contain a capacity provider that is not "
                     "associated with the cluster.",
             source=_API + "API_PutClusterCapacityProviders.html",
             fix="list every provider of the default strategy in capacityProviders",
             ok=({"capacityProviders": ["FARGATE", "FARGATE_SPOT"],
                  "defaultCapacityProviderStrategies": [{"capacityProvider": "FARGATE_SPOT", "weight": 1.0}]},),
             bad=({"capacityProviders": ["FARGATE"],
                   "defaultCapacityProviderStrategies": [{"capacityProvider": "FARGATE_SPOT", "weight": 1.0}]},)),
    ),
)


# --- task definition --------------------------------------------------------------------------------------

_CONTAINER_TYPES: dict[str, type | tuple[type, ...]] = {
    "name": str, "image": str, "essential": bool, "environment": list, "secrets": list, "portMappings": list,
    "mountPoints": list, "healthCheck": dict, "logConfiguration": dict, "linuxParameters": dict, "user": str,
    "readonlyRootFilesystem": bool, "privileged": bool, "stopTimeout": int, "startTimeout": int, "cpu": int,
    "memory": int, "memoryReservation": int, "command": list, "entryPoint": list, "dependsOn": list,
    "workingDirectory": str, "ulimits": list, "volumesFrom": list, "dockerLabels": dict,
}


def _containers(value: Any) -> list[dict] | None:
    """The parsed container list, or None when it does not parse (the JSON rule reports that)."""
    try:
        parsed = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if not isinstance(parsed, list) or not all(isinstance(c, dict) for c in parsed):
        return None
    return parsed


def _container_json(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be a JSON string"
    try:
        parsed = json.loads(value)
    except ValueError as error:
        return f"is not JSON: {error}"
    if not isinstance(parsed, list):
        return f"json: cannot unmarshal {type(parsed).__name__} into Go value of type []types.ContainerDefinition"
    if not parsed:
        return "must define at least one container"
    for index, container in enumerate(parsed):
        if not isinstance(container, dict):
            return f"container {index} is not an object"
        for key, expected in _CONTAINER_TYPES.items():
            if key in container and container[key] is not None:
                item = container[key]
                if (expected is int and (isinstance(item, bool) or not isinstance(item, int))) or \
                        not isinstance(item, expected):
                    return (f"json: cannot unmarshal {type(item).__name__} into Go struct field "
                            f"ContainerDefinition.{key}")
        env = container.get("environment") or []
        if any(not isinstance(e, dict) for e in env):
            return ("json: cannot unmarshal into Go struct field ContainerDefinition.Environment of type "
                    "[]types.KeyValuePair")
        options = (container.get("logConfiguration") or {}).get("options") or {}
        if any(not isinstance(v, str) for v in options.values()):
            return ("json: cannot unmarshal into Go struct field LogConfiguration.LogConfiguration.Options of type "
                    "map[string]string")
    return None


def _container_names(value: Any) -> str | None:
    containers = _containers(value)
    if containers is None:
        return None
    names = []
    for container in containers:
        name = container.get("name")
        if not isinstance(name, str) or re.fullmatch(_NAME_255, name) is None:
            return f"container name {name!r} must be {_NAME_255_MEANING}"
        names.append(name)
    dupes = sorted({n for n in names if names.count(n) > 1})
    return None if not dupes else f"container names repeat: {', '.join(dupes)}"


def _port_mappings(value: Any) -> str | None:
    containers = _containers(value)
    if containers is None:
        return None
    for container in containers:
        for mapping in container.get("portMappings") or []:
            for key in ("containerPort", "hostPort"):
                port = mapping.get(key)
                if port is not None and (not isinstance(port, int) or not 0 <= port <= 65535):
                    return f"{container.get('name')}: {key} {port!r} must be from 0 to 65535"
            if mapping.get("protocol") not in (None, "tcp", "udp"):
                return f"{container.get('name')}: protocol {mapping.get('protocol')!r} must be tcp or udp"
            name = mapping.get("name")
            if name is not None and (not isinstance(name, str) or
                                     re.fullmatch(r"[a-z0-9_][a-z0-9_-]{0,63}", name) is None):
                return (f"{container.get('name')}: port mapping name {name!r} must be up to 64 lowercase letters, "
                        "numbers, underscores and hyphens, not starting with a hyphen")
    return None


_HEALTH_RANGES = {"interval": (5, 300), "timeout": (2, 120), "retries": (1, 10), "startPeriod": (0, 300)}


def _health_checks(value: Any) -> str | None:
    containers = _containers(value)
    if containers is None:
        return None
    for container in containers:
        check = container.get("healthCheck")
        if not isinstance(check, dict):
            continue
        command = check.get("command")
        if not isinstance(command, list) or not command or command[0] not in ("CMD", "CMD-SHELL"):
            return f"{container.get('name')}: healthCheck.command must be a list starting with CMD or CMD-SHELL"
        for key, (low, high) in _HEALTH_RANGES.items():
            item = check.get(key)
            if item is not None and (not isinstance(item, int) or not low <= item <= high):
                return f"{container.get('name')}: healthCheck.{key} {item!r} must be from {low} to {high}"
    return None


def _essential(value: Any) -> str | None:
    containers = _containers(value)
    if containers is None or not containers:
        return None
    if all(c.get("essential") is False for c in containers):
        return "no container is essential"
    return None


def _fargate_task(value: Any) -> str | None:
    if not isinstance(value, dict) or "FARGATE" not in (value.get("requiresCompatibilities") or []):
        return None
    if value.get("networkMode") != "awsvpc":
        return f"a FARGATE task needs networkMode awsvpc, not {value.get('networkMode')!r}"
    missing = [k for k in ("cpu", "memory") if not value.get(k)]
    if missing:
        return f"a FARGATE task needs task-level {' and '.join(missing)}"
    containers = _containers(value.get("containerDefinitions"))
    for container in containers or []:
        stop = container.get("stopTimeout")
        if isinstance(stop, int) and not 0 <= stop <= 120:
            return f"{container.get('name')}: stopTimeout {stop} exceeds Fargate's 120 seconds"
        for mapping in container.get("portMappings") or []:
            host, port = mapping.get("hostPort"), mapping.get("containerPort")
            if host is not None and host != port:
                return f"{container.get('name')}: in awsvpc mode hostPort ({host}) must equal containerPort ({port})"
    return None


_CD_OK = json.dumps([{"name": "frontend",
                      "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-frontend-dev:1.0.0",
                      "essential": True,
                      "portMappings": [{"containerPort": 8080, "name": "frontend", "protocol": "tcp"}],
                      "healthCheck": {"command": ["CMD", "true"], "interval": 15, "retries": 3, "startPeriod": 30,
                                      "timeout": 5},
                      "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "log-frontend-dev"}},
                      "stopTimeout": 60}])


def _cd(**container: Any) -> str:
    base = {"name": "app", "image": "nginx:1", "essential": True}
    base.update(container)
    return json.dumps([base])


TASK_DEFINITION = ResourceRules(
    type="aws:ecs/taskDefinition:TaskDefinition",
    source=TD_SOURCE,
    forces_replacement=frozenset({"containerDefinitions", "cpu", "memory", "family", "executionRoleArn",
                                  "taskRoleArn", "networkMode", "requiresCompatibilities", "runtimePlatform",
                                  "volumes", "placementConstraints", "proxyConfiguration", "ephemeralStorage",
                                  "ipcMode", "pidMode", "inferenceAccelerators", "enableFaultInjection"}),
    rules=(
        Rule(id="ecs.task-definition.family.length", argument="family", constraint=Length(1, 255),
             message="expected length of family to be in the range (1 - 255)", source=TD_SOURCE,
             fix="shorten the task family to 255 characters (shared/naming.py)",
             ok=("f" * 255, "t"), bad=("f" * 256, "")),
        Rule(id="ecs.task-definition.family.pattern", argument="family",
             constraint=Pattern(r"[0-9A-Za-z_-]+", "letters, numbers, underscores and hyphens"),
             message='invalid value for family (see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/'
                     'API_TaskDefinition.html)',
             source=TD_SOURCE, fix="use letters, digits, _ and - in the task family", ok=("td-frontend-dev",),
             bad=("td.frontend", "td frontend")),
        Rule(id="ecs.task-definition.cpu.form", argument="cpu",
             constraint=Pattern(r"\d+|\d+(\.\d+)? ?vCPU", "CPU units as a string ('512') or vCPUs ('0.5 vCPU')"),
             message="cpu: The number of CPU units used by the task. It can be expressed as an integer using CPU "
                     "units (for example, 1024) or as a string using vCPUs (for example, 1 vCPU or 1 vcpu)",
             source=API_TASK_DEFINITION, fix="pass task cpu as a string of CPU units ('512')",
             ok=("512", "1 vCPU"), bad=("half", "512m")),
        Rule(id="ecs.task-definition.memory.form", argument="memory",
             constraint=Pattern(r"\d+|\d+(\.\d+)? ?GB", "MiB as a string ('1024') or GB ('1 GB')"),
             message="memory: ... expressed as an integer using MiB (for example, 1024) or as a string using GB "
                     "(for example, 1GB or 1 GB)",
             source=API_TASK_DEFINITION, fix="pass task memory as a string of MiB ('1024')",
             ok=("1024", "2 GB"), bad=("1Gi", "lots")),
        Rule(id="ecs.task-definition.network-mode.enum", argument="networkMode",
             constraint=OneOf(("bridge", "host", "awsvpc", "none")),
             message='expected network_mode to be one of ["bridge" "host" "awsvpc" "none"]', source=TD_SOURCE,
             fix="Fargate tasks use awsvpc", ok=("awsvpc",), bad=("vpc", "AWSVPC")),
        Rule(id="ecs.task-definition.requires-compatibilities.enum", argument="requiresCompatibilities[]",
             constraint=OneOf(("EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES")),
             message='expected requires_compatibilities.0 to be one of ["EC2" "FARGATE" "EXTERNAL" '
                     '"MANAGED_INSTANCES"]',
             source=TD_SOURCE, fix="use FARGATE", ok=("FARGATE", "EC2"), bad=("fargate", "FARGATE_SPOT")),
        Rule(id="ecs.task-definition.runtime-platform.cpu-architecture.enum",
             argument="runtimePlatform.cpuArchitecture", constraint=OneOf(("X86_64", "ARM64")),
             message='expected runtime_platform.0.cpu_architecture to be one of ["X86_64" "ARM64"]', source=TD_SOURCE,
             fix="use X86_64 or ARM64 to match the image", ok=("X86_64", "ARM64"), bad=("amd64", "x86_64")),
        Rule(id="ecs.task-definition.runtime-platform.os-family.enum",
             argument="runtimePlatform.operatingSystemFamily",
             constraint=OneOf(("LINUX", "WINDOWS_SERVER_2019_FULL", "WINDOWS_SERVER_2019_CORE",
                               "WINDOWS_SERVER_2016_FULL", "WINDOWS_SERVER_2004_CORE", "WINDOWS_SERVER_2022_CORE",
                               "WINDOWS_SERVER_2022_FULL", "WINDOWS_SERVER_2025_CORE", "WINDOWS_SERVER_2025_FULL",
                               "WINDOWS_SERVER_20H2_CORE")),
             message="expected runtime_platform.0.operating_system_family to be one of the OSFamily values",
             source=TD_SOURCE, fix="use LINUX", ok=("LINUX",), bad=("linux", "UBUNTU")),
        _arn_rule("ecs.task-definition.execution-role-arn.arn", "executionRoleArn", "execution_role_arn",
                  "pass the execution role's ARN", "arn:aws:iam::123456789012:role/role-frontend-exec-dev",
                  "role-frontend-exec-dev"),
        _arn_rule("ecs.task-definition.task-role-arn.arn", "taskRoleArn", "task_role_arn",
                  "pass the task role's ARN", "arn:aws:iam::123456789012:role/role-frontend-task-dev",
                  "role-frontend-task-dev"),
        Rule(id="ecs.task-definition.volume.name.pattern", argument="volumes[].name",
             constraint=Pattern(_NAME_255, _NAME_255_MEANING),
             message="name: Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are "
                     "allowed.",
             source=_API + "API_Volume.html", fix="name volumes with letters, digits, _ and -",
             ok=("tmp", "v" * 255), bad=("tmp/dir", "v" * 256)),
        Rule(id="ecs.task-definition.container-definitions.json", argument="containerDefinitions",
             constraint=Check(_container_json, "a JSON array of container definition objects"),
             message="ECS Task Definition container_definitions is invalid: json: cannot unmarshal ...",
             source=TD_SOURCE, fix="serialise the container list with json.dumps([...]) (shared/components/service.py)",
             ok=(_CD_OK,), bad=('{"name": "app"}', "[", "[]", json.dumps([{"name": "app", "environment": {"A": "1"}}]),
                                json.dumps([{"name": "app", "logConfiguration": {"options": {"max": 5}}}]),
                                json.dumps([{"name": "app", "stopTimeout": "60"}]),
                                [{"name": "app", "image": "nginx:1"}], json.dumps(["app"]),
                                json.dumps([{"name": "app", "environment": ["A=1"]}]))),
        Rule(id="ecs.task-definition.container-definitions.name", argument="containerDefinitions",
             constraint=Check(_container_names, "unique container names of 1..255 letters, digits, _ and -"),
             message="name: Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are "
                     "allowed.",
             source=API_CONTAINER_DEFINITION, fix="name containers with letters, digits, _ and - (the service name)",
             ok=(_CD_OK, _cd(name="c" * 255)),
             bad=(_cd(name="c" * 256), _cd(name="front.end"), json.dumps([{"name": "a"}, {"name": "a"}]),
                  _cd(name=None))),
        Rule(id="ecs.task-definition.container-definitions.port-mappings", argument="containerDefinitions",
             constraint=Check(_port_mappings, "ports 0..65535, tcp/udp, port names of up to 64 lowercase characters"),
             message="containerPort/hostPort: 0 to 65535; protocol: tcp | udp; name: up to 64 characters, lowercase "
                     "letters, numbers, underscores and hyphens, not starting with a hyphen",
             source=API_PORT_MAPPING, fix="use a container port from 0 to 65535 and a lowercase port name",
             ok=(_CD_OK, _cd(portMappings=[{"containerPort": 65535, "name": "p" * 64}])),
             bad=(_cd(portMappings=[{"containerPort": 65536}]), _cd(portMappings=[{"containerPort": -1}]),
                  _cd(portMappings=[{"containerPort": 80, "protocol": "http"}]),
                  _cd(portMappings=[{"containerPort": 80, "name": "Frontend"}]),
                  _cd(portMappings=[{"containerPort": 80, "name": "p" * 65}]))),
        Rule(id="ecs.task-definition.container-definitions.health-check", argument="containerDefinitions",
             constraint=Check(_health_checks, "CMD/CMD-SHELL command; interval 5-300, timeout 2-120, retries 1-10, "
                                              "startPeriod 0-300"),
             message="interval: 5 to 300 seconds; timeout: 2 to 120 seconds; retries: 1 to 10; startPeriod: 0 to 300 "
                     "seconds; command: the string array must start with CMD or CMD-SHELL",
             source=API_HEALTH_CHECK, fix="keep container health check settings within the ECS ranges",
             ok=(_CD_OK, _cd(),
                 _cd(healthCheck={"command": ["CMD-SHELL", "true"], "interval": 300, "timeout": 120, "retries": 10,
                                  "startPeriod": 300}),
                 _cd(healthCheck={"command": ["CMD", "true"], "interval": 5, "timeout": 2, "retries": 1,
                                  "startPeriod": 0})),
             bad=(_cd(healthCheck={"command": ["CMD", "true"], "interval": 301}),
                  _cd(healthCheck={"command": ["CMD", "true"], "interval": 4}),
                  _cd(healthCheck={"command": ["CMD", "true"], "timeout": 121}),
                  _cd(healthCheck={"command": ["CMD", "true"], "timeout": 1}),
                  _cd(healthCheck={"command": ["CMD", "true"], "retries": 11}),
                  _cd(healthCheck={"command": ["CMD", "true"], "retries": 0}),
                  _cd(healthCheck={"command": ["CMD", "true"], "startPeriod": 301}),
                  _cd(healthCheck={"command": ["CMD", "true"], "startPeriod": -1}),
                  _cd(healthCheck={"command": ["curl", "-f", "localhost"]}))),
        Rule(id="ecs.task-definition.container-definitions.essential", argument="containerDefinitions",
             constraint=Check(_essential, "at least one essential container"),
             message="All tasks must have at least one essential container.", source=API_CONTAINER_DEFINITION,
             fix="mark the main container essential", ok=(_CD_OK, _cd(essential=None)),
             bad=(_cd(essential=False),)),
        Rule(id="ecs.task-definition.fargate.requirements", argument="",
             constraint=Check(_fargate_task, "FARGATE: awsvpc, task cpu and memory, stopTimeout <= 120, "
                                             "hostPort = containerPort"),
             message="Fargate tasks require the awsvpc network mode and task-level cpu and memory; the max "
                     "stopTimeout value is 120 seconds; with awsvpc, hostPort must be left blank or be the same "
                     "value as containerPort",
             source=API_CONTAINER_DEFINITION, fix="use awsvpc, set cpu and memory, stopTimeout at most 120",
             ok=({"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "512", "memory": "1024",
                  "containerDefinitions": _cd(stopTimeout=120, portMappings=[{"containerPort": 80, "hostPort": 80}])},
                 {"requiresCompatibilities": ["EC2"], "networkMode": "bridge"}),
             bad=({"requiresCompatibilities": ["FARGATE"], "networkMode": "bridge", "cpu": "512", "memory": "1024"},
                  {"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "512"},
                  {"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "512", "memory": "1024",
                   "containerDefinitions": _cd(stopTimeout=121)},
                  {"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "512", "memory": "1024",
                   "containerDefinitions": _cd(portMappings=[{"containerPort": 8080, "hostPort": 80}])})),
    ),
)

# --- service ----------------------------------------------------------------------------------------------


def _bake_time(value: Any) -> str | None:
    try:
        minutes = int(value) if isinstance(value, str) else None
    except ValueError:
        minutes = None
    if minutes is None:
        return f"cannot parse {value!r} as int"
    if not 0 <= minutes <= 1440:
        return f"expected bake_time_in_minutes to be in the range (0 - 1440), got {minutes}"
    return None


def _blue_green(value: dict) -> str | None:
    config = value.get("deploymentConfiguration") or {}
    if config.get("strategy") != "BLUE_GREEN":
        return None
    if config.get("bakeTimeInMinutes") in (None, ""):
        return "a BLUE_GREEN deployment needs deploymentConfiguration.bakeTimeInMinutes"
    for lb in value.get("loadBalancers") or []:
        advanced = lb.get("advancedConfiguration") if isinstance(lb, dict) else None
        if not advanced:
            return "each load balancer of a BLUE_GREEN service needs advancedConfiguration"
        missing = [k for k in ("alternateTargetGroupArn", "productionListenerRule", "roleArn") if not advanced.get(k)]
        if missing:
            return f"advancedConfiguration needs {', '.join(missing)}"
    return None


def _count_at_most(limit: int, what: str):
    def test(value: Any) -> str | None:
        if isinstance(value, list) and len(value) > limit:
            return f"{len(value)} {what}; at most {limit}"
        return None
    return test


_SUBNETS = [f"subnet-{i}" for i in range(16)]
_SGS = [f"sg-{i}" for i in range(5)]
_LB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg-frontend-prod/156e63a649646607"

SERVICE = ResourceRules(
    type="aws:ecs/service:Service",
    source=SERVICE_SOURCE,
    forces_replacement=frozenset({"name", "cluster", "iamRole", "launchType", "schedulingStrategy"}),
    rules=(
        Rule(id="ecs.service.name.pattern", argument="name", constraint=Pattern(_NAME_255, _NAME_255_MEANING),
             message="serviceName: Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens "
                     "are allowed.",
             source=API_CREATE_SERVICE, fix="name the service with letters, digits, _ and - (shared/naming.py)",
             ok=("svc-frontend-dev", "s" * 255), bad=("svc.frontend", "s" * 256, "")),
        Rule(id="ecs.service.desired-count.range", argument="desiredCount", constraint=Range(0, None),
             message="desiredCount: The number of instantiations of the specified task definition to place and keep "
                     "running in your service.",
             source=API_CREATE_SERVICE, fix="use a desired count of 0 or more", ok=(0.0, 2.0), bad=(-1.0, 1.5)),
        Rule(id="ecs.service.deployment-minimum-healthy-percent.range", argument="deploymentMinimumHealthyPercent",
             constraint=Range(0, 100),
             message="minimumHealthyPercent: represents a lower limit on the number of your service's tasks that must "
                     "remain in the RUNNING state during a deployment, as a percentage of the desiredCount",
             source=API_DEPLOYMENT_CONFIGURATION, fix="use a minimum healthy percent from 0 to 100",
             ok=(0.0, 100.0), bad=(-1.0, 101.0)),
        Rule(id="ecs.service.deployment-maximum-percent.range", argument="deploymentMaximumPercent",
             constraint=Range(0, None),
             message="maximumPercent: an upper limit on the number of your service's tasks that are allowed in the "
                     "RUNNING or PENDING state during a deployment, as a percentage of the desiredCount",
             source=API_DEPLOYMENT_CONFIGURATION, fix="use a non-negative maximum percent (200 by default)",
             ok=(0.0, 200.0), bad=(-1.0,)),
        Rule(id="ecs.service.deployment-percents.order", argument="",
             constraint=Check(lambda v: None if not isinstance(v, dict)
                              or v.get("deploymentMaximumPercent") is None
                              or v.get("deploymentMinimumHealthyPercent") is None
                              or v["deploymentMaximumPercent"] >= v["deploymentMinimumHealthyPercent"]
                              else "deploymentMaximumPercent is below deploymentMinimumHealthyPercent",
                              "maximum percent >= minimum healthy percent"),
             message="maximumPercent must be greater than or equal to minimumHealthyPercent",
             source=API_DEPLOYMENT_CONFIGURATION,
             fix="keep the maximum percent at or above the minimum healthy percent",
             ok=({"deploymentMaximumPercent": 200.0, "deploymentMinimumHealthyPercent": 100.0},),
             bad=({"deploymentMaximumPercent": 50.0, "deploymentMinimumHealthyPercent": 100.0},)),
        Rule(id="ecs.service.deployment-configuration.strategy.enum", argument="deploymentConfiguration.strategy",
             constraint=OneOf(("ROLLING", "BLUE_GREEN", "LINEAR", "CANARY")),
             message='expected deployment_configuration.0.strategy to be one of ["ROLLING" "BLUE_GREEN" "LINEAR" '
                     '"CANARY"]',
             source=SERVICE_SOURCE, fix="use ROLLING or BLUE_GREEN", ok=("ROLLING", "BLUE_GREEN"),
             bad=("rolling", "BLUE-GREEN")),
        Rule(id="ecs.service.deployment-configuration.bake-time.range",
             argument="deploymentConfiguration.bakeTimeInMinutes",
             constraint=Check(_bake_time, "a whole number of minutes from 0 to 1440, as a string"),
             message="expected deployment_configuration.0.bake_time_in_minutes to be in the range (0 - 1440)",
             source=SERVICE_SOURCE, fix="pass bakeTimeInMinutes as a string from '0' to '1440'",
             ok=("0", "1440", "15"), bad=("-1", "1441", "15m")),
        Rule(id="ecs.service.deployment-configuration.blue-green", argument="",
             constraint=Check(_blue_green, "BLUE_GREEN needs a bake time and advancedConfiguration per load balancer"),
             message="bakeTimeInMinutes: You must provide this parameter when you use the BLUE_GREEN deployment "
                     "strategy. advancedConfiguration: required for blue/green deployments with a load balancer",
             source=API_DEPLOYMENT_CONFIGURATION,
             fix="for BLUE_GREEN set bakeTimeInMinutes and each load balancer's advancedConfiguration",
             ok=({"deploymentConfiguration": {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": "15"},
                  "loadBalancers": [{"advancedConfiguration": {"alternateTargetGroupArn": "a",
                                                               "productionListenerRule": "r", "roleArn": "x"}}]},
                 {"deploymentConfiguration": {"strategy": "ROLLING"}, "loadBalancers": [{}]}),
             bad=({"deploymentConfiguration": {"strategy": "BLUE_GREEN"}},
                  {"deploymentConfiguration": {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": "15"},
                   "loadBalancers": [{"containerPort": 8080.0}]},
                  {"deploymentConfiguration": {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": "15"},
                   "loadBalancers": [{"advancedConfiguration": {"alternateTargetGroupArn": "a"}}]})),
        Rule(id="ecs.service.launch-type.conflicts", argument="",
             constraint=ConflictsWith(("launchType", "capacityProviderStrategies")),
             message="If a capacityProviderStrategy is specified, the launchType parameter must be omitted.",
             source=API_CREATE_SERVICE, fix="set a capacity provider strategy or a launch type, not both",
             ok=({"capacityProviderStrategies": [{"capacityProvider": "FARGATE", "weight": 1.0}]},
                 {"launchType": "FARGATE"}),
             bad=({"launchType": "FARGATE", "capacityProviderStrategies": [{"capacityProvider": "FARGATE"}]},)),
        Rule(id="ecs.service.launch-type.enum", argument="launchType",
             constraint=OneOf(("EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES")),
             message='expected launch_type to be one of ["EC2" "FARGATE" "EXTERNAL" "MANAGED_INSTANCES"]',
             source=SERVICE_SOURCE, fix="use FARGATE", ok=("FARGATE",), bad=("fargate", "FARGATE_SPOT")),
        Rule(id="ecs.service.health-check-grace-period.range", argument="healthCheckGracePeriodSeconds",
             constraint=Range(0, 2147483647),
             message="expected health_check_grace_period_seconds to be in the range (0 - 2147483647)",
             source=SERVICE_SOURCE, fix="use a grace period of 0 seconds or more", ok=(0.0, 2147483647.0, 60.0),
             bad=(-1.0, 2147483648.0)),
        Rule(id="ecs.service.propagate-tags.enum", argument="propagateTags",
             constraint=OneOf(("TASK_DEFINITION", "SERVICE", "NONE")),
             message='expected propagate_tags to be one of ["TASK_DEFINITION" "SERVICE" "NONE"]', source=SERVICE_SOURCE,
             fix="use SERVICE, TASK_DEFINITION or NONE", ok=("SERVICE",), bad=("service", "ALL")),
        Rule(id="ecs.service.load-balancer.container-port.range", argument="loadBalancers[].containerPort",
             constraint=Range(0, 65536),
             message="expected load_balancer.0.container_port to be in the range (0 - 65536)", source=SERVICE_SOURCE,
             fix="use the container's port", ok=(0.0, 65536.0, 8080.0), bad=(-1.0, 65537.0)),
        Rule(id="ecs.service.load-balancer.container-name.pattern", argument="loadBalancers[].containerName",
             constraint=Pattern(_NAME_255, _NAME_255_MEANING),
             message="containerName: the name of the container (as it appears in a container definition)",
             source=API_LOAD_BALANCER, fix="use the container name of the task definition",
             ok=("frontend",), bad=("front end",)),
        _arn_rule("ecs.service.load-balancer.target-group-arn.arn", "loadBalancers[].targetGroupArn",
                  "load_balancer.0.target_group_arn", "pass the target group's ARN", _LB_ARN, "tg-frontend-prod"),
        _arn_rule("ecs.service.load-balancer.alternate-target-group-arn.arn",
                  "loadBalancers[].advancedConfiguration.alternateTargetGroupArn",
                  "load_balancer.0.advanced_configuration.0.alternate_target_group_arn",
                  "pass the alternate target group's ARN", _LB_ARN, "tga-frontend-prod"),
        _arn_rule("ecs.service.load-balancer.production-listener-rule.arn",
                  "loadBalancers[].advancedConfiguration.productionListenerRule",
                  "load_balancer.0.advanced_configuration.0.production_listener_rule",
                  "pass the production listener rule's ARN",
                  "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/alb-prod/0a/41/1d",
                  "frontend-rule"),
        _arn_rule("ecs.service.load-balancer.role-arn.arn", "loadBalancers[].advancedConfiguration.roleArn",
                  "load_balancer.0.advanced_configuration.0.role_arn", "pass the ECS load-balancer role's ARN",
                  "arn:aws:iam::123456789012:role/role-frontend-ecs-lb-prod", "role-frontend-ecs-lb-prod"),
        _arn_rule("ecs.service.service-registries.registry-arn.arn", "serviceRegistries.registryArn",
                  "service_registries.0.registry_arn", "pass the Cloud Map service's ARN",
                  "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-5940716622a59c3f4",
                  "srv-5940716622a59c3f4"),
        Rule(id="ecs.service.service-registries.port.range", argument="serviceRegistries.port",
             constraint=Range(0, 65536),
             message="expected service_registries.0.port to be in the range (0 - 65536)", source=SERVICE_SOURCE,
             fix="use an SRV port from 0 to 65536", ok=(0.0, 65536.0), bad=(-1.0, 65537.0)),
        Rule(id="ecs.service.service-registries.container-port.range", argument="serviceRegistries.containerPort",
             constraint=Range(0, 65536),
             message="expected service_registries.0.container_port to be in the range (0 - 65536)",
             source=SERVICE_SOURCE, fix="use the container's port", ok=(0.0, 65536.0), bad=(-1.0, 65537.0)),
        Rule(id="ecs.service.network-configuration.subnets.count", argument="networkConfiguration.subnets",
             constraint=Check(_count_at_most(16, "subnets"), "at most 16 subnets"),
             message="subnets: The IDs of the subnets associated with the task or service. There's a limit of 16 "
                     "subnets that can be specified.",
             source=API_AWSVPC_CONFIGURATION, fix="place tasks in at most 16 subnets",
             ok=(_SUBNETS,), bad=([*_SUBNETS, "subnet-16"],)),
        Rule(id="ecs.service.network-configuration.security-groups.count",
             argument="networkConfiguration.securityGroups",
             constraint=Check(_count_at_most(5, "security groups"), "at most 5 security groups"),
             message="securityGroups: There's a limit of 5 security groups that can be specified.",
             source=API_AWSVPC_CONFIGURATION, fix="attach at most 5 security groups to the tasks",
             ok=(_SGS,), bad=([*_SGS, "sg-5"],)),
        Rule(id="ecs.service.alarms.names.required", argument="alarms.alarmNames",
             constraint=Check(lambda v: None if isinstance(v, list) and v and all(isinstance(n, str) and n for n in v)
                              else "must list at least one alarm name", "a non-empty list of alarm names"),
             message='The argument "alarm_names" is required',
             source=SERVICE_SOURCE, fix="name the CloudWatch alarms that roll the deployment back",
             ok=(["alarm-frontend-target-5xx-dev"],), bad=([], [""])),
        *_strategy_rules("ecs.service.capacity-provider-strategy", "capacityProviderStrategies",
                         "capacity_provider_strategy", SERVICE_SOURCE),
    ),
)

RESOURCES: tuple[ResourceRules, ...] = (CLUSTER, CLUSTER_CAPACITY_PROVIDERS, TASK_DEFINITION, SERVICE)
