"""The provider-check gate over a plan document, and the one finding renderer every gate shares."""
from __future__ import annotations

import json

from shared.aws_rules.model import Length, NotPrefix, ResourceRules, Rule
from tools.findings import Finding, findings_table, table
from tools.provider_checks import check_document, check_file

SG = "aws:ec2/securityGroup:SecurityGroup"
RULES = {SG: ResourceRules(SG, "https://example.test/sg", (
    Rule("ec2.sg.name-prefix.reserved", "namePrefix", NotPrefix(("sg-",)), "cannot begin with sg-",
         "https://example.test/sg", "rename it", ("a-",), ("sg-",)),
    Rule("ec2.sg.name-prefix.length", "namePrefix", Length(0, 10), "too long", "https://example.test/sg",
         "shorten it", ("a" * 10,), ("a" * 11,)),
))}


def document(*resources: dict) -> dict:
    return {"environment": "dev", "stacks": [{"project": "network", "stack": "dev", "resources": list(resources)}]}


def resource(typ: str, logical: str, **inputs) -> dict:
    return {"type": typ, "name": logical, "inputs": inputs}


def test_a_clean_plan_reports_how_many_rules_ran_and_nothing_else():
    report = check_document(document(resource(SG, "alb", namePrefix="alb-"), resource(SG, "x", namePrefix="y-"),
                                     resource("trading:network:Network", "network")), RULES)
    assert report.findings == [] and report.rules_applied == 2 * (2 + 3)  # two rules of its own, three tag rules
    assert report.render() == "provider checks (dev): 10 rule applications, 0 violation(s)"


def test_a_violation_names_the_resource_argument_value_rule_source_and_fix():
    report = check_document(document(resource(SG, "endpoints", namePrefix="sg-endpoints-dev-")), RULES)
    assert report.findings == [
        Finding("provider", "ec2.sg.name-prefix.reserved", "network/dev", "endpoints",
                f"{SG} namePrefix = sg-endpoints-dev-: must not begin with 'sg-' (provider: \"cannot begin with "
                "sg-\"; https://example.test/sg)", "rename it"),
        Finding("provider", "ec2.sg.name-prefix.length", "network/dev", "endpoints",
                f"{SG} namePrefix = sg-endpoints-dev-: is 17 characters; the length must be 0..10 (provider: \"too "
                "long\"; https://example.test/sg)", "shorten it")]
    text = report.render()
    assert text.startswith("provider checks (dev): 5 rule applications, 2 violation(s)\nrule ")
    assert "Fix: rename it" in text


def test_a_type_without_rules_fails_so_new_types_get_rules():
    report = check_document(document(resource("aws:sqs/queue:Queue", "orders", name="q"),
                                     resource("random:index/randomPassword:RandomPassword", "jwt", length=64.0)),
                            RULES)
    assert [(f.rule, f.resource, f.message) for f in report.findings] == [
        ("provider.rules-missing", "orders", "no provider rules are recorded for aws:sqs/queue:Queue"),
        ("provider.rules-missing", "jwt",
         "no provider rules are recorded for random:index/randomPassword:RandomPassword")]


def test_long_values_are_shortened_in_the_message_and_structures_shown_as_json(tmp_path):
    rule = Rule("x.y.z.length", "doc", Length(0, 5), "m", "https://s", "f", ("a",), ("a" * 6,))
    rules = {"aws:x/y:Y": ResourceRules("aws:x/y:Y", "https://s", (rule,))}
    long_value = "b" * 100
    report = check_document(document(resource("aws:x/y:Y", "r", doc=long_value)), rules)
    assert f"doc = {'b' * 77}...: is 100" in report.findings[0].message
    nested = check_document(document(resource("aws:x/y:Y", "r", doc=["a", "b"])), rules)
    assert 'doc = ["a", "b"]: must be a string' in nested.findings[0].message
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document(resource(SG, "alb", namePrefix="alb-"))))
    assert check_file(path).environment == "dev"


def test_one_table_for_every_gate():
    assert table([("a", "long cell", "reason")], ("r", "c", "why")) == (
        "r  c          why\n"
        "-  ---------  ---\n"
        "a  long cell  reason")
    finding = Finding("policy", "p1", "network/dev", "vpc", "bad", "do this")
    assert findings_table([finding, Finding("policy", "p2", "s", "r", "worse")]).splitlines()[2:] == [
        "p1    network/dev  vpc       bad. Fix: do this", "p2    s            r         worse"]
    assert str(finding) == "[p1] network/dev vpc: bad. Fix: do this"
    assert str(Finding("verify", "c", "s", "r", "m")) == "[c] s r: m."
