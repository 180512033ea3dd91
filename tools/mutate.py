"""Mutation testing of one library module against its own tests: `./dev mutate shared/naming.py`.

mutmut (settings every run shares: `[tool.mutmut]` in pyproject.toml) copies the tree into mutants/, changes one
operator, constant or statement at a time in the module, and runs the tests that reach the changed function. A
mutant the tests do not notice ("survived") is a missing test, unless it behaves exactly like the original
(an equivalent mutant): those are listed in EQUIVALENT with the reason, and left out of the score.
Not part of CI: a run takes minutes of CPU.
"""
from __future__ import annotations

import ast
import fnmatch
import json
import math
import random
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
    "shared/stack_config.py": ("tests/unit/test_stack_config.py",),
    # The reader and the network's settings share one test file; each project's settings have their own.
    "shared/settings/__init__.py": ("tests/unit/test_settings.py",),
    "shared/settings/network.py": ("tests/unit/test_settings.py",),
    "shared/settings/registry.py": ("tests/unit/test_registry.py", "tests/unit/test_whole_value_patterns.py"),
    "shared/settings/platform.py": ("tests/unit/test_platform_settings.py", "tests/unit/test_whole_value_patterns.py"),
    "shared/contracts.py": ("tests/unit/test_contracts_and_stacks.py",),
    "shared/stacks.py": ("tests/unit/test_contracts_and_stacks.py",),
    # The container definition and the alarms are built from a service's settings and tested beside them.
    "shared/taskdef.py": ("tests/unit/test_services_settings.py",),
    "shared/alarms.py": ("tests/unit/test_services_settings.py",),
    **{f"shared/aws_rules/{module}.py": AWS_RULES_TESTS for module in AWS_RULES_MODULES},
    # The services program under the offline plan's mocks (one stack, or the committed stacks against an upstream
    # fixture), the ECS service's dependencies, and the facts of the real plans about the service's resources.
    # component_type makes each component's type token, which the network's, registry's and rotation's tests read.
    "shared/components/__init__.py": ("tests/unit/test_network.py", "tests/unit/test_registry.py",
                                      "tests/unit/test_platform_rotation.py"),
    "shared/components/service.py": ("tests/unit/test_services_program.py", "tests/unit/test_service_dependencies.py",
                                     "tests/unit/test_planned_resources.py"),
    # ARNs and named options by themselves, the key every project builds in the network's and registry's plans.
    "shared/components/context.py": ("tests/unit/test_context.py", "tests/unit/test_network.py",
                                     "tests/unit/test_registry.py"),
    # tests/unit/test_planned_resources.py: every resource's parent and logical name, in both environments' plans.
    "shared/components/network.py": ("tests/unit/test_network.py", "tests/unit/test_planned_resources.py"),
    # The platform's exports include the data layer's (key, secrets, stores, topic), tested with it.
    # The rotation function's group and its wait for the endpoint rules are handed over here.
    "shared/components/platform.py": ("tests/unit/test_platform.py", "tests/unit/test_platform_data.py",
                                      "tests/unit/test_platform_rotation.py", "tests/unit/test_planned_resources.py"),
    # The groups and rules with part 1 of the platform's tests; the rotation's first invocation waits for its rules.
    "shared/components/platform_network.py": ("tests/unit/test_platform.py", "tests/unit/test_platform_rotation.py",
                                              "tests/unit/test_planned_resources.py"),
    # Listeners and the ALB with part 1 of the platform's tests, access logs and the WAF with part 2.
    "shared/components/platform_edge.py": ("tests/unit/test_platform.py", "tests/unit/test_platform_data.py",
                                           "tests/unit/test_planned_resources.py"),
    # The data layer builds the key rotation, handing it the rotation group.
    "shared/components/platform_data.py": ("tests/unit/test_platform_data.py", "tests/unit/test_platform_rotation.py",
                                           "tests/unit/test_planned_resources.py"),
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
    **{f"shared.settings.platform.{name}": "dropping or renaming after=requireHttps: a requireHttps that does not "
                                           "parse reads as False, which the HTTPS rule accepts anyway"
       for name in ("x_load_platform_settings__mutmut_50", "x_load_platform_settings__mutmut_64",
                    "x_load_platform_settings__mutmut_65", "x_load_platform_settings__mutmut_66")},
    **{f"shared.settings.platform.{name}": "dropping or renaming after= of the 'set while placeholders' rule: a "
                                           "generateSecretPlaceholders that does not parse reads as False, which "
                                           "that rule accepts anyway"
       for name in ("x__external_secrets__mutmut_63", "x__external_secrets__mutmut_75",
                    "x__external_secrets__mutmut_76", "x__external_secrets__mutmut_77")},
    **{f"shared.settings.{name}": "'' instead of None for JSON that does not parse: neither is a list nor a "
                                  "mapping, so the same violation follows"
       for name in ("xǁConfigReaderǁstring_list__mutmut_7", "xǁConfigReaderǁjson_object__mutmut_7")},
    "shared.settings.xǁConfigReaderǁstring__mutmut_12": "_raw(key) for a value that is set: it checks the secret "
                                                        "flag string() already checked and reads the same value",
    "shared.iam.x_action_matches__mutmut_3": "case_sensitive=None is falsy, exactly as False",
    "shared.iam.x_is_service_wildcard_action__mutmut_16": "an action without ':' checks '' -> 'XXXX': neither holds "
                                                          "a '*', so neither is a wildcard",
    "shared.iam.x_parse_document__mutmut_35": "Principal '*' already parses to {'AWS': ('*',)}, whose flattened "
                                              "principals are ('*',): the shortcut changes nothing",
    "shared.iam.x_parse_document__mutmut_39": "as _35: the flattened principals of '*' are ('*',) either way",
    "shared.iam.x_search_overlap__mutmut_39": "star against star: the pairs this branch adds are also reached "
                                                "through the 'star matches nothing more' moves",
    "shared.iam.x_search_overlap__mutmut_47": "as _39, with the sides swapped",
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
    **{f"shared.stack_config.{name}": "a full key is always '<namespace>:<name>' with one ':' (built from "
                                      "parse_key's parts), so split, rsplit and any maxsplit cut it the same way"
       for name in ("xǁ_StackCheckerǁ_apply_declarations__mutmut_17", "xǁ_StackCheckerǁ_apply_declarations__mutmut_18",
                    "xǁ_StackCheckerǁ_apply_declarations__mutmut_20", "xǁ_StackCheckerǁ_stricter_rules__mutmut_90",
                    "xǁ_StackCheckerǁ_stricter_rules__mutmut_91", "xǁ_StackCheckerǁ_stricter_rules__mutmut_93")},
    **{f"shared.stack_config.{name}": "the value shown for a secure value: a secure value never reaches a refusal "
                                      "in _check_type (the secret rule needs a plain one, the type rule returns "
                                      "first), so the '[secret]' branch is never shown"
       for name in ("xǁ_StackCheckerǁ_check_type__mutmut_8", "xǁ_StackCheckerǁ_check_type__mutmut_10",
                    "xǁ_StackCheckerǁ_check_type__mutmut_11")},
    **{f"shared.stack_config.{name}": "n of get_close_matches: only the best match (close[0]) is used, and the "
                                      "matches come best first"
       for name in ("x__did_you_mean__mutmut_10", "x__did_you_mean__mutmut_14")},
    **{f"shared.stack_config.{name}": "the 0o prefix test: int(digits, 8) accepts a '0o'/'0O' prefix too, so an "
                                      "octal literal reaches the same number either way"
       for name in ("x__go_integer__mutmut_18", "x__go_integer__mutmut_19")},
    **{f"shared.stack_config.{name}": "_go_integer of a text starting with '.': _GO_INT needs a digit after the "
                                      "sign, so it is None either way"
       for name in ("x__construct_number__mutmut_15", "x__construct_number__mutmut_18")},
    "shared.stack_config.x__json__mutmut_4": "ensure_ascii=None: json reads it as a flag, None is falsy like False",
    "shared.stack_config.x_read_project__mutmut_157": "_items_problem returns one message for every refusal, "
                                                      "whatever items it is given",
    **{f"shared.stack_config.{name}": "secret's default None instead of False: bool() of either is False"
       for name in ("x_read_project__mutmut_210", "x_read_project__mutmut_212")},
    **{f"shared.stack_config.xǁ_CliYamlLoaderǁconstruct_mapping__mutmut_{n}": "the deep flag construct_mapping "
                                                                              "takes or passes on: the loader's "
                                                                              "construct_object builds every value "
                                                                              "deep whatever it is given"
       for n in (1, 5, 7, 8, 19, 21)},
    "shared.stack_config.xǁ_CliYamlLoaderǁconstruct_object__mutmut_1": "the default of a deep flag construct_object "
                                                                       "ignores: it always builds deep",
    "shared.stack_config.xǁ_StackCheckerǁ_stricter_rules__mutmut_128": "the separator between ALLOWED_NAMESPACES: it "
                                                                       "holds one namespace (a test pins it), so no "
                                                                       "separator is written",
    **{f"shared.components.network.x\u01c1Network\u01c1__init____mutmut_{n}": "zip's strict (None, absent, False): "
       "the private subnets are built one per zone just above, so zones and subnets always have the same length"
       for n in (218, 221, 222)},
    **{f"shared.components.service.x__weighted_forward__mutmut_{n}": "zip's strict dropped, None or False: two groups "
       "and the two weights of BLUE_GREEN_WEIGHTS, always the same length" for n in (4, 7, 8)},
    "shared.components.service.x\u01c1TradingService\u01c1_routing__mutmut_77": "no test rule as '' instead of None: "
        "its one reader (the ECS service's advanced configuration) asks whether it is set, and both are falsy",
    **{f"shared.components.network.x\u01c1Network\u01c1_flow_logs__mutmut_{n}": "an IAM action's case: IAM "
       "matches action names case-insensitively" for n in (139, 140, 142, 143, 145, 146)},
    **{f"shared.components.network.x\u01c1Network\u01c1_flow_logs__mutmut_{n}": "account_id (None, or the group's "
       "ARN) in iam.logs_key_statement, which does not read it: the log group ARNs carry the account"
       for n in (33, 39)},
    "shared.components.platform_data.x\u01c1PlatformData\u01c1_secret__mutmut_33": "the external-secret lookup for "
        "every secret: settings hold external values only for EXTERNAL_SECRET_KEYS, so the others read None either "
        "way",
    "shared.components.platform_network.x\u01c1NetworkPolicy\u01c1__init____mutmut_70": "{} -> None for the "
        "catalog's rules: none names a prefix list (the rules that do are the endpoint rules, made once the prefix "
        "lists resolve), so the mapping is never read",
    "shared.components.platform_edge.x\u01c1PlatformEdge\u01c1_access_logs__mutmut_1": "None -> '' while access "
        "logs are off: its one reader (the platform's accessLogBucket output) asks whether it is set, and both are "
        "falsy",
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
    sampled_from: int = 0  # the module's mutants when these are a random sample of them

    @property
    def survivors(self) -> list[str]:
        return sorted(name for name, status in self.statuses.items() if status not in DETECTED)

    @property
    def percent(self) -> float:
        return 100.0 * (len(self.statuses) - len(self.survivors)) / len(self.statuses) if self.statuses else 100.0

    def text(self) -> str:
        if not self.statuses and not self.equivalent:
            return f"{self.module}: no mutants (mutmut finds nothing in it to change)"
        counts = Counter(self.statuses.values())
        lines = [f"{self.module}: {self.percent:.1f}% of {len(self.statuses)} mutants detected "
                 f"({', '.join(f'{n} {status}' for status, n in sorted(counts.items()))}; "
                 f"{len(self.equivalent)} equivalent excluded)"]
        if self.sampled_from:
            low, high = wilson_interval(len(self.statuses) - len(self.survivors), len(self.statuses))
            lines.append(f"  a random sample of its {self.sampled_from} mutants: the module's score lies in "
                         f"{low:.1f}-{high:.1f}% (95% Wilson interval)")
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


