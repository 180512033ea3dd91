"""Task start, finding by finding: what the analysis says when everything is proven (the passes name the action,
the resource and why it is needed, which is what a reader checks), and that one secret's problem does not stop
the next secret from being checked (issue 17.9: these findings were asserted by no test)."""
from __future__ import annotations

import json

from tests.analysis.builder import ACCOUNT, KEY_ARN, SECRET_ARNS, build_plan, edit_containers, set_state
from tools.analysis import analyse
from tools.analysis.findings import TASK_START

ROLE = "processing-service-execution-role (processing-service-execution-dev)"
KEY = f"platform-key ({KEY_ARN.split('/')[-1]})"
REPOSITORY = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/processing-service-dev"
IMAGE = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/processing-service-dev:1.0.0"
GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/ecs/processing-service-dev"
STREAM = f"{GROUP}:log-stream:processing-service/processing-service/0123456789abcdef0123456789abcdef"
LOGS_CONDITION = ('condition recorded, not evaluated: {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": ['
                  + ", ".join(f'"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/ecs/{s}-dev"'
                              for s in ("frontend", "api-gateway", "processing-service")) + "]}}")
VIA = ('condition recorded, not evaluated: {"StringEquals": {"kms:ViaService": '
       '"secretsmanager.us-east-1.amazonaws.com"}}')
EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/processing-service-execution-dev"


def secret_findings(name: str) -> list[tuple[str, str, str]]:
    label = f"platform-secret-{name.lower()} ({name.lower()}-dev)"
    return [
        ("PASS", ROLE, f"allows secretsmanager:GetSecretValue on {SECRET_ARNS[name]} (injecting {name} needs)"),
        ("PASS", ROLE, f"allows kms:Decrypt on {KEY_ARN} (decrypting secret {label} needs); {VIA}"),
        ("PASS", KEY, f"key policy admits {EXECUTION_ROLE} for kms:Decrypt (decrypting secret {label} needs)"),
    ]


