"""Task start: an execution role that cannot read the secrets its task definition injects never starts the task
(ECS fails the start with ResourceInitializationError). Issue 17.9: deleting the GetSecretValue check from
tools/analysis/task_start.py went unnoticed."""
from __future__ import annotations

from tests.analysis.builder import SECRET_ARNS, build_plan, edit_policy
from tools.analysis import analyse
from tools.analysis.findings import TASK_START

ROLE = "frontend-execution-role (frontend-execution-dev)"
JWT = SECRET_ARNS["JWT_SIGNING_KEY"]


def task_start_failures(document) -> list:
    return [f for f in analyse(document).failures if f.rule == TASK_START]


def without(sid: str):
    return lambda statements: statements.remove(next(s for s in statements if s["Sid"] == sid))


def test_an_execution_role_without_get_secret_value_on_its_secret_fails_the_task_start():
    document = build_plan()
    edit_policy(document, "frontend-execution-policy", without("Secrets"))
    [failure] = task_start_failures(document)
    assert (failure.stack, failure.resource) == ("frontend", ROLE)
    assert failure.message == (f"role does not allow secretsmanager:GetSecretValue on {JWT}, which injecting "
                               f"JWT_SIGNING_KEY needs; add it to the role's policy")


def test_get_secret_value_on_another_secret_is_both_missing_and_excess():
    document = build_plan()
    other = SECRET_ARNS["DATABASE_URL"]
    edit_policy(document, "frontend-execution-policy",
                lambda statements: next(s for s in statements if s["Sid"] == "Secrets").update(Resource=[other]))
    found = {f.message for f in task_start_failures(document)}
    assert found == {
        f"role does not allow secretsmanager:GetSecretValue on {JWT}, which injecting JWT_SIGNING_KEY needs; add it "
        f"to the role's policy",
        f"frontend-execution-policy (frontend-execution) allows secretsmanager:GetSecretValue on {other}, which "
        f"starting frontend's task does not need; remove it"}


def test_a_deny_on_the_secret_wins_over_the_allow():
    document = build_plan()
    edit_policy(document, "frontend-execution-policy", lambda statements: statements.append(
        {"Sid": "NoSecrets", "Effect": "Deny", "Action": "secretsmanager:*", "Resource": "*"}))
    messages = [f.message for f in task_start_failures(document)]
    assert f"role does not allow secretsmanager:GetSecretValue on {JWT}, which injecting JWT_SIGNING_KEY needs; add " \
           f"it to the role's policy" in messages
