"""Where expected values come from, how the verifier refuses to start without outputs, and the table."""
from __future__ import annotations

import copy
import json

import pytest

from shared.catalog import SERVICES
from shared.components import network as network_component
from shared.components import service as service_component
from shared.stacks import StackId
from tools.verify.expected import VerifyError, config_source, expected_for, load_outputs, outputs_path
from tools.verify.results import Status, compare, counts, observed, render_table, summary_line

HINT = "deploy the environment, then run `invoke outputs --env dev` to write it"


def test_outputs_path_is_where_invoke_outputs_writes(tmp_path):
    assert outputs_path(tmp_path, "prod") == tmp_path / "outputs" / "prod.json"


@pytest.mark.parametrize("content, problem", [
    (None, "no outputs file at"),
    ("{not json", "is not JSON"),
    ('{"environment": "dev", "stacks": []}', "has no 'stacks' mapping"),
    ('["dev"]', "has no 'stacks' mapping"),
    ('{"environment": "prod", "stacks": {}}', "is for environment 'prod', not 'dev'"),
])
def test_unusable_outputs_file_is_refused_with_the_fix(tmp_path, content, problem):
    path = tmp_path / "dev.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(VerifyError) as error:
        load_outputs(path, "dev")
    assert problem in str(error.value)
    assert str(path) in str(error.value)
    assert HINT in str(error.value)


def test_outputs_file_is_read(tmp_path):
    path = tmp_path / "dev.json"
    path.write_text(json.dumps({"environment": "dev", "stacks": {"network/dev": {"vpcId": "vpc-1"}}}))
    assert load_outputs(path, "dev")["stacks"]["network/dev"] == {"vpcId": "vpc-1"}


def test_config_source_reads_stack_config_as_the_program_does():
    source = config_source(StackId("services", "frontend-dev"))
    assert (source.project, source.stack) == ("services", "frontend-dev")
    assert source.get("imageTag") == "1.0.0"                     # stack file
    assert source.get("cpuTargetPercent") == "70"                # Pulumi.yaml default
    assert source.get("aws:region") == "us-east-1"               # another namespace stays qualified
    assert json.loads(source.get("capacityStrategy")) == ["FARGATE_SPOT:0:1"]  # dev: Spot only


def test_config_source_keeps_secret_keys_secret():
    source = config_source(StackId("platform", "prod"))
    assert source.is_secret("databaseUrl") and source.is_secret("thirdPartyApiKeys")
    assert not source.is_secret("waf")


def test_expected_values_come_from_config_catalog_and_component_constants(built_dev_env):
    expected = expected_for(built_dev_env.document)

    assert expected.environment == "dev" and expected.region == "us-east-1"
    assert expected.network_settings.availability_zones == ("us-east-1a", "us-east-1b", "us-east-1c")
    assert [s.name for s in expected.services] == [s.name for s in SERVICES]
    assert [s.name for s in expected.public_services] == [s.name for s in SERVICES if s.public]
    assert [s.service for s in expected.services] == list(SERVICES)
    frontend = next(s for s in expected.services if s.name == "frontend")
    assert frontend.settings.capacity_strategy == (("FARGATE_SPOT", 0, 1),)
    assert dict(expected.log_retention) == {
        "log-vpc-flow-dev": network_component.LOG_RETENTION_DAYS,
        **{f"log-{s.name}-dev": service_component.LOG_RETENTION_DAYS for s in SERVICES}}


def test_expected_follows_a_changed_stack_config(built_dev_env):
    # GIVEN the frontend stack's config says max 6: the verifier expects 6, with no code change
    def read(stack: StackId):
        source = config_source(stack)
        if stack.stack == "frontend-dev":
            source.values["maxCapacity"] = "6"
        return source

    expected = expected_for(built_dev_env.document, read_config=read)
    assert expected.services[0].settings.max_capacity == 6
    assert expected.services[1].settings.max_capacity == 10


def test_missing_stack_in_outputs_is_refused(built_dev_env):
    document = copy.deepcopy(built_dev_env.document)  # the environment is shared with the module's other tests
    del document["stacks"]["services/api-gateway-dev"]
    with pytest.raises(VerifyError, match=r"the outputs file has no stack services/api-gateway-dev: deploy it, "
                                          r"then run `invoke outputs --env dev` again"):
        expected_for(document)


def test_stack_lacking_a_contract_output_is_refused(built_dev_env):
    document = copy.deepcopy(built_dev_env.document)
    del document["stacks"]["platform/dev"]["clusterArn"]
    del document["stacks"]["platform/dev"]["albArn"]
    with pytest.raises(VerifyError, match=r"stack platform/dev in the outputs file lacks albArn, clusterArn "
                                          r"\(declared in shared/contracts.py\)"):
        expected_for(document)


def test_table_shows_every_status_and_whole_reasons_and_summary_counts_each_status():
    results = [
        compare("alb", "alb alb-dev", "Scheme", "internet-facing", "internet-facing"),
        compare("ecr", "ecr repository ecr-frontend-dev", "imageTagMutability", "IMMUTABLE", "MUTABLE"),
        observed("health-probe", "alb x", "GET /health", "2xx", "not reachable from here: " + "x" * 80,
                 Status.NOT_VERIFIED),
    ]

    table = render_table(results).splitlines()

    # the one findings table of every gate: no stack column (one environment), the reason never clipped
    assert table[0].split() == ["rule", "status", "resource", "problem"]
    assert set(table[1]) == {"-", " "}
    assert table[2].split()[:2] == ["alb", "pass"]
    assert table[2].endswith("Scheme: expected internet-facing, found internet-facing")
    assert table[3].split()[:2] == ["ecr", "FAIL"]
    assert table[3].endswith("imageTagMutability: expected IMMUTABLE, found MUTABLE")
    assert table[4].split()[:3] == ["health-probe", "not", "verified"]
    assert table[4].endswith("GET /health: expected 2xx, found not reachable from here: " + "x" * 80)
    assert counts(results) == {Status.PASS: 1, Status.FAIL: 1, Status.NOT_VERIFIED: 1}
    assert summary_line(results) == "3 results: 1 passed, 1 failed, 1 not verified"
