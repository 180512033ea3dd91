"""The fake CLI is only as good as what it refuses: it must reject what the real `pulumi` would, and answer in
the shapes the Automation API parses."""
from __future__ import annotations

import json
import subprocess

import pytest

from shared.stacks import PROJECTS_DIR
from tests.fake_pulumi import fake_pulumi
from tests.fake_pulumi.fixtures import fake  # noqa: F401 - the fixture


def run(fake, *args: str, cwd=PROJECTS_DIR / "network") -> subprocess.CompletedProcess:  # noqa: F811
    return subprocess.run([str(fake.bin / "pulumi"), "--non-interactive", *args], capture_output=True, text=True,
                          check=False, stdin=subprocess.DEVNULL, cwd=cwd)


@pytest.mark.parametrize("args, cwd, message", [
    (["up", "--yes", "--stack", "organization/network/dev", "--force"], None,
     "unknown flag: --force (for `pulumi up`)"),
    (["stack", "output", "--json", "--stack", "organization/network/dev", "--secrets-provider", "passphrase"], None,
     "unknown flag: --secrets-provider"),
    (["up", "--yes", "--stack", "dev"], None, "needs a stack named org/project/stack"),
    (["up", "--yes", "--stack", "organization/platform/dev"], None,
     "provided project name \"platform\" doesn't match Pulumi.yaml (\"network\")"),
    (["refresh", "--stack", "organization/network/dev"], None, "fake pulumi does not know `refresh`"),
    (["stack", "select", "--stack", "organization/network/dev"], PROJECTS_DIR, "no Pulumi.yaml project file found"),
    (["stack", "select", "--stack", "organization/network/dev"], None, "no stack named 'organization/network/dev' "
                                                                      "found"),
    (["preview", "--policy-pack", "/nonexistent", "--stack", "organization/network/dev"], None,
     "could not load policy pack '/nonexistent'"),
])
def test_the_fake_refuses_what_the_real_cli_would(fake, args, cwd, message):  # noqa: F811
    fake.seed("network/dev", {})
    if "select" in args and cwd is None:
        fake.state.joinpath("network", f"dev{fake_pulumi.STATE}").unlink()
    result = run(fake, *args, cwd=cwd or PROJECTS_DIR / "network")
    assert result.returncode != 0 and message in result.stderr


def test_the_fake_creates_a_stack_once_and_answers_in_the_sdks_shapes(fake):  # noqa: F811
    assert run(fake, "stack", "init", "organization/network/dev", "--secrets-provider", "passphrase").returncode == 0
    again = run(fake, "stack", "init", "organization/network/dev", "--secrets-provider", "passphrase")
    assert again.returncode == 1 and "stack 'organization/network/dev' already exists" in again.stderr
    assert json.loads(run(fake, "stack", "history", "--json", "--stack", "organization/network/dev").stdout) == []
    done = run(fake, "up", "--yes", "--skip-preview", "--stack", "organization/network/dev")  # no event log
    assert done.returncode == 0 and "Updating (network/dev):" in done.stdout
    [entry] = json.loads(run(fake, "stack", "history", "--json", "--stack", "organization/network/dev").stdout)
    assert entry["result"] == "succeeded" and entry["version"] == 1
    assert run(fake, "version").stdout.strip() == "v3.205.0"
    assert [call["state_changing"] for call in fake.calls()] == [True, True, False, True, False, False]


@pytest.mark.parametrize("value", [
    None, True, False, 0, -7, 2**70, 1.5, -0.0, 1e-7, 1e22, "", "plain", 'quote " and back\\slash',
    "".join(map(chr, range(0x20))) + "\x7f", "naïve ☃ 𝄞 \u2028", [], {}, [1, [2, []], {"k": None}],
    {"argv": ["up", "--stack", "o/p/s"], "pid": 4242, "automation": True, "nested": {"a": [1.25, "x\ny"]}},
])
def test_the_fakes_json_is_what_json_dumps_writes(value):
    assert fake_pulumi.dumps(value) == json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize("value", [{"k": {1}}, {1: "a"}, [float("inf")], float("-inf"), float("nan")])
def test_the_fake_refuses_to_print_what_json_cannot_hold(value):
    with pytest.raises(TypeError, match=r"the fake prints no .*: JSON has no such value"):
        fake_pulumi.dumps(value)
