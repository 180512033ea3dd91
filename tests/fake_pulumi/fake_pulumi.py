"""A fake `pulumi` CLI that speaks what the Automation API of pulumi SDK 3.272 sends to the binary, for tests
and the deploy benchmark. Run through a `pulumi` wrapper script placed first on PATH (see harness.py).

The protocol, as read from the SDK (pulumi/automation/_cmd.py, _local_workspace.py, _stack.py, events.py):
- `pulumi version` prints a 3.x semver; the SDK reads it to choose how engine events come back.
- every other call starts with `--non-interactive` and runs in the project directory (no `--cwd`);
- `stack select --stack S`, then `stack init S --secrets-provider P` when stderr says "no stack named ... found";
- `preview [--diff] [--policy-pack P] --exec-kind auto.local --event-log L --stack S`; the SDK raises "summary
  event never found" unless a summaryEvent arrives;
- `up --yes --skip-preview [--policy-pack P] ... --event-log L --stack S`, then `stack output --json` (twice,
  the second with `--show-secrets`) and `stack history --json --show-secrets --page-size 1 --page 1`;
- `destroy --skip-preview --yes ... --event-log L --stack S`, then the same history call;
- the event log L: above CLI 3.205 a `tcp://127.0.0.1:PORT` address of the SDK's gRPC `pulumirpc.Events`
  server (client-streaming `StreamEvents`); up to 3.205 a file the SDK polls, which must end with a
  cancelEvent or the SDK waits 5 s for it.

The fake reports version 3.205.0 unless the script says otherwise, so events go through the file: the gRPC
client costs every call ~0.4 s of imports, and the engine events are the same JSON either way. Tests that set
`"version": "3.272.0"` drive the gRPC path end to end (tests/deploy/test_engine_protocol.py).

Every call is a fresh interpreter (a test run makes about 1,500), so the fake imports nothing beyond what Python
starts with: `pathlib` cost 10 ms of a call's 45 and `json` (with the `re` and `enum` it imports) 10 of the 29
left (measured with `python -S -c 'import ...'`). The script and the backend are `marshal` files (the harness
writes them), and `dumps` writes the JSON the SDK reads.

It records every call (argv, working directory, backend, whether a passphrase was set) as one JSON line in
$FAKE_PULUMI_LOG, keeps a tiny backend in $FAKE_PULUMI_STATE (one file per stack: outputs, secret names,
resources, secrets provider) and behaves as the script in $FAKE_PULUMI_SCRIPT says (`FakePulumi.configure`):

  {"version": "3.205.0",                         # what `pulumi version` prints
   "fail":    {"platform/dev": ["up"]},          # commands that fail for a stack, with engine diagnostics
   "locked":  {"platform/dev": ["up"]},          # commands refused because another update holds the lock
   "fail_lines": 3,                              # extra output lines printed before a scripted failure
   "sleep":   {"services/frontend-dev": 0.5},    # seconds a preview/up/destroy of a stack takes
   "steps":   {"platform/dev": [["replace", "aws:dynamodb/table:Table", "trades"]]},  # resource operations
   "violations": {"platform/dev": ["bucket is public"]},  # mandatory policy failures (with --policy-pack)
   "no_summary": ["network/dev"],                # stacks whose engine ends without a summaryEvent
   "outputs": {"network/dev": {"vpcId": "vpc-1"}},  # what `up` leaves as the stack's outputs
   "secrets": {"platform/dev": ["dbPassword"]},  # outputs the engine holds as secrets
   "qualified_ls": true,                         # `stack ls --json` prints organization/project/stack names
   "barrier": {"dir": "...", "parties": 3, "command": "up", "project": "services", "timeout": 30}}

The barrier makes each matching call wait until `parties` of them have arrived (files in `dir`), so a test
proves calls overlap without timing anything: run one after another, the first would wait for the others
forever, and after `timeout` seconds it fails the call instead.

Like the real CLI it refuses flags it does not know, a call outside a project directory, and a `--stack` that
is not `org/project/stack` of the directory's project.
"""
from __future__ import annotations

import marshal
import os
import sys
import time

DEFAULT_VERSION = "3.205.0"
STACK_COMMANDS = {"up", "preview", "destroy", "stack select", "stack output", "stack history"}
ENGINE_COMMANDS = {"up", "preview", "destroy"}
STATE_CHANGING = {"up", "destroy", "stack init"}
VALUED = {"--stack", "--secrets-provider", "--policy-pack", "--policy-pack-config", "--event-log", "--color",
          "--exec-kind", "--page-size", "--page", "--parallel", "--message", "--replace", "--target", "--exclude",
          "--config-file"}
ENGINE_FLAGS = {"--stack", "--color", "--exec-kind", "--event-log", "--policy-pack", "--policy-pack-config",
                "--refresh", "--parallel", "--message", "--target", "--replace", "--diff"}