def library_modules(root: Path = ROOT) -> list[str]:
    """Every module of the library that holds code mutmut can change (a function or a method), which the issue's
    bar applies to: what `./dev mutate all` measures, besides the tools listed in MODULE_TESTS."""
    found = []
    for path in sorted((root / "shared").rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        if any(isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) for node in ast.walk(tree)):
            found.append(path.relative_to(root).as_posix())
    return found


def every_module(root: Path = ROOT) -> list[str]:
    library = library_modules(root)
    return library + [module for module in MODULE_TESTS if module not in library]


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
#
# mutmut runs a mutant against the tests that reached its function while it collected stats, and it records a
# function as reached in the process that called it. The offline plan runs each program in a forked worker
# (tools/plan/runner.py), so a component's functions are reached in the workers only: without help every
# mutant of shared/components/* would count as "no tests". The plugin below carries each worker's hits back to
# the test that planned the stack. Plans are cached (module fixtures, the session's environment plans), so
# only the first test to plan a stack would be credited: every later test is credited with every function
# reached so far too (more tests per mutant, never a test missing). Nothing here is imported from the project
# at start-up: mutmut imports the project from mutants/ afterwards.
BOOTSTRAP = """
import json
import os
import sys
import tempfile
from pathlib import Path

import pytest
import mutmut.__main__ as mutmut_cli
from mutmut.configuration import config
from mutmut.runners.harness import PytestRunner
from mutmut.state import state

module, children, *rest = sys.argv[1:]
tests, names = (rest[:rest.index("--only")], rest[rest.index("--only") + 1:]) if "--only" in rest else (rest, [])
config().only_mutate = [module]
config().pytest_add_cli_args_test_selection = tests
HITS = Path(tempfile.mkdtemp(prefix="mutmut-worker-hits-"))


def collecting_stats():
    return os.environ.get("MUTANT_UNDER_TEST") == "stats"


def carry_worker_hits(runner):
    work, finish = runner._work, runner._finish

    def _work(*args):
        state()._stats.clear()  # what the parent's test reached so far is credited there already
        try:
            work(*args)
        finally:
            if collecting_stats():
                (HITS / f"{os.getpid()}.json").write_text(json.dumps(sorted(state()._stats)))

    def _finish(worker):
        result = finish(worker)  # joins the worker: its hits are written by then
        hits = HITS / f"{worker.process.pid}.json"
        if hits.exists():
            state()._stats.update(json.loads(hits.read_text()))
            hits.unlink()
        return result

    runner._work, runner._finish = _work, _finish


class WorkerHits:
    def __init__(self):
        self.reached = set()

    def pytest_collection_finish(self, session):
        runner = sys.modules.get("tools.plan.runner")
        if runner is not None and not getattr(runner, "carries_mutmut_hits", False):
            carry_worker_hits(runner)
            runner.carries_mutmut_hits = True

    @pytest.hookimpl(tryfirst=True)  # before mutmut credits the test with what was reached
    def pytest_runtest_teardown(self, item, nextitem):
        if collecting_stats():
            self.reached |= state()._stats
            state()._stats |= self.reached


plugin, execute = WorkerHits(), PytestRunner.execute_pytest


def execute_pytest(self, params, **kwargs):
    return execute(self, params, **{**kwargs, "plugins": [*kwargs.get("plugins", []), plugin]})


PytestRunner.execute_pytest = execute_pytest
mutmut_cli.cli(["run", "--max-children", children, *names])
"""


