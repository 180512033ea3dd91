"""Which stacks a change touches, and why: the list CI plans, comments on and deploys.

From the files changed since a base ref (`git diff --name-only <base>...HEAD`, plus uncommitted and untracked
files), each file maps to stacks:

- a stack file `projects/<p>/Pulumi.<stack>.yaml` -> that stack;
- anything else of a project (`__main__.py`, `Pulumi.yaml`) -> every stack of the project;
- a library module `shared/...` -> every stack whose program imports it, directly or through other library
  modules (the import graph read with `ast`, not a hand-kept list);
- `shared/catalog.py` -> every program imports the catalog, so its entries are compared instead: a changed,
  added or removed `Service(...)` entry -> that service's stacks, its callers' stacks (their task definitions
  carry its URL) and the registry and platform stacks (one repository and one security group per entry); a
  change outside the entries -> every importer, as for any module;
- the policy pack `policy/` and the pinned dependencies -> every stack (every plan is judged by them);
- `apps/<service>/` -> no stack, but that service's image (`apps/common/` is copied into every image);
- anything else (tools, tests, docs, CI) -> nothing to deploy.

Environments are the stack files present: a `staging` stack file makes staging stacks, nothing else.
"""
from __future__ import annotations

import ast
import json
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from shared.stacks import ENVIRONMENTS, PROJECT_ORDER, SERVICES_PROJECT

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = "shared"
CATALOG = "shared/catalog.py"
CATALOG_MODULE = "shared.catalog"
POLICY = "policy/"
APPS = "apps/"
COMMON_APP = "common"
# Pinned dependencies: a provider upgrade can change any resource of any stack.
EVERYTHING_FILES = ("requirements.txt", "constraints.txt")
# Projects that read every catalog entry (one repository, one security group and its rules per service).
CATALOG_READERS = ("registry", "platform")
NO_BASE = "0" * 40  # what GitHub sends as `before` for a new branch: nothing to compare with


class AffectedError(RuntimeError):
    """git failed (unknown ref, not a repository)."""


@dataclass(frozen=True, order=True)
class Stack:
    project: str
    stack: str
    environment: str
    service: str | None = None  # the catalog service of a `services` stack

    def __str__(self) -> str:
        return f"{self.project}/{self.stack}"


SHOWN_DETAILS = 3  # files named per reason before "+N more"


@dataclass
class Affected:
    """Stacks and images with their reasons: reason -> the files (or entries) behind it, in the order found."""

    stacks: dict[Stack, dict[str, list[str]]] = field(default_factory=dict)
    images: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # by service
    unaffected: list[str] = field(default_factory=list)  # changed files that deploy nothing

    def add(self, stacks: Iterable[Stack], reason: str, detail: str = "") -> None:
        for stack in stacks:
            _note(self.stacks.setdefault(stack, {}), reason, detail)

    def add_image(self, service: str, reason: str, detail: str) -> None:
        _note(self.images.setdefault(service, {}), reason, detail)


def _note(reasons: dict[str, list[str]], reason: str, detail: str) -> None:
    details = reasons.setdefault(reason, [])
    if detail and detail not in details:
        details.append(detail)


def reason_texts(reasons: Mapping[str, list[str]]) -> list[str]:
    """`policy pack (policy/gate.py, policy/inputs.py, +3 more)`."""
    texts = []
    for reason, details in reasons.items():
        shown = details[:SHOWN_DETAILS] + ([f"+{len(details) - SHOWN_DETAILS} more"]
                                           if len(details) > SHOWN_DETAILS else [])
        texts.append(f"{reason} ({', '.join(shown)})" if shown else reason)
    return texts


# --- the repository's stacks --------------------------------------------------------------------------------------
def service_of(stack: str, services: Iterable[str]) -> tuple[str, str] | None:
    """`frontend-dev` -> ("frontend", "dev"), longest service name first (`api-gateway` before `api`)."""
    for service in sorted(services, key=len, reverse=True):
        if stack.startswith(f"{service}-") and len(stack) > len(service) + 1:
            return service, stack[len(service) + 1:]
    return None


def stacks_present(root: Path, services: Iterable[str]) -> list[Stack]:
    """Every stack with a stack file, in deploy order: project order, then environments (declared ones first)."""
    found = []
    for project_dir in sorted(p for p in (root / "projects").iterdir() if (p / "Pulumi.yaml").exists()):
        for path in sorted(project_dir.glob("Pulumi.*.yaml")):
            name = path.name[len("Pulumi."):-len(".yaml")]
            if project_dir.name == SERVICES_PROJECT:
                split = service_of(name, services)
                if split:
                    found.append(Stack(project_dir.name, name, split[1], split[0]))
            else:
                found.append(Stack(project_dir.name, name, name))
    return sorted(found, key=deploy_key)


