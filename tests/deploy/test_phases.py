"""deploy-all, deploy and preview phase by phase against the fake `pulumi` on PATH, through the real
`pulumi.automation` code: the calls the fake records are what the SDK sent, not the tasks' own account."""
from __future__ import annotations

import re

import pytest
from invoke import Context, Exit

import tasks
from tests.deploy.conftest import ORDER_DEV, SERVICE_KEYS
from tools.deploy import deploy as ops
from tools.deploy.deploy import POLICY_PACK


def test_deploy_all_previews_then_ups_each_phase_in_order_with_the_policy_pack(env, capsys):
    ops.deploy_all(env.session(), options=ops.Options(yes=True))

    steps = env.fake.steps("preview", "up")
    phases = [["network/dev"], ["registry/dev"], ["platform/dev"], SERVICE_KEYS]
    position = 0
    for phase in phases:
        chunk = steps[position:position + 2 * len(phase)]
        # every preview of the phase comes before any up of the phase, and each stack is in both
        assert sorted(key for command, key in chunk[:len(phase)] if command == "preview") == sorted(phase)
        assert sorted(key for command, key in chunk[len(phase):] if command == "up") == sorted(phase)
        position += 2 * len(phase)
    assert position == len(steps)
    for call in env.fake.calls():
        if call["command"] in ("preview", "up"):
            argv = call["argv"]
            assert argv[argv.index("--policy-pack") + 1] == str(POLICY_PACK)
            assert call["automation"] and call["argv"][0] == "--non-interactive"
    assert all("--diff" in c["argv"] for c in env.fake.calls() if c["command"] == "preview")
    assert env.gates.calls == [("dev", False)]
    for key in ORDER_DEV[3:]:
        assert env.fake.outputs_of(key) == {"deployedBy": "fake-pulumi"}
    out = capsys.readouterr().out
    assert "preflight pass  AWS identity: account 123456789012" in out
    assert "preflight pass  service images: frontend:1.0.0" in out
    assert re.search(r"stack\s+create\s+update\s+replace\s+delete", out)
    assert re.search(r"network/dev\s+1\s+0\s+0\s+0", out)
    assert "invoke deploy-all --env dev: 6 stack(s) deployed" in out

