"""The JWT signing-key rotation function, its four steps called directly against moto's Secrets Manager (moto runs
Lambda only in Docker), and the promise the rotation makes: tasks started before a rotation and tasks started after
it accept each other's tokens, and a token signed just before a rotation stays verifiable.

What Secrets Manager itself does before it calls the function (a new version id staged AWSPENDING, without a value)
is done here by `start_rotation`, on moto's backend.
"""
from __future__ import annotations

import json
import time
import uuid

import boto3
import pytest
from appkit import jwt
from jwt_rotation import handler, keyset
from moto import mock_aws
from moto.secretsmanager.models import secretsmanager_backends

ACCOUNT, REGION = "123456789012", "us-east-1"
NOW = 1_800_000_000


@pytest.fixture
def secrets():
    with mock_aws():
        client = boto3.client("secretsmanager", region_name=REGION)
        arn = client.create_secret(Name="secret-jwt-signing-key-dev")["ARN"]
        # As the platform does: rotation configured (moto has no version to rotate yet), then the bootstrap.
        client.rotate_secret(SecretId=arn, RotationRules={"AutomaticallyAfterDays": 30}, RotateImmediately=False)
        yield client, arn


def start_rotation(arn: str) -> str:
    """Secrets Manager's part of RotateSecret: a version id staged AWSPENDING, with no value yet."""
    token = str(uuid.uuid4())
    secret = secretsmanager_backends[ACCOUNT][REGION].secrets[arn]
    secret.versions[token] = {"createdate": int(time.time()), "version_id": token, "version_stages": ["AWSPENDING"]}
    return token


def step(client, arn: str, name: str, token: str) -> dict:
    return handler.handle({"Step": name, "SecretId": arn, "ClientRequestToken": token}, client, arn)


def current(client, arn: str) -> str:
    return client.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"]


def rotate(client, arn: str) -> None:
    token = start_rotation(arn)
    for name in ("createSecret", "setSecret", "testSecret", "finishSecret"):
        step(client, arn, name, token)


def test_the_bootstrap_writes_a_first_set_once(secrets):
    client, arn = secrets
    assert handler.handle({"Step": "bootstrap", "SecretId": arn}, client, arn) == {"created": True}
    first = current(client, arn)
    assert keyset.problems(json.loads(first)) == []
    assert [(k["generation"], k["use"]) for k in json.loads(first)["keys"]] == [(0, "sign"), (1, "verify")]
    # A second invocation (a replaced Invocation resource) changes nothing.
    assert handler.handle({"Step": "bootstrap", "SecretId": arn}, client, arn) == {"created": False}
    assert current(client, arn) == first


def test_the_four_steps_rotate_once_and_each_is_idempotent_on_retry(secrets):
    client, arn = secrets
    handler.handle({"Step": "bootstrap", "SecretId": arn}, client, arn)
    before = json.loads(current(client, arn))
    token = start_rotation(arn)
    # GIVEN each step run twice, as Secrets Manager retries a step whose answer it did not get
    step(client, arn, "createSecret", token)
    pending = client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")["SecretString"]
    step(client, arn, "createSecret", token)
    assert client.get_secret_value(SecretId=arn, VersionId=token)["SecretString"] == pending
    for name in ("setSecret", "setSecret", "testSecret", "testSecret", "finishSecret"):
        step(client, arn, name, token)
    # THEN the pending set is current, the old one previous, and a late retry of any step does nothing
    stages = client.describe_secret(SecretId=arn)["VersionIdsToStages"]
    assert "AWSCURRENT" in stages[token]
    assert current(client, arn) == pending
    for name in ("createSecret", "testSecret", "finishSecret"):
        assert step(client, arn, name, token) == {"step": name, "done": True}
    after = json.loads(current(client, arn))
    # The promoted key is the one every task already verified; the old signing key stays verify-only.
    assert [(k["kid"], k["use"]) for k in after["keys"][:2]] == [
        (before["keys"][0]["kid"], "verify"), (before["keys"][1]["kid"], "sign")]
    assert after["keys"][2]["generation"] == 2 and after["keys"][2]["use"] == "verify"


def test_the_configuration_test_on_a_copy_of_the_current_set_passes(secrets):
    # Secrets Manager tests a rotation configured without rotating at once on a copy of the current value.
    client, arn = secrets
    handler.handle({"Step": "bootstrap", "SecretId": arn}, client, arn)
    token = start_rotation(arn)
    client.put_secret_value(SecretId=arn, ClientRequestToken=token, SecretString=current(client, arn),
                            VersionStages=["AWSPENDING"])
    assert step(client, arn, "testSecret", token) == {"step": "testSecret", "done": True}


def test_a_pending_set_that_would_reject_live_tokens_fails_the_test_step(secrets):
    client, arn = secrets
    handler.handle({"Step": "bootstrap", "SecretId": arn}, client, arn)
    token = start_rotation(arn)
    # a set no running task knows: a fresh initial set instead of the successor
    client.put_secret_value(SecretId=arn, ClientRequestToken=token, SecretString=keyset.dumps(keyset.initial()),
                            VersionStages=["AWSPENDING"])
    with pytest.raises(handler.RotationError, match=r"is not in the current set.*missing from the new set"):
        step(client, arn, "testSecret", token)


