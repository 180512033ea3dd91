"""Fixtures of the deploy tests: the fake `pulumi` on PATH (speaking the Automation API's protocol), an AWS
account in moto (identity, the ECS service-linked role, ECR repositories holding the pinned images), offline
gates replaced by a recorder (the real ones are tested once, they take seconds), and sessions that answer
prompts from a list."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from moto import mock_aws

from shared.catalog import SERVICES
from shared.contracts import CONTRACTS
from shared.stacks import StackId
from tests.fake_pulumi.fixtures import contract_outputs, fake  # noqa: F401 - the fixture
from tests.fake_pulumi.harness import FakePulumi
from tests.shared_clients import MOCKED
from tools.deploy import deploy as ops
from tools.deploy.preflight import ECS_SERVICE_LINKED_ROLE, Preflight

ACCOUNT = "123456789012"  # moto's default account
IMAGE_TAG = "1.0.0"  # what every committed service stack file pins
SERVICE_KEYS = [f"services/{s.name}-dev" for s in SERVICES]
ORDER_DEV = ["network/dev", "registry/dev", "platform/dev", *SERVICE_KEYS]


def repository_name(service: str, environment: str = "dev") -> str:
    return f"ecr-{service}-{environment}"


def registry_outputs(environment: str = "dev") -> dict:
    outputs = contract_outputs("registry")
    registry = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
    outputs["repositoryUrls"] = {s.name: f"{registry}/{repository_name(s.name, environment)}" for s in SERVICES}
    outputs["repositoryArns"] = {s.name: f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/{repository_name(s.name)}"
                                 for s in SERVICES}
    return outputs


def upstream_outputs(environment: str = "dev") -> dict[str, dict]:
    """What `up` leaves as each shared stack's outputs: every contract key, real-looking repository URLs."""
    return {f"network/{environment}": contract_outputs("network"),
            f"registry/{environment}": registry_outputs(environment),
            f"platform/{environment}": contract_outputs("platform")}


MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                       "config": {"digest": f"sha256:{'0' * 64}", "size": 1, "mediaType":
                                  "application/vnd.docker.container.image.v1+json"}, "layers": []})


def push_image(service: str, tag: str = IMAGE_TAG, environment: str = "dev") -> None:
    MOCKED.client("ecr").put_image(repositoryName=repository_name(service, environment), imageManifest=MANIFEST,
                                   imageTag=tag)


@pytest.fixture
def aws(monkeypatch) -> Iterator[None]:
    """An account in moto: credentials, the ECS service-linked role, a repository per service with 1.0.0."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    # The deploy's read-only checks, through the worker's shared clients (tests/shared_clients.py).
    monkeypatch.setattr(ops, "Preflight", lambda: Preflight(session=MOCKED))
    with mock_aws():
        MOCKED.client("iam").create_role(RoleName=ECS_SERVICE_LINKED_ROLE, AssumeRolePolicyDocument="{}",
                                         Path="/aws-service-role/ecs.amazonaws.com/")
        for service in SERVICES:
            for environment in ("dev", "prod"):
                MOCKED.client("ecr").create_repository(repositoryName=repository_name(service.name, environment))
                push_image(service.name, IMAGE_TAG, environment)
        yield


@dataclass
class Gates:
    """Stands in for the offline plan and gates: records each call, refuses when told to."""

    calls: list[tuple[str, bool]] = field(default_factory=list)
    refuse: str | None = None

    def __call__(self, session: ops.Session, allow_placeholders: bool) -> None:
        self.calls.append((session.environment, allow_placeholders))
        if self.refuse:
            raise ops.OpsError(self.refuse)


@pytest.fixture
def gates(monkeypatch) -> Gates:
    recorder = Gates()
    monkeypatch.setattr(ops, "run_offline_gates", recorder)
    return recorder


@dataclass
class Env:
    """The fake CLI with upstream outputs scripted, and how to open a session on it."""

    fake: FakePulumi
    build: Path
    gates: Gates

    def session(self, environment: str = "dev", *, answers: list[str] | None = None, terminal: bool = False,
                heartbeat: float = 30.0) -> ops.Session:
        session = ops.open_session(environment, self.build)
        session.console.heartbeat = heartbeat
        asked = list(answers or [])
        session.prompts = []  # type: ignore[attr-defined]

        def ask(prompt: str) -> str:
            session.prompts.append(prompt)  # type: ignore[attr-defined]
            return asked.pop(0)

        session.ask = ask
        session.interactive = lambda: terminal
        return session

    def seed_upstream(self, *projects: str, environment: str = "dev") -> None:
        outputs = upstream_outputs(environment)
        for project in projects:
            key = f"{project}/{environment}"
            self.fake.seed(key, outputs[key])


@pytest.fixture
def env(fake, aws, gates, tmp_path) -> Env:  # noqa: F811 - the fixture
    fake.configure(outputs={**upstream_outputs("dev"), **upstream_outputs("prod")})
    return Env(fake, tmp_path / "build", gates)


def stack(key: str) -> StackId:
    project, name = key.split("/")
    return StackId(project, name)


__all__ = ["CONTRACTS", "ORDER_DEV", "SERVICE_KEYS", "Env", "stack"]
