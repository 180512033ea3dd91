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
