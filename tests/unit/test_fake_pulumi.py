"""The fake CLI is only as good as what it refuses: it must reject what the real `pulumi` would."""
from __future__ import annotations

import subprocess

import pytest

from tests.fake_pulumi.fixtures import fake  # noqa: F401 - the fixture


def run(fake, *args: str) -> subprocess.CompletedProcess:  # noqa: F811 - the fixture
    return subprocess.run([str(fake.bin / "pulumi"), *args], capture_output=True, text=True, check=False,
                          stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("args, message", [
    (["up", "--yes", "--stack", "organization/network/dev", "--cwd", "projects/network", "--force"],
     "unknown flag: --force (for `pulumi up`)"),
    (["stack", "output", "--json", "--stack", "organization/network/dev", "--cwd", "projects/network",
      "--secrets-provider", "passphrase"], "unknown flag: --secrets-provider"),
    (["up", "--yes", "--stack", "organization/network/dev"], "must pass --cwd on every call"),
    (["up", "--yes", "--stack", "dev", "--cwd", "projects/network"], "needs an explicit --stack org/project/stack"),
    (["up", "--yes", "--stack", "organization/platform/dev", "--cwd", "projects/network"],
     "belongs to project platform, but --cwd is project network"),
    (["refresh", "--stack", "organization/network/dev", "--cwd", "projects/network"],
     "fake pulumi does not know `refresh`"),
])
def test_the_fake_refuses_what_the_real_cli_would(fake, args, message):  # noqa: F811 - the fixture
    result = run(fake, *args)
    assert result.returncode == 2 and message in result.stderr


def test_the_fake_accepts_the_calls_the_ops_code_makes(fake):  # noqa: F811 - the fixture
    result = run(fake, "stack", "select", "--create", "--secrets-provider", "passphrase",
                 "--stack", "organization/network/dev", "--cwd", "projects/network", "--non-interactive",
                 "--color", "never")
    assert result.returncode == 0, result.stderr
