"""The AWS preflight on moto, and through botocore's Stubber where moto lacks the API (Fargate quotas) or a
failure cannot be staged (AccessDenied): each check passes, and fails with its fix."""
from __future__ import annotations

import socket

import pytest
from botocore.stub import Stubber
from moto.server import ThreadedMotoServer

from shared.fargate import CapacityShare
from shared.stack_config import load_environment_config
from shared.stacks import StackId
from tests.deploy.conftest import repository_name
from tests.shared_clients import MOCKED
from tools.deploy import preflight as pf

URLS = {s: f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{repository_name(s)}"
        for s in ("frontend", "api-gateway", "processing-service")}


def needs(*stacks: str) -> list[pf.ServiceNeeds]:
    configs = load_environment_config([StackId("services", s) for s in stacks])
    return [pf.service_needs(config) for config in configs.values()]


def stubbed(preflight: pf.Preflight, name: str) -> Stubber:
    stubber = Stubber(preflight.client(name))
    stubber.activate()
    return stubber


# --- pure: what the services need -------------------------------------------------------------------------------
def test_service_needs_come_from_the_stack_config():
    [frontend] = needs("frontend-prod")
    # prod frontend: 512 cpu units, up to 10 tasks, FARGATE:2:1 + FARGATE_SPOT:0:3 -> 2 + 8*1/4 on demand
    assert (frontend.service, frontend.image_tag, frontend.vcpu, frontend.max_capacity) == ("frontend", "1.0.0", 0.5,
                                                                                             10)
    assert frontend.spot_tasks == 6 and frontend.blue_green
    assert frontend.on_demand_peak == 4.0 and frontend.spot_peak == 6.0


def test_a_stack_sized_in_its_own_file_counts_its_own_vcpu():
    [processing] = needs("processing-service-dev")  # services:cpu 1024 in dev; the catalog says 2048
    assert processing.vcpu == 1.0


@pytest.mark.parametrize("tasks, shares, spot", [
    (10, [CapacityShare("FARGATE", 0, 1)], 0),
    (10, [CapacityShare("FARGATE", 2, 1), CapacityShare("FARGATE_SPOT", 0, 3)], 6),
    (1, [CapacityShare("FARGATE_SPOT", 2, 1), CapacityShare("FARGATE", 0, 1)], 1),
    (4, [CapacityShare("FARGATE", 0, 0), CapacityShare("FARGATE_SPOT", 4, 0)], 4),
])
def test_tasks_on_spot_place_bases_first_then_weights(tasks, shares, spot):
    assert pf.tasks_on_spot(tasks, shares) == spot


def test_quota_checks_warn_with_the_numbers_and_never_block():
    found = needs("frontend-prod", "api-gateway-prod")
    on_demand, spot = pf.quota_checks(found, {pf.ON_DEMAND_QUOTA: 6, pf.SPOT_QUOTA: None})
    assert not on_demand.ok and not on_demand.refuses
    assert str(on_demand).startswith("preflight WARN  Fargate On-Demand vCPU quota (L-3032A538): peak ")
    assert "exceeds the quota 6: tasks beyond it stay PROVISIONING; request an increase of L-3032A538" in str(
        on_demand)
    assert "frontend 4 (blue/green)" in str(on_demand)
    assert "could not be read" in spot.detail and not spot.refuses
    [ok, _] = pf.quota_checks(found, {pf.ON_DEMAND_QUOTA: 1000, pf.SPOT_QUOTA: 1000})
    assert ok.ok and str(ok).startswith("preflight pass  Fargate On-Demand vCPU quota (L-3032A538): peak ")


# --- against moto -------------------------------------------------------------------------------------------------
def test_identity_region_role_and_images_pass_on_a_ready_account(aws):
    check = pf.Preflight(environ={})
    assert str(check.identity()) == ("preflight pass  AWS identity: account 123456789012 as "
                                     "arn:aws:sts::123456789012:user/moto")
    assert check.service_linked_role().ok
    images = check.images(needs("frontend-dev", "api-gateway-dev"), URLS, "dev")
    assert str(images) == "preflight pass  service images: frontend:1.0.0, api-gateway:1.0.0 in ECR"


def test_region_is_every_stacks_and_a_shell_pointing_elsewhere_is_noted():
    configs = list(load_environment_config([StackId("network", "dev")]).values())
    assert pf.Preflight(environ={}).region(configs).detail == "us-east-1 (aws:region of every stack)"
    noted = pf.Preflight(environ={"AWS_REGION": "eu-west-1"}).region(configs)
    assert noted.ok and "this shell's AWS_REGION is eu-west-1, export AWS_REGION=us-east-1" in noted.detail
    moved = configs[0].__class__(configs[0].stack, {**configs[0].values, "aws:region": "eu-west-1"}, ())
    refused = pf.Preflight(environ={}).region([moved])
    assert refused.refuses and "network/dev (eu-west-1) set aws:region to another region than us-east-1" in str(
        refused)


