"""shared.stackio in this process: an upstream read through its contract, and a stack's exports held to its own.

The programs run in-process (the plan runner's `_execute`, without its worker fork), so each message is compared
whole and the values read come back as the stack's outputs."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from shared.contracts import PLATFORM, REGISTRY, ContractError
from shared.stackio import Upstream, UpstreamError, export_outputs
from shared.stacks import StackId, stack_reference_name
from tools.plan.mocks import StackOutputs
from tools.plan.runner import StackPlan, _execute

NETWORK = stack_reference_name("network", "dev")
# Every network output the platform reads.
NETWORK_OUTPUTS = {"vpcId": "vpc-1", "publicSubnetIds": ["subnet-1"], "privateSubnetIds": [],
                   "endpointSecurityGroupId": "sg-1", "interfaceEndpoints": [], "gatewayEndpoints": [],
                   "gatewayPrefixListIds": {}}


@pytest.fixture(autouse=True)
def _fresh_pulumi_settings():
    """A program run here configures the runtime of this process: the next test starts from none."""
    yield
    pulumi.runtime.reset_options()
    pulumi.runtime.set_all_config({})


def run(project: str, program: Callable[[], Any], upstream: dict[str, StackOutputs] | None = None) -> StackPlan:
    return _execute(StackId(project, "dev"), upstream or {}, ({}, []), program)


def test_a_consumer_without_reads_from_a_producer_is_refused_naming_both_and_the_file():
    with pytest.raises(ContractError) as error:
        Upstream(REGISTRY, "network", "dev")
    assert str(error.value) == "registry declares no reads from network; add them to shared/contracts.py"


def test_an_upstream_names_its_stack_and_reads_only_the_declared_keys():
    seen: dict[str, Any] = {}

    def program() -> None:
        network = Upstream(PLATFORM, "network", "dev")
        seen.update(name=network.name, producer=network.producer, environment=network.environment,
                    keys=network.keys)
        pulumi.export("vpc", network.get("vpcId"))
        pulumi.export("subnets", network.get("publicSubnetIds"))

    plan = run("platform", program, {NETWORK: StackOutputs(NETWORK_OUTPUTS, ["publicSubnetIds"])})
    assert seen == {"name": "organization/network/dev", "producer": "network", "environment": "dev",
                    "keys": PLATFORM.reads["network"]}
    # each value is its own output's, and only the secret one is secret (the readiness check adds no secrecy)
    assert plan.outputs.values == {"vpc": "vpc-1", "subnets": ["subnet-1"]}
    assert plan.outputs.secret_names == ["subnets"]


def test_reading_an_undeclared_key_names_it_the_producer_the_declared_keys_and_the_fix():
    def program() -> None:
        Upstream(PLATFORM, "network", "dev").get("natStrategy")

    with pytest.raises(ContractError) as error:
        run("platform", program, {NETWORK: StackOutputs(NETWORK_OUTPUTS, [])})
    assert str(error.value) == (f"'natStrategy' is not among the keys declared as read from network "
                                f"({', '.join(PLATFORM.reads['network'])}); declare it in shared/contracts.py")


def test_a_missing_upstream_output_fails_the_stack_naming_the_stack_the_keys_and_the_deploy_command():
    def program() -> None:
        Upstream(PLATFORM, "network", "dev")

    partial = {k: v for k, v in NETWORK_OUTPUTS.items() if k not in ("vpcId", "gatewayEndpoints")}
    with pytest.raises(UpstreamError) as error:
        run("platform", program, {NETWORK: StackOutputs(partial, [])})
    assert str(error.value) == (
        "stack organization/network/dev does not export vpcId, gatewayEndpoints; deploy network first "
        "(`invoke deploy --project network --env dev`) or check that the stack name and PULUMI_BACKEND_URL "
        "point at the right backend")


def test_exports_must_be_exactly_the_contract_naming_the_missing_and_the_undeclared():
    with pytest.raises(ContractError) as error:
        export_outputs("registry", {"repositoryUrls": {}, "zeta": 1, "alpha": 2})
    assert str(error.value) == ("project registry must export exactly its contract; missing: ['kmsKeyArn', "
                                "'repositoryArns'], undeclared: ['alpha', 'zeta'] (see shared/contracts.py)")
    with pytest.raises(ContractError, match=r"missing: \[\], undeclared: \['extra'\]"):
        export_outputs("registry", dict.fromkeys(REGISTRY.export_keys, "x") | {"extra": 1})


def test_exports_are_secret_exactly_where_the_contract_says(monkeypatch):
    from shared import contracts

    contract = contracts.ProjectContract("registry", (contracts.Export("token", "t", secret=True),
                                                      contracts.Export("url", "u")))
    monkeypatch.setitem(contracts.CONTRACTS, "registry", contract)
    plan = run("registry", lambda: export_outputs("registry", {"token": "plain-in-code", "url": "https://x"}))
    assert plan.outputs.values == {"token": "plain-in-code", "url": "https://x"}
    assert plan.outputs.secret_names == ["token"]

