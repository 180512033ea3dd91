"""What a change does to the plan: per stack, the resources created, deleted and updated, like `pulumi preview --diff`.

Both sides are offline plans (`plan.json` documents). The base is usually a git ref, planned in a temporary
`git worktree` by the current virtual environment's Python with the worktree first on `sys.path`, so the
base's own library and programs run (the editable install points at this checkout; `PYTHONPATH` wins over it,
and the plan records which runner file ran so a mix-up is refused rather than reported as "no change").

Resources are matched by stack, type and logical name (the URN's identity; mock URN text is not compared).
An update is a "replace" when the provider-rules table (`shared.aws_rules.RULES[type].forces_replacement`)
lists a changed top-level argument, "update (may replace)" when the type has no rules recorded (nothing known
offline), else "update". Inputs only: dependencies and parents are not compared (the SDK collects them in
sets and a re-parented resource keeps its logical name), and a list of plain values whose elements only
moved is not reported (the lists this repository builds - subnet ids, security groups - have no order).
Secrets stay as plan.json shows them, `[secret]`; long values are shortened in the middle.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.aws_rules import RULES, ResourceRules

ROOT = Path(__file__).resolve().parent.parent
MASK = "[secret]"
VALUE_WIDTH = 100  # characters of one rendered value before it is shortened in the middle
STACK_TYPE = "pulumi:pulumi:Stack"  # the root resource: its outputs are compared instead


class PlanDiffError(RuntimeError):
    """The base could not be planned (bad ref, failing program, wrong code imported) or a plan file is unreadable."""


ABSENT: Any = object()  # one side has no value at this path


@dataclass(frozen=True)
class Change:
    path: str  # `healthCheck.interval`, `containerDefinitions[0].image`: the rules' notation, with indexes
    old: Any
    new: Any

    def text(self) -> str:
        return f"{self.path}: {shorten(self.old)} → {shorten(self.new)}"


@dataclass(frozen=True)
class ResourceDiff:
    type: str
    name: str
    action: str  # one of ACTIONS
    changes: tuple[Change, ...] = ()
    forcing: tuple[str, ...] = ()  # the changed top-level arguments that force the replacement


CREATE, DELETE, UPDATE, REPLACE, MAY_REPLACE = "create", "delete", "update", "replace", "update (may replace)"
ACTIONS = (CREATE, DELETE, REPLACE, MAY_REPLACE, UPDATE)
SYMBOL = {CREATE: "+", DELETE: "-", UPDATE: "~", REPLACE: "+-", MAY_REPLACE: "~?"}


@dataclass(frozen=True)
class StackDiff:
    stack: str  # `project/stack`
    resources: tuple[ResourceDiff, ...]
    outputs: tuple[Change, ...] = ()
    status: str = "changed"  # or "new stack", "removed stack"

    def summary(self) -> str:
        counts = Counter(r.action for r in self.resources)
        parts = [f"{counts[a]} to {a}" for a in ACTIONS if counts[a]]
        if self.outputs:
            parts.append(f"{len(self.outputs)} output{'s' if len(self.outputs) > 1 else ''} changed")
        return ", ".join(parts)


# --- comparing values -------------------------------------------------------------------------------------------
def plain(value: Any) -> Any:
    """Integral floats as ints (the engine sends every number as a float: 2.0 is shown as 2)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def shorten(value: Any, width: int = VALUE_WIDTH) -> str:
    if value is ABSENT:
        return "(none)"
    text = json.dumps(plain(value), sort_keys=True, separators=(", ", ": "), ensure_ascii=False)
    if len(text) <= width:
        return text
    keep = (width - 1) // 2
    return f"{text[:keep]}…{text[-keep:]}"


