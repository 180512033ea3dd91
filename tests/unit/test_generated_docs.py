"""The generated reference pages are the ones the data gives: provider rules and configuration keys."""
from __future__ import annotations

import pytest
import yaml
from invoke import Context

import tasks
from shared import stacks
from shared.aws_rules import RULES
from shared.aws_rules.model import ResourceRules
from shared.stack_config import OPTIONAL_SECRETS
from tools import config_doc, policy_doc, rules_doc


@pytest.mark.parametrize("module", [rules_doc, config_doc, policy_doc], ids=lambda m: m.PAGE)
def test_the_committed_pages_are_current(module):
    assert (tasks.ROOT / module.PAGE).read_text() == module.page(), \
        f"{module.PAGE} is stale: run `./dev docs` and commit it"


def test_every_rule_type_is_listed_with_its_source():
    text = rules_doc.page()
    for resource in RULES.values():
        assert f"### `{resource.type}`" in text
        assert all(f"| `{rule.id}` |" in text and rule.source in text for rule in resource.rules)


def test_a_rule_type_without_rules_says_so_and_pipes_are_escaped():
    lines = rules_doc._section(ResourceRules("aws:x/y:Y", "https://s", ()))
    assert lines[3] == "Changing these replaces the resource: none recorded."
    assert lines[-1] == "| - | - | no argument this repository sets carries a rule | - |"
    assert rules_doc._cell("a|b\nc") == "a\\|b c"


def test_every_declared_key_appears_with_its_default_or_required():
    text = config_doc.page()
    for project in stacks.PROJECT_ORDER:
        declared = yaml.safe_load((stacks.PROJECTS_DIR / project / "Pulumi.yaml").read_text())["config"]
        for key in declared:
            assert f"| `{key if ':' in key else f'{project}:{key}'}` |" in text
    assert "| `aws:region` | fixed | `us-east-1` | the same for every stack |" in text
    assert "| `services:imageTag` | string | **required** |" in text
    zones = '`["us-east-1a", "us-east-1b", "us-east-1c"]`'
    assert f"| `network:availabilityZones` | array<string> | {zones} |" in text
    assert "| `services:venueUrl` | string | `\"\"` |" in text
    for key in OPTIONAL_SECRETS["platform"]:
        assert f"| `platform:{key}` | secret string | optional (not in Pulumi.yaml) |" in text


def test_a_declaration_without_items_or_description_is_still_listed(tmp_path, monkeypatch):
    (tmp_path / "network").mkdir()
    (tmp_path / "network" / "Pulumi.yaml").write_text(
        "name: network\nconfig:\n  odd:\n    type: array\n    default: []\n")
    monkeypatch.setattr(stacks, "PROJECTS_DIR", tmp_path)
    assert config_doc.project_section("network")[-1] == "| `network:odd` | array | `[]` |  |"


def test_the_task_writes_both_pages(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    (tmp_path / "docs").mkdir()
    tasks.docs(Context())
    assert (tmp_path / rules_doc.PAGE).read_text() == rules_doc.page()
    assert (tmp_path / config_doc.PAGE).read_text() == config_doc.page()
    assert (tmp_path / policy_doc.PAGE).read_text() == policy_doc.page()
    assert capsys.readouterr().out == f"-> {rules_doc.PAGE}\n-> {config_doc.PAGE}\n-> {policy_doc.PAGE}\n"


def test_the_readme_quotes_the_rule_counts_of_the_data():
    counts = next(line for line in rules_doc.page().splitlines() if " rules over " in line)
    readme = " ".join((tasks.ROOT / "README.md").read_text().split())
    assert counts.removesuffix(" applied to every AWS resource.") in readme


def test_the_readme_quotes_the_policy_count_of_the_pack():
    from policy.rules import all_policies
    assert len(all_policies()) > 29  # the pack grew with the hardening; the README must say how much
    readme = " ".join((tasks.ROOT / "README.md").read_text().split())
    assert policy_doc.summary() in readme
    assert all(f"| `{p.name}` |" in policy_doc.page() for p in all_policies())


def test_a_policy_without_a_level_is_listed_as_advisory_as_pulumi_policy_treats_it():
    class Unset:
        enforcement_level = None

    assert policy_doc.level(Unset()) == "advisory"
