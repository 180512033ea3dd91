"""CODEOWNERS is generated from the projects' owner teams and the catalog; the committed file must match."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from shared.catalog import SERVICES, Service
from tools import codeowners
from tools.codeowners import CodeownersError, generate

ROOT = Path(__file__).resolve().parents[2]


def owners(text: str) -> list[tuple[str, str]]:
    return [tuple(line.split()) for line in text.splitlines() if line and not line.startswith("#")]  # type: ignore[misc]


def owner_of(text: str, path: str) -> str:
    """GitHub's rule: the last matching line wins (patterns here: *, /dir/, /dir/*/file, /dir/Pulumi.x-*.yaml)."""
    import fnmatch
    found = ""
    for pattern, team in owners(text):
        if pattern == "*" or (pattern.endswith("/") and path.startswith(pattern.lstrip("/"))) or \
                fnmatch.fnmatchcase(path, pattern.lstrip("/")):
            found = team
    return found


def test_the_committed_file_is_the_generated_one():
    assert (ROOT / ".github" / "CODEOWNERS").read_text() == generate(ROOT), \
        ".github/CODEOWNERS is stale: run ./dev codeowners and commit it"


@pytest.mark.parametrize(("path", "team"), [
    ("projects/services/Pulumi.frontend-dev.yaml", "@trading-org/trading-ui"),
    ("projects/services/Pulumi.api-gateway-prod.yaml", "@trading-org/trading-api"),
    ("projects/services/Pulumi.processing-service-staging.yaml", "@trading-org/trading-execution"),
    ("apps/processing-service/processing_service/app.py", "@trading-org/trading-execution"),
    ("apps/frontend/Dockerfile", "@trading-org/trading-ui"),
    ("shared/catalog.py", "@trading-org/platform"),
    ("shared/components/service.py", "@trading-org/platform"),
    ("policy/rules/iam.py", "@trading-org/platform"),
    ("tools/cost.py", "@trading-org/platform"),
    ("projects/services/__main__.py", "@trading-org/platform"),
    ("projects/services/Pulumi.yaml", "@trading-org/platform"),
    ("projects/platform/Pulumi.prod.yaml", "@trading-org/platform"),
    ("projects/network/__main__.py", "@trading-org/platform-network"),
    ("projects/network/Pulumi.prod.yaml", "@trading-org/platform-network"),
    ("README.md", "@trading-org/platform"),
])
def test_each_team_owns_its_stack_files_and_app_the_platform_the_rest(path, team):
    assert owner_of(generate(ROOT), path) == team


def test_a_longer_service_name_comes_after_the_shorter_one_it_starts_with():
    services = (*SERVICES, Service(name="api", port=9000, cpu=256, memory=512, owner_team="team-api"))
    text = generate(ROOT, services)
    assert owner_of(text, "projects/services/Pulumi.api-gateway-dev.yaml") == "@trading-org/trading-api"
    assert owner_of(text, "projects/services/Pulumi.api-dev.yaml") == "@trading-org/team-api"


def copy_projects(tmp_path: Path) -> Path:
    for project in ("network", "platform", "registry", "services"):
        (tmp_path / "projects" / project).mkdir(parents=True)
        shutil.copy(ROOT / "projects" / project / "Pulumi.yaml", tmp_path / "projects" / project / "Pulumi.yaml")
    return tmp_path


def test_an_owner_team_comes_from_the_project_or_the_catalog(tmp_path):
    root = copy_projects(tmp_path)
    network = root / "projects" / "network" / "Pulumi.yaml"
    network.write_text(network.read_text().replace("default: platform-network", "default: netops"))
    assert owner_of(generate(root), "projects/network/Pulumi.dev.yaml") == "@trading-org/netops"
    assert owner_of(generate(root, org="acme"), "shared/x.py") == "@acme/platform"
    network.write_text("name: network\nconfig: {}\n")
    with pytest.raises(CodeownersError, match="ownerTeam default"):
        generate(root)


def test_a_service_without_a_team_is_refused(tmp_path):
    services = (Service(name="orphan", port=9000, cpu=256, memory=512, owner_team=""),)
    with pytest.raises(CodeownersError, match="'orphan' has no owner_team"):
        generate(ROOT, services)


def test_write_creates_the_file(tmp_path):
    root = copy_projects(tmp_path)
    path = codeowners.write(root)
    assert path == root / ".github" / "CODEOWNERS" and path.read_text() == generate(root)
