"""Argument rules of the sqs resources this repository creates (see shared/aws_rules/model.py)."""
from __future__ import annotations

import json
import re
from typing import Any

from shared.aws_rules.iam import arn_problem, json_object_problem
from shared.aws_rules.model import Check, ConflictsWith, Length, Range, ResourceRules, Rule

QUEUE_SOURCE = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/sqs/queue.go"
CREATE_QUEUE = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html"
SET_ATTRIBUTES = ("https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/"
                  "API_SetQueueAttributes.html")


def _queue_name_problem(queue: Any) -> str | None:
    """The provider's CustomizeDiff on create: a FIFO queue is `<1..75>.fifo`, any other queue `<1..80>` chars."""
    name = queue.get("name")
    if not isinstance(name, str):
        return None
    fifo = bool(queue.get("fifoQueue"))
    pattern = r"[0-9A-Za-z_-]{1,75}\.fifo" if fifo else r"[0-9A-Za-z_-]{1,80}"
    return None if re.fullmatch(pattern, name) else f"invalid queue name: {name}"


def _redrive_problem(value: Any) -> str | None:
    problem = json_object_problem(value)
    if problem:
        return problem
    policy = json.loads(value)
    if not isinstance(policy, dict):
        return "must be a JSON object"
    count, target = policy.get("maxReceiveCount"), policy.get("deadLetterTargetArn")
    if not isinstance(count, (int, str)) or isinstance(count, bool) or not str(count).isdigit() \
            or not 1 <= int(count) <= 1000:
        return f"maxReceiveCount {count!r} must be within 1..1000"
    if not isinstance(target, str) or arn_problem(target) or ":sqs:" not in target:
        return f"deadLetterTargetArn {target!r} must be the ARN of an SQS queue"
    return None


def _redrive(count: Any, target: str = "arn:aws:sqs:us-east-1:123456789012:sqs-orders-dlq-dev") -> str:
    return json.dumps({"deadLetterTargetArn": target, "maxReceiveCount": count})