def test_a_missing_image_fails_with_the_build_push_command(aws):
    MOCKED.client("ecr").batch_delete_image(
        repositoryName=repository_name("api-gateway"), imageIds=[{"imageTag": "1.0.0"}])
    check = pf.Preflight(environ={}).images(needs("frontend-dev", "api-gateway-dev"), URLS, "dev")
    assert check.refuses
    assert check.detail == ("1 image(s) not in ECR; build and push them (or re-run deploy-all with --build-images):\n"
                            "    ./dev build-push --service api-gateway --tag 1.0.0 --env dev")


@pytest.mark.parametrize("urls, message", [
    ({}, "the registry stack has no repository for frontend; redeploy the registry"),
    ({"frontend": "not-a-url"}, "repository URL 'not-a-url' is not an ECR URL"),
    ({"frontend": "123456789012.dkr.ecr.us-east-1.amazonaws.com/gone"},
     "cannot read ECR repository gone (RepositoryNotFoundException); check that the registry stack is deployed"),
])
def test_images_that_cannot_be_checked_fail_with_the_reason(aws, urls, message):
    check = pf.Preflight(environ={}).images(needs("frontend-dev"), urls, "dev")
    assert check.refuses and message in check.detail


def test_a_missing_service_linked_role_fails_with_the_command_or_is_created(aws):
    MOCKED.client("iam").delete_role(RoleName=pf.ECS_SERVICE_LINKED_ROLE)
    missing = pf.Preflight(environ={}).service_linked_role()
    assert missing.refuses
    assert ("create it: `aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com`, or re-run with "
            "--create-service-linked-role") in missing.detail
    created = pf.Preflight(environ={}).service_linked_role(create=True)
    assert created.ok and created.detail == "created (--create-service-linked-role)"


def test_the_checks_honour_aws_endpoint_url(monkeypatch):
    """A local emulator: moto's server on a free port, reached only through AWS_ENDPOINT_URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        variables = {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        check = pf.Preflight().identity()
        assert check.ok and check.detail.endswith(f"(endpoint {endpoint})")
        assert not pf.Preflight().service_linked_role().ok
    finally:
        server.stop()


def test_no_reachable_aws_fails_the_identity_check_with_the_fix(monkeypatch):
    for name, value in {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1",
                        "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}.items():
        monkeypatch.setenv(name, value)
    check = pf.Preflight().identity()
    assert check.refuses and check.detail.startswith("no usable credentials (endpoint http://127.0.0.1:9) (")
    assert check.detail.endswith("set AWS_PROFILE, or run `aws configure` / `aws sso login`")


# --- through Stubber --------------------------------------------------------------------------------------------
def quota(code: str, value: float) -> dict:
    return {"Quota": {"ServiceCode": "fargate", "QuotaCode": code, "Value": value}}


def test_fargate_quotas_are_read_and_compared(aws):
    check = pf.Preflight(environ={})
    stubber = stubbed(check, "service-quotas")
    stubber.add_response("get_service_quota", quota(pf.ON_DEMAND_QUOTA, 4.0),
                         {"ServiceCode": "fargate", "QuotaCode": pf.ON_DEMAND_QUOTA})
    stubber.add_response("get_service_quota", quota(pf.SPOT_QUOTA, 100.0),
                         {"ServiceCode": "fargate", "QuotaCode": pf.SPOT_QUOTA})
    on_demand, spot = check.quotas(needs("frontend-prod", "api-gateway-prod"))
    assert not on_demand.ok and "exceeds the quota 4" in on_demand.detail
    assert spot.ok and spot.detail == "peak 18 vCPU of 100 (frontend 6 (blue/green), api-gateway 12)"
    stubber.assert_no_pending_responses()


def test_unreadable_quotas_and_a_denied_role_read_are_reported(aws):
    check = pf.Preflight(environ={})
    quotas = stubbed(check, "service-quotas")
    quotas.add_client_error("get_service_quota", "AccessDeniedException")
    quotas.add_client_error("get_service_quota", "NoSuchResourceException")
    assert [c.detail.startswith("could not be read") for c in check.quotas(needs("frontend-dev"))] == [True, True]
    iam = stubbed(check, "iam")
    iam.add_client_error("get_role", "AccessDenied")
    denied = check.service_linked_role()
    assert denied.refuses and denied.detail.startswith("cannot be read (AccessDenied); allow iam:GetRole")
    iam.add_client_error("get_role", "NoSuchEntity")
    iam.add_client_error("create_service_linked_role", "AccessDenied")
    failed = check.service_linked_role(create=True)
    assert failed.refuses and "could not be created (AccessDenied" in failed.detail
    assert "with an administrator's credentials" in failed.detail
    assert pf.error_code(ValueError("x")) == "ValueError"
