"""`./dev mutate`: module and test selection, mutmut's verdicts read back into a score, equivalents left out.
mutmut itself is not run here (minutes of CPU): `run_mutmut` is replaced by what it leaves in mutants/."""
from __future__ import annotations

import json
import re

import pytest
from invoke import Context, Exit

import tasks
from tools import mutate


def test_a_module_is_found_by_path_dotted_name_or_short_name(tmp_path):
    (tmp_path / "shared" / "settings").mkdir(parents=True)
    (tmp_path / "shared" / "settings" / "services.py").write_text("")
    (tmp_path / "shared" / "naming.py").write_text("")
    assert mutate.module_path("shared/naming.py", tmp_path) == "shared/naming.py"
    assert mutate.module_path("shared.settings.services", tmp_path) == "shared/settings/services.py"
    assert mutate.module_path("naming", tmp_path) == "shared/naming.py"
    with pytest.raises(mutate.MutateError, match=r"no module 'ghost': give a path such as shared/naming\.py"):
        mutate.module_path("ghost", tmp_path)


def test_tests_come_from_the_table_or_the_test_file_named_after_the_module(tmp_path):
    assert mutate.tests_for("shared/iam.py")[0] == "tests/policy/test_iam_matching.py"
    (tmp_path / "tests" / "unit").mkdir(parents=True)
    (tmp_path / "tests" / "unit" / "test_tagging.py").write_text("")
    assert mutate.tests_for("shared/tagging.py", tmp_path) == ("tests/unit/test_tagging.py",)
    with pytest.raises(mutate.MutateError, match=r"no tests known for shared/stackio\.py: add it to MODULE_TESTS"):
        mutate.tests_for("shared/stackio.py", tmp_path)


def test_every_listed_module_and_test_file_exists():
    """A test is a file, or one test function of a file (`file::test`, to leave out a file's whole-plan tests)."""
    for module, tests in mutate.MODULE_TESTS.items():
        assert (mutate.ROOT / module).is_file(), module
        for test in tests:
            path, _, function = test.partition("::")
            assert (mutate.ROOT / path).is_file(), (module, test)
            assert not function or f"def {function}(" in (mutate.ROOT / path).read_text(), (module, test)


def test_every_library_module_with_code_has_its_own_tests():
    """`./dev mutate all` reaches every library module: none is left out for want of a test selection."""
    modules = mutate.library_modules()
    assert "shared/stack_config.py" in modules and "shared/components/service.py" in modules
    assert "shared/__init__.py" not in modules  # a docstring: nothing to mutate
    for module in modules:
        assert all((mutate.ROOT / test.split("::")[0]).is_file() for test in mutate.tests_for(module)), module
    assert mutate.every_module()[-1] == "tools/analysis/task_start.py"


def test_a_module_with_only_constants_is_not_a_mutation_target(tmp_path):
    (tmp_path / "shared" / "sub").mkdir(parents=True)
    (tmp_path / "shared" / "constants.py").write_text('"""Doc."""\nLIMIT = 3\n')
    (tmp_path / "shared" / "sub" / "code.py").write_text("class A:\n    def f(self):\n        return 1\n")
    (tmp_path / "shared" / "sub" / "coroutine.py").write_text("async def g():\n    return 1\n")
    assert mutate.library_modules(tmp_path) == ["shared/sub/code.py", "shared/sub/coroutine.py"]


def test_equivalent_mutants_are_named_by_module_and_explained():
    """Each name is a mutant of a module that has tests to mutate against (listed, or tests/unit/test_<stem>.py)."""
    for name, reason in mutate.EQUIVALENT.items():
        found = re.match(r"([\w.]+?)\.x[_ǁ]", name)
        assert found and "__mutmut_" in name and len(reason) > 20, name
        dotted = found.group(1).replace(".", "/")
        path = next(p for p in (f"{dotted}.py", f"{dotted}/__init__.py") if (mutate.ROOT / p).is_file())
        assert mutate.tests_for(path), name


def test_mutant_names_follow_the_module_path():
    assert mutate.mutant_prefix("shared/settings/services.py") == "shared.settings.services."
    assert mutate.mutant_prefix("shared/settings/__init__.py") == "shared.settings."