def deploy_key(stack: Stack) -> tuple:
    project = PROJECT_ORDER.index(stack.project) if stack.project in PROJECT_ORDER else len(PROJECT_ORDER)
    environment = ENVIRONMENTS.index(stack.environment) if stack.environment in ENVIRONMENTS else len(ENVIRONMENTS)
    return environment, stack.environment, project, stack.project, stack.stack


# --- the import graph ---------------------------------------------------------------------------------------------
def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _with_parents(name: str) -> set[str]:
    """Importing `a.b.c` runs `a/__init__`, `a/b/__init__` and `a/b/c`."""
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)}


def imports_of(path: Path, module: str, known: set[str]) -> set[str]:
    """The library modules a file imports (any form, at any depth: imports inside functions count too)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from shared import catalog` imports the submodule shared.catalog; `from x import name` imports x
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            found |= {n for n in _with_parents(name) if n in known}
    return found - {module}


def import_graph(root: Path) -> dict[str, set[str]]:
    """Library module -> library modules it imports; plus `projects/<p>` -> what its program imports."""
    files = {module_name(p, root): p for p in sorted((root / LIBRARY).rglob("*.py"))}
    known = set(files)
    graph = {module: imports_of(path, module, known) for module, path in files.items()}
    for program in sorted((root / "projects").glob("*/__main__.py")):
        graph[f"projects/{program.parent.name}"] = imports_of(program, f"projects.{program.parent.name}", known)
    return graph


def reaches(graph: Mapping[str, set[str]], start: str, target: str, skip: str | None = None) -> bool:
    """Does `start` import `target`, directly or through modules other than `skip`?"""
    seen, todo = {start}, [start]
    while todo:
        for name in graph.get(todo.pop(), set()):
            if name == target:
                return True
            if name not in seen and name != skip:
                seen.add(name)
                todo.append(name)
    return False


def importing_projects(graph: Mapping[str, set[str]], module: str, skip: str | None = None) -> list[str]:
    return [key.split("/")[1] for key in graph if key.startswith("projects/") and reaches(graph, key, module, skip)]


# --- the catalog's entries ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CatalogShape:
    entries: dict[str, str]  # service name -> its `Service(...)` call, as an AST dump (comments do not count)
    callers: dict[str, tuple[str, ...]]
    rest: str  # the module without the entries


def _entry_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Service":
        name = next((k.value for k in node.keywords if k.arg == "name"), None)
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            return name.value
    return None


def catalog_shape(source: str) -> CatalogShape:
    tree = ast.parse(source)
    entries: dict[str, str] = {}
    callers: dict[str, tuple[str, ...]] = {}
    for node in ast.walk(tree):
        name = _entry_name(node)
        if name is not None:
            assert isinstance(node, ast.Call)
            entries[name] = ast.dump(node)
            keywords = {k.arg: k.value for k in node.keywords}
            callers[name] = tuple(ast.literal_eval(keywords["callers"])) if "callers" in keywords else ()
    for node in ast.walk(tree):  # the rest of the module, without its entries
        if isinstance(node, (ast.Tuple, ast.List)):
            node.elts = [e for e in node.elts if _entry_name(e) is None]
    return CatalogShape(entries, callers, ast.dump(tree))


# --- git ----------------------------------------------------------------------------------------------------------
def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AffectedError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def changed_files(base: str, root: Path = ROOT) -> list[str]:
    """Committed since the merge base with `base`, plus staged, unstaged and untracked files."""
    names = _git(root, "diff", "--name-only", f"{base}...HEAD").split()
    names += _git(root, "diff", "--name-only", "HEAD").split()
    names += _git(root, "ls-files", "--others", "--exclude-standard").split()
    return sorted(set(names))


def file_at(base: str, path: str, root: Path = ROOT) -> str | None:
    done = subprocess.run(["git", "-C", str(root), "show", f"{base}:{path}"], capture_output=True, text=True,
                          check=False)
    return done.stdout if done.returncode == 0 else None


# --- the mapping --------------------------------------------------------------------------------------------------
def affected(paths: Sequence[str], root: Path, base_catalog: str | None) -> Affected:
    """What `paths` (relative to `root`, as git names them) affect; `base_catalog` is the base's catalog source."""
    head_catalog = (root / CATALOG).read_text() if (root / CATALOG).exists() else ""
    head = catalog_shape(head_catalog)
    base = catalog_shape(base_catalog) if base_catalog is not None else head
    services = head.entries.keys() | base.entries.keys()
    stacks = stacks_present(root, services)
    graph = import_graph(root)
    result = Affected()

    def of_project(project: str) -> list[Stack]:
        return [s for s in stacks if s.project == project]

    for path in paths:
        parts = path.split("/")
        if path == CATALOG:
            _catalog(result, stacks, graph, base, head, of_project)
        elif path.startswith("projects/") and len(parts) == 3 and (root / parts[0] / parts[1] / "Pulumi.yaml").exists():
            name = parts[2]
            if name.startswith("Pulumi.") and name.endswith(".yaml") and name != "Pulumi.yaml":
                stack = name[len("Pulumi."):-len(".yaml")]
                chosen = [s for s in of_project(parts[1]) if s.stack == stack]
                if chosen:
                    result.add(chosen, "stack file", path)
                else:
                    result.unaffected.append(f"{path} (no such stack now: removed, or it names no catalog service)")
            else:
                result.add(of_project(parts[1]), f"program of {parts[1]}", path)
        elif path.startswith(f"{LIBRARY}/") and path.endswith(".py"):
            module = module_name(root / path, root)
            projects = importing_projects(graph, module)
            for project in projects:
                result.add(of_project(project), "library", module)
            if not projects:
                result.unaffected.append(f"{path} (imported by no program)")
        elif path.startswith(POLICY) or path in EVERYTHING_FILES:
            result.add(stacks, "policy pack" if path.startswith(POLICY) else "pinned dependencies", path)
        elif path.startswith(APPS) and len(parts) > 2:
            app = parts[1]
            for service in sorted(head.entries) if app == COMMON_APP else [app]:
                result.add_image(service, "app code", path)
        else:
            result.unaffected.append(path)
    return result