@pytest.mark.parametrize("event, message", [
    ({"Step": "createSecret", "ClientRequestToken": "t"}, "has no stage for rotation"),
    ({"Step": "rotate", "ClientRequestToken": "t"}, "unknown step 'rotate'"),
])
def test_events_that_are_not_a_rotation_of_this_secret_are_refused(secrets, event, message):
    client, arn = secrets
    with pytest.raises(handler.RotationError, match=message):
        handler.handle({**event, "SecretId": arn}, client, arn)
    with pytest.raises(handler.RotationError, match=r"rotates .* only, not arn:other"):
        handler.handle({**event, "SecretId": "arn:other"}, client, arn)


def test_a_version_not_staged_pending_and_a_disabled_rotation_are_refused(secrets):
    client, arn = secrets
    handler.handle({"Step": "bootstrap", "SecretId": arn}, client, arn)
    token = start_rotation(arn)
    backend = secretsmanager_backends[ACCOUNT][REGION].secrets[arn]
    backend.versions[token]["version_stages"] = ["OTHER"]
    with pytest.raises(handler.RotationError, match="is not staged AWSPENDING"):
        step(client, arn, "createSecret", token)
    backend.rotation_enabled = False
    with pytest.raises(handler.RotationError, match="rotation is not enabled"):
        step(client, arn, "createSecret", token)


def test_create_and_test_refuse_a_secret_without_a_current_set(secrets):
    client, arn = secrets
    token = start_rotation(arn)
    with pytest.raises(handler.RotationError, match="has no current key set; run the bootstrap first"):
        step(client, arn, "createSecret", token)
    with pytest.raises(handler.RotationError, match="lacks its pending"):
        step(client, arn, "testSecret", token)


def test_the_lambda_entry_point_serves_the_secret_named_in_its_environment(secrets, monkeypatch):
    _, arn = secrets
    monkeypatch.setenv(handler.SECRET_ENV, arn)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    assert handler.lambda_handler({"Step": "bootstrap", "SecretId": arn}, None) == {"created": True}


class Task:
    """A service task: it loads JWT_SIGNING_KEY once, when it starts (as ECS injects it)."""

    def __init__(self, client, arn: str):
        self.keys = jwt.load_keys(current(client, arn))

    def sign(self, subject: str) -> str:
        return jwt.encode({"sub": subject, "exp": NOW + 600}, self.keys)

    def accepts(self, token: str) -> bool:
        try:
            return jwt.verify(token, self.keys, now=NOW)["sub"] != ""
        except jwt.TokenError:
            return False


def test_two_rotations_in_a_row_keep_every_live_token_verifiable(secrets):
    client, arn = secrets
    handler.handle({"Step": "bootstrap", "SecretId": arn}, client, arn)
    # GIVEN tasks started before the first rotation, tasks started between the two, and after the second
    # (the services are redeployed after each rotation, as docs/security.md asks)
    first = Task(client, arn)
    before_first = first.sign("a")
    rotate(client, arn)
    second = Task(client, arn)
    before_second = [first.sign("b"), second.sign("c")]
    rotate(client, arn)
    third = Task(client, arn)
    after = third.sign("d")
    # THEN every token signed before each rotation is accepted by the tasks started before it and by the tasks
    # the redeploy after it starts; the tasks of two consecutive sets accept each other's tokens both ways.
    assert first.accepts(before_first) and second.accepts(before_first)
    assert all(task.accepts(token) for task in (first, second, third) for token in before_second[1:])
    assert first.accepts(before_second[0]) and second.accepts(before_second[0])
    assert second.accepts(after) and third.accepts(after)
    # Each task signed with its own set's signing key, and the kids differ from set to set.
    kids = [jwt.load_keys(current(client, arn)).signing_kid, first.keys.signing_kid, second.keys.signing_kid]
    assert len(set(kids)) == 3


def test_a_task_two_rotations_old_no_longer_shares_a_key_with_the_newest(secrets):
    # What the redeploy after each rotation prevents: a set two rotations apart has dropped the oldest key.
    client, arn = secrets
    handler.handle({"Step": "bootstrap", "SecretId": arn}, client, arn)
    first = Task(client, arn)
    rotate(client, arn)
    rotate(client, arn)
    third = Task(client, arn)
    assert not third.accepts(first.sign("old")) and not first.accepts(third.sign("new"))


def test_apps_refuse_a_token_whose_kid_is_not_in_their_set(secrets):
    client, arn = secrets
    handler.handle({"Step": "bootstrap", "SecretId": arn}, client, arn)
    task = Task(client, arn)
    stranger = jwt.load_keys(keyset.dumps(keyset.initial()))
    with pytest.raises(jwt.TokenError, match="kid"):
        jwt.verify(jwt.encode({"sub": "x", "exp": NOW + 60}, stranger), task.keys, now=NOW)
