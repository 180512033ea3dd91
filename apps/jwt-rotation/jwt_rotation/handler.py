"""Secrets Manager rotation of the JWT signing key set, plus the bootstrap that writes the first set.

Secrets Manager calls `lambda_handler` once per step with `{"SecretId", "ClientRequestToken", "Step"}`
(https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html):
- createSecret: the successor of AWSCURRENT (`keyset.rotate`) as version `token`, staged AWSPENDING;
- setSecret: nothing to push (the secret is the key set itself; the services read it when they start);
- testSecret: the pending set is valid and can follow the current one without rejecting live tokens;
- finishSecret: AWSCURRENT moves to the pending version.
Every step is idempotent: Secrets Manager retries a failed step, and a step that already ran does nothing.

`{"Step": "bootstrap", "SecretId": ...}` (the platform's `aws.lambda_.Invocation`, once, when the secret is
created) writes the first set as AWSCURRENT unless the secret already has one: Pulumi never holds key material.

The function serves one secret only (`SECRET_ARN`, set by the platform); an event naming another is refused.
"""
from __future__ import annotations

import logging
import os
from typing import Any

import boto3

from jwt_rotation import keyset

CURRENT, PENDING = "AWSCURRENT", "AWSPENDING"
BOOTSTRAP = "bootstrap"
SECRET_ENV = "SECRET_ARN"
LOG = logging.getLogger("jwt_rotation")
LOG.setLevel(logging.INFO)


class RotationError(RuntimeError):
    """A rotation that must not go on; Secrets Manager marks the rotation failed and retries later."""


def _value(client: Any, arn: str, **version: str) -> str | None:
    try:
        return client.get_secret_value(SecretId=arn, **version)["SecretString"]
    except client.exceptions.ResourceNotFoundException:
        return None


def _current_version(metadata: dict) -> str | None:
    return next((version for version, stages in metadata.get("VersionIdsToStages", {}).items()
                 if CURRENT in stages), None)


def bootstrap(client: Any, arn: str) -> dict:
    """Write the first key set as AWSCURRENT, unless the secret has a current version already."""
    if _current_version(client.describe_secret(SecretId=arn)) is not None:
        LOG.info("bootstrap: %s already has a current key set; nothing to do", arn)
        return {"created": False}
    client.put_secret_value(SecretId=arn, SecretString=keyset.dumps(keyset.initial()), VersionStages=[CURRENT])
    LOG.info("bootstrap: wrote the first key set of %s", arn)
    return {"created": True}


def create_secret(client: Any, arn: str, token: str) -> None:
    if _value(client, arn, VersionId=token, VersionStage=PENDING) is not None:
        LOG.info("createSecret: version %s already holds the pending key set", token)
        return
    current = _value(client, arn, VersionStage=CURRENT)
    if current is None:
        raise RotationError(f"{arn} has no current key set; run the bootstrap first (the platform does at creation)")
    successor = keyset.rotate(keyset.parse(current))
    client.put_secret_value(SecretId=arn, ClientRequestToken=token, SecretString=keyset.dumps(successor),
                            VersionStages=[PENDING])
    LOG.info("createSecret: version %s holds the successor set, signing with %s", token,
             keyset.signing_key(successor)["kid"])


def set_secret(client: Any, arn: str, token: str) -> None:
    """No system outside the secret holds the keys: the services load the set when a task starts."""
    LOG.info("setSecret: nothing to set for %s version %s (redeploy the services after finishSecret)", arn, token)


def test_secret(client: Any, arn: str, token: str) -> None:
    pending = _value(client, arn, VersionId=token, VersionStage=PENDING)
    current = _value(client, arn, VersionStage=CURRENT)
    if pending is None or current is None:
        raise RotationError(f"testSecret: {arn} lacks its pending ({token}) or current key set")
    found = keyset.successor_problems(keyset.parse(current), keyset.parse(pending))
    if found:
        raise RotationError("testSecret: " + "; ".join(found))
    LOG.info("testSecret: version %s can follow the current set", token)


def finish_secret(client: Any, arn: str, token: str) -> None:
    """`handle` returns before this when `token` is current already; createSecret refused to run without a
    current version, so there is one to move the stage from."""
    current = _current_version(client.describe_secret(SecretId=arn))
    client.update_secret_version_stage(SecretId=arn, VersionStage=CURRENT, MoveToVersionId=token,
                                       RemoveFromVersionId=current)
    LOG.info("finishSecret: version %s is current; redeploy the services so new tasks load it", token)


STEPS = {"createSecret": create_secret, "setSecret": set_secret, "testSecret": test_secret,
         "finishSecret": finish_secret}


def handle(event: dict, client: Any, allowed_arn: str) -> dict:
    arn, step = event["SecretId"], event["Step"]
    if arn != allowed_arn:
        raise RotationError(f"this function rotates {allowed_arn} only, not {arn}")
    if step == BOOTSTRAP:
        return bootstrap(client, arn)
    if step not in STEPS:
        raise RotationError(f"unknown step {step!r}; expected one of {', '.join(STEPS)} or {BOOTSTRAP}")
    token = event["ClientRequestToken"]
    metadata = client.describe_secret(SecretId=arn)
    if not metadata.get("RotationEnabled"):
        raise RotationError(f"rotation is not enabled on {arn}")
    stages = metadata.get("VersionIdsToStages", {})
    if token not in stages:
        raise RotationError(f"version {token} of {arn} has no stage for rotation")
    if CURRENT in stages[token]:
        LOG.info("%s: version %s is already current; nothing to do", step, token)
        return {"step": step, "done": True}
    if PENDING not in stages[token]:
        raise RotationError(f"version {token} of {arn} is not staged {PENDING}")
    STEPS[step](client, arn, token)
    return {"step": step, "done": True}


def lambda_handler(event: dict, context: object) -> dict:
    """The Lambda entry point: Secrets Manager through the VPC's interface endpoint (its private DNS name)."""
    return handle(event, boto3.client("secretsmanager"), os.environ[SECRET_ENV])