# Flags the real CLI accepts for what the SDK sends (the CLI reference plus _parse_extra_args), so a
# misspelled or invented flag fails here as it would for real.
COMMAND_FLAGS = {
    "version": set(),
    "up": ENGINE_FLAGS | {"--yes", "--skip-preview", "--expect-no-changes"},
    "preview": ENGINE_FLAGS | {"--expect-no-changes", "--json"},
    "destroy": ENGINE_FLAGS | {"--yes", "--skip-preview"},
    "stack select": {"--stack"},
    "stack init": {"--secrets-provider", "--no-select"},
    "stack ls": {"--json", "--all"},
    "stack output": {"--stack", "--json", "--show-secrets"},
    "stack history": {"--stack", "--json", "--show-secrets", "--page-size", "--page"},
}
DEFAULT_TYPE = "aws:ssm/parameter:Parameter"
STATE = ".state"  # a stack's file in the backend directory


def parse(argv: list[str]) -> tuple[str, list[str], dict[str, str | bool]]:
    """(command, positional arguments, flags) of a command line."""
    words: list[str] = []
    flags: dict[str, str | bool] = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in VALUED:
            flags[arg] = argv[i + 1] if i + 1 < len(argv) else ""
            i += 2
            continue
        if arg.startswith("-"):
            name, _, value = arg.partition("=")
            flags[name] = value or True
        else:
            words.append(arg)
        i += 1
    size = 2 if words[:1] == ["stack"] else 1
    return " ".join(words[:size]), words[size:], flags


# JSON's escapes for a string's characters: the short ones json.dumps writes, \u00XX for other control characters.
ESCAPES = {**{code: f"\\u{code:04x}" for code in range(0x20)},
           **{ord(c): f"\\{e}" for c, e in zip('"\\\b\f\n\r\t', '"\\bfnrt', strict=True)}}


def dumps(value: object) -> str:
    """What json.dumps(value, ensure_ascii=False) writes, for the values the fake prints (dicts with string keys,
    lists, strings, numbers, booleans, None); tests/unit/test_fake_pulumi.py compares the two."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int) or (isinstance(value, float) and value - value == 0):  # finite: no inf or nan
        return repr(value)
    if isinstance(value, str):
        return '"' + value.translate(ESCAPES) + '"'
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return "{" + ", ".join(f"{dumps(key)}: {dumps(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(dumps(item) for item in value) + "]"
    raise TypeError(f"the fake prints no {value!r}: JSON has no such value (or key)")


def load(path: str | None) -> dict:
    if not path or not os.path.exists(path):
        return {}
    with open(path, "rb") as source:
        return marshal.load(source)


def save(path: str, value: dict) -> None:
    with open(path, "wb") as sink:
        marshal.dump(value, sink)


def write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as sink:
        sink.write(text)


def record(entry: dict) -> None:
    line = (dumps(entry) + "\n").encode()
    fd = os.open(os.environ["FAKE_PULUMI_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)  # one write per call: lines from parallel calls never interleave
    finally:
        os.close(fd)


def fail(message: str, code: int = 1) -> None:
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


def wait_at_barrier(spec: dict, key: str) -> None:
    directory = spec["dir"]
    os.makedirs(directory, exist_ok=True)
    write(os.path.join(directory, key.replace("/", "__") + ".arrived"), str(os.getpid()))
    deadline = time.monotonic() + float(spec.get("timeout", 30))
    while True:
        arrived = sum(name.endswith(".arrived") for name in os.listdir(directory))
        if arrived >= spec["parties"]:
            return
        if time.monotonic() > deadline:
            fail(f"barrier: only {arrived} of {spec['parties']} calls arrived; they did not run at the same time", 3)
        time.sleep(0.01)


def project_name(directory: str) -> str:
    """The project's `name:` (every Pulumi.yaml has one; the real CLI refuses a project file without it)."""
    with open(os.path.join(directory, "Pulumi.yaml"), encoding="utf-8") as project_file:
        return next(line.split(":", 1)[1].strip() for line in project_file if line.startswith("name:"))


