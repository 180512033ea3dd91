"""affected: each kind of change maps to the expected stacks (a small repository, and this one's import graph)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tools import affected as af
from tools.affected import NO_BASE, AffectedError, Stack, affected, catalog_shape

ROOT = Path(__file__).resolve().parents[2]

CATALOG = '''\
from dataclasses import dataclass
from shared.sizes import check

@dataclass(frozen=True)
class Service:
    name: str
    cpu: int = 256
    callers: tuple = ()

SERVICES = (
    Service(name="web", cpu=256),  # the front door
    Service(name="api", callers=("web",)),
    Service(name="api-worker", callers=("api",)),
    Service("unnamed"),
)
'''
PROGRAMS = {
    "network": "from shared.components.network import Network\n",
    "registry": "from shared import catalog\n",
    "platform": "import shared.catalog\nfrom shared.components import platform\n",
    "services": "from shared import catalog\nfrom shared.components.service import Service\n",
}
LIBRARY = {
    "shared/__init__.py": "",
    "shared/sizes.py": "def check(): ...\n",
    "shared/naming.py": "def name(): ...\n",
    "shared/tags.py": "from .naming import name\n",
    "shared/unused.py": "",
    "shared/components/__init__.py": "from . import context\n",
    "shared/components/context.py": "def ctx():\n    from ..tags import name\n",
    "shared/components/network.py": "class Network: ...\n",
    "shared/components/platform.py": "import shared.naming\n",
    "shared/components/service.py": "from shared.catalog import Service\nclass Service2: ...\n",
}
STACK_FILES = ["network/Pulumi.dev.yaml", "network/Pulumi.prod.yaml", "network/Pulumi.staging.yaml",
               "registry/Pulumi.dev.yaml", "registry/Pulumi.prod.yaml", "platform/Pulumi.dev.yaml",
               "platform/Pulumi.prod.yaml", "services/Pulumi.web-dev.yaml", "services/Pulumi.web-prod.yaml",
               "services/Pulumi.api-dev.yaml", "services/Pulumi.api-worker-dev.yaml",
               "services/Pulumi.api-worker-prod.yaml", "services/Pulumi.stray-dev.yaml"]


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "repo"
    write(root, {**LIBRARY, "shared/catalog.py": CATALOG, "policy/rules.py": "", "apps/web/app.py": "",
                 "apps/common/kit.py": "", "tools/x.py": "", "projects/notes/README": ""})
    for project, program in PROGRAMS.items():
        write(root, {f"projects/{project}/__main__.py": program, f"projects/{project}/Pulumi.yaml": "name: x\n"})
    write(root, {f"projects/{name}": "config: {}\n" for name in STACK_FILES})
    return root


def names(result) -> dict[str, list[str]]:
    return {str(stack): af.reason_texts(reasons) for stack, reasons in af.selected(result, None)}


def test_the_stacks_are_the_stack_files_present_in_deploy_order(repo):
    stacks = af.stacks_present(repo, ["web", "api", "api-worker"])
    assert [str(s) for s in stacks] == [
        "network/dev", "registry/dev", "platform/dev", "services/api-dev", "services/api-worker-dev",
        "services/web-dev", "network/prod", "registry/prod", "platform/prod", "services/api-worker-prod",
        "services/web-prod", "network/staging"]
    assert Stack("services", "api-worker-dev", "dev", "api-worker") in stacks  # not api + "worker-dev"


def test_a_stack_file_is_that_stack(repo):
    result = affected(["projects/services/Pulumi.web-prod.yaml", "projects/network/Pulumi.staging.yaml"], repo,
                      CATALOG)
    assert names(result) == {"services/web-prod": ["stack file (projects/services/Pulumi.web-prod.yaml)"],
                             "network/staging": ["stack file (projects/network/Pulumi.staging.yaml)"]}


def test_a_removed_or_foreign_stack_file_is_named_but_deploys_nothing(repo):
    result = affected(["projects/network/Pulumi.qa.yaml", "projects/services/Pulumi.stray-dev.yaml"], repo, CATALOG)
    assert result.stacks == {} and len(result.unaffected) == 2 and "no such stack" in result.unaffected[0]


@pytest.mark.parametrize("path", ["projects/platform/__main__.py", "projects/platform/Pulumi.yaml"])
def test_a_program_is_every_stack_of_its_project(repo, path):
    assert list(names(affected([path], repo, CATALOG))) == ["platform/dev", "platform/prod"]


def test_a_library_module_is_every_stack_whose_program_imports_it_transitively(repo):
    # naming <- tags <- components.context (inside a function) <- components/__init__ <- every components.* user
    assert set(names(affected(["shared/naming.py"], repo, CATALOG))) == {
        "network/dev", "network/prod", "network/staging", "platform/dev", "platform/prod", "services/api-dev",
        "services/api-worker-dev", "services/web-dev", "services/api-worker-prod", "services/web-prod"}
    assert list(names(affected(["shared/components/network.py"], repo, CATALOG))) == [
        "network/dev", "network/prod", "network/staging"]
    result = affected(["shared/unused.py"], repo, CATALOG)
    assert result.stacks == {} and result.unaffected == ["shared/unused.py (imported by no program)"]


def test_a_catalog_entry_is_its_stacks_its_callers_and_the_registry_and_platform(repo):
    base = CATALOG.replace('Service(name="api", callers=("web",))', 'Service(name="api", cpu=512, callers=("web",))')
    result = names(affected(["shared/catalog.py"], repo, base))
    assert result == {
        "registry/dev": ["reads every catalog entry (api)"], "platform/dev": ["reads every catalog entry (api)"],
        "services/api-dev": ["catalog entry (api)"], "services/web-dev": ["calls a changed catalog entry (api)"],
        "registry/prod": ["reads every catalog entry (api)"], "platform/prod": ["reads every catalog entry (api)"],
        "services/web-prod": ["calls a changed catalog entry (api)"]}


def test_an_added_entry_and_a_comment_only_change(repo):
    added = CATALOG.replace('    Service("unnamed"),\n', '    Service("unnamed"),\n    Service(name="new"),\n')
    write(repo, {"shared/catalog.py": added})
    assert set(names(affected(["shared/catalog.py"], repo, CATALOG))) == {
        "registry/dev", "platform/dev", "registry/prod", "platform/prod"}  # no stack file of `new` yet
    write(repo, {"shared/catalog.py": CATALOG.replace("# the front door", "# the way in")})
    assert affected(["shared/catalog.py"], repo, CATALOG).stacks == {}


def test_a_catalog_change_outside_the_entries_is_every_importer(repo):
    write(repo, {"shared/catalog.py": CATALOG.replace("cpu: int = 256", "cpu: int = 512")})
    result = names(affected(["shared/catalog.py"], repo, CATALOG))
    assert set(result) == {"registry/dev", "registry/prod", "platform/dev", "platform/prod", "services/api-dev",
                           "services/api-worker-dev", "services/web-dev", "services/api-worker-prod",
                           "services/web-prod"}  # not the network: its program never imports the catalog
    assert result["registry/dev"] == ["library (shared.catalog outside its entries)"]


def test_a_module_the_catalog_imports_is_every_importer_of_the_catalog(repo):
    assert "services/web-dev" in names(affected(["shared/sizes.py"], repo, CATALOG))


@pytest.mark.parametrize("path", ["policy/rules.py", "requirements.txt", "constraints.txt"])
def test_the_policy_pack_and_the_pins_are_every_stack(repo, path):
    assert len(affected([path], repo, CATALOG).stacks) == 12


def test_an_app_is_its_image_and_the_common_kit_is_every_image(repo):
    result = affected(["apps/web/app.py"], repo, CATALOG)
    assert result.stacks == {} and af.output(result) == "image: web  app code (apps/web/app.py)\n"
    assert sorted(affected(["apps/common/kit.py"], repo, CATALOG).images) == ["api", "api-worker", "web"]


@pytest.mark.parametrize("path", ["tools/x.py", "tests/test_x.py", "README.md", ".github/workflows/ci.yml",
                                  "projects/notes/README", "apps/README.md"])
def test_tools_tests_and_docs_deploy_nothing(repo, path):
    result = affected([path], repo, CATALOG)
    assert (result.stacks, result.images, result.unaffected) == ({}, {}, [path])
    assert af.output(result) == "no stack affected\n"


def test_reasons_are_grouped_and_shortened(repo):
    paths = [f"policy/p{i}.py" for i in range(5)] + ["projects/network/__main__.py"]
    result = affected(paths, repo, CATALOG)
    assert af.reason_texts(result.stacks[Stack("network", "dev", "dev")]) == [
        "policy pack (policy/p0.py, policy/p1.py, policy/p2.py, +2 more)",
        "program of network (projects/network/__main__.py)"]
    result.add([Stack("network", "dev", "dev")], "no detail")
    assert af.reason_texts(result.stacks[Stack("network", "dev", "dev")])[-1] == "no detail"


def test_outputs_json_markdown_and_github(repo, tmp_path):
    result = affected(["projects/services/Pulumi.web-dev.yaml", "projects/network/Pulumi.prod.yaml",
                       "apps/web/app.py"], repo, CATALOG)
    document = json.loads(af.output(result, "dev", "json"))
    assert document["stacks"] == [{"project": "services", "stack": "web-dev", "environment": "dev",
                                   "service": "web", "reasons": ["stack file (projects/services/Pulumi.web-dev.yaml)"]}]
    assert document["by_project"]["network"] == [] and document["by_project"]["services"] == document["stacks"]
    assert document["images"] == [{"service": "web", "reasons": ["app code (apps/web/app.py)"]}]
    assert af.output(result, "prod", "markdown") == (
        "## Affected stacks\n- `network/prod` stack file (projects/network/Pulumi.prod.yaml)\n"
        "- `image: web` app code (apps/web/app.py)\n")
    assert af.as_text(af.Affected(), markdown=True) == "## Affected stacks\n- none\n"
    sink = tmp_path / "github_output"
    sink.write_text("earlier=1\n")
    af.append_github_output(result, "dev", sink)
    earlier, line = sink.read_text().splitlines()
    assert earlier == "earlier=1" and json.loads(line.removeprefix("affected="))["stacks"][0]["stack"] == "web-dev"
    with pytest.raises(AffectedError, match="unknown format 'yaml'"):
        af.output(result, None, "yaml")


def test_catalog_shape_reads_names_callers_and_the_rest():
    shape = catalog_shape(CATALOG)
    assert sorted(shape.entries) == ["api", "api-worker", "web"]
    assert shape.callers == {"web": (), "api": ("web",), "api-worker": ("api",)}
    assert catalog_shape(CATALOG.replace("cpu=256)", "cpu=512)")).rest == shape.rest


# --- through git ------------------------------------------------------------------------------------------------------
def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   check=True, capture_output=True)


def test_committed_staged_unstaged_and_untracked_changes_since_the_base(repo):
    git(repo, "init", "--quiet")
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "base")
    git(repo, "tag", "base")
    write(repo, {"projects/network/Pulumi.dev.yaml": "config: {a: 1}\n"})
    git(repo, "commit", "--quiet", "-am", "network")
    write(repo, {"projects/registry/Pulumi.dev.yaml": "config: {a: 2}\n",
                 "shared/catalog.py": CATALOG.replace('name="web", cpu=256', 'name="web", cpu=1024'),
                 "apps/web/new.py": ""})
    git(repo, "add", "projects/registry/Pulumi.dev.yaml")
    write(repo, {"projects/services/Pulumi.api-dev.yaml": "config: {a: 3}\n"})
    assert af.changed_files("base", repo) == ["apps/web/new.py", "projects/network/Pulumi.dev.yaml",
                                              "projects/registry/Pulumi.dev.yaml",
                                              "projects/services/Pulumi.api-dev.yaml", "shared/catalog.py"]
    result = af.compute("base", repo)
    assert names(result)["services/web-dev"] == ["catalog entry (web)"]
    assert names(result)["registry/dev"] == ["stack file (projects/registry/Pulumi.dev.yaml)",
                                             "reads every catalog entry (web)"]
    assert list(result.images) == ["web"]
    assert af.file_at("base", "no/such/file", repo) is None
    with pytest.raises(AffectedError, match="no-such-ref"):
        af.compute("no-such-ref", repo)


def test_no_base_commit_means_every_stack(repo):
    result = af.compute(NO_BASE, repo)
    assert len(result.stacks) == 12
    assert af.reason_texts(next(iter(result.stacks.values()))) == ["no base commit to compare with (every stack)"]


# --- this repository ----------------------------------------------------------------------------------------------
def test_this_repository_maps_its_library_through_the_real_import_graph():
    assert {s.project for s in affected(["shared/components/service.py"], ROOT, None).stacks} == {"services"}
    assert {s.project for s in affected(["shared/components/network.py"], ROOT, None).stacks} == {"network"}
    assert {s.project for s in affected(["shared/tagging.py"], ROOT, None).stacks} == {
        "network", "registry", "platform", "services"}


def test_this_catalogs_api_gateway_entry_is_its_stacks_the_frontends_registry_and_platform():
    head = (ROOT / "shared" / "catalog.py").read_text()
    base = head.replace('name="api-gateway", port=8081', 'name="api-gateway", port=8091')
    assert base != head
    stacks = affected(["shared/catalog.py"], ROOT, base).stacks
    assert {(s.project, s.service) for s in stacks} == {("services", "api-gateway"), ("services", "frontend"),
                                                         ("registry", None), ("platform", None)}
