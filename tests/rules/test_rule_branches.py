"""The branches of the rule functions that the rules' own examples cannot show, and the exact reason the newer
bad examples are refused.

A check on a nested argument (`healthCheck`, `metricQueries`, `dnsConfig`, a container definitions string) can
receive any JSON value from a plan; it leaves what is not its business to the rule that owns it (a malformed
container list is the JSON rule's finding, an invalid CIDR the network-address rule's) and says nothing. Those
silences are pinned here, function by function. The second table holds bad examples whose refusal is only
worth something for the right reason: each must be one of its rule's `bad` examples and give the message of the
branch it was written for.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import shared.aws_rules as aws_rules
from shared.aws_rules import (
    COMMON_RULES,
    RULES,
    appautoscaling,
    cloudwatch,
    ec2,
    ecr,
    ecs,
    elbv2,
    servicediscovery,
    sns,
    sqs,
)
from shared.aws_rules.model import MASKED, Rule

CONTAINER_CASES: list[Any] = ["[", '{"name": "app"}', json.dumps(["app"])]

FUNCTION_CASES: list[tuple[Callable[[Any], object], Any, object]] = [
    # A scalable target action or a predefined metric that is not an object: nothing to compare.
    (appautoscaling._min_max, [], None),
    (appautoscaling._alb_label, "ALBRequestCountPerTarget", None),
    # No metric queries, or not a list of them: no query has to return data.
    (cloudwatch._one_returns_data, {"id": "cpu"}, None),
    # The netmask rule leaves an invalid CIDR to the network-address rule ...
    (ec2._netmask_between(16, 28), "10.0.1.0/16", None),
    (ec2._netmask_between(16, 28), "ten", None),
    # ... and judges a canonical one.
    (ec2._netmask_between(16, 28), "10.0.0.0/29",
     "'10.0.0.0/29' has netmask /29; the allowed block size is between a /16 and a /28 netmask"),
    # A lifecycle policy that does not parse to a rules list is the JSON rule's finding.
    (ecr._rules_of, "{", None),
    (ecr._rules_of, "[]", None),
    (ecr._rules_of, json.dumps({"rules": ["expire"]}), None),
    (ecr._priorities, "{", None),
    (ecr._selection, json.dumps({"rules": "expire"}), None),
    # A capacity provider strategy that is not a list.
    (ecs._one_base, {"capacityProvider": "FARGATE", "base": 2.0}, None),
    (ecs._some_weight, {"capacityProvider": "FARGATE", "weight": 0.0}, None),
    # Container definitions that do not parse to a list of objects are the JSON rule's finding ...
    *[(function, value, None) for function in (ecs._container_names, ecs._port_mappings, ecs._health_checks,
                                               ecs._essential) for value in CONTAINER_CASES],
    (ecs._containers, 60, None),
    # ... and so is an empty list (at least one container), not the essential rule's.
    (ecs._essential, "[]", None),
    # A health check that is not an object: no timeout to compare.
    (elbv2._timeout_below_interval, "traffic-port", None),
    (elbv2._timeout_below_interval, {"timeout": 5.0, "interval": 5.0}, "timeout 5 must be smaller than interval 5"),
    # A DNS config that is not an object.
    (servicediscovery._cname_routing, [{"type": "CNAME"}], None),
    # No endpoint, or a secret one: the real value is unknown offline.
    (sns._endpoint_problem, {"protocol": "email"}, None),
    (sns._endpoint_problem, {"protocol": "email", "endpoint": MASKED}, None),
    (sns._endpoint_problem, {"protocol": "email", "endpoint": "[secret"},
     "endpoint '[secret' must be an email address for protocol email"),
    # No name (namePrefix, or autonaming later): nothing to match.
    (sns._topic_name_problem, {"fifoTopic": True}, None),
    (sqs._queue_name_problem, {"fifoQueue": True}, None),
]


def _name(function: Callable[..., Any]) -> str:
    return getattr(function, "__qualname__", repr(function)).replace(".<locals>.", ":")


@pytest.mark.parametrize(("function", "value", "expected"), FUNCTION_CASES,
                         ids=[f"{_name(f)}-{i}" for i, (f, _, _) in enumerate(FUNCTION_CASES)])
def test_rule_function_branch(function, value, expected):
    assert function(value) == expected


def _rule(rule_id: str) -> Rule:
    rules = [rule for resource in RULES.values() for rule in resource.rules] + list(COMMON_RULES)
    return next(rule for rule in rules if rule.id == rule_id)


_TABLE = {"hashKey": "tradeId", "attributes": [{"name": "tradeId", "type": "S"}]}

BAD_EXAMPLE_CASES: list[tuple[str, Any, str]] = [
    ("appautoscaling.scheduled-action.schedule.form", "cron(9am 9 ? * MON *)",
     "minutes field '9am' must be 0-59 with , - * /"),
    ("appautoscaling.scheduled-action.schedule.form", "cron(0/0 9 ? * MON *)",
     "minutes field '0/0' must be 0-59 with , - * /"),
    ("appautoscaling.scheduled-action.schedule.form", "cron(0 9 32 * ? *)",
     "day-of-month field '32' must be 1-31 with , - * ? / L W"),
    ("appautoscaling.scheduled-action.schedule.form", 5.0, "must be a string"),
    ("appautoscaling.scheduled-action.timezone.iana", -5.0, "must be a string"),
    ("dynamodb.table.attributes.indexed", {"hashKey": "tradeId"},
     "all indexes must match a defined attribute. Unmatched indexes: ['tradeId']"),
    ("dynamodb.table.attributes.indexed", {**_TABLE, "globalSecondaryIndexes": [{"name": "by-symbol",
                                                                                 "hashKey": "symbol"}]},
     "all indexes must match a defined attribute. Unmatched indexes: ['symbol']"),
    ("dynamodb.table.attributes.indexed",
     {**_TABLE, "rangeKey": "tradedAt", "attributes": [{"name": "tradeId", "type": "S"},
                                                        {"name": "tradedAt", "type": "N"}],
      "localSecondaryIndexes": [{"name": "by-price", "rangeKey": "price"}]},
     "all indexes must match a defined attribute. Unmatched indexes: ['price']"),
    ("ec2.vpc.cidr-block.network-address", 16.0, "must be a string, not float"),
    ("ecr.lifecycle-policy.selection.valid", ecr._doc({"rulePriority": 1, "action": {"type": "expire"}}),
     "rule 1: selection is required"),
    ("ecr.lifecycle-policy.selection.valid", ecr._doc({**ecr._r(1, "any"), "action": {"type": "delete"}}),
     "rule 1: action.type must be expire or transition"),
    ("ecs.task-definition.container-definitions.json", [{"name": "app", "image": "nginx:1"}],
     "must be a JSON string"),
    ("ecs.task-definition.container-definitions.json", json.dumps(["app"]), "container 0 is not an object"),
    ("ecs.task-definition.container-definitions.json", json.dumps([{"name": "app", "environment": ["A=1"]}]),
     "json: cannot unmarshal into Go struct field ContainerDefinition.Environment of type []types.KeyValuePair"),
    ("iam.role-policy.policy.json", "null", "contains an invalid JSON policy: not a JSON object"),
    ("iam.role-policy-attachment.policy-arn.arn", "arn:amazon:iam::aws:policy/P",
     "(arn:amazon:iam::aws:policy/P) is an invalid ARN: invalid partition value"),
    ("iam.role-policy-attachment.policy-arn.arn", "arn:aws:iam:us-east:123456789012:policy/p",
     "(arn:aws:iam:us-east:123456789012:policy/p) is an invalid ARN: invalid region value"),
    ("iam.role-policy-attachment.policy-arn.arn", 1.0, "must be a string"),
]


@pytest.mark.parametrize(("rule_id", "value", "expected"), BAD_EXAMPLE_CASES,
                         ids=[f"{rule_id}-{i}" for i, (rule_id, _, _) in enumerate(BAD_EXAMPLE_CASES)])
def test_bad_example_is_refused_for_its_reason(rule_id, value, expected):
    rule = _rule(rule_id)
    assert value in rule.bad, f"{rule_id}: {value!r} is not one of its bad examples"
    assert rule.constraint.problem(value) == expected


@pytest.mark.parametrize(("rule_id", "value"), [
    ("dynamodb.table.server-side-encryption.kms-key-arn.arn", ""),  # verify.ValidARN accepts "" (AWS-owned key)
    ("sns.topic-subscription.endpoint.form", {"protocol": "email", "endpoint": MASKED}),
    ("sns.topic.name.fifo-suffix", {"namePrefix": "sns-alarms-"}),
    ("sqs.queue.name.fifo-suffix", {"namePrefix": "sqs-orders-"}),
    ("cloudwatch.metric-alarm.metric-queries.one-returns-data", []),
    ("ecs.task-definition.container-definitions.health-check", ecs._cd()),
])
def test_ok_example_is_accepted(rule_id, value):
    rule = _rule(rule_id)
    assert value in rule.ok and rule.constraint.problem(value) is None


def test_a_resource_type_declared_twice_is_refused(monkeypatch):
    monkeypatch.setattr(aws_rules, "_MODULES", (sqs, sqs))
    declared_twice = r"rules for aws:sqs/queue:Queue are declared twice \(shared\.aws_rules\.sqs\)"
    with pytest.raises(ValueError, match=declared_twice):
        aws_rules._collect()