def write_meta(root, path: str, codes: dict) -> None:
    meta = root / "mutants" / f"{path}.meta"
    meta.parent.mkdir(parents=True, exist_ok=True)
    meta.write_text(json.dumps({"exit_code_by_key": codes}))


def test_the_score_counts_killed_and_timed_out_mutants_and_leaves_equivalents_out(tmp_path, monkeypatch):
    monkeypatch.setattr(mutate, "EQUIVALENT", {"shared.naming.x_f__mutmut_4": "same behaviour",
                                               "shared.naming.x_gone__mutmut_1": "function since removed",
                                               "shared.fargate.x_g__mutmut_1": "another module's"})
    write_meta(tmp_path, "shared/naming.py", {"shared.naming.x_f__mutmut_1": 1, "shared.naming.x_f__mutmut_2": 0,
                                              "shared.naming.x_f__mutmut_3": 33, "shared.naming.x_f__mutmut_4": 0,
                                              "shared.naming.x_f__mutmut_5": 36})
    score = mutate.score("shared/naming.py", tmp_path)
    assert score.survivors == ["shared.naming.x_f__mutmut_2", "shared.naming.x_f__mutmut_3"]
    assert score.percent == pytest.approx(50.0)
    assert score.equivalent == ("shared.naming.x_f__mutmut_4",)
    assert score.stale == ("shared.naming.x_gone__mutmut_1",)
    assert score.text() == (
        "shared/naming.py: 50.0% of 4 mutants detected (1 killed, 1 no tests, 1 survived, 1 timeout; "
        "1 equivalent excluded)\n"
        "  survived: shared.naming.x_f__mutmut_2 (survived)\n"
        "  survived: shared.naming.x_f__mutmut_3 (no tests)\n"
        "  stale EQUIVALENT entry (no such mutant): shared.naming.x_gone__mutmut_1")
    assert mutate.Score("shared/empty.py", {}, (), ()).percent == 100.0


def test_a_packages_score_leaves_its_submodules_equivalents_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(mutate, "EQUIVALENT", {"shared.settings.x_f__mutmut_2": "same behaviour",
                                               "shared.settings.services.x_g__mutmut_1": "a submodule's"})
    write_meta(tmp_path, "shared/settings/__init__.py", {"shared.settings.x_f__mutmut_1": 1,
                                                         "shared.settings.x_f__mutmut_2": 0})
    score = mutate.score("shared/settings/__init__.py", tmp_path)
    assert (score.equivalent, score.stale, score.percent) == (("shared.settings.x_f__mutmut_2",), (), 100.0)


def test_no_results_say_where_to_look(tmp_path):
    with pytest.raises(mutate.MutateError, match=r"no results for shared/naming.py \(mutants/shared/naming.py.meta"):
        mutate.score("shared/naming.py", tmp_path)


def test_a_run_starts_from_a_fresh_copy_and_narrows_mutmut_to_the_module_and_its_tests(tmp_path, monkeypatch):
    (tmp_path / "mutants").mkdir()
    (tmp_path / "mutants" / "stale").write_text("")
    seen: dict = {}

    def fake_run(command, cwd, check):
        seen.update(command=command, cwd=cwd, fresh=not (tmp_path / "mutants").exists())
        return type("Done", (), {"returncode": 0})()

    monkeypatch.setattr(mutate.subprocess, "run", fake_run)
    assert mutate.run_mutmut("shared/naming.py", ("tests/unit/test_naming.py",), 2, tmp_path) == 0
    assert seen["fresh"] and seen["cwd"] == tmp_path
    assert seen["command"][1] == "-c" and "config().only_mutate = [module]" in seen["command"][2]
    assert seen["command"][3:] == ["shared/naming.py", "2", "tests/unit/test_naming.py"]


def test_mutate_runs_mutmut_then_scores(tmp_path, monkeypatch, capsys):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "netcalc.py").write_text("")
    calls = []

    def fake_mutmut(path, tests, children, root, only):
        calls.append((path, tests, children))
        write_meta(root, path, {"shared.netcalc.x_plan__mutmut_1": 1})
        return 0

    monkeypatch.setattr(mutate, "run_mutmut", fake_mutmut)
    assert mutate.mutate("netcalc", 1, tmp_path).percent == 100.0
    assert calls == [("shared/netcalc.py", ("tests/unit/test_netcalc.py",), 1)]
    assert capsys.readouterr().out == "mutating shared/netcalc.py against tests/unit/test_netcalc.py\n"
    monkeypatch.setattr(mutate, "run_mutmut", lambda *args: 2)
    with pytest.raises(mutate.MutateError, match=r"mutmut exited with 2 for shared/netcalc\.py"):
        mutate.mutate("netcalc", 1, tmp_path)


