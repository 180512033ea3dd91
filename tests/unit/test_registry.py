"""The registry program under the offline plan's mocks, its settings, and its lifecycle policy."""
import json
from dataclasses import replace

import pulumi
import pytest

from shared.catalog import SERVICES
from shared.components.context import AwsContext
from shared.components.registry import Registry, RegistryArgs
from shared.iam import parse_document
from shared.resource_policies import ecr_lifecycle_policy
from shared.settings import ConfigError, DictConfigSource
from shared.settings.pulumi_source import pulumi_config_source
from shared.settings.registry import load_registry_settings
from shared.stack_config import load_stack_config
from shared.stacks import StackId
from tests.conftest import Stack, policy
from tools.plan.mocks import ACCOUNT_ID
from tools.plan.runner import PlanError, run_stack

REPO = "aws:ecr/repository:Repository"
LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"


@pytest.fixture(scope="module")
def dev(environment_plans) -> Stack:
    return environment_plans("dev")["registry/dev"]


def test_every_catalog_service_gets_an_immutable_scanned_kms_encrypted_destroyable_repository(dev):
    key = dev.one("aws:kms/key:Key")
    repos = dev.of_type(REPO)
    assert [r.inputs["name"] for r in repos] == [f"ecr-{s.name}-dev" for s in SERVICES]
    for repo in repos:
        assert repo.inputs["imageTagMutability"] == "IMMUTABLE"
        assert repo.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
        assert repo.inputs["encryptionConfigurations"] == [{"encryptionType": "KMS", "kmsKey": key.state["arn"]}]
        assert repo.inputs["forceDelete"] is True
        assert repo.delete_before_replace is True and repo.protect is False


