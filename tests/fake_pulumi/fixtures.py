"""The `fake` fixture: the fake CLI first on PATH, a passphrase, a throwaway backend and build directory."""
from __future__ import annotations

import os

import pytest

import tasks
from shared.contracts import CONTRACTS
from tests.fake_pulumi.harness import FakePulumi


def contract_outputs(project: str) -> dict[str, str]:
    """Outputs carrying every key `project` exports, as a deployed upstream stack would have."""
    return {key: f"fake-{key}" for key in sorted(CONTRACTS[project].export_keys)}


@pytest.fixture
def fake(tmp_path, monkeypatch) -> FakePulumi:
    cli = FakePulumi(tmp_path / "fake")
    for name in ("PULUMI_SECRETS_PROVIDER", "PULUMI_ORG", "PULUMI_CONFIG_PASSPHRASE_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in cli.environ(os.environ).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(tasks, "BUILD", tmp_path / "build")
    return cli
