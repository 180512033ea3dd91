"""moto-backed environments for the verifier's tests; see moto_env.py for what is stubbed and why."""
from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from tests.shared_clients import MOCKED, SharedClients
from tests.verify.moto_env import REGION, Environment, build_environment, ecs_stubber
from tools.findings import Finding
from tools.verify.checks import run_checks
from tools.verify.expected import expected_for
from tools.verify.probe import http_status


class StubbedSession:
    """The moto session, except that ECS answers through a Stubber (the fields moto drops)."""

    def __init__(self, session: boto3.Session, ecs):
        self.session = session
        self.ecs = ecs

    def client(self, name: str, **kwargs):
        return self.ecs if name == "ecs" else self.session.client(name, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.session, name)


def unreachable(url: str, timeout: float) -> int:
    """The probe's fetch in tests: nothing leaves this machine, so the ALB is never reachable."""
    raise OSError(f"no network in tests ({url} not contacted)")


LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """No test here may send traffic beyond this machine: name resolution (which every connection made by
    urllib goes through) refuses any other host, so the real probe meets an unreachable ALB. The host is
    IDNA-encoded first, as the real `getaddrinfo` does locally before any lookup, so a malformed name fails
    here as it would there (UnicodeError)."""
    resolve = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        host.encode("idna")  # urllib passes the host as str
        if host not in LOOPBACK:
            raise OSError(f"tests send no traffic beyond loopback; refused to resolve {host}")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


@pytest.fixture(autouse=True)
def aws_credentials(monkeypatch):
    """Fake credentials so no test can reach a real account even if one is configured."""
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def mocked_aws() -> Iterator[SharedClients]:
    """moto, reached through the worker's shared clients (tests/shared_clients.py)."""
    with mock_aws():
        yield MOCKED


@pytest.fixture
def dev_env(mocked_aws) -> Environment:
    """A dev environment of the test's own: for tests that change AWS state or the Environment."""
    return build_environment(mocked_aws, "dev")


def _built_dev_env() -> Iterator[Environment]:
    with mock_aws():
        yield build_environment(MOCKED, "dev")


# Building a dev environment costs seconds of moto calls, so tests that only read one share it: every test of a
# module (`built_dev_env`) or of a class (`class_dev_env`). moto keeps one state per process and a nested
# `mock_aws` does not reset it, so a shared environment must never be active while a test builds its own
# (`dev_env`, `mocked_aws`): pytest finalizes a module- or class-scoped fixture before the first test outside
# that module or class, so a module that also changes environments keeps its readers in a class.
@pytest.fixture(scope="module")
def built_dev_env() -> Iterator[Environment]:
    """One dev environment for every test of a module that only reads it (none may use `dev_env`)."""
    yield from _built_dev_env()


@pytest.fixture(scope="class")
def class_dev_env() -> Iterator[Environment]:
    """One dev environment for the tests of a class that only read it, in a module whose other tests change
    their own."""
    yield from _built_dev_env()


def stubbed_session(env: Environment) -> tuple[StubbedSession, Stubber]:
    ecs = env.session.client("ecs", region_name=REGION)
    return StubbedSession(env.session, ecs), ecs_stubber(env, ecs)


def verify(env: Environment, http_get: Callable[[str, float], int] = http_status) -> list[Finding]:
    """Run every check against `env` with ECS served through the Stubber, which must be used up exactly. The
    probe is the real one: `loopback_only` makes the ALB unreachable, as it is from any offline machine."""
    session, stubber = stubbed_session(env)
    with stubber:
        results = run_checks(session, expected_for(env.document), http_get=http_get)
        stubber.assert_no_pending_responses()
    return results