def test_a_module_mutmut_makes_no_mutant_of_is_reported_not_failed(tmp_path, monkeypatch):
    """mutmut exits 1 when it made no mutant (components/__init__.py: one f-string); any other exit 1 fails."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "netcalc.py").write_text("")

    def run(codes):
        def fake_mutmut(path, tests, children, root, only):
            write_meta(root, path, codes)
            return 1
        monkeypatch.setattr(mutate, "run_mutmut", fake_mutmut)
        return mutate.mutate("netcalc", 1, tmp_path)

    assert run({}).text() == "shared/netcalc.py: no mutants (mutmut finds nothing in it to change)"
    with pytest.raises(mutate.MutateError, match="mutmut exited with 1"):
        run({"shared.netcalc.x_plan__mutmut_1": 1})
    monkeypatch.setattr(mutate, "run_mutmut", lambda *args: 1)
    (tmp_path / "mutants" / "shared" / "netcalc.py.meta").unlink()
    with pytest.raises(mutate.MutateError, match="mutmut exited with 1"):
        mutate.mutate("netcalc", 1, tmp_path)
    # a module whose every mutant is equivalent still reads as a score
    assert mutate.Score("m", {}, ("m.x_f__mutmut_1",), ()).text().startswith("m: 100.0% of 0 mutants detected (; 1 ")


def test_the_task_prints_each_score_and_turns_errors_into_exit_2(monkeypatch, capsys):
    done = []

    def fake(module, children, functions, sample, seed):
        done.append((module, children) if not sample else (module, children, sample, seed))
        return mutate.Score(module, {"m.x__mutmut_1": "killed"}, (), ())

    monkeypatch.setattr(mutate, "mutate", fake)
    tasks.mutate(Context(), "shared/naming.py", max_children="3")
    assert done == [("shared/naming.py", 3)]
    assert capsys.readouterr().out == "shared/naming.py: 100.0% of 1 mutants detected (1 killed; 0 equivalent " \
                                      "excluded)\n"
    tasks.mutate(Context(), "shared/naming.py", sample="150", seed="2")
    assert done.pop() == ("shared/naming.py", 2, 150, "2")
    tasks.mutate(Context(), "all")
    assert [module for module, _ in done[1:]] == mutate.every_module()

    def failing(module, children, functions, sample, seed):
        raise mutate.MutateError("no module 'ghost': give a path such as shared/naming.py")

    monkeypatch.setattr(mutate, "mutate", failing)
    with pytest.raises(Exit) as refused:
        tasks.mutate(Context(), "ghost")
    assert refused.value.code == 2 and "no module 'ghost'" in str(refused.value.message)


def fake_subprocess(monkeypatch, meta: dict, root) -> dict:
    """subprocess.run as mutmut's run: records the command, leaves `meta` as mutmut's verdicts."""
    seen: dict = {}

    def run(command, cwd, check):
        seen.update(command=command)
        write_meta(root, command[3], meta)
        return type("Done", (), {"returncode": 0})

    monkeypatch.setattr(mutate.subprocess, "run", run)
    return seen


def test_part_of_a_module_is_its_functions_mutants_only(tmp_path, monkeypatch):
    """A module too large for one sitting is measured function by function: mutmut is given the functions'
    mutant names (module functions and methods alike), and the score counts only those."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "x.py").write_text("")
    monkeypatch.setitem(mutate.MODULE_TESTS, "shared/x.py", ("tests/unit/test_x.py",))
    seen = fake_subprocess(monkeypatch, {"shared.x.x\u01c1Svc\u01c1_group__mutmut_1": 1,
                                         "shared.x.x__entry__mutmut_2": 0,
                                         "shared.x.x__entries__mutmut_1": None,
                                         "shared.x.x\u01c1Svc\u01c1_groups__mutmut_1": None}, tmp_path)
    score = mutate.mutate("shared/x.py", 1, tmp_path, functions=("_group", "_entry"))
    assert seen["command"][3:] == ["shared/x.py", "1", "tests/unit/test_x.py", "--only",
                                   "shared.x.x__group__mutmut_*", "shared.x.x\u01c1*\u01c1_group__mutmut_*",
                                   "shared.x.x__entry__mutmut_*", "shared.x.x\u01c1*\u01c1_entry__mutmut_*"]
    assert sorted(score.statuses) == ["shared.x.x__entry__mutmut_2", "shared.x.x\u01c1Svc\u01c1_group__mutmut_1"]
    assert score.percent == pytest.approx(50.0) and score.module == "shared/x.py (_group, _entry)"
    with pytest.raises(mutate.MutateError, match="not both"):
        mutate.mutate("shared/x.py", 1, tmp_path, functions=("_group",), sample=3)