class Run:
    """One engine operation (preview, up, destroy) of one stack: its events, its output, its result."""

    def __init__(self, command: str, key: str, urn_prefix: str, script: dict, state: dict, flags: dict):
        self.command, self.key, self.urn_prefix, self.script, self.state, self.flags = (
            command, key, urn_prefix, script, state, flags)
        self.sequence = 0
        self.code = 0
        self.stderr = ""

    def event(self, **body) -> dict:
        self.sequence += 1
        return {"sequence": self.sequence, "timestamp": int(time.time()), **body}

    def steps(self) -> list[tuple[str, str, str]]:
        if self.command == "destroy":
            return [("delete", typ, name) for typ, name in reversed(self.state.get("resources", []))]
        default = [["create", DEFAULT_TYPE, f"{self.key.replace('/', '-')}-marker"]]
        return [tuple(step) for step in self.script.get("steps", {}).get(self.key, default)]  # type: ignore[misc]

    def metadata(self, op: str, typ: str, name: str) -> dict:
        return {"op": op, "urn": f"{self.urn_prefix}::{typ}::{name}", "type": typ, "provider": "",
                "old": None, "new": {"type": typ, "urn": f"{self.urn_prefix}::{typ}::{name}"}}

    def events(self):  # yields dicts; unannotated: collections.abc would cost each call 4 ms
        """The engine's events, produced as the operation runs (the sleeps happen between them)."""
        planning = self.command == "preview"
        steps = self.steps()
        failing = self.command in self.script.get("fail", {}).get(self.key, [])
        violations = self.script.get("violations", {}).get(self.key, []) if "--policy-pack" in self.flags else []
        pause = float(self.script.get("sleep", {}).get(self.key, 0)) / max(len(steps), 1)
        yield self.event(preludeEvent={"config": {}})
        print(f"{'Previewing update' if planning else 'Updating'} ({self.key}):", flush=True)
        done: dict[str, int] = {}
        for index, (op, typ, name) in enumerate(steps):
            meta = self.metadata(op, typ, name)
            yield self.event(resourcePreEvent={"metadata": meta, "planning": planning})
            time.sleep(pause)
            if failing and index == len(steps) - 1:
                for n in range(int(self.script.get("fail_lines", 0))):
                    print(f"  detail line {n + 1} of the failing {self.command}", flush=True)
                message = f"{self.command} of {self.key} failed (scripted by the test): {typ} {name}"
                yield self.event(diagnosticEvent={"message": message, "color": "never", "severity": "error",
                                                  "urn": meta["urn"]})
                yield self.event(resOpFailedEvent={"metadata": meta, "status": 1, "steps": 1})
                print(f"    {op} {typ} {name} **failed**", flush=True)
                self.code, self.stderr = 255, f"{self.command} failed"
                break
            yield self.event(resOutputsEvent={"metadata": meta, "planning": planning})
            print(f"    {op} {typ} {name}", flush=True)
            done[op] = done.get(op, 0) + 1
        for message in violations:
            yield self.event(policyEvent={"message": message, "color": "never", "policyName": "scripted",
                                          "policyPackName": "trading-platform", "policyPackVersion": "1.0.0",
                                          "policyPackVersionTag": "v1.0.0", "enforcementLevel": "mandatory"})
            yield self.event(diagnosticEvent={"message": f"mandatory policy violation: {message}",
                                              "color": "never", "severity": "error"})
            self.code, self.stderr = 255, f"{self.command} failed: policy violations"
        print(f"Resources: {done}", flush=True)
        if self.key in self.script.get("no_summary", []):  # an engine that ends without its summary
            yield self.event(cancelEvent={})
            return
        yield self.event(summaryEvent={"maybeCorrupt": False, "durationSeconds": 1, "resourceChanges": done,
                                       "PolicyPacks": {"trading-platform": "v1.0.0"} if "--policy-pack" in self.flags
                                       else {}})
        if self.code == 0 and self.command != "preview":
            self.finish(steps)
        yield self.event(cancelEvent={})

    def finish(self, steps: list[tuple[str, str, str]]) -> None:
        if self.command == "up":
            self.state["outputs"] = self.script.get("outputs", {}).get(self.key, {"deployedBy": "fake-pulumi"})
            self.state["secrets"] = self.script.get("secrets", {}).get(self.key, [])
            kept = [[typ, name] for op, typ, name in steps if op not in ("delete", "delete-replaced", "discard")]
            self.state["resources"] = [r for r in self.state.get("resources", []) if r not in kept] + kept
        else:
            self.state.update(outputs={}, secrets=[], resources=[])
        self.state["version"] = self.state.get("version", 0) + 1


def send_to_file(path: str, events) -> None:
    with open(path, "a", encoding="utf-8") as sink:
        for event in events:
            sink.write(dumps(event) + "\n")
            sink.flush()


def send_over_grpc(address: str, events) -> None:
    """Stream the events to the SDK's `pulumirpc.Events` server as they happen (client streaming)."""
    import site

    site.main()  # the wrapper starts Python without site-packages (-S): only this path needs them
    import grpc
    from pulumi.runtime.proto import events_pb2, events_pb2_grpc

    with grpc.insecure_channel(address.removeprefix("tcp://")) as channel:
        stub = events_pb2_grpc.EventsStub(channel)
        stub.StreamEvents(events_pb2.EventRequest(event=dumps(event)) for event in events)


