"""Mutation testing of one library module against its own tests: `./dev mutate shared/naming.py`.

mutmut (settings every run shares: `[tool.mutmut]` in pyproject.toml) copies the tree into mutants/, changes one
operator, constant or statement at a time in the module, and runs the tests that reach the changed function. A
mutant the tests do not notice ("survived") is a missing test, unless it behaves exactly like the original
(an equivalent mutant): those are listed in EQUIVALENT with the reason, and left out of the score.
Not part of CI: a run takes minutes of CPU.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The provider rules' tests, without the two that plan whole environments (the committed plans break no rule, every
# planned type has rules): those check the plans, not the rules.
AWS_RULES_TESTS = (*(f"tests/rules/test_aws_rules.py::{test}" for test in (
    "test_every_rule_accepts_its_ok_examples_and_refuses_its_bad_ones",
    "test_length_and_range_examples_sit_at_the_boundary",
    "test_rule_ids_are_unique_and_well_formed",
    "test_every_rule_cites_a_source_and_tells_the_fix",
    "test_replacement_arguments_are_wire_names",
    "test_object_rules_name_their_object",
    "test_every_aws_type_also_gets_the_tag_rules_and_other_providers_do_not")),
    "tests/rules/test_model.py", "tests/rules/test_rule_branches.py")
AWS_RULES_MODULES = ("__init__", "model", "tags", "appautoscaling", "cloudwatch", "dynamodb", "ec2", "ecr", "ecs",
                     "elbv2", "iam", "kms", "lambda_", "random", "s3", "secretsmanager", "servicediscovery", "sns",
                     "sqs", "wafv2")

# A module's own tests: the files written for it. Measured with only these, a score says what they check, not
# what some end-to-end test happens to notice. A module missing here uses tests/unit/test_<name>.py.
MODULE_TESTS: dict[str, tuple[str, ...]] = {
    "shared/naming.py": ("tests/unit/test_naming.py", "tests/unit/test_boundaries.py"),
    "shared/fargate.py": ("tests/unit/test_fargate.py", "tests/unit/test_boundaries.py"),
    "shared/catalog.py": ("tests/unit/test_catalog.py", "tests/unit/test_boundaries.py"),
    "shared/netcalc.py": ("tests/unit/test_netcalc.py",),
    "shared/settings/services.py": ("tests/unit/test_services_settings.py",
                                    "tests/unit/test_services_settings_bounds.py"),
    # The parser and matcher are tested beside the policy pack, the document builders with the services' settings.
    "shared/iam.py": ("tests/policy/test_iam_matching.py", "tests/policy/test_iam_documents.py",
                      "tests/unit/test_services_settings.py"),
    # The container definition and the alarms are built from a service's settings and tested beside them.
    "shared/taskdef.py": ("tests/unit/test_services_settings.py",),
    "shared/alarms.py": ("tests/unit/test_services_settings.py",),
    **{f"shared/aws_rules/{module}.py": AWS_RULES_TESTS for module in AWS_RULES_MODULES},
    "tools/analysis/task_start.py": ("tests/analysis/test_task_start.py",
                                     "tests/analysis/test_task_start_secret_read.py",
                                     "tests/analysis/test_task_start_findings.py"),
}

# Mutants that cannot change behaviour, by mutmut's name (`mutmut show <name>` prints the change), with why.
# A name is stable while its function is unchanged; an entry that no longer matches is reported as stale.
EQUIVALENT: dict[str, str] = {
    "shared.catalog.x__find_cycle__mutmut_18": "a finished node's mark (2 -> None) is only tested for membership and "
                                               "for == 1: any other value behaves the same",
    "shared.catalog.x__find_cycle__mutmut_19": "a finished node's mark (2 -> 3): only membership and == 1 are tested",
    "shared.settings.services.x_load_service_settings__mutmut_274": "dropping after=readonlyRootFilesystem: a root "
        "flag that does not parse reads as False, which the ECS Exec rule accepts anyway",
    "shared.settings.services.x_load_service_settings__mutmut_288": "after= names another key: same as dropping it "
        "(an unparsed readonlyRootFilesystem reads as False, which the rule accepts)",
    "shared.settings.services.x_load_service_settings__mutmut_289": "after= names another key: as _288",
    "shared.settings.services.x_load_service_settings__mutmut_290": "after= names another key: as _288",
    "shared.resource_policies.x_platform_key_policy__mutmut_42": "account_id -> None in iam.logs_key_statement, "
        "which does not read it (the log group ARNs passed carry the account)",
    **{f"shared.aws_rules.ec2.x__ports_in_order__mutmut_{n}": "the default of a missing ipProtocol ('' -> 'XXXX', "
       "None, no default): none of them is tcp, udp, 6 or 17, so the rule skips the entry either way"
       for n in (6, 8, 12)},
    "shared.aws_rules.ec2.x_ipv4_cidr_problem__mutmut_5": "strict=None is falsy, exactly as False",
    **{f"shared.aws_rules.elbv2.{name}": "the stand-in for a missing protocol ('' -> 'XXXX') is no protocol the "
       "rule looks for (HTTPS, TLS, TCP, HTTP) either way"
       for name in ("x__listener_certificate__mutmut_8", "x__tcp_health_check__mutmut_14",
                    "x__tcp_health_check__mutmut_32")},
    "shared.aws_rules.appautoscaling.x__cron_field__mutmut_4": "the '*' shortcut off: a lone '*' matches the item "
        "pattern (a star, no increment) and has no number to bound, so the field is accepted either way",
    "shared.aws_rules.cloudwatch.x__period_problem__mutmut_15": "'> 0' -> '> 1' for a multiple of 60: every "
        "positive one is at least 60, and 0 fails both",
    "shared.aws_rules.sqs.x__redrive_problem__mutmut_20": "'or' -> 'and' between the type checks of "
        "maxReceiveCount: a JSON value that is not an int or str (bool, float, null, list, object) never prints as "
        "digits, so str(count).isdigit() refuses it either way",
    "shared.stackio.xǁUpstreamǁ_check__mutmut_13": "the check's value (True -> False) is never read: only its "
                                                   "completion or failure is awaited, and get takes values[1]",
    "shared.iam.x_action_matches__mutmut_3": "case_sensitive=None is falsy, exactly as False",
    "shared.iam.x_is_service_wildcard_action__mutmut_16": "an action without ':' checks '' -> 'XXXX': neither holds "
                                                          "a '*', so neither is a wildcard",
    "shared.iam.x_parse_document__mutmut_35": "Principal '*' already parses to {'AWS': ('*',)}, whose flattened "
                                              "principals are ('*',): the shortcut changes nothing",
    "shared.iam.x_parse_document__mutmut_39": "as _35: the flattened principals of '*' are ('*',) either way",
    "shared.iam.x_patterns_overlap__mutmut_39": "star against star: the pairs this branch adds are also reached "
                                                "through the 'star matches nothing more' moves",
    "shared.iam.x_patterns_overlap__mutmut_47": "as _39, with the sides swapped",
    **{f"tools.analysis.task_start.{name}": "needs.complete = None: None is falsy, exactly as False"
       for name in ("x__image__mutmut_32", "x__logs__mutmut_34", "x__secrets__mutmut_23", "x__secrets__mutmut_80")},
    **{f"tools.analysis.task_start.{name}": "a needed action's case: grants_beyond lowercases actions before "
                                            "comparing (IAM actions are case-insensitive)"
       for name in ("x__secrets__mutmut_44", "x__secrets__mutmut_45", "x__secrets__mutmut_99",
                    "x__secrets__mutmut_100")},
    **{f"tools.analysis.task_start.{name}": "the action's case in matches_action, which ignores case as IAM does"
       for name in ("x_trusts_ecs_tasks__mutmut_14", "x_trusts_ecs_tasks__mutmut_15")},
    **{f"tools.analysis.task_start.{name}": "how the tag is cut off the image: ECR URLs hold no other ':', so "
                                            "split, rsplit and any maxsplit give the same repository URL, and an "
                                            "image elsewhere is in no repository either way"
       for name in ("x__image__mutmut_13", "x__image__mutmut_14", "x__image__mutmut_19")},
    "tools.analysis.task_start.x__secrets__mutmut_16": "a missing valueFrom read as 'XXXX' instead of '': neither "
                                                       "is a secret of the plan, and the message shows the entry's "
                                                       "own (absent) valueFrom",
}

# mutmut's exit-code verdicts that mean the tests noticed the mutant.
DETECTED = {"killed", "timeout", "caught by type check"}


class MutateError(Exception):
    """A module or test selection that cannot be mutated; the message names the fix."""


@dataclass(frozen=True)
class Score:
    module: str
    statuses: dict[str, str]  # mutant name -> mutmut verdict, equivalents excluded
    equivalent: tuple[str, ...]
    stale: tuple[str, ...]  # EQUIVALENT entries of this module that match no mutant

    @property
    def survivors(self) -> list[str]:
        return sorted(name for name, status in self.statuses.items() if status not in DETECTED)

    @property
    def percent(self) -> float:
        return 100.0 * (len(self.statuses) - len(self.survivors)) / len(self.statuses) if self.statuses else 100.0

    def text(self) -> str:
        counts = Counter(self.statuses.values())
        lines = [f"{self.module}: {self.percent:.1f}% of {len(self.statuses)} mutants detected "
                 f"({', '.join(f'{n} {status}' for status, n in sorted(counts.items()))}; "
                 f"{len(self.equivalent)} equivalent excluded)"]
        lines += [f"  survived: {name} ({self.statuses[name]})" for name in self.survivors]
        lines += [f"  stale EQUIVALENT entry (no such mutant): {name}" for name in self.stale]
        return "\n".join(lines)


def module_path(module: str, root: Path = ROOT) -> str:
    """`shared/naming.py`, `shared.naming` or `naming` -> the module's path relative to the root."""
    candidates = [module, module.replace(".", "/") + ".py", f"shared/{module.replace('.', '/')}.py"]
    for candidate in candidates:
        if candidate.endswith(".py") and (root / candidate).is_file():
            return candidate
    raise MutateError(f"no module {module!r}: give a path such as shared/naming.py")


