"""Put the fake `pulumi` first on PATH and read back what it was asked to do.

Used by the ops tests (through the `fake_pulumi` fixture) and by scripts/bench_deploy.py.
"""
from __future__ import annotations

import json
import marshal
import os
import shlex
import stat
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from tests.fake_pulumi import fake_pulumi

FAKE = Path(__file__).resolve().parent / "fake_pulumi.py"
PASSPHRASE = "correct horse battery staple"


class FakePulumi:
    """A fake CLI in `root`: `bin/pulumi`, its backend `state/`, its call log and its script."""

    def __init__(self, root: Path):
        self.root = root
        self.bin = root / "bin"
        self.state = root / "state"
        self.log = root / "calls.jsonl"
        self.script_path = root / "script.marshal"
        self.backend_dir = root / "backend"
        self.script: dict[str, Any] = {}
        self.bin.mkdir(parents=True, exist_ok=True)
        wrapper = self.bin / "pulumi"
        # The interpreter running the tests, so the fake needs nothing else on PATH; without site-packages (-S),
        # whose .pth files cost each call 30 ms of its ~60 (a test run makes about 1,500 calls); imported rather
        # than run as a script, so its compiled bytecode is reused (4 of a call's 19 ms).
        program = (f"import sys; sys.path.insert(0, {str(FAKE.parent)!r}); "
                   "from fake_pulumi import main; main(sys.argv[1:])")
        wrapper.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -S -c {shlex.quote(program)} "$@"\n')
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        self.configure()

    def environ(self, base: MutableMapping[str, str]) -> dict[str, str]:
        """`base` with the fake first on PATH, its files named, a passphrase and a file backend in `root`."""
        env = {k: v for k, v in base.items() if k not in (
            "PULUMI_SECRETS_PROVIDER", "PULUMI_ORG", "PULUMI_CONFIG_PASSPHRASE_FILE")}
        env.update({
            "PATH": f"{self.bin}{os.pathsep}{base.get('PATH', os.defpath)}",
            "FAKE_PULUMI_LOG": str(self.log),
            "FAKE_PULUMI_STATE": str(self.state),
            "FAKE_PULUMI_SCRIPT": str(self.script_path),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_BACKEND_URL": f"file://{self.backend_dir}",
        })
        return env

    def configure(self, **script: Any) -> None:
        self.script.update(script)
        self.script_path.write_bytes(marshal.dumps(self.script))

    def seed(self, key: str, outputs: dict[str, Any], secrets: tuple[str, ...] = (),
             resources: tuple[tuple[str, str], ...] = ()) -> None:
        """Put a deployed stack (`project/stack`) with these outputs and resources into the fake backend."""
        project, stack = key.split("/")
        (self.state / project).mkdir(parents=True, exist_ok=True)
        (self.state / project / f"{stack}{fake_pulumi.STATE}").write_bytes(marshal.dumps(
            {"outputs": outputs, "secrets": list(secrets), "resources": [list(r) for r in resources],
             "secrets_provider": "passphrase", "version": 1}))

    def outputs_of(self, key: str) -> dict[str, Any] | None:
        project, stack = key.split("/")
        path = self.state / project / f"{stack}{fake_pulumi.STATE}"
        return marshal.loads(path.read_bytes())["outputs"] if path.exists() else None

    def calls(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines()]

    def steps(self, *commands: str) -> list[tuple[str, str]]:
        """(command, project/stack) of each recorded call, in call order, limited to `commands` if given."""
        found = []
        for call in self.calls():
            if commands and call["command"] not in commands:
                continue
            argv = call["argv"]
            if "--stack" in argv:
                target = argv[argv.index("--stack") + 1].split("/", 1)[1]
            elif call["command"] == "stack init":
                target = argv[argv.index("init") + 1].split("/", 1)[1]
            else:
                target = Path(call["cwd"]).name
            found.append((call["command"], target))
        return found

    def state_changing(self) -> list[tuple[str, str]]:
        """The recorded calls that change a backend or the cloud: up, destroy, stack init."""
        changing = {call["command"] for call in self.calls() if call["state_changing"]}
        return self.steps(*changing) if changing else []