def history(state: dict) -> list[dict]:
    if not state.get("version"):
        return []
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    return [{"kind": "update", "startTime": stamp, "endTime": stamp, "message": "", "environment": {},
             "config": {}, "result": "succeeded", "version": state["version"], "resourceChanges": {}}]


def main(argv: list[str]) -> None:
    command, positional, flags = parse(argv)
    script = load(os.environ.get("FAKE_PULUMI_SCRIPT"))
    cwd = os.getcwd()
    record({"argv": argv, "command": command, "cwd": cwd, "pid": os.getpid(),
            "backend": os.environ.get("PULUMI_BACKEND_URL"),
            "passphrase_set": "PULUMI_CONFIG_PASSPHRASE" in os.environ,
            "automation": os.environ.get("PULUMI_AUTOMATION_API") == "true",
            "state_changing": command in STATE_CHANGING})
    if command == "version":
        print(f"v{script.get('version', DEFAULT_VERSION)}")
        return
    if command not in COMMAND_FLAGS:
        fail(f"fake pulumi does not know `{command}`", 2)
    unknown = sorted(set(flags) - {"--non-interactive"} - COMMAND_FLAGS[command])
    if unknown:
        fail(f"unknown flag: {unknown[0]} (for `pulumi {command}`)", 2)
    if not os.path.exists(os.path.join(cwd, "Pulumi.yaml")):
        fail(f"no Pulumi.yaml project file found (searching upwards from {cwd})", 255)
    project = project_name(cwd)
    state_dir = os.path.join(os.environ["FAKE_PULUMI_STATE"], project)
    if command == "stack ls":
        qualified = script.get("qualified_ls", False)
        names = sorted(name.removesuffix(STATE) for name in (os.listdir(state_dir) if os.path.isdir(state_dir)
                                                             else []) if name.endswith(STATE))
        print(dumps([{"name": f"organization/{project}/{name}" if qualified else name, "current": False}
                          for name in names]))
        return
    qualified_name = positional[0] if command == "stack init" and positional else flags.get("--stack")
    if not isinstance(qualified_name, str) or qualified_name.count("/") != 2:
        fail(f"`{command}` needs a stack named org/project/stack, got {qualified_name!r}", 2)
    _org, stack_project, stack = str(qualified_name).split("/")
    if stack_project != project:
        fail(f"provided project name \"{stack_project}\" doesn't match Pulumi.yaml (\"{project}\")", 255)
    key = f"{project}/{stack}"
    state_file = os.path.join(state_dir, f"{stack}{STATE}")
    if command in script.get("fail", {}).get(key, []) and command not in ENGINE_COMMANDS:
        fail(f"{command} of {key} failed (scripted by the test)")
    if command == "stack init":
        if os.path.exists(state_file):
            fail(f"stack '{qualified_name}' already exists")
        os.makedirs(state_dir, exist_ok=True)
        save(state_file, {"outputs": {}, "secrets": [], "resources": [],
                          "secrets_provider": flags.get("--secrets-provider", "default")})
        print(f"Created stack '{qualified_name}'")
        return
    if not os.path.exists(state_file):
        fail(f"no stack named '{qualified_name}' found")
    state = load(state_file)
    if command == "stack select":
        return
    if command == "stack output":
        shown = "--show-secrets" in flags
        print(dumps({k: v if shown or k not in state["secrets"] else "[secret]"
                          for k, v in state["outputs"].items()}))
        return
    if command == "stack history":
        print(dumps(history(state)))
        return
    if command in script.get("locked", {}).get(key, []):
        fail(f"the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete "
             f"the lock file with `pulumi cancel`.\n  file://state/.pulumi/locks/{project}/{stack}/lock.json: "
             f"created by someone@elsewhere (pid 4242)")
    policy_pack = flags.get("--policy-pack")
    if policy_pack is not None and not os.path.isfile(os.path.join(str(policy_pack), "PulumiPolicy.yaml")):
        fail(f"could not load policy pack {policy_pack!r}: no PulumiPolicy.yaml found", 255)
    barrier = script.get("barrier")
    if barrier and barrier["command"] == command and barrier["project"] == project:
        wait_at_barrier(barrier, key)
    log = flags.get("--event-log")
    run = Run(command, key, f"urn:pulumi:{stack}::{project}", script, state, flags)
    events = run.events()
    if not isinstance(log, str):
        for _ in events:  # no listener: the operation still runs
            pass
    elif log.startswith("tcp://"):
        send_over_grpc(log, events)
    else:
        send_to_file(log, events)
    if run.code == 0 and command != "preview":
        save(state_file, state)
    if run.code:
        fail(run.stderr, run.code)


if __name__ == "__main__":
    main(sys.argv[1:])