def mutant_globs(path: str, functions: tuple[str, ...]) -> list[str]:
    """mutmut's names of the mutants of `functions` (module functions or methods) of the module: a run of part of
    a module whose mutants are too many for one sitting (each mutant of a component plans stacks)."""
    prefix = mutant_prefix(path)
    return [glob for function in functions for glob in (f"{prefix}x_{function}__mutmut_*",
                                                         f"{prefix}x\u01c1*\u01c1{function}__mutmut_*")]


def sampled_mutants(path: str, size: int, root: Path = ROOT, seed: str = "") -> tuple[list[str], int]:
    """`size` of the module's mutants, drawn at random with `seed` (the module's path unless given), so a repeated
    run (after tests were added) measures the same mutants; and how many the module has. Once a sample's survivors
    have tests, it no longer estimates the module: another seed draws a fresh one. mutmut's own generator names
    them, as its run would: for a module whose full run takes hours (each mutant of a component plans stacks)."""
    from mutmut.mutation.file_mutation import mutate_file_contents

    names = sorted(mutate_file_contents(path, (root / path).read_text()).mutant_names)
    prefix = mutant_prefix(path)
    drawn = random.Random(seed or path).sample(names, min(size, len(names)))
    return sorted(prefix + name for name in drawn), len(names)