def _embedded_json(value: Any) -> Any:
    """A JSON document held in a string (container definitions, policies), parsed; else the value itself."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _moved_only(old: list, new: list) -> bool:
    scalars = all(not isinstance(v, (dict, list)) for v in [*old, *new])
    return scalars and Counter(map(json.dumps, old)) == Counter(map(json.dumps, new))


def changes(old: Any, new: Any, path: str = "") -> list[Change]:
    """Every leaf that differs between two input values, with its path."""
    old, new = _embedded_json(old), _embedded_json(new)
    if isinstance(old, dict) and isinstance(new, dict):
        found: list[Change] = []
        for key in sorted(old.keys() | new.keys()):
            found += changes(old.get(key, ABSENT), new.get(key, ABSENT), f"{path}.{key}" if path else key)
        return found
    if isinstance(old, list) and isinstance(new, list):
        if _moved_only(old, new):
            return []
        found = []
        for index in range(max(len(old), len(new))):
            found += changes(old[index] if index < len(old) else ABSENT,
                             new[index] if index < len(new) else ABSENT, f"{path}[{index}]")
        return found
    if plain(old) == plain(new):
        return []
    return [Change(path, old, new)]


def top_level(path: str) -> str:
    return path.split(".")[0].split("[")[0]


def classify(resource: Mapping, found: Sequence[Change], rules: Mapping[str, ResourceRules]) -> tuple[str, tuple]:
    """update, replace (with the arguments forcing it) or update (may replace) for a changed resource."""
    if not resource.get("custom", True):
        return UPDATE, ()  # a component: only its children reach the provider
    known = rules.get(resource["type"])
    if known is None:
        return MAY_REPLACE, ()
    forcing = tuple(sorted({top_level(c.path) for c in found} & known.forces_replacement))
    return (REPLACE, forcing) if forcing else (UPDATE, ())


# --- comparing plans --------------------------------------------------------------------------------------------
def _resources(stack: Mapping) -> dict[tuple[str, str], Mapping]:
    return {(r["type"], r["name"]): r for r in stack["resources"] if r["type"] != STACK_TYPE}


def diff_stack(name: str, base: Mapping | None, head: Mapping | None,
               rules: Mapping[str, ResourceRules] = RULES) -> StackDiff:
    old = _resources(base) if base else {}
    new = _resources(head) if head else {}
    diffs = []
    for key in sorted(old.keys() | new.keys()):
        if key not in old:
            diffs.append(ResourceDiff(*key, CREATE))
        elif key not in new:
            diffs.append(ResourceDiff(*key, DELETE))
        else:
            found = changes(old[key].get("inputs", {}), new[key].get("inputs", {}))
            if found:
                action, forcing = classify(new[key], found, rules)
                diffs.append(ResourceDiff(*key, action, tuple(found), forcing))
    outputs = changes((base or {}).get("outputs", {}), (head or {}).get("outputs", {}))
    status = "new stack" if base is None else "removed stack" if head is None else "changed"
    return StackDiff(name, tuple(diffs), tuple(outputs), status)


def _stacks(document: Mapping) -> dict[str, Mapping]:
    return {f"{s['project']}/{s['stack']}": s for s in document.get("stacks", [])}


def diff_plans(base: Mapping, head: Mapping, rules: Mapping[str, ResourceRules] = RULES) -> list[StackDiff]:
    """The stacks that change, in the head plan's (deploy) order, then the stacks only the base has."""
    old, new = _stacks(base), _stacks(head)
    names = list(new) + [name for name in old if name not in new]
    diffs = [diff_stack(name, old.get(name), new.get(name), rules) for name in names]
    return [d for d in diffs if d.resources or d.outputs]


# --- rendering --------------------------------------------------------------------------------------------------
def stack_lines(diff: StackDiff) -> list[str]:
    lines = []
    for resource in diff.resources:
        note = f"  ({resource.action}" + (f": {', '.join(resource.forcing)}" if resource.forcing else "") + ")"
        lines.append(f"{SYMBOL[resource.action]} {resource.type} {resource.name}{note}")
        lines.extend(f"    {change.text()}" for change in resource.changes)
    if diff.outputs:
        lines.append("~ outputs")
        lines.extend(f"    {change.text()}" for change in diff.outputs)
    return lines


def _heading(environment: str, diff: StackDiff) -> str:
    status = "" if diff.status == "changed" else f" ({diff.status})"
    return f"{environment}: {diff.stack}{status}: {diff.summary()}"


def render(results: Mapping[str, Sequence[StackDiff]], fmt: str = "text") -> str:
    """Every environment's changed stacks; `fmt` is text (a terminal) or markdown (a pull-request comment)."""
    out = ["## Plan diff" if fmt == "markdown" else "== plan diff"]
    for environment, diffs in results.items():
        if not diffs:
            out.append(f"{environment}: no change")
        for diff in diffs:
            if fmt == "markdown":
                # ``` in a value would end the fence early
                body = "\n".join(stack_lines(diff)).replace("```", "'''")
                out += [f"#### {_heading(environment, diff)}", "```diff", body, "```"]
            else:
                out += [f"-- {_heading(environment, diff)}", *(f"  {line}" for line in stack_lines(diff))]
    return "\n".join(out) + "\n"