def test_a_sample_is_the_same_random_mutants_each_run_scored_with_its_interval(tmp_path, monkeypatch):
    """For a module whose full run takes hours: mutmut's own names for its mutants, a seeded draw of them, and
    the score with the interval the module's own lies in."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "x.py").write_text("def f(a, b):\n    return a + b > 1 and a - 2 < b\n")
    everything, population = mutate.sampled_mutants("shared/x.py", 1000, tmp_path)
    assert population == len(everything) > 6 and all(n.startswith("shared.x.x_f__mutmut_") for n in everything)
    names, _ = mutate.sampled_mutants("shared/x.py", 4, tmp_path)
    assert names == mutate.sampled_mutants("shared/x.py", 4, tmp_path)[0] and len(set(names)) == 4
    assert set(names) < set(everything) and names != everything[:4]  # drawn, not the first four
    fresh, _ = mutate.sampled_mutants("shared/x.py", 4, tmp_path, seed="after the tests")
    assert fresh != names and fresh == mutate.sampled_mutants("shared/x.py", 4, tmp_path, seed="after the tests")[0]
    monkeypatch.setitem(mutate.MODULE_TESTS, "shared/x.py", ("tests/unit/test_x.py",))
    verdicts = dict.fromkeys(everything, 1) | {names[0]: 0}
    seen = fake_subprocess(monkeypatch, verdicts, tmp_path)
    score = mutate.mutate("shared/x.py", 1, tmp_path, sample=4)
    assert seen["command"][3:] == ["shared/x.py", "1", "tests/unit/test_x.py", "--only", *names]
    assert sorted(score.statuses) == names and score.survivors == [names[0]]
    fake_subprocess(monkeypatch, verdicts, tmp_path)
    assert mutate.mutate("shared/x.py", 1, tmp_path, sample=4, seed="s").module == "shared/x.py (sample of 4, seed s)"
    assert score.text().splitlines()[:2] == [
        "shared/x.py (sample of 4): 75.0% of 4 mutants detected (3 killed, 1 survived; 0 equivalent excluded)",
        f"  a random sample of its {population} mutants: the module's score lies in 30.1-95.4% (95% Wilson "
        "interval)"]


def test_the_wilson_interval_matches_the_textbook_values():
    # n = 10: 0 of 10 -> [0, 27.8]; 10 of 10 -> [72.2, 100]; 140 of 150 -> [88.2, 96.3]
    assert mutate.wilson_interval(0, 10) == (pytest.approx(0.0, abs=1e-9), pytest.approx(27.75, abs=0.01))
    assert mutate.wilson_interval(10, 10) == (pytest.approx(72.25, abs=0.01), pytest.approx(100.0))
    assert mutate.wilson_interval(140, 150) == (pytest.approx(88.16, abs=0.01), pytest.approx(96.34, abs=0.01))
    assert mutate.wilson_interval(0, 0) == (0.0, 100.0)


def test_the_bootstrap_hands_mutmut_the_names_and_pytest_the_tests():
    [parsing] = [line for line in mutate.BOOTSTRAP.splitlines() if line.startswith("tests, names = ")]
    for rest, expected in ((["tests/a.py", "tests/b.py", "--only", "n1", "n2"], (["tests/a.py", "tests/b.py"],
                                                                                 ["n1", "n2"])),
                           (["tests/a.py"], (["tests/a.py"], []))):
        namespace = {"rest": rest}
        exec(parsing, namespace)
        assert (namespace["tests"], namespace["names"]) == expected