def test_the_registry_key_rotates_and_is_administered_through_iam(dev):
    key = dev.one("aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True and key.inputs["deletionWindowInDays"] == 7
    [statement] = parse_document(key.inputs["policy"])
    assert statement.principals == (f"arn:aws:iam::{ACCOUNT_ID}:root",) and statement.actions == ("kms:*",)
    assert dev.one("aws:kms/alias:Alias").inputs["name"] == "alias/alias-kms-registry-dev"


def test_each_repository_gets_the_lifecycle_policy_from_config(dev):
    policies = dev.of_type(LIFECYCLE)
    assert sorted(p.inputs["repository"] for p in policies) == sorted(f"ecr-{s.name}-dev" for s in SERVICES)
    rules = {r["rulePriority"]: r for r in policy(policies[0])["rules"]}
    # dev: untagged and non-release images expire after 7 days, the newest 10 release images stay.
    assert rules[1]["selection"] == {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                                     "countNumber": 7}
    assert rules[2]["selection"] == {"tagStatus": "tagged", "tagPatternList": ["*"],
                                     "countType": "imageCountMoreThan", "countNumber": 10}
    assert rules[3]["selection"]["tagStatus"] == "any"
    assert all(r["action"] == {"type": "expire"} for r in rules.values())


def test_the_any_rule_carries_the_highest_priority_number():
    rules = json.loads(ecr_lifecycle_policy(3, 5, ("v*", "release-*")))["rules"]
    by_status = {r["selection"]["tagStatus"]: r["rulePriority"] for r in rules}
    assert by_status["any"] == max(by_status.values()) and len(set(by_status.values())) == 3
    assert rules[1]["selection"]["tagPatternList"] == ["v*", "release-*"]


def test_outputs_map_each_service_to_its_repository(dev):
    urls = dev.outputs["repositoryUrls"]
    assert urls == {s.name: f"{ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com/ecr-{s.name}-dev" for s in SERVICES}
    assert dev.outputs["repositoryArns"]["frontend"] == \
        f"arn:aws:ecr:us-east-1:{ACCOUNT_ID}:repository/ecr-frontend-dev"
    assert dev.outputs["kmsKeyArn"] == dev.one("aws:kms/key:Key").state["arn"]


def test_prod_keeps_more_releases(environment_plans):
    prod = environment_plans("prod")["registry/prod"]
    rules = policy(prod.of_type(LIFECYCLE)[0])["rules"]
    assert [r["selection"]["countNumber"] for r in rules] == [30, 30, 30]


def test_a_fourth_catalog_service_gets_its_repository_with_no_other_change():
    fourth = replace(SERVICES[1], name="risk-engine", port=8083, callers=("api-gateway",))
    catalog = (*SERVICES, fourth)

    def program():
        settings = load_registry_settings(pulumi_config_source())
        Registry("registry", RegistryArgs(settings=settings, context=AwsContext.lookup(), services=catalog))

    stack = Stack(run_stack(StackId("registry", "dev"), {}, load_stack_config(StackId("registry", "dev")), program))
    assert [r.inputs["name"] for r in stack.of_type(REPO)] == [f"ecr-{s.name}-dev" for s in catalog]
    assert len(stack.of_type(LIFECYCLE)) == len(catalog)


def test_an_invalid_catalog_stops_the_registry_before_any_resource():
    broken = (*SERVICES, replace(SERVICES[2], name="loop", port=8090, callers=("loop",)))

    def program():
        settings = load_registry_settings(pulumi_config_source())
        Registry("registry", RegistryArgs(settings=settings, context=AwsContext.lookup(), services=broken))

    with pytest.raises(PlanError, match="service 'loop' lists itself as a caller"):
        run_stack(StackId("registry", "dev"), {}, load_stack_config(StackId("registry", "dev")), program)


def source(**overrides) -> DictConfigSource:
    values, _ = load_stack_config(StackId("registry", "dev"))
    plain = {k.split(":", 1)[1]: v for k, v in values.items() if k.startswith("registry:")}
    plain.update(dict(overrides.items()))
    return DictConfigSource("registry", "dev", plain)


def test_settings_of_the_committed_dev_stack():
    settings = load_registry_settings(source())
    assert (settings.image_expiry_days, settings.release_images_kept, settings.release_tag_patterns) == (7, 10, ("*",))
    assert (settings.common.project, settings.common.environment, settings.common.environment_suffix) == (
        "registry", "dev", "dev")


def test_a_tag_pattern_may_hold_up_to_four_wildcards():
    assert load_registry_settings(source(releaseTagPatterns='["a*b*c*d*"]')).release_tag_patterns == ("a*b*c*d*",)


@pytest.mark.parametrize("patterns, line", [
    ("[]", "config 'registry:releaseTagPatterns' = []: is empty, so no image counts as a release and every image "
           "would expire. Fix: list at least one pattern, e.g. '*' (every tagged image)"),
    ('["v*", "a*b*c*d*e*", "bad tag"]', "config 'registry:releaseTagPatterns' = ['a*b*c*d*e*', 'bad tag']: are not "
     "ECR tag patterns (letters, digits, '-_.*', at most 4 wildcards). Fix: fix or remove those patterns"),
])
def test_each_tag_pattern_rule_gives_its_whole_line(patterns, line):
    with pytest.raises(ConfigError) as error:
        load_registry_settings(source(releaseTagPatterns=patterns))
    assert str(error.value).splitlines()[1:] == [f"  - {line}"]


@pytest.mark.parametrize("overrides, expected", [
    ({"imageExpiryDays": "0"}, "config 'registry:imageExpiryDays' = 0: is outside 1..3650. Fix: choose a value from 1"),
    ({"releaseImagesKept": "0"}, "config 'registry:releaseImagesKept' = 0: is outside 1..20000"),
    ({"releaseTagPatterns": "[]"}, "config 'registry:releaseTagPatterns' = []: is empty"),
    ({"releaseTagPatterns": '["v*", "a*b*c*d*e*", "bad tag"]'},
     "config 'registry:releaseTagPatterns' = ['a*b*c*d*e*', 'bad tag']: are not ECR tag patterns"),
])
def test_bad_registry_settings_name_key_value_and_fix(overrides, expected):
    with pytest.raises(ConfigError) as error:
        load_registry_settings(source(**overrides))
    assert expected in str(error.value)


def test_a_bad_lifecycle_count_fails_the_plan_before_any_resource(run_project):
    with pytest.raises(PlanError, match=r"registry:releaseImagesKept' = 0: is outside 1\.\.20000"):
        run_project("registry", "dev", {"releaseImagesKept": "0"})


def test_repositories_are_tagged_with_their_service_and_the_key_says_what_it_encrypts(dev):
    # The tags name the catalog service of each repository in AWS itself (console, tag filters, cost reports).
    for service in SERVICES:
        tags = dev.one(REPO, f"registry-{service.name}").inputs["tags"]
        assert (tags["Name"], tags["Service"]) == (f"ecr-{service.name}-dev", service.name)
    assert dev.one("aws:kms/key:Key").inputs["description"] == "ECR repositories of environment dev"


def test_every_registry_resource_is_a_child_of_the_registry_component(dev):
    # A child's URN holds its parent's type: a repository or policy moved out of the component would be a new URN,
    # so `up` would delete it (and the images it holds) and create another.
    [component] = dev.of_type("trading:registry:Registry")
    assert dev.resources and all(r.parent == component.urn for r in dev.resources)


def test_the_key_and_its_alias_are_named_after_the_component(dev):
    # Logical names are part of the URN: another name is a new key, and `up` would replace the registry's key.
    assert dev.one("aws:kms/key:Key").name == "registry-key"
    assert dev.one("aws:kms/alias:Alias").name == "registry-key-alias"


def test_options_given_to_the_component_reach_it_and_its_children():
    # A caller's options (protect, aliases after a move, a provider) would otherwise be dropped without a word.
    def program():
        settings = load_registry_settings(pulumi_config_source())
        Registry("registry", RegistryArgs(settings=settings, context=AwsContext.lookup()),
                 opts=pulumi.ResourceOptions(protect=True))

    stack = Stack(run_stack(StackId("registry", "dev"), {}, load_stack_config(StackId("registry", "dev")), program))
    assert stack.one("trading:registry:Registry").protect is True
    assert stack.of_type(REPO) and all(r.protect is True for r in stack.of_type(REPO))


def test_the_component_registers_the_registrys_contract_as_its_outputs(dev):
    # What the state shows under the component: the same maps and key the stack exports.
    assert dev.one("trading:registry:Registry").outputs == {
        "repositoryUrls": {s.name: f"{ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com/ecr-{s.name}-dev" for s in SERVICES},
        "repositoryArns": {s.name: f"arn:aws:ecr:us-east-1:{ACCOUNT_ID}:repository/ecr-{s.name}-dev" for s in SERVICES},
        "kmsKeyArn": dev.one("aws:kms/key:Key").state["arn"]}
