"""With AWS unreachable the verifier says "not verified: cannot reach AWS", never "N failed" (which reads as
drift), and the task exits 3, not 0."""
from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from invoke import Context, Exit

import tasks
from tools.findings import Status
from tools.verify import checks, report
from tools.verify.expected import expected_for


@pytest.fixture
def dev_outputs(plan_document) -> dict:
    """An outputs document as `invoke outputs` writes it, from the offline plan's exports."""
    document = plan_document("dev")
    return {"environment": "dev",
            "stacks": {f"{s['project']}/{s['stack']}": s["outputs"] for s in document["stacks"]}}


@pytest.fixture
def closed_endpoint(monkeypatch):
    # Port 9 (discard) on loopback: nothing listens, so every call fails to connect at once.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")


def test_every_check_is_not_verified_when_aws_cannot_be_reached(dev_outputs, closed_endpoint):
    results = checks.run_checks(boto3.Session(region_name="us-east-1"), expected_for(dev_outputs))
    assert [r.rule for r in results] == list(checks.CHECKS)
    assert {r.status for r in results} == {Status.NOT_VERIFIED}
    assert all(r.actual.startswith("not verified: cannot reach AWS (Could not connect") for r in results)


@pytest.mark.parametrize(("error", "status"), [
    (EndpointConnectionError(endpoint_url="https://ecs.us-east-1.amazonaws.com"), Status.NOT_VERIFIED),
    (ReadTimeoutError(endpoint_url="https://ecs.us-east-1.amazonaws.com"), Status.NOT_VERIFIED),
    (ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "DescribeServices"), Status.FAIL),
])
def test_a_connection_lost_mid_run_is_not_verified_while_an_aws_refusal_fails(error, status):
    def inspect(item):
        raise error

    [result] = checks._guarded("ecs-status", [("ecs service svc-frontend-dev", None)], inspect)
    assert result.status is status and result.resource == "ecs service svc-frontend-dev"


def test_the_task_exits_3_when_nothing_could_be_verified(dev_outputs, closed_endpoint, monkeypatch, capsys,
                                                          tmp_path):
    monkeypatch.setattr(report, "live_session", lambda region: boto3.Session(region_name=region))
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(dev_outputs))
    with pytest.raises(Exit) as raised:
        tasks.verify(Context(), env="dev", outputs_file=str(path))
    assert raised.value.code == 3 and raised.value.message.startswith("dev not verified: nothing could be checked")
    out = capsys.readouterr().out
    assert f"0 passed, 0 failed, {len(checks.CHECKS)} not verified" in out