# --- planning a git ref ---------------------------------------------------------------------------------------
# Run in the worktree by the current interpreter: the worktree's runner plans each environment; the file that
# ran is sent back so the caller can prove it was the worktree's code and not this checkout's.
PLAN_SCRIPT = """\
import json, sys
from tools.plan import runner
plans = {env: runner.plan_document(env, runner.plan_environment(env)) for env in sys.argv[2:]}
with open(sys.argv[1], "w") as out:
    json.dump({"runner": runner.__file__, "plans": plans}, out)
"""


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise PlanDiffError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


@contextmanager
def worktree(ref: str, root: Path = ROOT) -> Iterator[Path]:
    """A detached checkout of `ref` in a temporary directory, removed afterwards."""
    holder = Path(tempfile.mkdtemp(prefix="plan-base-"))
    path = holder / "tree"
    try:
        _git(root, "worktree", "add", "--detach", "--quiet", str(path), ref)
        yield path
    finally:
        if path.exists():
            _git(root, "worktree", "remove", "--force", str(path))
        shutil.rmtree(holder, ignore_errors=True)


def plan_in(tree: Path, environments: Iterable[str], python: str = sys.executable) -> dict[str, dict]:
    """Plan `environments` with the code of `tree` (cwd and first on sys.path), in a fresh interpreter."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "plans.json"
        done = subprocess.run([python, "-c", PLAN_SCRIPT, str(out), *environments], cwd=tree, capture_output=True,
                              text=True, check=False, env={**os.environ, "PYTHONPATH": str(tree)})
        if done.returncode != 0:
            raise PlanDiffError(f"planning {tree} failed:\n{done.stderr.strip()[-3000:]}")
        result = json.loads(out.read_text())
    ran = Path(result["runner"]).resolve()
    if not ran.is_relative_to(tree.resolve()):
        raise PlanDiffError(f"the base plan ran {ran}, not the worktree's code under {tree}; refusing to compare")
    return result["plans"]


def plan_ref(ref: str, environments: Iterable[str], root: Path = ROOT) -> dict[str, dict]:
    with worktree(ref, root) as tree:
        return plan_in(tree, environments)


def plan_here(environments: Iterable[str]) -> dict[str, dict]:
    """This checkout's plans, in this process, as plan.json holds them (JSON round trip: floats, no tuples)."""
    from tools.plan.runner import plan_document, plan_environment
    return {env: json.loads(json.dumps(plan_document(env, plan_environment(env)))) for env in environments}


def read_plan_file(path: Path) -> dict:
    try:
        document = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise PlanDiffError(f"cannot read plan {path}: {error}") from None
    if not isinstance(document, dict) or "environment" not in document or "stacks" not in document:
        raise PlanDiffError(f"{path} is not a plan.json (no environment and stacks)")
    return document


def compare(base: Mapping[str, Mapping], head: Mapping[str, Mapping],
            rules: Mapping[str, ResourceRules] = RULES) -> dict[str, list[StackDiff]]:
    return {env: diff_plans(base.get(env, {}), head[env], rules) for env in head}


def plan_diff(environments: Sequence[str], base: str | None = None, base_plan: Path | None = None,
              head_plan: Path | None = None, *, plan_base: Callable[..., dict] = plan_ref,
              plan_head: Callable[..., dict] = plan_here) -> dict[str, list[StackDiff]]:
    """Base and head from a git ref (head = this checkout) or from two plan files; exactly one way is accepted."""
    if base and (base_plan or head_plan):
        raise PlanDiffError("give --base <ref> or --base-plan with --head-plan, not both")
    if base:
        return compare(plan_base(base, environments), plan_head(environments))
    if base_plan and head_plan:
        old, new = read_plan_file(base_plan), read_plan_file(head_plan)
        return {new["environment"]: diff_plans(old, new)}
    raise PlanDiffError("give --base <git ref>, or both --base-plan and --head-plan")


FORMATS = ("text", "markdown")


def main(environments: Sequence[str], base: str | None = None, base_plan: Path | None = None,
         head_plan: Path | None = None, fmt: str = "text", **planners: Callable[..., dict]) -> str:
    """What `./dev plan-diff` prints; the format is checked before anything is planned."""
    if fmt not in FORMATS:
        raise PlanDiffError(f"unknown format {fmt!r}; use {' or '.join(FORMATS)}")
    return render(plan_diff(environments, base, base_plan, head_plan, **planners), fmt)
