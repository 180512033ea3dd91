"""Patterns must match the whole value: `re.match` with `$` lets a trailing newline through, and a newline in a
name, an ARN or an e-mail would reach AWS (or a shell) as part of the value."""
import pytest

from shared import catalog
from shared.catalog import CatalogError, Service, validate_catalog
from shared.naming import NamingError, physical_name, suffix_problem
from shared.settings import ConfigError
from shared.settings.platform import load_platform_settings
from shared.settings.registry import load_registry_settings
from tests.unit.test_platform_settings import source as platform_source
from tests.unit.test_registry import source as registry_source
from tools.release import ReleaseError, Repository

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"


def test_suffix_and_names_with_a_trailing_newline_are_refused():
    assert "lower-case" in suffix_problem("dev\n")
    with pytest.raises(NamingError, match="does not match"):
        physical_name("sqs", "dev", "orders\n")


@pytest.mark.parametrize("overrides, key", [
    ({"certificateArn": CERT + "\n"}, "platform:certificateArn"),
    ({"alarmEmails": '["oncall@example.com\\n"]'}, "platform:alarmEmails"),
    ({"ownerTeam": "platform\n"}, "platform:ownerTeam"),
])
def test_platform_values_with_a_trailing_newline_are_refused(overrides, key):
    with pytest.raises(ConfigError, match=key):
        load_platform_settings(platform_source(**overrides))


def test_registry_tag_pattern_with_a_trailing_newline_is_refused():
    with pytest.raises(ConfigError, match="registry:releaseTagPatterns"):
        load_registry_settings(registry_source(releaseTagPatterns='["v*\\n"]'))


def test_catalog_service_name_with_a_trailing_newline_is_refused():
    bad = Service(name="ledger\n", port=8090, cpu=256, memory=512, owner_team="ledger")
    with pytest.raises(CatalogError, match="name must be lower-case"):
        validate_catalog((*catalog.SERVICES, bad))


def test_an_ecr_url_with_a_trailing_newline_is_refused():
    url = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-frontend-dev"
    assert Repository.parse(url).name == "ecr-frontend-dev"
    with pytest.raises(ReleaseError, match="is not an ECR URL"):
        Repository.parse(url + "\n")
