"""The container definition of a service's task, as plain data (no Pulumi import).

Built here from the catalog and resolved upstream values so tests and the policy pack read exactly the JSON
ECS receives. Source of the field names:
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from shared.catalog import STORE_ENV, Service

# The awslogs driver buffers this much when CloudWatch Logs is slow instead of blocking the application's
# stdout (mode non-blocking); lines beyond it are dropped, which beats a trading service stalling on a log write.
LOG_BUFFER_SIZE = "25m"
HEALTH_CHECK = {"interval": 15, "timeout": 5, "retries": 3, "startPeriod": 30}
# Seconds between SIGTERM and SIGKILL when ECS stops the task (default 30). processing-service finishes its
# long poll (up to 20 s) and the order in hand before exiting, and gives up 10 s before this
# (apps/common/appkit/contract.py repeats the value; tests/apps/test_contract.py keeps them equal).
# Fargate accepts at most 120: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
STOP_TIMEOUT_SECONDS = 60
FARGATE_MAX_STOP_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class ContainerInputs:
    """Everything the container definition needs once upstream outputs are resolved."""

    service: Service
    image: str
    environment: str
    region: str
    log_level: str
    log_group: str
    namespace: str
    callees: tuple[Service, ...]
    secret_arns: dict[str, str]   # catalog Secret value -> ARN, this service's secrets only
    store_values: dict[str, str]  # catalog Store value -> name/URL/ARN, this service's stores only
    venue_url: str
    readonly_root_filesystem: bool


def service_url(callee: Service, namespace: str) -> str:
    """How a caller reaches `callee`: its Cloud Map A record in the environment's namespace."""
    return f"http://{callee.name}.{namespace}:{callee.port}"


def environment_variables(c: ContainerInputs) -> dict[str, str]:
    """Plain variables only: secrets travel through `secrets`, never here."""
    contract = c.service.contract
    env = {
        contract.env_service_name: c.service.name,
        contract.env_port: str(c.service.port),
        contract.env_environment: c.environment,
        contract.env_region: c.region,
        contract.env_log_level: c.log_level,
    }
    for access in c.service.stores:
        env[STORE_ENV[access.store]] = c.store_values[access.store.value]
    for callee in c.callees:
        env[callee.url_env] = service_url(callee, c.namespace)
    if c.venue_url:
        env[contract.env_venue_url] = c.venue_url
    return env


def container_definition(c: ContainerInputs) -> dict:
    service, contract = c.service, c.service.contract
    return {
        "name": service.name,
        "image": c.image,
        "essential": True,
        "user": contract.user,
        "privileged": False,
        "readonlyRootFilesystem": c.readonly_root_filesystem,
        "portMappings": [{"containerPort": service.port, "protocol": "tcp", "name": service.name}],
        "environment": [{"name": k, "value": v} for k, v in sorted(environment_variables(c).items())],
        "secrets": [{"name": secret.value, "valueFrom": c.secret_arns[secret.value]} for secret in service.secrets],
        "mountPoints": [{"sourceVolume": contract.tmp_volume, "containerPath": contract.tmp_path,
                         "readOnly": False}],
        "healthCheck": {"command": service.health_check_command(), **HEALTH_CHECK},
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": c.log_group,
                "awslogs-region": c.region,
                "awslogs-stream-prefix": service.name,
                "mode": "non-blocking",
                "max-buffer-size": LOG_BUFFER_SIZE,
            },
        },
        "linuxParameters": {"initProcessEnabled": True},
        "stopTimeout": STOP_TIMEOUT_SECONDS,
    }


def container_definitions_json(c: ContainerInputs) -> str:
    return json.dumps([container_definition(c)], sort_keys=True)