def _catalog(result: Affected, stacks: list[Stack], graph: Mapping[str, set[str]], base: CatalogShape,
             head: CatalogShape, of_project) -> None:
    if base.rest != head.rest:
        for project in importing_projects(graph, CATALOG_MODULE):
            result.add(of_project(project), "library", f"{CATALOG_MODULE} outside its entries")
    changed = sorted(name for name in base.entries.keys() | head.entries.keys()
                     if base.entries.get(name) != head.entries.get(name))
    for name in changed:
        result.add([s for s in stacks if s.service == name], "catalog entry", name)
        callers = set(base.callers.get(name, ())) | set(head.callers.get(name, ()))
        result.add([s for s in stacks if s.service in callers], "calls a changed catalog entry", name)
        for project in CATALOG_READERS:
            result.add(of_project(project), "reads every catalog entry", name)
    # A library module that imports the catalog and changed itself is reported by its own path.


def compute(base: str, root: Path = ROOT) -> Affected:
    """Everything since `base`; a missing base (a new branch) means every stack."""
    if base == NO_BASE:
        result = affected([], root, None)
        result.add(stacks_present(root, catalog_shape((root / CATALOG).read_text()).entries),
                   "no base commit to compare with (every stack)")
        return result
    return affected(changed_files(base, root), root, file_at(base, CATALOG, root))


# --- output -------------------------------------------------------------------------------------------------------
def selected(result: Affected, environment: str | None) -> list[tuple[Stack, dict[str, list[str]]]]:
    return [(s, r) for s, r in sorted(result.stacks.items(), key=lambda item: deploy_key(item[0]))
            if environment in (None, s.environment)]


def as_json(result: Affected, environment: str | None = None) -> dict:
    """For CI: the stacks in deploy order, also grouped by project (a deploy job per project, in order)."""
    rows = [{"project": s.project, "stack": s.stack, "environment": s.environment, "service": s.service,
             "reasons": reason_texts(reasons)} for s, reasons in selected(result, environment)]
    return {"stacks": rows,
            "by_project": {project: [r for r in rows if r["project"] == project] for project in PROJECT_ORDER},
            "images": [{"service": name, "reasons": reason_texts(reasons)}
                       for name, reasons in sorted(result.images.items())],
            "unaffected": result.unaffected}


def as_text(result: Affected, environment: str | None = None, markdown: bool = False) -> str:
    rows = selected(result, environment)
    lines = [f"{stack}  {'; '.join(reason_texts(reasons))}" for stack, reasons in rows]
    lines += [f"image: {name}  {'; '.join(reason_texts(reasons))}" for name, reasons in sorted(result.images.items())]
    if markdown:
        body = [f"- `{line.split('  ', 1)[0]}` {line.split('  ', 1)[1]}" for line in lines] or ["- none"]
        return "\n".join(["## Affected stacks", *body]) + "\n"
    return "\n".join(lines or ["no stack affected"]) + "\n"


def github_output(result: Affected, environment: str | None) -> str:
    """One `affected=<json>` line for $GITHUB_OUTPUT (jobs then read it with fromJSON)."""
    return f"affected={json.dumps(as_json(result, environment), separators=(',', ':'))}\n"


FORMATS = ("text", "json", "markdown")


def output(result: Affected, environment: str | None = None, fmt: str = "text") -> str:
    if fmt not in FORMATS:
        raise AffectedError(f"unknown format {fmt!r}; use {', '.join(FORMATS)}")
    if fmt == "json":
        return json.dumps(as_json(result, environment), indent=1) + "\n"
    return as_text(result, environment, markdown=fmt == "markdown")


def append_github_output(result: Affected, environment: str | None, path: Path) -> None:
    with path.open("a") as sink:
        sink.write(github_output(result, environment))
