from dataclasses import replace

import pytest

from shared import contracts
from shared.catalog import SERVICES
from shared.contracts import CONTRACTS, ContractError, Export, ProjectContract, check_contracts
from shared.stacks import (
    PROJECT_ORDER,
    StackId,
    deploy_order,
    discover_environments,
    organization,
    split_service_stack,
    stack_reference_name,
    stacks_for,
)


def test_every_consumer_reads_only_what_its_producers_export():
    check_contracts()


def test_a_consumer_reading_a_key_the_producer_does_not_export_fails():
    broken = dict(CONTRACTS)
    broken["services"] = ProjectContract("services", (), reads={"network": ("vpcId", "noSuchKey")})
    with pytest.raises(ContractError, match=r"services reads network.noSuchKey, which network does not export"):
        check_contracts(broken)


def test_reading_from_a_later_or_unknown_project_fails():
    broken = {
        "network": ProjectContract("network", (Export("a", "a"),), reads={"platform": ("x",), "ghost": ("y",)}),
        "platform": ProjectContract("platform", (Export("x", "x"),)),
    }
    with pytest.raises(ContractError) as error:
        check_contracts(broken)
    assert "network reads from platform, which deploys after it" in str(error.value)
    assert "unknown project 'ghost'" in str(error.value)


def test_every_broken_read_is_listed_in_one_error():
    # an unknown producer does not stop the check of the consumer's other reads; a project cannot read itself
    broken = {
        "network": ProjectContract("network", (Export("c", "c"), Export("a", "a")),
                                   reads={"ghost": ("y",), "network": ("b", "a", "c")}),
    }
    with pytest.raises(ContractError) as error:
        check_contracts(broken)
    assert str(error.value) == (
        "broken stack contracts:\n"
        "  - network reads from unknown project 'ghost'\n"
        "  - network reads from network, which deploys after it\n"
        "  - network reads network.b, which network does not export (exports: a, c)")


def test_secret_exports_are_the_ones_marked_secret():
    contract = ProjectContract("platform", (Export("x", "x"), Export("s", "s", secret=True)))
    assert (contract.export_keys, contract.secret_keys) == (frozenset({"x", "s"}), frozenset({"s"}))


def test_contract_key_sets():
    assert "vpcId" in contracts.NETWORK.export_keys and contracts.NETWORK.secret_keys == frozenset()
    assert set(CONTRACTS) == set(PROJECT_ORDER)


def test_deploy_order_has_one_stack_per_service_last():
    order = deploy_order("dev")
    assert [str(s) for s in order[:3]] == ["network/dev", "registry/dev", "platform/dev"]
    assert [s.stack for s in order[3:]] == [f"{s.name}-dev" for s in SERVICES]
    assert stacks_for("network", "prod") == [StackId("network", "prod")]
    assert StackId("network", "dev").directory.name == "network"


def test_the_environments_are_the_first_projects_stack_files(tmp_path):
    (tmp_path / "network").mkdir()
    for name in ("Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.dev.yaml", "Pulumi.staging.yml", "README.md"):
        (tmp_path / "network" / name).write_text("")
    assert discover_environments(tmp_path) == ("dev", "prod")


def test_service_stacks_follow_the_given_catalog():
    api = replace(SERVICES[0], name="api")
    assert stacks_for("services", "dev", (api,)) == [StackId("services", "api-dev")]
    assert [str(s) for s in deploy_order("prod", (api,))] == [
        "network/prod", "registry/prod", "platform/prod", "services/api-prod"]


def test_the_longest_service_name_wins_when_one_is_a_prefix_of_another():
    api, gateway = replace(SERVICES[0], name="api"), replace(SERVICES[0], name="api-gateway")
    service, environment = split_service_stack("api-gateway-dev", (api, gateway))
    assert (service.name, environment) == ("api-gateway", "dev")
    service, environment = split_service_stack("api-dev", (gateway, api))
    assert (service.name, environment) == ("api", "dev")


def test_stack_reference_names_use_the_backend_org(monkeypatch):
    monkeypatch.delenv("PULUMI_ORG", raising=False)
    assert organization() == "organization"
    assert stack_reference_name("network", "dev") == "organization/network/dev"
    monkeypatch.setenv("PULUMI_ORG", "acme-trading")
    assert stack_reference_name("platform", "prod") == "acme-trading/platform/prod"


def test_service_stack_names_select_a_catalog_service():
    service, environment = split_service_stack("processing-service-dev-pr42")
    assert (service.name, environment) == ("processing-service", "dev-pr42")
    for bad in ("payments-dev", "frontend-", "frontend"):
        with pytest.raises(ValueError, match=r"names no catalog service.*frontend, api-gateway, processing-service"):
            split_service_stack(bad)


def test_one_upstream_ready_rule_for_programs_and_the_deploy_tooling():
    from shared.contracts import deploy_command, missing_reads

    assert missing_reads(("vpcId", "privateSubnetIds"), {"vpcId": "vpc-1", "privateSubnetIds": None}) == [
        "privateSubnetIds"]
    assert missing_reads(("vpcId",), None) == ["vpcId"] and missing_reads(("vpcId",), {"vpcId": ""}) == []
    assert deploy_command("network", "prod") == "invoke deploy --project network --env prod"
