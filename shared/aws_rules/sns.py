"""Argument rules of the sns resources this repository creates (see shared/aws_rules/model.py)."""
from __future__ import annotations

import re
from typing import Any

from shared.aws_rules.iam import ARN, POLICY_JSON, VERIFY_SOURCE, arn_problem
from shared.aws_rules.model import MASKED, Check, ConflictsWith, Length, OneOf, ResourceRules, Rule

_TF = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/sns"
TOPIC_SOURCE = f"{_TF}/topic.go"
TOPIC_POLICY_SOURCE = f"{_TF}/topic_policy.go"
SUBSCRIPTION_SOURCE = f"{_TF}/topic_subscription.go"
SUBSCRIBE = "https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html"
CREATE_TOPIC = "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html"
PROTOCOLS = ("application", "email", "email-json", "firehose", "http", "https", "lambda", "sms", "sqs")
_TOPIC = "arn:aws:sns:us-east-1:123456789012:sns-alarms-prod"
_POLICY = '{"Version": "2012-10-17", "Statement": []}'


def _topic_name_problem(topic: Any) -> str | None:
    """The provider's CustomizeDiff on create: a FIFO topic is `<1..251>.fifo`, any other topic `<1..256>`."""
    name = topic.get("name")
    if not isinstance(name, str):
        return None
    fifo = bool(topic.get("fifoTopic"))
    pattern = r"[0-9A-Za-z_-]{1,251}\.fifo" if fifo else r"[0-9A-Za-z_-]{1,256}"
    return None if re.fullmatch(pattern, name) else f"invalid topic name: {name}"


def _endpoint_problem(subscription: Any) -> str | None:
    """What Subscribe accepts as the endpoint of each protocol (AWS API reference, Subscribe: Endpoint)."""
    protocol, endpoint = subscription.get("protocol"), subscription.get("endpoint")
    if not isinstance(endpoint, str) or endpoint == MASKED:
        return None  # absent, or secret: plan.json shows "[secret]", which says nothing of the real endpoint
    if protocol in ("email", "email-json") and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", endpoint):
        return f"endpoint {endpoint!r} must be an email address for protocol {protocol}"
    if protocol in ("http", "https") and not endpoint.startswith(f"{protocol}://"):
        return f"endpoint {endpoint!r} must be a URL beginning with {protocol}://"
    if protocol in ("sqs", "lambda", "firehose", "application") and arn_problem(endpoint) is not None:
        return f"endpoint {endpoint!r} must be an ARN for protocol {protocol}"
    if protocol == "sms" and not re.fullmatch(r"\+?[0-9]{6,15}", endpoint):
        return f"endpoint {endpoint!r} must be a phone number for protocol sms"
    return None


TOPIC = ResourceRules(
    type="aws:sns/topic:Topic",
    source=TOPIC_SOURCE,
    forces_replacement=frozenset({"name", "namePrefix", "fifoTopic"}),
    rules=(
        Rule(id="sns.topic.name.length", argument="name", constraint=Length(1, 256),
             message="Topic names must be made up of only uppercase and lowercase ASCII letters, numbers, "
                     "underscores, and hyphens, and must be between 1 and 256 characters long", source=CREATE_TOPIC,
             fix="shorten the topic name", ok=("t", "t" * 256), bad=("", "t" * 257)),
        Rule(id="sns.topic.name.fifo-suffix", argument="", constraint=Check(_topic_name_problem, (
             "[0-9A-Za-z_-]{1,256}, or [0-9A-Za-z_-]{1,251}.fifo exactly when fifoTopic")),
             message="invalid topic name: NAME", source=TOPIC_SOURCE,
             fix="end the name in .fifo exactly when fifoTopic=True; use letters, digits, - and _ otherwise",
             ok=({"name": "sns-alarms-dev"}, {"name": "t" * 251 + ".fifo", "fifoTopic": True},
                 {"namePrefix": "sns-alarms-"}),
             bad=({"name": "sns-alarms-dev.fifo"}, {"name": "sns-alarms-dev", "fifoTopic": True},
                  {"name": "sns.alarms"}, {"name": "t" * 252 + ".fifo", "fifoTopic": True})),
        Rule(id="sns.topic.name.conflicts", argument="", constraint=ConflictsWith(("name", "namePrefix")),
             message='"name": conflicts with name_prefix', source=TOPIC_SOURCE, fix="set name or namePrefix",
             ok=({"name": "t"},), bad=({"name": "t", "namePrefix": "t-"},)),
        Rule(id="sns.topic.fifo-only-settings", argument="",
             constraint=Check(lambda t: None if t.get("fifoTopic") or not (
                 t.get("contentBasedDeduplication") or t.get("archivePolicy") or t.get("fifoThroughputScope"))
                 else "content-based deduplication, archive policy and FIFO throughput scope can only be set for "
                      "FIFO topics", "FIFO-only settings only on FIFO topics"),
             message="content-based deduplication can only be set for FIFO topics", source=TOPIC_SOURCE,
             fix="drop the FIFO-only setting or make the topic FIFO",
             ok=({"fifoTopic": True, "contentBasedDeduplication": True}, {"name": "t"}),
             bad=({"contentBasedDeduplication": True}, {"archivePolicy": "{}"})),
        Rule(id="sns.topic.policy.json", argument="policy", constraint=POLICY_JSON,
             message='"policy" contains an invalid JSON policy', source=VERIFY_SOURCE,
             fix="pass the policy as a JSON object string", ok=(_POLICY,), bad=("", "[]")),
        Rule(id="sns.topic.kms-master-key-id.length", argument="kmsMasterKeyId", constraint=Length(1, 2048),
             message="KmsMasterKeyId: the ID of an AWS managed or customer managed key", source=CREATE_TOPIC,
             fix="pass the key's ARN, id or alias", ok=("k", "k" * 2048), bad=("", "k" * 2049)),
    ),
)