QUEUE = ResourceRules(
    type="aws:sqs/queue:Queue",
    source=QUEUE_SOURCE,
    forces_replacement=frozenset({"name", "namePrefix", "fifoQueue"}),
    rules=(
        Rule(id="sqs.queue.name.length", argument="name", constraint=Length(1, 80),
             message="Queue name can be up to 80 characters long", source=CREATE_QUEUE,
             fix="shorten the queue name (shared/naming.py 'sqs' limit)", ok=("q", "q" * 80), bad=("", "q" * 81)),
        Rule(id="sqs.queue.name.fifo-suffix", argument="", constraint=Check(_queue_name_problem, (
             "[0-9A-Za-z_-]{1,80}, or [0-9A-Za-z_-]{1,75}.fifo exactly when fifoQueue")),
             message="invalid queue name: NAME", source=QUEUE_SOURCE,
             fix="end the name in .fifo exactly when fifoQueue=True; use letters, digits, - and _ otherwise",
             ok=({"name": "sqs-orders-dev"}, {"name": "q" * 80}, {"name": "q" * 75 + ".fifo", "fifoQueue": True},
                 {"namePrefix": "sqs-orders-"}),
             bad=({"name": "sqs-orders-dev.fifo"}, {"name": "sqs-orders-dev", "fifoQueue": True},
                  {"name": "q" * 81}, {"name": "q" * 76 + ".fifo", "fifoQueue": True}, {"name": "sqs.orders"})),
        Rule(id="sqs.queue.name-prefix.length", argument="namePrefix", constraint=Length(1, 54),
             message="Queue name can be up to 80 characters long (26 go to the provider's unique suffix)",
             source=CREATE_QUEUE, fix="keep the prefix to 80 - 26 = 54 characters", ok=("q", "q" * 54),
             bad=("", "q" * 55)),
        Rule(id="sqs.queue.name.conflicts", argument="", constraint=ConflictsWith(("name", "namePrefix")),
             message='"name": conflicts with name_prefix', source=QUEUE_SOURCE, fix="set name or namePrefix",
             ok=({"name": "q"},), bad=({"name": "q", "namePrefix": "q-"},)),
        Rule(id="sqs.queue.visibility-timeout-seconds.range", argument="visibilityTimeoutSeconds",
             constraint=Range(0, 43200), message="expected visibility_timeout_seconds to be in the range (0 - 43200)",
             source=QUEUE_SOURCE, fix="use 0 to 43200 seconds (12 hours)", ok=(0.0, 43200.0), bad=(-1.0, 43201.0)),
        Rule(id="sqs.queue.message-retention-seconds.range", argument="messageRetentionSeconds",
             constraint=Range(60, 1209600),
             message="expected message_retention_seconds to be in the range (60 - 1209600)", source=QUEUE_SOURCE,
             fix="keep messages 60 seconds to 14 days", ok=(60.0, 1209600.0), bad=(59.0, 1209601.0)),
        Rule(id="sqs.queue.max-message-size.range", argument="maxMessageSize", constraint=Range(1024, 1048576),
             message="expected max_message_size to be in the range (1024 - 1048576)", source=QUEUE_SOURCE,
             fix="use 1 KiB to 1 MiB", ok=(1024.0, 1048576.0), bad=(1023.0, 1048577.0)),
        Rule(id="sqs.queue.delay-seconds.range", argument="delaySeconds", constraint=Range(0, 900),
             message="expected delay_seconds to be in the range (0 - 900)", source=QUEUE_SOURCE,
             fix="delay at most 15 minutes", ok=(0.0, 900.0), bad=(-1.0, 901.0)),
        Rule(id="sqs.queue.receive-wait-time-seconds.range", argument="receiveWaitTimeSeconds", constraint=Range(0, 20),
             message="ReceiveMessageWaitTimeSeconds: an integer from 0 to 20 (seconds)", source=SET_ATTRIBUTES,
             fix="long-poll at most 20 seconds", ok=(0.0, 20.0), bad=(-1.0, 21.0)),
        Rule(id="sqs.queue.kms-data-key-reuse-period-seconds.range", argument="kmsDataKeyReusePeriodSeconds",
             constraint=Range(60, 86400),
             message="expected kms_data_key_reuse_period_seconds to be in the range (60 - 86400)",
             source=QUEUE_SOURCE, fix="reuse a data key 60 seconds to 24 hours", ok=(60.0, 86400.0),
             bad=(59.0, 86401.0)),
        Rule(id="sqs.queue.kms-master-key-id.conflicts", argument="",
             constraint=ConflictsWith(("kmsMasterKeyId", "sqsManagedSseEnabled")),
             message='"kms_master_key_id": conflicts with sqs_managed_sse_enabled', source=QUEUE_SOURCE,
             fix="encrypt with a KMS key or with SQS-managed SSE, not both",
             ok=({"kmsMasterKeyId": "arn:aws:kms:us-east-1:123456789012:key/k"}, {"sqsManagedSseEnabled": True}),
             bad=({"kmsMasterKeyId": "k", "sqsManagedSseEnabled": True},)),
        Rule(id="sqs.queue.content-based-deduplication.fifo-only", argument="",
             constraint=Check(lambda q: "content-based deduplication can only be set for FIFO queue"
                              if q.get("contentBasedDeduplication") and not q.get("fifoQueue") else None,
                              "contentBasedDeduplication only with fifoQueue"),
             message="content-based deduplication can only be set for FIFO queue", source=QUEUE_SOURCE,
             fix="drop contentBasedDeduplication or make the queue FIFO",
             ok=({"fifoQueue": True, "contentBasedDeduplication": True}, {"name": "q"}),
             bad=({"contentBasedDeduplication": True},)),
        Rule(id="sqs.queue.redrive-policy.valid", argument="redrivePolicy",
             constraint=Check(_redrive_problem, "JSON with deadLetterTargetArn and maxReceiveCount 1..1000"),
             message="Value {...} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount",
             source=SET_ATTRIBUTES, fix="json.dumps({'deadLetterTargetArn': dlq.arn, 'maxReceiveCount': 1..1000})",
             ok=(_redrive(1), _redrive(1000), _redrive(5)),
             bad=(_redrive(0), _redrive(1001), _redrive(5, "sqs-orders-dlq-dev"), "{", "[]")),
    ),
)

RESOURCES: tuple[ResourceRules, ...] = (QUEUE,)
