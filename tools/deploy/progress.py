"""What a run shows while it runs and keeps afterwards: one line per resource operation as the engine reports
it, a heartbeat while a stack waits, the change counts of a preview, and each run's logs in a directory of
their own.

Engine events (`pulumi.automation.events.EngineEvent`) arrive on the SDK's threads (a file watcher, or gRPC
workers above CLI 3.205) while the CLI's output arrives on its reader threads; `StackProgress` serialises both
into the stack's log and the console. Nothing here raises into those threads: an exception there would end the
SDK's event watcher and silently drop every later event.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pulumi.automation import events as ev

from shared.stacks import StackId
from tools.findings import table

HEARTBEAT_SECONDS = 30.0
DIAGNOSTICS_SHOWN = 10  # of a failed stack's last engine diagnostics, on the terminal
# What a resource still in flight is waiting for, by type, for the heartbeat (the slow ones; others are named).
WAITING = {
    "aws:ecs/service:Service": "the ECS service to reach steady state",
    "aws:ec2/natGateway:NatGateway": "the NAT gateway to become available",
    "aws:lb/loadBalancer:LoadBalancer": "the load balancer to become active",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "the VPC endpoint to become available",
    "aws:kms/key:Key": "the KMS key",
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": "the Cloud Map namespace (a hosted zone)",
}
# Ops counted in a preview's summary; a replacement is reported by the engine as create-replacement, replace,
# delete-replaced: counted once, as replace.
COUNTED = ("create", "update", "replace", "delete")
QUIET_OPS = frozenset({"same", "read", "refresh"})  # no progress line: nothing changes


def duration(seconds: float) -> str:
    """12.3s below a minute, 4m12s above."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest:02d}s"


def logical_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def run_directory(log_root: Path, now: datetime | None = None) -> Path:
    """`<log_root>/<UTC timestamp>/`, new for every run (a suffix when two runs start in the same second), so
    a resumed run never overwrites the log of the run that failed."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    log_root.mkdir(parents=True, exist_ok=True)
    for attempt in range(1000):
        candidate = log_root / (stamp if attempt == 0 else f"{stamp}-{attempt}")
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"no free log directory for {stamp} under {log_root}")


class Console:
    """Lines prefixed with the time since the run started; one writer at a time across threads."""

    def __init__(self, heartbeat: float = HEARTBEAT_SECONDS) -> None:
        self.started = time.monotonic()
        self.heartbeat = heartbeat
        self._lock = threading.Lock()

    def line(self, text: str) -> None:
        with self._lock:
            print(f"[{duration(time.monotonic() - self.started):>7}] {text}", flush=True)

    def block(self, text: str) -> None:
        with self._lock:
            print(text, flush=True)


@dataclass(frozen=True)
class Change:
    """A resource the preview would replace or delete."""

    op: str
    type: str
    urn: str

    @property
    def name(self) -> str:
        return logical_name(self.urn)


@dataclass
class StackProgress:
    """One engine operation of one stack: its log, its live lines, what it changes, what it said on failure."""

    console: Console
    stack: StackId
    operation: str
    log: Path
    live: bool = True  # a line per resource operation (off for previews: nothing happens yet)
    started: float = field(default_factory=time.monotonic)
    counts: Counter = field(default_factory=Counter)
    changes: dict[str, Change] = field(default_factory=dict)  # urn -> replace or delete
    diagnostics: list[str] = field(default_factory=list)
    policy_violations: list[str] = field(default_factory=list)
    in_flight: dict[str, tuple[str, str, float]] = field(default_factory=dict)  # urn -> (op, type, since)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.last_report = self.started
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._sink = self.log.open("w", encoding="utf-8")

    def write(self, text: str) -> None:
        with self._lock:
            if not self._sink.closed:
                self._sink.write(text + "\n")
                self._sink.flush()

    def on_output(self, line: str) -> None:
        self.write(line)

    def report(self, op: str, typ: str, urn: str, result: str) -> None:
        self.last_report = time.monotonic()
        if self.live:
            self.console.line(f"{self.stack}  {op:<8} {typ}  {logical_name(urn)}  {result}")

    def on_event(self, event: ev.EngineEvent) -> None:
        if event.resource_pre_event is not None:
            meta = event.resource_pre_event.metadata
            op = meta.op.value
            if op in COUNTED:
                self.counts[op] += 1
            if op in ("replace", "create-replacement", "delete-replaced", "delete"):
                kind = "delete" if op == "delete" else "replace"
                self.changes.setdefault(meta.urn, Change(kind, meta.type, meta.urn))
            if op not in QUIET_OPS:
                self.in_flight[meta.urn] = (op, meta.type, time.monotonic())
        elif event.res_outputs_event is not None:
            meta = event.res_outputs_event.metadata
            started = self.in_flight.pop(meta.urn, None)
            if started is not None:
                self.report(meta.op.value, meta.type, meta.urn,
                            "planned" if self.operation == "preview" else
                            f"done in {duration(time.monotonic() - started[2])}")
        elif event.res_op_failed_event is not None:
            meta = event.res_op_failed_event.metadata
            self.in_flight.pop(meta.urn, None)
            self.report(meta.op.value, meta.type, meta.urn, "FAILED")
        elif event.diagnostic_event is not None:
            diagnostic = event.diagnostic_event
            if diagnostic.severity == "error":
                where = f" ({logical_name(diagnostic.urn)})" if diagnostic.urn else ""
                self.diagnostics.append(f"{diagnostic.message.strip()}{where}")
                self.write(f"# engine error{where}: {diagnostic.message.strip()}")
        elif event.policy_event is not None and event.policy_event.enforcement_level == "mandatory":
            self.policy_violations.append(f"{event.policy_event.policy_name}: {event.policy_event.message.strip()}")

    def waiting_for(self) -> str:
        pending = list(self.in_flight.items())  # one C-level copy: the event thread may change the dict
        if not pending:
            return "the engine (running the program, reading state)"
        urn, (op, typ, _) = min(pending, key=lambda item: item[1][2])
        return WAITING.get(typ, f"{op} of {typ} {logical_name(urn)}")

    def beat(self, now: float) -> None:
        """A heartbeat line when the stack has been quiet for the console's heartbeat interval."""
        if now - self.last_report >= self.console.heartbeat:
            self.last_report = now
            self.console.line(f"{self.stack}: {duration(now - self.started)}, waiting for {self.waiting_for()}")

    def close(self) -> None:
        with self._lock:
            self._sink.close()

    def last_diagnostics(self) -> list[str]:
        return self.diagnostics[-DIAGNOSTICS_SHOWN:]


@contextmanager
def watching(progress: StackProgress) -> Iterator[StackProgress]:
    """Heartbeats for `progress` while the block runs; the log is closed after it."""
    stop = threading.Event()
    tick = min(1.0, progress.console.heartbeat / 4)

    def loop() -> None:
        while not stop.wait(tick):
            progress.beat(time.monotonic())

    thread = threading.Thread(target=loop, name=f"heartbeat-{progress.stack}", daemon=True)
    thread.start()
    try:
        yield progress
    finally:
        stop.set()
        thread.join()
        progress.close()


def changes_table(previews: Sequence[StackProgress]) -> str:
    """One row per stack: how many resources the preview would create, update, replace, delete."""
    return table([(str(p.stack), *(str(p.counts[op]) for op in COUNTED)) for p in previews],
                 ("stack", *COUNTED))