TOPIC_POLICY = ResourceRules(
    type="aws:sns/topicPolicy:TopicPolicy",
    source=TOPIC_POLICY_SOURCE,
    forces_replacement=frozenset({"arn"}),
    rules=(
        Rule(id="sns.topic-policy.arn.arn", argument="arn", constraint=ARN, message='"arn" is an invalid ARN',
             source=VERIFY_SOURCE, fix="pass the topic's ARN (topic.arn)", ok=(_TOPIC,), bad=("sns-alarms-prod",)),
        Rule(id="sns.topic-policy.policy.json", argument="policy", constraint=POLICY_JSON,
             message='"policy" contains an invalid JSON policy', source=VERIFY_SOURCE,
             fix="pass the policy as a JSON object string", ok=(_POLICY,), bad=("", " " + _POLICY, "[]")),
    ),
)

TOPIC_SUBSCRIPTION = ResourceRules(
    type="aws:sns/topicSubscription:TopicSubscription",
    source=SUBSCRIPTION_SOURCE,
    forces_replacement=frozenset({"endpoint", "protocol", "topic"}),
    rules=(
        Rule(id="sns.topic-subscription.protocol.enum", argument="protocol", constraint=OneOf(PROTOCOLS),
             message=f"expected protocol to be one of [{' '.join(PROTOCOLS)}]", source=SUBSCRIPTION_SOURCE,
             fix="use email, https, sqs, lambda, ...", ok=("email", "sqs", "https"), bad=("Email", "smtp")),
        Rule(id="sns.topic-subscription.topic.arn", argument="topic", constraint=ARN,
             message='"topic_arn" is an invalid ARN', source=VERIFY_SOURCE, fix="pass the topic's ARN (topic.arn)",
             ok=(_TOPIC,), bad=("sns-alarms-prod",)),
        Rule(id="sns.topic-subscription.endpoint.form", argument="",
             constraint=Check(_endpoint_problem, "the endpoint form its protocol needs"),
             message="Invalid parameter: Email address / Endpoint", source=SUBSCRIBE,
             fix="email: an address; http(s): a URL with that scheme; sqs/lambda/firehose: an ARN",
             ok=({"protocol": "email", "endpoint": "trading-oncall@example.com"},
                 {"protocol": "https", "endpoint": "https://hooks.example.com/sns"},
                 {"protocol": "sqs", "endpoint": "arn:aws:sqs:us-east-1:123456789012:q"},
                 {"protocol": "email", "endpoint": MASKED}),
             bad=({"protocol": "email", "endpoint": "trading-oncall"},
                  {"protocol": "https", "endpoint": "http://hooks.example.com/sns"},
                  {"protocol": "sqs", "endpoint": "sqs-orders-dev"},
                  {"protocol": "sms", "endpoint": "call me"})),
    ),
)

RESOURCES: tuple[ResourceRules, ...] = (TOPIC, TOPIC_POLICY, TOPIC_SUBSCRIPTION)
