"""The tree shows what ships inside a stack and what runs around it: imports run one way only.

`shared/` is the library the stack programs import; `tools/` (plan, deploy, verify, analysis, release, local)
and `policy/` run around them. A program or library module that imported a tool would drag the tooling (and
its dependencies: moto, botocore stubs, the CLI wrapper) into every `pulumi up`.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOL_PACKAGES = ("tools", "policy", "tasks", "tests")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def tool_imports(path: Path) -> list[str]:
    return sorted(name for name in imported_modules(path) if name.split(".")[0] in TOOL_PACKAGES)


LIBRARY = sorted((ROOT / "shared").rglob("*.py"))
PROGRAMS = sorted((ROOT / "projects").glob("*/__main__.py"))


def test_the_library_and_the_programs_exist():
    assert len(LIBRARY) > 10 and {p.parent.name for p in PROGRAMS} == {"network", "registry", "platform", "services"}


@pytest.mark.parametrize("path", LIBRARY + PROGRAMS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_library_module_or_program_imports_a_tool(path):
    assert tool_imports(path) == [], f"{path.relative_to(ROOT)} imports tooling; move the shared part into shared/"


def test_the_check_sees_every_import_form(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import tools.plan\nfrom policy.gate import gate_file\nfrom . import sibling\n"
                      "def f():\n    from tasks import plan\n    import shared.naming\n")
    assert tool_imports(module) == ["policy.gate", "tasks", "tools.plan"]


SHIPPED_AND_TOOLS = [*LIBRARY, *PROGRAMS, *sorted((ROOT / "tools").rglob("*.py")),
                     *sorted((ROOT / "policy").rglob("*.py"))]


def private_pulumi_names(path: Path) -> list[str]:
    """Names with a leading underscore taken from the Pulumi SDK (`from pulumi.x import _y`, `pulumi.x._y`,
    `rpc._special_secret_sig`): internals that any SDK upgrade may change under the plan CI depends on."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pulumi"):
            found += [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
            if any(part.startswith("_") for part in (node.module or "").split(".")):
                found.append(str(node.module))
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in ("pulumi", "rpc", "settings", "mocks", "automation"):
                found.append(f"{base.id}...{node.attr}")
    return found


@pytest.mark.parametrize("path", SHIPPED_AND_TOOLS, ids=lambda p: str(p.relative_to(ROOT)))
def test_only_public_pulumi_sdk_names(path):
    assert private_pulumi_names(path) == []


def test_the_private_name_check_sees_each_form(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from pulumi.runtime.sync_await import _sync_await\nfrom pulumi.automation._cmd import x\n"
                      "import pulumi\nv = pulumi.runtime.settings._SETTINGS\nw = rpc._special_secret_sig\n"
                      "ok = pulumi.Output.__name__\nfine = other._private\n")
    assert private_pulumi_names(module) == ["pulumi.runtime.sync_await._sync_await", "pulumi.automation._cmd",
                                            "pulumi..._SETTINGS", "rpc..._special_secret_sig"]


FIRST_PARTY = ("shared", "tools", "policy", "tasks", "tests", "projects", "apps")


def test_the_preload_plugin_imports_nothing_of_ours():
    """tests/preload.py runs before coverage starts: a module of ours imported there would have its
    module-level lines run untraced, and coverage would report them missed (or, worse, hide a change)."""
    from tests import preload

    ours = [name for name in (*imported_modules(Path(preload.__file__)), *preload.THIRD_PARTY)
            if name.split(".")[0] in FIRST_PARTY]
    assert ours == []


@pytest.mark.parametrize("numprocesses, worker, controller", [
    (2, None, True),  # `-n 2`: hands out tests, runs none
    (2, "gw0", False),  # one of its workers
    (0, None, False), (None, None, False),  # `-n 0`, or no xdist: this process runs the tests
])
def test_only_xdist_controller_skips_the_preload(monkeypatch, numprocesses, worker, controller):
    from types import SimpleNamespace

    from tests import preload

    if worker is None:
        monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    else:
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
    early_config = SimpleNamespace(known_args_namespace=SimpleNamespace(numprocesses=numprocesses))
    assert preload.xdist_controller(early_config) is controller


def test_the_preload_plugin_reads_the_plan_runners_provider_modules(tmp_path):
    from tests import preload
    from tools.plan import runner

    assert preload.provider_modules() == runner.PROVIDER_MODULES
    elsewhere = tmp_path / "runner.py"
    elsewhere.write_text("OTHER = ('pulumi_aws',)\n")
    with pytest.raises(LookupError, match="no PROVIDER_MODULES assignment"):
        preload.provider_modules(elsewhere)
