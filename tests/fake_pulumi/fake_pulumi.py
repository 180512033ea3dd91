"""A fake `pulumi` CLI for tests and the deploy benchmark. Standard library only; run through a `pulumi`
wrapper script placed first on PATH (see harness.py).

It records every call (argv, working directory, backend, whether a passphrase was set) as one JSON line in
$FAKE_PULUMI_LOG, keeps a tiny backend in $FAKE_PULUMI_STATE (one JSON file per stack: outputs, secret
names, secrets provider) and behaves as the JSON file $FAKE_PULUMI_SCRIPT says:

  {"fail":    {"platform/dev": ["up"]},          # commands that fail for a stack, with its output
   "fail_lines": 3,                              # extra output lines printed before a scripted failure
   "sleep":   {"services/frontend-dev": 0.5},    # seconds an up/preview/destroy of a stack takes
   "outputs": {"network/dev": {"vpcId": "vpc-1"}},  # what `up` leaves as the stack's outputs
   "secrets": {"platform/dev": ["dbPassword"]},  # outputs the engine holds as secrets
   "qualified_ls": true,                         # `stack ls --json` prints organization/project/stack names
   "barrier": {"dir": "...", "parties": 3, "command": "up", "project": "services", "timeout": 30}}

The barrier makes each matching call wait until `parties` of them have arrived (files in `dir`), so a test
proves calls overlap without timing anything: run one after another, the first would wait for the others
forever, and after `timeout` seconds it fails the call instead.

Like the real CLI it insists on what the ops code promises: `--cwd` on every call, `--stack` in
`org/project/stack` form whose project matches the directory on every stack command.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

STACK_COMMANDS = {"up", "preview", "destroy", "config", "stack select", "stack output"}
# Flags the real CLI accepts (Pulumi CLI reference: global flags plus each command's own), so a misspelled or
# invented flag in the ops code fails here as it would for real.
GLOBAL_FLAGS = {"--cwd", "--non-interactive", "--color"}
COMMAND_FLAGS = {
    "up": {"--stack", "--yes", "--skip-preview", "--diff", "--refresh"},
    "preview": {"--stack", "--diff", "--refresh"},
    "destroy": {"--stack", "--yes", "--skip-preview"},
    "config": {"--stack", "--json", "--show-secrets"},
    "stack select": {"--stack", "--create", "--secrets-provider"},
    "stack output": {"--stack", "--json", "--show-secrets"},
    "stack ls": {"--json", "--all"},
}


def parse(argv: list[str]) -> tuple[str, dict[str, str | bool]]:
    words: list[str] = []
    flags: dict[str, str | bool] = {}
    valued = {"--stack", "--cwd", "--secrets-provider", "--color"}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in valued:
            flags[arg] = argv[i + 1]
            i += 2
            continue
        if arg.startswith("-"):
            flags[arg] = True
        elif not flags:
            words.append(arg)
        i += 1
    return " ".join(words), flags


def load(path: str | None) -> dict:
    return json.loads(Path(path).read_text()) if path and Path(path).exists() else {}


def record(entry: dict) -> None:
    line = (json.dumps(entry) + "\n").encode()
    fd = os.open(os.environ["FAKE_PULUMI_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)  # one write per call: lines from parallel calls never interleave
    finally:
        os.close(fd)


def fail(message: str, code: int = 1) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def wait_at_barrier(spec: dict, key: str) -> None:
    directory = Path(spec["dir"])
    directory.mkdir(parents=True, exist_ok=True)
    (directory / (key.replace("/", "__") + ".arrived")).write_text(str(os.getpid()))
    deadline = time.monotonic() + float(spec.get("timeout", 30))
    while True:
        arrived = len(list(directory.glob("*.arrived")))
        if arrived >= spec["parties"]:
            return
        if time.monotonic() > deadline:
            fail(f"barrier: only {arrived} of {spec['parties']} calls arrived; they did not run at the same time", 3)
        time.sleep(0.01)


def main(argv: list[str]) -> None:
    command, flags = parse(argv)
    script = load(os.environ.get("FAKE_PULUMI_SCRIPT"))
    cwd = flags.get("--cwd")
    record({"argv": argv, "command": command, "cwd": os.getcwd(), "pid": os.getpid(),
            "backend": os.environ.get("PULUMI_BACKEND_URL"),
            "passphrase_set": "PULUMI_CONFIG_PASSPHRASE" in os.environ,
            "stdin_devnull": os.path.samestat(os.fstat(0), os.stat(os.devnull))})
    if not isinstance(cwd, str):
        fail("the ops code must pass --cwd on every call", 2)
    unknown = sorted(set(flags) - GLOBAL_FLAGS - COMMAND_FLAGS.get(command, set()))
    if unknown and command in COMMAND_FLAGS:
        fail(f"unknown flag: {unknown[0]} (for `pulumi {command}`)", 2)
    project = Path(cwd).name
    state_dir = Path(os.environ["FAKE_PULUMI_STATE"]) / project
    if command == "stack ls":
        qualified = script.get("qualified_ls", False)
        names = sorted(p.stem for p in state_dir.glob("*.json")) if state_dir.exists() else []
        print(json.dumps([{"name": f"organization/{project}/{name}" if qualified else name, "current": False}
                          for name in names]))
        return
    if command not in STACK_COMMANDS:
        fail(f"fake pulumi does not know `{command}`", 2)
    qualified_name = flags.get("--stack")
    if not isinstance(qualified_name, str) or qualified_name.count("/") != 2:
        fail(f"`{command}` needs an explicit --stack org/project/stack, got {qualified_name!r}", 2)
    org, stack_project, stack = str(qualified_name).split("/")
    if stack_project != project:
        fail(f"stack {qualified_name} belongs to project {stack_project}, but --cwd is project {project}", 2)
    key = f"{project}/{stack}"
    state_file = state_dir / f"{stack}.json"
    state = load(str(state_file))
    if command == "stack select":
        if command in script.get("fail", {}).get(key, []):
            fail(f"{command} of {key} failed (scripted by the test)")
        if state_file.exists():
            print(f"selected stack {qualified_name}")
            return
        if "--create" not in flags:
            fail(f"no stack named '{qualified_name}' found")
        state_dir.mkdir(parents=True, exist_ok=True)
        state_file.write_text(json.dumps({"outputs": {}, "secrets": [],
                                          "secrets_provider": flags.get("--secrets-provider", "default")}))
        print(f"Created stack '{stack}'")
        return
    if not state_file.exists():
        fail(f"no stack named '{qualified_name}' found")
    barrier = script.get("barrier")
    if barrier and barrier["command"] == command and barrier["project"] == project:
        wait_at_barrier(barrier, key)
    if command in {"up", "preview", "destroy"}:
        time.sleep(float(script.get("sleep", {}).get(key, 0)))
    if command in script.get("fail", {}).get(key, []):
        for n in range(int(script.get("fail_lines", 0))):
            print(f"  detail line {n + 1} of the failing {command}")
        fail(f"{command} of {key} failed (scripted by the test)")
    if command == "config":
        print("{}")
    elif command == "stack output":
        masked = {k: "[secret]" if k in state["secrets"] and "--show-secrets" not in flags else v
                  for k, v in state["outputs"].items()}
        print(json.dumps(masked))
    elif command == "preview":
        print(f"Previewing update ({key}){' with --diff' if '--diff' in flags else ''}")
        print("Resources: 3 to create")
    else:
        if command == "up":
            state["outputs"] = script.get("outputs", {}).get(key, {"deployedBy": "fake-pulumi"})
            state["secrets"] = script.get("secrets", {}).get(key, [])
        else:
            state["outputs"], state["secrets"] = {}, []
        state_file.write_text(json.dumps(state))
        print(f"{command} of {key} done")


if __name__ == "__main__":
    main(sys.argv[1:])
