"""What a deployed environment should look like, from its outputs file, its own stack config and the catalog.

The verifier holds no expected values of its own: counts, sizes, zones and strategies come from the same
`Pulumi.yaml` defaults and stack files the programs read (through the same settings loaders, so a value the
programs would refuse is refused here too), identities (ARNs, names) from the outputs `invoke outputs` wrote
after the deploy, and log retention from the constant each component gives its log groups.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.catalog import SERVICES, PublicRoute, Service
from shared.components import network as network_component
from shared.components import service as service_component
from shared.contracts import CONTRACTS
from shared.settings import REGION, DictConfigSource
from shared.settings.network import NetworkSettings, load_network_settings
from shared.settings.services import ServiceSettings, load_service_settings
from shared.stack_config import load_stack_config
from shared.stacks import StackId, service_stack_name
from tools.deploy.outputs import outputs_path  # noqa: F401 - where `invoke outputs` writes; verify reads there

# Overrides the outputs file the integration tests read (e.g. one copied from a CI deploy job).
OUTPUTS_ENV_VAR = "TRADING_OUTPUTS_FILE"


class VerifyError(RuntimeError):
    """The verifier cannot start: no or unusable outputs. The message says what to run."""


def load_outputs(path: Path, environment: str) -> dict:
    """The outputs document of `environment`; VerifyError naming the file and the fix otherwise."""
    hint = f"deploy the environment, then run `invoke outputs --env {environment}` to write it"
    if not path.exists():
        raise VerifyError(f"no outputs file at {path}: {hint}")
    try:
        document = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise VerifyError(f"outputs file {path} is not JSON ({error}): {hint}") from None
    if not isinstance(document, dict) or not isinstance(document.get("stacks"), dict):
        raise VerifyError(f"outputs file {path} has no 'stacks' mapping: {hint}")
    if document.get("environment") != environment:
        raise VerifyError(f"outputs file {path} is for environment {document.get('environment')!r}, not "
                          f"{environment!r}: {hint}")
    return document


def config_source(stack: StackId) -> DictConfigSource:
    """A stack's config exactly as its program sees it: Pulumi.yaml defaults, then the stack file, with the
    project's own keys unqualified (`pulumi.Config(project).get("key")`) and other namespaces (aws:) kept."""
    values, secret_keys = load_stack_config(stack)
    prefix = f"{stack.project}:"

    def local(key: str) -> str:
        return key[len(prefix):] if key.startswith(prefix) else key

    return DictConfigSource(stack.project, stack.stack, {local(k): v for k, v in values.items()},
                            frozenset(local(k) for k in secret_keys))


@dataclass(frozen=True)
class ServiceExpectation:
    """One service stack: its catalog entry and validated settings, and what its stack exported."""

    settings: ServiceSettings
    outputs: Mapping[str, Any]

    @property
    def service(self) -> Service:
        return self.settings.service

    @property
    def name(self) -> str:
        return self.settings.service.name


@dataclass(frozen=True)
class Expected:
    environment: str
    region: str
    network_settings: NetworkSettings
    log_retention: tuple[tuple[str, int], ...]  # (log group, days) for every log group the stacks export
    network: Mapping[str, Any]
    registry: Mapping[str, Any]
    platform: Mapping[str, Any]
    services: tuple[ServiceExpectation, ...]

    @property
    def public_services(self) -> tuple[ServiceExpectation, ...]:
        return tuple(s for s, _ in self.public_routes)

    @property
    def public_routes(self) -> tuple[tuple[ServiceExpectation, PublicRoute], ...]:
        """Each service behind the ALB, with its listener route."""
        return tuple((s, s.service.public) for s in self.services if s.service.public is not None)


ConfigLoader = Callable[[StackId], DictConfigSource]


def _stack_outputs(document: dict, stack: StackId, environment: str) -> Mapping[str, Any]:
    outputs = document["stacks"].get(str(stack))
    if not isinstance(outputs, dict):
        raise VerifyError(f"the outputs file has no stack {stack}: deploy it, then run "
                          f"`invoke outputs --env {environment}` again")
    missing = sorted(CONTRACTS[stack.project].export_keys - outputs.keys())
    if missing:
        raise VerifyError(f"stack {stack} in the outputs file lacks {', '.join(missing)} (declared in "
                          f"shared/contracts.py); redeploy it, then run `invoke outputs --env {environment}`")
    return outputs


def expected_for(document: dict, *, services: tuple[Service, ...] = SERVICES,
                 read_config: ConfigLoader = config_source) -> Expected:
    """Everything the checks compare against, for the environment the outputs document names."""
    environment = document["environment"]
    network_stack = StackId("network", environment)
    network_source = read_config(network_stack)
    network = _stack_outputs(document, network_stack, environment)
    service_expectations = []
    for service in services:
        stack = StackId("services", service_stack_name(service.name, environment))
        settings = load_service_settings(read_config(stack), services)
        service_expectations.append(ServiceExpectation(settings, _stack_outputs(document, stack, environment)))
    return Expected(
        environment=environment,
        region=network_source.get("aws:region") or REGION,
        network_settings=load_network_settings(network_source),
        # The retention each component gives its log groups (30 days today; one constant per component).
        log_retention=((network["flowLogGroupName"], network_component.LOG_RETENTION_DAYS),
                       *((s.outputs["logGroupName"], service_component.LOG_RETENTION_DAYS)
                         for s in service_expectations)),
        network=network,
        registry=_stack_outputs(document, StackId("registry", environment), environment),
        platform=_stack_outputs(document, StackId("platform", environment), environment),
        services=tuple(service_expectations),
    )
