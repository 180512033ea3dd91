import pytest

from shared import contracts
from shared.catalog import SERVICES
from shared.contracts import CONTRACTS, ContractError, Export, ProjectContract, check_contracts
from shared.stacks import (
    PROJECT_ORDER,
    StackId,
    deploy_order,
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


def test_contract_key_sets():
    assert "vpcId" in contracts.NETWORK.export_keys and contracts.NETWORK.secret_keys == frozenset()
    assert set(CONTRACTS) == set(PROJECT_ORDER)


def test_deploy_order_has_one_stack_per_service_last():
    order = deploy_order("dev")
    assert [str(s) for s in order[:3]] == ["network/dev", "registry/dev", "platform/dev"]
    assert [s.stack for s in order[3:]] == [f"{s.name}-dev" for s in SERVICES]
    assert stacks_for("network", "prod") == [StackId("network", "prod")]
    assert StackId("network", "dev").directory.name == "network"


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