AS_BUILT = [
    ("PASS", ROLE, "trust policy lets ecs-tasks.amazonaws.com assume the role"),
    ("PASS", ROLE, "allows ecr:GetAuthorizationToken on * (AWS authorises only against '*')"),
    *[("PASS", ROLE, f"allows {action} on {REPOSITORY} (pulling {IMAGE} needs)")
      for action in ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")],
    *[("PASS", ROLE, f"allows {action} on {STREAM} (awslogs writing to /ecs/processing-service-dev needs)")
      for action in ("logs:CreateLogStream", "logs:PutLogEvents")],
    *[("PASS", KEY, f"key policy admits logs.us-east-1.amazonaws.com for {action} (log group "
                    f"/ecs/processing-service-dev is encrypted with it); {LOGS_CONDITION}")
      for action in ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey")],
    *secret_findings("DATABASE_URL"),
    *secret_findings("THIRD_PARTY_API_KEYS"),
]


def findings(document, stack: str = "processing-service") -> list[tuple[str, str, str]]:
    return [(f.status.name, f.resource, f.message) for f in analyse(document).findings
            if f.rule == TASK_START and f.stack == stack]


def failures(document) -> list[tuple[str, str, str]]:
    return [(f.stack, f.resource, f.message) for f in analyse(document).failures if f.rule == TASK_START]


def test_every_need_of_a_task_start_is_proven_and_says_why():
    assert findings(build_plan()) == AS_BUILT


def test_a_log_group_arn_with_the_streams_suffix_is_the_same_group():
    document = build_plan()
    set_state(document, "processing-service-logs", arn=f"{GROUP}:*")
    assert findings(document) == AS_BUILT


def test_a_secret_under_the_aws_managed_key_does_not_end_the_checks_of_the_next_one():
    document = build_plan()
    set_state(document, "platform-secret-database_url", kmsKeyId=None)
    found = findings(document)
    assert secret_findings("THIRD_PARTY_API_KEYS")[1] in found and secret_findings("DATABASE_URL")[0] in found
    assert secret_findings("DATABASE_URL")[1] not in found


def test_a_secret_whose_key_is_not_in_the_plan_is_named_and_the_next_secret_still_checked():
    document = build_plan()
    set_state(document, "platform-secret-database_url", kmsKeyId="alias/ghost")
    assert failures(document) == [("processing-service", "platform-secret-database_url (database_url-dev)",
                                   "kmsKeyId alias/ghost is no KMS key of the plan")]
    assert secret_findings("THIRD_PARTY_API_KEYS")[2] in findings(document)


def test_a_secret_missing_from_the_plan_is_named_and_the_next_secret_still_checked():
    document = build_plan()
    ghost = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:ghost-AbCdEf"
    edit_containers(document, "processing-service-task", lambda c: c[0]["secrets"][0].update(valueFrom=ghost))
    assert failures(document) == [("processing-service", "processing-service-task (processing-service-dev)",
                                   f"secret DATABASE_URL valueFrom '{ghost}' is no Secrets Manager secret of the plan")]
    assert secret_findings("THIRD_PARTY_API_KEYS")[0] in findings(document)


def test_a_task_definition_without_execution_role_is_named_exactly():
    document = build_plan()
    set_state(document, "processing-service-task", executionRoleArn=None)
    assert failures(document) == [("processing-service", "processing-service-task (processing-service-dev)",
                                   "the task definition has no executionRoleArn; Fargate needs one to pull from ECR, "
                                   "write awslogs and read secrets")]


def test_a_role_trusting_no_service_or_nothing_at_all_is_refused():
    for policy in (json.dumps({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                              "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}]}), None):
        document = build_plan()
        set_state(document, "processing-service-execution-role", assumeRolePolicy=policy)
        assert failures(document) == [("processing-service", ROLE, "trust policy does not let ecs-tasks.amazonaws.com "
                                                                   "assume the role; ECS cannot use it for the task")]


def test_an_attached_managed_policy_is_named_on_the_role():
    document = build_plan()
    managed = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    set_state(document, "processing-service-execution-role", managedPolicyArns=[managed])
    assert failures(document) == [("processing-service", ROLE, f"attached policy {managed} is not in the plan (an "
                                   f"AWS-managed policy?), so what it allows cannot be proven; grant the execution "
                                   f"role's needs in a policy of the stack")]


def test_a_container_without_image_or_with_a_foreign_log_group_is_named_exactly():
    document = build_plan()
    edit_containers(document, "processing-service-task", lambda c: c[0].pop("image"))
    assert failures(document) == [("processing-service", "processing-service-task (processing-service-dev)",
                                   "container processing-service image '' is not in any ECR repository of the plan; "
                                   "use the registry stack's repository URL")]
    document = build_plan()
    edit_containers(document, "processing-service-task",
                    lambda c: c[0]["logConfiguration"]["options"].update({"awslogs-group": "/ecs/ghost"}))
    assert failures(document) == [("processing-service", "processing-service-task (processing-service-dev)",
                                   "container processing-service logs to group '/ecs/ghost', which the plan does not "
                                   "create; the task would fail to start")]


def test_a_log_group_key_missing_from_the_plan_is_named_on_the_group():
    document = build_plan()
    set_state(document, "processing-service-logs", kmsKeyId="alias/ghost")
    assert failures(document) == [("processing-service", "processing-service-logs (/ecs/processing-service-dev)",
                                   "kmsKeyId alias/ghost is no KMS key of the plan")]


def test_a_log_configuration_without_stream_prefix_is_proven_on_streams_without_one():
    document = build_plan()
    edit_containers(document, "processing-service-task",
                    lambda c: c[0]["logConfiguration"]["options"].pop("awslogs-stream-prefix"))
    stream = f"{GROUP}:log-stream:/processing-service/0123456789abcdef0123456789abcdef"
    assert ("PASS", ROLE, f"allows logs:PutLogEvents on {stream} (awslogs writing to /ecs/processing-service-dev "
                          f"needs)") in findings(document)


def test_a_secret_entry_without_value_from_or_naming_another_kind_of_resource_is_no_secret():
    document = build_plan()
    edit_containers(document, "processing-service-task", lambda c: c[0]["secrets"][0].pop("valueFrom"))
    assert failures(document) == [("processing-service", "processing-service-task (processing-service-dev)",
                                   "secret DATABASE_URL valueFrom None is no Secrets Manager secret of the plan")]
    document = build_plan()
    edit_containers(document, "processing-service-task", lambda c: c[0]["secrets"][0].update(valueFrom=KEY_ARN))
    assert failures(document) == [("processing-service", "processing-service-task (processing-service-dev)",
                                   f"secret DATABASE_URL valueFrom '{KEY_ARN}' is no Secrets Manager secret of the "
                                   f"plan")]