def wilson_interval(detected: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion, in percent: where a sample's score puts the module's
    (https://en.wikipedia.org/wiki/Binomial_proportion_confidence_interval#Wilson_score_interval)."""
    if not total:
        return 0.0, 100.0
    p = detected / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return 100 * (centre - half), 100 * (centre + half)


def run_mutmut(path: str, tests: tuple[str, ...], max_children: int, root: Path = ROOT,
               only: tuple[str, ...] = ()) -> int:
    """A fresh mutants/ (results of another module's run do not carry over), then mutmut's run of the mutants
    `only` names (names or globs), or of all."""
    shutil.rmtree(root / "mutants", ignore_errors=True)
    command = [sys.executable, "-c", BOOTSTRAP, path, str(max_children), *tests, *(["--only", *only] if only else [])]
    return subprocess.run(command, cwd=root, check=False).returncode


def score(path: str, root: Path = ROOT, only: tuple[str, ...] = (), label: str = "", sampled_from: int = 0) -> Score:
    """The verdicts mutmut recorded for the module's mutants (mutants/<path>.meta), equivalents left out; with
    `only` (names or globs), those mutants only."""
    meta = root / "mutants" / f"{path}.meta"
    if not meta.is_file():
        raise MutateError(f"mutmut recorded no results for {path} ({meta.relative_to(root)} is missing); "
                          f"its output above says why")
    from mutmut.stats import status_by_exit_code

    codes: dict[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
    prefix = mutant_prefix(path)
    # A package's prefix (`shared.settings.`) also starts its submodules' names: a mutant of the module itself has
    # no further '.' (its function's name follows the prefix).
    mine = {name for name in EQUIVALENT if name.startswith(prefix) and "." not in name[len(prefix):]}
    if only:
        codes = {name: code for name, code in codes.items() if any(fnmatch.fnmatch(name, g) for g in only)}
        mine = {name for name in mine if any(fnmatch.fnmatch(name, g) for g in only)}
    return Score(
        module=f"{path}{label}",
        statuses={name: status_by_exit_code[code] for name, code in codes.items() if name not in mine},
        equivalent=tuple(sorted(mine & codes.keys())),
        stale=tuple(sorted(mine - codes.keys())),
        sampled_from=sampled_from,
    )


def made_no_mutants(path: str, root: Path = ROOT) -> bool:
    """mutmut exits 1 with "could not find any test case for any mutant" when it made no mutant at all, as for
    shared/components/__init__.py, whose one function returns an f-string (mutmut 3 changes none)."""
    meta = root / "mutants" / f"{path}.meta"
    return meta.is_file() and not json.loads(meta.read_text())["exit_code_by_key"]


def mutate(module: str, max_children: int = 2, root: Path = ROOT, functions: tuple[str, ...] = (),
           sample: int = 0, seed: str = "") -> Score:
    """Mutate the module (all of it, the mutants of `functions`, or a random `sample` of its mutants) and score it."""
    if functions and sample:
        raise MutateError("give functions or a sample size, not both")
    path = module_path(module, root)
    tests = tests_for(path, root)
    only: tuple[str, ...] = tuple(mutant_globs(path, functions))
    label, population = f" ({', '.join(functions)})" if functions else "", 0
    if sample:
        names, population = sampled_mutants(path, sample, root, seed)
        only, label = tuple(names), f" (sample of {len(names)}{', seed ' + seed if seed else ''})"
    print(f"mutating {path}{label} against {' '.join(tests)}", flush=True)
    returncode = run_mutmut(path, tests, max_children, root, only)
    if returncode != 0 and not made_no_mutants(path, root):
        raise MutateError(f"mutmut exited with {returncode} for {path}; its output above says why")
    return score(path, root, only, label, population)
