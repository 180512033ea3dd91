"""The committed rules reference is the one the data gives."""
from __future__ import annotations

from invoke import Context

import tasks
from shared.aws_rules import RULES
from shared.aws_rules.model import ResourceRules
from tools import rules_doc


def test_the_committed_reference_is_current():
    assert (tasks.ROOT / rules_doc.PAGE).read_text() == rules_doc.page(), \
        "docs/provider-rules.md is stale: run `./dev rules-doc` and commit it"


def test_every_type_and_rule_is_listed_with_its_source():
    text = rules_doc.page()
    for resource in RULES.values():
        assert f"### `{resource.type}`" in text
        assert all(f"| `{rule.id}` |" in text and rule.source in text for rule in resource.rules)


def test_a_type_without_rules_says_so_and_pipes_are_escaped():
    lines = rules_doc._section(ResourceRules("aws:x/y:Y", "https://s", ()))
    assert lines[3] == "Changing these replaces the resource: none recorded."
    assert lines[-1] == "| - | - | no argument this repository sets carries a rule | - |"
    assert rules_doc._cell("a|b\nc") == "a\\|b c"


def test_the_task_writes_the_page(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    (tmp_path / "docs").mkdir()
    tasks.rules_doc(Context())
    assert (tmp_path / rules_doc.PAGE).read_text() == rules_doc.page()
    assert "provider rules -> docs/provider-rules.md" in capsys.readouterr().out