def tests_for(path: str, root: Path = ROOT) -> tuple[str, ...]:
    if path in MODULE_TESTS:
        return MODULE_TESTS[path]
    default = f"tests/unit/test_{Path(path).stem}.py"
    if (root / default).is_file():
        return (default,)
    raise MutateError(f"no tests known for {path}: add it to MODULE_TESTS in tools/mutate.py")


def mutant_prefix(path: str) -> str:
    """mutmut's name for the module's mutants: `shared/settings/services.py` -> `shared.settings.services.`"""
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".") + "."


# Runs in a fresh interpreter at the root: mutmut reads [tool.mutmut] from pyproject.toml, and this narrows the
# mutated files and the test selection to the module and its tests before mutmut's own `run` command starts.
BOOTSTRAP = """
import sys
import mutmut.__main__ as mutmut_cli
from mutmut.configuration import config
module, children, *tests = sys.argv[1:]
config().only_mutate = [module]
config().pytest_add_cli_args_test_selection = tests
mutmut_cli.cli(["run", "--max-children", children])
"""


def run_mutmut(path: str, tests: tuple[str, ...], max_children: int, root: Path = ROOT) -> int:
    """A fresh mutants/ (results of another module's run do not carry over), then mutmut's run."""
    shutil.rmtree(root / "mutants", ignore_errors=True)
    command = [sys.executable, "-c", BOOTSTRAP, path, str(max_children), *tests]
    return subprocess.run(command, cwd=root, check=False).returncode


def score(path: str, root: Path = ROOT) -> Score:
    """The verdicts mutmut recorded for the module's mutants (mutants/<path>.meta), equivalents left out."""
    meta = root / "mutants" / f"{path}.meta"
    if not meta.is_file():
        raise MutateError(f"mutmut recorded no results for {path} ({meta.relative_to(root)} is missing); "
                          f"its output above says why")
    from mutmut.stats import status_by_exit_code

    codes: dict[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
    mine = {name for name in EQUIVALENT if name.startswith(mutant_prefix(path))}
    return Score(
        module=path,
        statuses={name: status_by_exit_code[code] for name, code in codes.items() if name not in mine},
        equivalent=tuple(sorted(mine & codes.keys())),
        stale=tuple(sorted(mine - codes.keys())),
    )


def mutate(module: str, max_children: int = 2, root: Path = ROOT) -> Score:
    path = module_path(module, root)
    tests = tests_for(path, root)
    print(f"mutating {path} against {' '.join(tests)}", flush=True)
    returncode = run_mutmut(path, tests, max_children, root)
    if returncode != 0:
        raise MutateError(f"mutmut exited with {returncode} for {path}; its output above says why")
    return score(path, root)
